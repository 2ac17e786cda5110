"""The runtime ships inside every Lambda: ``import coworks`` loads the runtime's hot path and
nothing else (the import graph itself is checked in tests/test_architecture.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import coworks

RUNTIME = Path(coworks.__file__).parent / "runtime"
HEAVY = ["boto3", "botocore", "ipywidgets", "graphviz", "moto", "requests", "anywidget", "pydantic"]
#: The pytest plugin is loaded by pytest itself, never in a Lambda.
ALLOWED_THIRD_PARTY = {"testing/pytest_plugin.py": {"pytest"}}


def test_import_coworks_loads_no_heavy_module() -> None:
    code = (
        "import sys, coworks\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_coworks_loads_no_other_layer() -> None:
    code = "import sys, coworks\nprint(sorted(m for m in sys.modules if m.startswith('coworks.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)  # a printed list of str
    assert loaded and all(m.startswith("coworks.runtime") for m in loaded)


def test_modules_some_requests_need_load_on_first_use() -> None:
    code = "import sys, coworks\nprint(sorted(m for m in sys.modules if m.startswith('coworks.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(eval(out))  # a printed list of str
    lazy = {"coworks.runtime.events.apigateway", "coworks.runtime.testclient", "coworks.runtime.cron",
            "coworks.runtime.testing", "coworks.runtime.events.gateway", "coworks.runtime.describe",
            "coworks.runtime.describe.openapi", "coworks.runtime.multipart", "coworks.runtime.server"}
    assert loaded and loaded.isdisjoint(lazy)
