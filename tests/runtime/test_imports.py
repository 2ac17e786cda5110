"""The runtime ships inside every Lambda: ``import coworks`` loads the runtime's hot path and
nothing else (the import graph itself is checked in tests/test_architecture.py)."""

from __future__ import annotations

import json
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
            "coworks.runtime.describe.openapi", "coworks.runtime.multipart", "coworks.runtime.server",
            "coworks.runtime.cors", "coworks.runtime.auth", "coworks.runtime.describe.routes"}
    assert loaded and loaded.isdisjoint(lazy)


def test_a_first_request_in_lambda_loads_only_what_it_uses() -> None:
    """The hot path of a cold start: ``import coworks``, a service defined, one GET answered, in a
    fresh interpreter run as Lambda's (-I -S -B). No CORS, authorizer, multipart, OpenAPI, server,
    test client or table module; the CORS module once a service asks for it."""
    code = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(RUNTIME.parent.parent)!r})\n"
        "from coworks import TechMicroService, entry\n"
        "class Items(TechMicroService):\n"
        "    @entry\n"
        "    def get_items(self, item_id: int):\n"
        "        return {'id': item_id}\n"
        "event = {'version': '2.0', 'routeKey': 'GET /items/{item_id}', 'rawPath': '/items/4', 'rawQueryString': '',\n"
        "         'headers': {}, 'pathParameters': {'item_id': '4'}, 'isBase64Encoded': False,\n"
        "         'requestContext': {'http': {'method': 'GET', 'path': '/items/4', 'sourceIp': '1.2.3.4'},\n"
        "                            'requestId': 'r', 'stage': '$default', 'routeKey': 'GET /items/{item_id}'}}\n"
        "answer = Items(log_requests=False)(event, None)\n"
        "plain = sorted(m for m in sys.modules if m.startswith('coworks.'))\n"
        "Items(cors=True)\n"
        "print(json.dumps([answer['body'], plain, 'coworks.runtime.cors' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], capture_output=True, text=True, check=True)
    body, loaded, cors = json.loads(out.stdout)
    assert json.loads(body) == {"id": 4}
    never = {"coworks.runtime.cors", "coworks.runtime.auth", "coworks.runtime.multipart", "coworks.runtime.server",
             "coworks.runtime.testclient", "coworks.runtime.describe", "coworks.runtime.events.apigateway",
             "coworks.runtime.testing", "coworks.runtime.events.accesslog"}
    assert set(loaded).isdisjoint(never), sorted(set(loaded) & never)
    assert cors is True
