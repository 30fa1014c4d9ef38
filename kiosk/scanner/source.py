"""Find the scanner among the input devices, grab it, read it, survive unplugging.

The source runs in its own daemon thread (``evdev`` reads block) and reports
through three callbacks, which the station wraps with ``call_from_thread`` so the
codes enter the same ordered scan queue as the keyboard wedge:

- ``on_code(code)`` for every decoded code,
- ``on_status(connected, message)`` when the scanner appears or goes away,
- ``on_notice(message)`` for a code cut off by an unplug.

Without the scanner (unplugged, or not there yet) it looks again every
``retry`` seconds. The ``list_devices`` / ``open_device`` hooks let tests use a
fake device object instead of ``/dev/input``.
"""

from __future__ import annotations

import errno
import fnmatch
import grp
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kiosk.scanner.decoder import EV_KEY, KEYPAD, TERMINATORS, Decoder, KeyEvent, Layout
from kiosk.scanner.settings import ScannerSettings, load_layout

EV_REL, EV_ABS = 2, 3
ROW_DIGITS = frozenset(range(2, 12))
KEYPAD_DIGITS = frozenset(c for c, ch in KEYPAD.items() if ch.isdigit())


@dataclass(frozen=True)
class DeviceInfo:
    """What ``kiosk scanners`` shows about one input device."""

    path: str
    name: str
    vendor: int
    product: int
    likely_scanner: bool

    @property
    def ids(self) -> str:
        return f"{self.vendor:04x}:{self.product:04x}"


def looks_like_scanner(capabilities: dict) -> bool:
    """Keys with Enter and digits, and no pointer axes (a mouse or touchpad is not a scanner)."""
    keys = set(capabilities.get(EV_KEY, ()))
    if capabilities.get(EV_REL) or capabilities.get(EV_ABS):
        return False
    return bool(keys & TERMINATORS) and (ROW_DIGITS <= keys or KEYPAD_DIGITS <= keys)


def describe(device) -> DeviceInfo:
    """The ``DeviceInfo`` of an open evdev device (or a fake with the same attributes)."""
    return DeviceInfo(
        path=device.path,
        name=device.name,
        vendor=device.info.vendor,
        product=device.info.product,
        likely_scanner=looks_like_scanner(device.capabilities()),
    )


def choose(devices: Iterable, settings: ScannerSettings):
    """The device the settings name (path, name pattern, vendor:product), else the best guess, else None."""
    devices = list(devices)
    if settings.device:
        real = os.path.realpath(settings.device)
        return next((d for d in devices if d.path in (settings.device, real)), None)
    if settings.name:
        return next((d for d in devices if fnmatch.fnmatch(d.name, settings.name)), None)
    if settings.ids:
        return next((d for d in devices if (d.info.vendor, d.info.product) == settings.ids), None)
    return next((d for d in devices if looks_like_scanner(d.capabilities())), None)


def permission_message(path: str) -> str:
    """What to fix when ``path`` cannot be opened: the group the user lacks, or the udev rule."""
    try:
        group = grp.getgrgid(os.stat(path).st_gid).gr_name
    except (OSError, KeyError):
        group = "input"
    return (
        f"Permission denied on {path}: add this user to the '{group}' group (sudo usermod -aG {group} $USER, "
        "then log in again) or install the udev rule from scripts/install-kiosk "
        "(/etc/udev/rules.d/70-kiosk-scanner.rules)."
    )


def evdev_devices() -> list:
    """Every input device this user can open; raises ``PermissionError`` if none can be and some exist."""
    try:
        import evdev
    except ImportError as exc:
        raise RuntimeError("The evdev package is not installed (Linux only): pip install evdev.") from exc
    devices, denied = [], None
    for path in evdev.list_devices():
        try:
            devices.append(evdev.InputDevice(path))
        except PermissionError:
            denied = denied or path
        except OSError:
            continue
    if not devices and denied:
        raise PermissionError(errno.EACCES, permission_message(denied), denied)
    if not devices and not evdev.list_devices() and os.path.isdir("/dev/input"):
        unreadable = [n for n in os.listdir("/dev/input") if n.startswith("event")]
        if unreadable:
            path = f"/dev/input/{unreadable[0]}"
            raise PermissionError(errno.EACCES, permission_message(path), path)
    return devices


class ScannerSource:
    """Reads the configured scanner in a background thread and reports codes and connection changes."""

    def __init__(
        self,
        settings: ScannerSettings,
        *,
        on_code: Callable[[str], None],
        on_status: Callable[[bool, str], None],
        on_notice: Callable[[str], None] = lambda message: None,
        list_devices: Callable[[], list] = evdev_devices,
        retry: float = 1.0,
        layout: Layout | None = None,
    ) -> None:
        self.settings = settings
        self.on_code, self.on_status, self.on_notice = on_code, on_status, on_notice
        self.list_devices = list_devices
        self.retry = retry
        self.layout = layout or load_layout(settings.layout)
        self.connected: bool | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._device = None

    def start(self) -> None:
        """Start looking for the scanner (returns at once)."""
        self._thread = threading.Thread(target=self._run, name="kiosk-scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading, release the grab, and wait for the thread."""
        self._stop.set()
        device = self._device
        if device is not None:
            try:
                device.close()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout)

    def _set_status(self, connected: bool, message: str) -> None:
        if connected != self.connected:
            self.connected = connected
            self.on_status(connected, message)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                device = choose(self.list_devices(), self.settings)
            except PermissionError as exc:
                self._set_status(False, str(exc.strerror or exc))
                device = None
            except (OSError, RuntimeError) as exc:
                self._set_status(False, f"scanner disconnected: {exc}")
                device = None
            if device is None:
                self._set_status(False, "scanner disconnected")
                self._stop.wait(self.retry)
                continue
            self._read(device)

    def _read(self, device) -> None:
        decoder = Decoder(self.layout)
        self._device = device
        try:
            if self.settings.grab:
                device.grab()
            self._set_status(True, f"scanner connected: {device.name}")
            for ev in device.read_loop():
                if self._stop.is_set():
                    return
                code = decoder.feed(KeyEvent(ev.sec, ev.usec, ev.type, ev.code, ev.value))
                if code is not None:
                    self.on_code(code)
        except OSError as exc:
            if self._stop.is_set():
                return
            partial = decoder.reset()
            if partial:
                self.on_notice(f"A scan cut off by the scanner unplug was discarded ({partial!r}); scan it again.")
            message = permission_message(device.path) if isinstance(exc, PermissionError) else "scanner disconnected"
            self._set_status(False, message)
            self._stop.wait(self.retry)
        finally:
            self._device = None
            try:
                device.close()
            except OSError:
                pass
