#!/usr/bin/env bash
# The main job on the embedded default: the quickstart runbook (define a service, call it
# in-process, serve it on 127.0.0.1, deploy it on the embedded local cloud, call its URL, read its
# logs, show the endpoint caller), executed headlessly by `cws runbook`, which writes the executed
# notebook and its HTML report to build/runbooks/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/venv.sh aws,cli,biz,local,notebook
exec .venv/bin/cws runbook notebooks/quickstart.ipynb -p stage dev -p cloud local --output build/runbooks "$@"
