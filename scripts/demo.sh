#!/usr/bin/env bash
# The main job on the embedded default: a tour of the runtime (define a service, call it
# in-process and as Lambda, serve it over HTTP on 127.0.0.1, print its OpenAPI).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/venv.sh aws,cli,biz,local,notebook
exec .venv/bin/python scripts/demo.py "$@"
