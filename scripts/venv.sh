#!/usr/bin/env bash
# Make .venv at the repository root hold coworks with the given extras (default: dev).
# Re-installs only when pyproject.toml or the extras change, so repeated runs are quick.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-dev}"
py="${PYTHON:-python3}"
cd "$root"

if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Coworks needs Python 3.11 or newer; set PYTHON=/path/to/python3.11." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$py" -m venv .venv
fi
stamp=".venv/.coworks-$(echo "$extras" | tr ',' '-')-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "==> installing coworks[$extras] into .venv (first run only)"
    # pip below 26.3: chalice (a dev dependency) pins pip<26.3, and a newer pip would be
    # downgraded again by the next install, with a resolver warning each time.
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "pip>=24,<26.3" 2>&1 \
        | grep -v "^WARNING: Location" || true
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]" 2>&1 \
        | grep -v "^WARNING: Location" || true
    .venv/bin/python -c "import coworks" || { echo "installing coworks[$extras] failed" >&2; exit 1; }
    touch "$stamp"
fi

# System packages: graphviz's `dot` draws workflows.
if ! command -v dot >/dev/null 2>&1; then
    echo "==> installing graphviz (dot) with apt-get"
    if command -v apt-get >/dev/null 2>&1; then
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq graphviz >/dev/null
    else
        echo "warning: no apt-get; install graphviz's dot yourself (e.g. conda install graphviz)" >&2
    fi
fi

# Chromium drives the browser test (tests/browser): Debian's package, never Playwright's download.
# Only the dev extras (the test command) need it.
if [[ ",$extras," == *",dev,"* ]] && [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium with apt-get (for the browser test)"
    if command -v apt-get >/dev/null 2>&1; then
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null \
            || echo "warning: chromium could not be installed; the browser test will be skipped" >&2
    else
        echo "warning: no apt-get; install chromium yourself or the browser test is skipped" >&2
    fi
fi
