# Sourced by scripts/demo and scripts/test: make .venv and install kiosk into it.
# Reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ensure_venv() {
    local extras="$1" stamp=".venv/.installed${1:+-$1}"
    if [ ! -x .venv/bin/python ]; then
        echo "Creating .venv ..." >&2
        python3 -m venv .venv
    fi
    local want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "Installing kiosk${extras:+ with [$extras]} into .venv ..." >&2
        .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
        .venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
        echo "$want" >"$stamp"
    fi
}
