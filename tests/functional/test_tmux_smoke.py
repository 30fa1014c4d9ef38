"""End to end in a real terminal: ``kiosk demo`` in tmux at 120×40, sign in, issue a device, read the screen.

Uses a private tmux server (``-L``) so it never touches a tmux the developer has open.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).parent / "kiosk"

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed; the terminal smoke test needs it"),
    pytest.mark.skipif(not KIOSK.exists(), reason=f"{KIOSK} is not installed (pip install -e .)"),
]


def _parse_tour(text: str) -> tuple[str, str, str, str]:
    """(operator badge, PIN, a student without a device, an available device) from ``kiosk demo --no-run``."""
    badge_line = next((line for line in text.splitlines() if "OP-1001" in line), None)
    assert badge_line, f"no OP-1001 line in the demo output:\n{text}"
    pin = re.search(r"PIN\W*(\d{4,})", badge_line)
    assert pin, f"no PIN on the operator line: {badge_line!r}"
    issue = re.search(r"student\s+(\S+?),?\s+(?:then\s+)?(?:device\s+)?(\S+?)\.?\s*$", _issue_line(text))
    assert issue, f"no sample student and device in the demo output:\n{text}"
    return "OP-1001", pin.group(1), issue.group(1), issue.group(2)


def _issue_line(text: str) -> str:
    for line in text.splitlines():
        if "issue" in line.lower() and "student" in line.lower() and "device" in line.lower():
            return line
    return ""


class Tmux:
    """One private tmux server holding one session."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.socket = f"kiosk-test-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        self.env = env

    def run(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            check=False,
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=20,
        )
        return out.stdout

    def start(self, command: str) -> None:
        self.run("new-session", "-d", "-s", "kiosk", "-x", "120", "-y", "40", command)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "kiosk", "-l", text)
        self.run("send-keys", "-t", "kiosk", "Enter")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "kiosk")

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if needle in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; the terminal shows:\n{screen}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.run("kill-server")


def test_demo_station_in_a_real_terminal(tmp_path):
    env = {**os.environ, "KIOSK_HOME": str(tmp_path), "TERM": "xterm-256color"}
    env.pop("KIOSK_DB", None)
    env.pop("KIOSK_CONFIG", None)
    db = f"sqlite:///{tmp_path / 'k.db'}"
    built = subprocess.run(
        [str(KIOSK), "--db", db, "demo", "--no-run"], check=False, env=env, capture_output=True, text=True, timeout=120
    )
    assert built.returncode == 0, built.stderr + built.stdout
    badge, pin, student, device = _parse_tour(built.stdout)

    tmux = Tmux(tmp_path, env)
    try:
        tmux.start(f"{KIOSK} --db {db} demo")
        tmux.wait_for("Scan your badge")
        tmux.type(badge)
        time.sleep(0.3)  # a person looks up before typing the PIN; the field has moved on by then
        tmux.type(pin)
        tmux.wait_for("Signed in as")
        tmux.type(student)
        tmux.wait_for("scan the device to issue")
        tmux.type(device)
        screen = tmux.wait_for(f"Issued {device} to")
        assert "Next student." in screen
        assert "Issued 1" in screen  # the shift tally
        # ctrl+q does not end the program; it asks for an admin.
        tmux.run("send-keys", "-t", "kiosk", "C-q")
        tmux.wait_for("admin only")
    finally:
        tmux.kill()
