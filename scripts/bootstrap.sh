# Sourced by scripts/demo and scripts/test: makes .venv with Python 3.13+ and the pinned deps.
# Re-installs only when pyproject.toml or requirements/lock.txt changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
    local candidate
    for candidate in python3.14 python3.13; do
        # pyenv shims exist for every version but refuse unless it is selected.
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys' >/dev/null 2>&1; then
            command -v "$candidate"
            return
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/3.14*/bin/python3.14 "$(pyenv root)"/versions/3.13*/bin/python3.13; do
            if [ -x "$candidate" ]; then
                echo "$candidate"
                return
            fi
        done
    fi
    if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
        command -v python3
        return
    fi
    echo "spotify-lcd: Python 3.13 or newer is required and was not found" >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
    PYTHON="$(find_python)"
    echo "==> creating $VENV with $PYTHON" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

STAMP="$VENV/.bootstrap-stamp"
WANT="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements/lock.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "==> installing spotify-lcd and its pinned dependencies into $VENV" >&2
    rm -f "$STAMP"
    # Explicit checks: `set -e` does not apply when the caller sources us inside `&&`.
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3 \
        || { echo "spotify-lcd: cannot install pip" >&2; exit 1; }
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$ROOT/requirements/lock.txt" -e "$ROOT[test,dev,ha-test]" \
        || { echo "spotify-lcd: dependency installation failed" >&2; exit 1; }
    echo "$WANT" > "$STAMP"
fi
# ESPHome, for `esphome config` of the firmware YAML, in a venv of its own (its pins
# conflict with Home Assistant's test stack).
ESPHOME_VENV="$ROOT/.venv-esphome"
ESPHOME_WANT="$(sha256sum "$ROOT/requirements/esphome-lock.txt" | cut -d' ' -f1)"
if [ ! -f "$ESPHOME_VENV/.bootstrap-stamp" ] || [ "$(cat "$ESPHOME_VENV/.bootstrap-stamp")" != "$ESPHOME_WANT" ]; then
    echo "==> installing ESPHome into $ESPHOME_VENV" >&2
    rm -rf "$ESPHOME_VENV"
    "$VENV/bin/python" -m venv "$ESPHOME_VENV"
    "$ESPHOME_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$ROOT/requirements/esphome-lock.txt" \
        || { echo "spotify-lcd: ESPHome installation failed" >&2; exit 1; }
    echo "$ESPHOME_WANT" > "$ESPHOME_VENV/.bootstrap-stamp"
fi
export PATH="$VENV/bin:$PATH"
