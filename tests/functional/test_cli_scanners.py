"""``kiosk scanners`` run as a subprocess, on a machine that may have no input devices at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.functional.test_cli import run


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def readable_input_devices() -> bool:
    try:
        import evdev

        return bool(evdev.list_devices())
    except ImportError:
        return False


def test_bad_scanner_table_is_refused_with_the_key_named(home, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[scanner]\ngrab = "yes"\n')
    proc = run(["--config", str(config), "scanners"], home=home, check_rc=2)
    assert "Config [scanner]: grab must be true or false, not 'yes'." in proc.stderr
    config.write_text('[scanner]\nvendor_product = "zebra"\n')
    proc = run(["--config", str(config), "scanners"], home=home, check_rc=2)
    assert "vendor_product must be four hex digits" in proc.stderr


@pytest.mark.skipif(readable_input_devices(), reason="this machine has readable input devices")
def test_no_input_devices_says_so_and_exits_1(home):
    proc = run(["scanners"], home=home, check_rc=1)
    assert proc.stdout == ""
    assert "No input devices found" in proc.stderr or "Permission denied" in proc.stderr


@pytest.mark.skipif(not readable_input_devices(), reason="no readable /dev/input devices on this machine")
def test_listing_marks_the_likely_scanners(home):
    proc = run(["scanners"], home=home, check_rc=0)
    assert "/dev/input/event" in proc.stdout and "looks like a scanner" in proc.stdout


@pytest.mark.skipif(readable_input_devices(), reason="this machine has readable input devices")
def test_watch_without_a_scanner_reports_disconnected_and_stops_on_ctrl_c(home, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_HOME"] = str(home)
    err = tmp_path / "stderr"
    with err.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "scanners", "--watch"], env=env,
                                stdout=subprocess.PIPE, stderr=stderr, text=True)  # fmt: skip
        deadline = time.monotonic() + 30
        while "scanner disconnected" not in Path(err).read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    text = err.read_text()
    assert proc.returncode == 0, text
    assert "Scan a barcode" in text and "scanner disconnected" in text
    assert out == ""
