"""``cws new NAME``: a project that works at once: a service, its test, a workflow over it, a runbook
notebook, ``.env`` files and a README saying what to run. ``pytest`` passes in it as written."""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from typing import Any

import click

SERVICE = '''"""{title}: a Coworks service (run it with `cws run {module}:app --reload`)."""

import os

from coworks import NotFound, TechMicroService, entry


class {cls}(TechMicroService):
    """{title}: items by id, and a greeting read from the stage's settings (.env)."""

    requirements: list[str] = []  # third-party packages the deployed Lambda needs, e.g. ["requests"]

    @entry
    def get(self):
        """Health check, with the greeting of the stage's .env."""
        return {{"service": self.name, "greeting": os.environ.get("GREETING", "hello")}}

    @entry
    def get_item(self, item_id: int):
        """One item by id."""
        if item_id > 100:
            raise NotFound(f"No item {{item_id}}.")
        return {{"id": item_id, "name": f"item {{item_id}}"}}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        """Add an item."""
        return {{"name": name, "qty": qty}}, 201


app = {cls}("{name}")
'''

WORKFLOW = '''"""A workflow over the service: read an item, then say whether it was found.

Draw it with `cws graph workflow:flow`, run it with `cws run-workflow workflow:flow --local --input '{{"id": 3}}'`.
"""

from coworks.biz import Pass, Ref, Succeed, Task, Workflow

from {module} import app

fetch = Task(app.get_item, item_id=Ref("$.id"), result_path="$.item")
fetch.catch(["HTTP404"], Pass("Unknown item"), result_path="$.error")
flow = Workflow("{name}-flow", fetch >> Succeed("Done"))
'''

TEST = '''"""The service through its test client (the same event adapter as Lambda) and the workflow run locally."""

from {module} import app
from workflow import flow


def test_the_service_answers() -> None:
    client = app.test_client()
    assert client.get("/item/3").json() == {{"id": 3, "name": "item 3"}}
    assert client.get("/item/x").status_code == 422
    assert client.get("/item/101").status_code == 404
    assert client.post("/item", json={{"name": "pen", "qty": 2}}).status_code == 201


def test_the_workflow_runs_locally() -> None:
    flow.validate()
    found = flow.run_local({{"id": 3}}, services=[app])
    assert found.status == "SUCCEEDED" and found.output["item"]["body"]["id"] == 3
'''

CONFTEST = '''import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project's modules, as `cws` finds them
'''

README = '''# {title}

A [Coworks](https://pypi.org/project/coworks/) project: the service `{module}.py`, a workflow over it
(`workflow.py`), their tests (`tests/`), a runbook (`runbook.ipynb`) and the stage settings (`.env`,
`.env.dev`).

```bash
pytest                                   # the service and the workflow, in-process
cws run {module}:app --reload            # http://127.0.0.1:8000/item/3, restarted on every change
cws cloud                                # in another terminal: the shared local cloud
cws deploy {module}:app                  # deploy it there; `cws invoke {name} /item/3`, `cws logs {name}`
cws runbook runbook.ipynb -p stage dev   # the runbook, headless, with its HTML report
```

Settings: `.env` holds what every stage shares, `.env.<stage>` what one stage changes (read by
`cws run --stage` and by the deploy). Third-party packages the Lambda needs go in the class's
`requirements = [...]`. Real AWS only when asked for: `cws deploy {module}:app --aws` (or `--profile`).
'''

DOTENV = "# Settings every stage shares (KEY=VALUE); secrets go in as ARNs, never as values.\nGREETING=hello\n"
DOTENV_DEV = "# Settings of the dev stage, over .env.\nGREETING=hello from dev\n"
GITIGNORE = "__pycache__/\n*.executed.ipynb\n*.html\n.venv/\n"


def runbook(module: str) -> str:
    """A runbook notebook: parameters, the service in-process, deployed on the local cloud, logs."""
    def code(source: str, tags: list[str] | None = None) -> dict[str, Any]:
        return {"cell_type": "code", "execution_count": None, "metadata": {"tags": tags or []}, "outputs": [],
                "source": source.splitlines(keepends=True)}

    cells: list[dict[str, Any]] = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {module}: deploy and smoke-test"]},
        code('stage = "dev"\ncloud = "local"  # "local" (embedded), "aws" or "aws:<profile>"', ["parameters"]),
        code(f"from coworks.notebook import DeployPanel, open_cloud\n\nfrom {module} import app\n\n"
             "print(app.test_client().get('/item/3').json())"),
        code("cloud = open_cloud(cloud)\npanel = DeployPanel(app, cloud=cloud, stage=stage)\n"
             "url = panel.apply(confirmed=True)\nif url is None:\n    raise RuntimeError(panel.error)\npanel"),
        code("import urllib.request\n\nprint(urllib.request.urlopen(url + '/item/3', timeout=30).read().decode())"),
        code("cloud.logs(app, since='5m', stage=stage)"),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    book = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(book, indent=1) + "\n"


def names(name: str) -> tuple[str, str, str]:
    """(service name, module, class) for ``my-shop``: ``my-shop``, ``my_shop``, ``MyShop``."""
    if not re.fullmatch(r"[a-z][a-z0-9]*([-_][a-z0-9]+)*", name):
        raise click.BadParameter(f"{name!r} is not a project name: lower-case letters, digits and '-', "
                                 "starting with a letter (for example shop or my-shop).", param_hint="NAME")
    module = name.replace("-", "_")
    if keyword.iskeyword(module) or module in ("workflow", "tests", "coworks", "test"):
        raise click.BadParameter(f"{name!r} is a name Python or the project itself uses: pick another.",
                                 param_hint="NAME")
    return name, module, "".join(part.capitalize() for part in re.split(r"[-_]", name))


@click.command("new")
@click.argument("name")
@click.option("--directory", "-C", type=click.Path(file_okay=False), default=None,
              help="Where to create it (default: ./NAME).")
def new(name: str, directory: str | None) -> None:
    """Create the project NAME: a service, its test, a workflow, a runbook, .env files and a README."""
    service, module, cls = names(name)
    root = Path(directory or name)
    if root.exists() and any(root.iterdir()):
        raise click.ClickException(f"{root} exists and is not empty: choose another NAME or --directory.")
    title = cls
    files = {
        f"{module}.py": SERVICE.format(title=title, module=module, cls=cls, name=service),
        "workflow.py": WORKFLOW.format(module=module, name=service),
        f"tests/test_{module}.py": TEST.format(module=module),
        "tests/conftest.py": CONFTEST,
        "runbook.ipynb": runbook(module),
        ".env": DOTENV,
        ".env.dev": DOTENV_DEV,
        ".gitignore": GITIGNORE,
        "README.md": README.format(title=title, module=module, name=service),
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Created {root}/ ({', '.join(files)})\nNext: cd {root} && pytest && cws run {module}:app --reload")
