"""The project's own promises: environment.yml in step with pyproject.toml, the README's two
commands, and a runtime that stays standard-library only."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Where conda-forge spells a package differently from PyPI.
CONDA_NAMES = {"graphviz": "python-graphviz"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(3).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == [], "the runtime must have no third-party dependency"
    wanted: dict[str, str] = {}
    for requirements in project["optional-dependencies"].values():
        for requirement in requirements:
            name, spec = _split(requirement)
            if name == "coworks":
                continue
            assert wanted.get(name, spec) == spec, f"{name} is pinned differently in two extras"
            wanted[name] = spec
    return wanted


def _environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found: dict[str, str] = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e"):
                continue
            name, spec = _split(item)
            found[name] = spec
    return found


def test_environment_yml_pins_every_extra_like_pyproject() -> None:
    wanted = _pyproject_requirements()
    found = _environment_requirements()
    for name, spec in wanted.items():
        conda = CONDA_NAMES.get(name, name)
        assert conda in found, f"environment.yml lacks {conda} (pyproject.toml has {name}{spec})"
        assert found[conda] == spec, f"{conda}: environment.yml says {found[conda]}, pyproject.toml {spec}"


def test_environment_yml_brings_the_dot_binary() -> None:
    assert "graphviz" in _environment_requirements()


def test_extras_are_the_ones_the_design_names() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {"aws", "local", "notebook", "dev"} <= set(extras)
    dev = " ".join(extras["dev"])
    for tool in ("pytest", "hypothesis", "ruff", "mypy", "chalice", "aws-lambda-powertools"):
        assert tool in dev


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Set-up: two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines() if line.strip()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    ci = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1].endswith("bash scripts/test.sh")


def test_import_coworks_loads_no_heavy_package() -> None:
    heavy = {"boto3", "botocore", "ipywidgets", "graphviz", "moto", "requests", "click", "anywidget", "typing"}
    code = (
        "import coworks, sys; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(heavy)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.localcloud
def test_readme_examples_run() -> None:
    """The runtime example and the deploy example of the README, as written, on a LocalCloud.

    In a fresh interpreter: moto's state is per process, and other tests of this worker deploy
    their own "inventory" too."""
    readme = (ROOT / "README.md").read_text()
    blocks = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:3]]
    runner = (
        "import linecache, sys, json, requests\n"
        "blocks = json.loads(sys.stdin.read())\n"
        "namespace = {'requests': requests, '__name__': '__main__'}\n"
        "for index, source in enumerate(blocks):  # registered like IPython cells, so deploy finds them\n"
        "    filename = f'<README example {index}>'\n"
        "    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)\n"
        "    exec(compile(source, filename, 'exec'), namespace)\n"
        "    if index == 0:\n"
        "        namespace['server'].stop()\n"
        "namespace['cloud'].close()\n"
        "print('README ok')\n"
    )
    import json

    out = subprocess.run([sys.executable, "-c", runner], input=json.dumps(blocks), capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("README ok")
