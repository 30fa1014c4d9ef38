"""The layer rules in pyproject.toml ([tool.importlinter]) hold: models at the bottom, the engine UI-free,
screens never touching the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint = ROOT / ".venv" / "bin" / "lint-imports"
    if not lint.exists():  # a virtualenv somewhere else: the one running the tests
        lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout
