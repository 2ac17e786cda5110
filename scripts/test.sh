#!/usr/bin/env bash
# The whole test suite: installs everything it needs into .venv on first use, then runs
# ruff, mypy and pytest (in parallel on every core).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/venv.sh dev

echo "==> ruff"
.venv/bin/ruff check coworks tests bench extensions
echo "==> mypy"
.venv/bin/mypy coworks extensions tests/extensions
echo "==> pytest"
.venv/bin/pytest -n "${COWORKS_TEST_WORKERS:-auto}" -q "$@"
