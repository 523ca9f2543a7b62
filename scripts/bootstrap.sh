# Sourced by scripts/demo and scripts/test: makes .venv with Python 3.13+ and the pinned deps.
# The caller sets BOOTSTRAP_PROFILE: `runtime` (what `spotify-lcd serve` needs, for the demo)
# or `full` (runtime + tests, linters, Home Assistant's test harness and ESPHome, for CI).
# Re-installs only when pyproject.toml, the locks or the profile changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
BOOTSTRAP_PROFILE="${BOOTSTRAP_PROFILE:-full}"

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
    echo "spotify-lcd: Python 3.13 or newer is required and was not found; install it (python.org, pyenv or your distribution) and run this again" >&2
    return 1
}

step() { echo "==> $*" >&2; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
    PYTHON="$(find_python)"
    step "creating $VENV with $PYTHON"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi

# pip prints what it collects and installs (no --quiet): a first run shows its progress.
pip_install() {
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar on "$@"
}

installed_stamp() { cat "$VENV/.bootstrap-$1" 2>/dev/null || true; }
WANT="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements/lock.txt" | sha256sum | cut -d' ' -f1)"
# A full install covers the runtime one.
if [ "$(installed_stamp "$BOOTSTRAP_PROFILE")" != "$WANT" ] && [ "$(installed_stamp full)" != "$WANT" ]; then
    rm -f "$VENV/.bootstrap-runtime" "$VENV/.bootstrap-full"
    case "$BOOTSTRAP_PROFILE" in
        runtime) target="$ROOT" ;;
        full) target="$ROOT[test,dev,ha-test]" ;;
        *) echo "spotify-lcd: BOOTSTRAP_PROFILE must be runtime or full, not $BOOTSTRAP_PROFILE" >&2; exit 2 ;;
    esac
    step "installing spotify-lcd ($BOOTSTRAP_PROFILE) and its pinned dependencies into $VENV"
    # Explicit checks: `set -e` does not apply when the caller sources us inside `&&`.
    pip_install --quiet --upgrade pip==25.3 \
        || { echo "spotify-lcd: cannot install pip 25.3; check your network or package index settings" >&2; exit 1; }
    pip_install -c "$ROOT/requirements/lock.txt" -e "$target" \
        || { echo "spotify-lcd: dependency installation failed (see pip's output above)" >&2; exit 1; }
    echo "$WANT" > "$VENV/.bootstrap-$BOOTSTRAP_PROFILE"
fi
if [ "$BOOTSTRAP_PROFILE" = full ]; then
    # ESPHome, for `esphome config` of the firmware YAML, in a venv of its own (its pins
    # conflict with Home Assistant's test stack).
    ESPHOME_VENV="$ROOT/.venv-esphome"
    ESPHOME_WANT="$(sha256sum "$ROOT/requirements/esphome-lock.txt" | cut -d' ' -f1)"
    if [ ! -f "$ESPHOME_VENV/.bootstrap-stamp" ] || [ "$(cat "$ESPHOME_VENV/.bootstrap-stamp")" != "$ESPHOME_WANT" ]; then
        step "installing ESPHome into $ESPHOME_VENV"
        rm -rf "$ESPHOME_VENV"
        "$VENV/bin/python" -m venv "$ESPHOME_VENV"
        "$ESPHOME_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$ROOT/requirements/esphome-lock.txt" \
            || { echo "spotify-lcd: ESPHome installation failed" >&2; exit 1; }
        echo "$ESPHOME_WANT" > "$ESPHOME_VENV/.bootstrap-stamp"
    fi
fi
export PATH="$VENV/bin:$PATH"
