"""``scripts/install-kiosk`` with --dry-run and into a temporary root; unit and rule checked for syntax."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.scanner.settings import parse_settings

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-kiosk"


def install(*args, check_rc=0):
    proc = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == check_rc, (proc.stdout, proc.stderr)
    return proc


def test_dry_run_prints_every_file_and_command():
    out = install("--dry-run", "--station", "Library 1", "--db", "postgresql://kiosk@db/kiosk").stdout
    for path in (
        "/etc/kiosk/kiosk.toml",
        "/etc/systemd/system/kiosk.service",
        "/etc/udev/rules.d/70-kiosk-scanner.rules",
    ):
        assert f"==> {path}" in out
    assert 'name = "Library 1"' in out and 'url = "postgresql://kiosk@db/kiosk"' in out
    assert "TTYPath=/dev/tty1" in out and "Restart=on-failure" in out and "User=kiosk" in out
    assert 'SYMLINK+="input/kiosk-scanner"' in out and 'GROUP="kiosk"' in out
    assert "useradd --system" in out and "systemctl enable --now kiosk.service" in out


def test_into_a_root_writes_files_the_kiosk_reads(tmp_path):
    install("--root", str(tmp_path), "--station", "Gym pickup", "--scanner", "0c2e:0B61", "--user", "station")
    config = load_config(tmp_path / "etc/kiosk/kiosk.toml")
    assert config.station == "Gym pickup" and config.db_url == "sqlite:////var/lib/station/kiosk.sqlite3"
    settings = parse_settings(config.extra["scanner"])
    assert settings.enabled and settings.device == "/dev/input/kiosk-scanner" and settings.grab
    rule = (tmp_path / "etc/udev/rules.d/70-kiosk-scanner.rules").read_text()
    assert 'ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0B61"' in rule and 'GROUP="station"' in rule
    assert "User=station" in (tmp_path / "etc/systemd/system/kiosk.service").read_text()
    assert oct((tmp_path / "etc/kiosk/kiosk.toml").stat().st_mode & 0o777) == "0o640"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dry-run"], "--station is required"),
        (["--dry-run", "--station", "A", "--scanner", "zebra"], "--scanner must look like 0c2e:0b61"),
        (["--dry-run", "--station", "A", "--user", "Bad User"], "--user must be a Linux user name"),
        (["--dry-run", "--station", 'Say "hi"'], "--station must not contain quotes"),
        (["--dry-run", "--station", "A", "--frobnicate"], "unknown option: --frobnicate"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(args, message):
    proc = install(*args, check_rc=2)
    assert message in proc.stderr and "==>" not in proc.stdout


def test_unit_passes_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    install("--root", str(tmp_path), "--station", "A", "--kiosk-bin", "/bin/true")
    unit = tmp_path / "etc/systemd/system/kiosk.service"
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], check=False, capture_output=True, text=True, timeout=60
    )
    lines = [line for line in proc.stderr.splitlines() if "kiosk.service" in line and "User" not in line]
    if proc.returncode != 0 and "Failed to" in proc.stderr and not lines:
        pytest.skip(f"systemd-analyze cannot run here: {proc.stderr.strip()[:200]}")
    assert not lines, proc.stderr


def test_udev_rule_passes_udevadm_verify(tmp_path):
    if shutil.which("udevadm") is None:
        pytest.skip("udevadm is not installed")
    install("--root", str(tmp_path), "--station", "A")
    rule = tmp_path / "etc/udev/rules.d/70-kiosk-scanner.rules"
    proc = subprocess.run(["udevadm", "verify", str(rule)], check=False, capture_output=True, text=True, timeout=60)
    if "Unknown command" in proc.stderr or "unknown" in proc.stderr.lower() and "verify" in proc.stderr:
        pytest.skip("this udevadm has no 'verify' command (systemd < 254)")
    assert proc.returncode == 0, proc.stderr
