"""The evdev source against fake device objects: discovery, grab, unplug mid-stream, recovery."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from kiosk.scanner.settings import ScannerSettings
from kiosk.scanner.source import ScannerSource, choose, looks_like_scanner, permission_message

DATA = Path(__file__).resolve().parents[1] / "data" / "scanner"
SCANNER_CAPS = {1: [*range(2, 12), *range(16, 54), 28, 96]}
MOUSE_CAPS = {1: [272, 273], 2: [0, 1]}
KEYBOARD_NO_DIGITS = {1: [28, 30, 31]}


class FakeDevice:
    """The part of ``evdev.InputDevice`` the source uses; ``read_loop`` raises ``OSError`` at an unplug mark."""

    def __init__(self, path, name, caps, rows=(), vendor=0x0C2E, product=0x0B61):
        self.path, self.name, self._caps, self.rows = path, name, caps, list(rows)
        self.info = SimpleNamespace(vendor=vendor, product=product)
        self.grabbed = self.closed = False

    def capabilities(self):
        return self._caps

    def grab(self):
        self.grabbed = True

    def close(self):
        self.closed = True

    def read_loop(self):
        while self.rows:
            row = self.rows.pop(0)
            if row.get("unplug"):
                raise OSError(19, "No such device")
            yield SimpleNamespace(**row)
        while not self.closed:
            time.sleep(0.01)


def recording(name):
    return [json.loads(line) for line in (DATA / name).read_text().splitlines()]


def test_discovery_by_path_name_ids_and_best_guess():
    mouse = FakeDevice("/dev/input/event1", "Logitech USB Optical Mouse", MOUSE_CAPS, vendor=0x046D, product=1)
    kbd = FakeDevice("/dev/input/event2", "Power Button", KEYBOARD_NO_DIGITS, vendor=0, product=1)
    scanner = FakeDevice("/dev/input/event5", "Honeywell Imaging 1900", SCANNER_CAPS)
    devices = [mouse, kbd, scanner]
    assert [looks_like_scanner(d.capabilities()) for d in devices] == [False, False, True]
    assert choose(devices, ScannerSettings(enabled=True)) is scanner
    assert choose(devices, ScannerSettings(enabled=True, device="/dev/input/event1")) is mouse
    assert choose(devices, ScannerSettings(enabled=True, name="*Mouse*")) is mouse
    assert choose(devices, ScannerSettings(enabled=True, vendor_product="0c2e:0b61")) is scanner
    assert choose(devices, ScannerSettings(enabled=True, name="Zebra*")) is None
    assert choose([mouse, kbd], ScannerSettings(enabled=True)) is None


def test_unplug_mid_stream_reports_disconnect_discards_the_cut_code_and_recovers():
    rows = recording("cut_by_unplug.jsonl")
    cut = rows.index({"unplug": True})
    first = FakeDevice("/dev/input/event5", "Scanner", SCANNER_CAPS, rows[: cut + 1])
    second = FakeDevice("/dev/input/event6", "Scanner", SCANNER_CAPS, rows[cut + 1 :])
    plugged = [[first], [], [], [second]]  # unplugged for two looks, then back
    codes, statuses, notices = [], [], []
    done = threading.Event()

    def listing():
        return plugged.pop(0) if len(plugged) > 1 else plugged[0]

    def on_code(code):
        codes.append(code)
        if len(codes) == 2:
            done.set()

    source = ScannerSource(
        ScannerSettings(enabled=True),
        on_code=on_code,
        on_status=lambda ok, msg: statuses.append((ok, msg)),
        on_notice=notices.append,
        list_devices=listing,
        retry=0.01,
    )
    source.start()
    try:
        assert done.wait(5)
    finally:
        source.stop()
    assert codes == ["S100234", "CB-00917"]
    assert statuses == [
        (True, "scanner connected: Scanner"),
        (False, "scanner disconnected"),
        (True, "scanner connected: Scanner"),
    ]
    assert len(notices) == 1 and "'CB-009'" in notices[0] and "discarded" in notices[0]
    assert first.grabbed and first.closed and second.grabbed and second.closed


def test_no_scanner_at_start_is_reported_once_and_keeps_looking():
    looks, statuses = [], []
    source = ScannerSource(
        ScannerSettings(enabled=True, grab=False),
        on_code=lambda code: None,
        on_status=lambda ok, msg: statuses.append((ok, msg)),
        list_devices=lambda: looks.append(1) or [],
        retry=0.01,
    )
    source.start()
    time.sleep(0.2)
    source.stop()
    assert statuses == [(False, "scanner disconnected")]
    assert len(looks) > 3


def test_permission_denied_names_the_group_and_the_udev_rule(tmp_path):
    denied = tmp_path / "event9"
    denied.write_text("")

    def listing():
        raise PermissionError(13, permission_message(str(denied)))

    statuses = []
    source = ScannerSource(
        ScannerSettings(enabled=True),
        on_code=lambda c: None,
        on_status=lambda ok, msg: statuses.append((ok, msg)),
        list_devices=listing,
        retry=0.01,
    )
    source.start()
    time.sleep(0.1)
    source.stop()
    ok, message = statuses[0]
    assert not ok and f"Permission denied on {denied}" in message
    assert "group" in message and "70-kiosk-scanner.rules" in message
