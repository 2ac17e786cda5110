"""``cws new NAME``: the project it writes passes its own tests at once, in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from coworks.cli.app import cli


def test_the_new_project_passes_its_own_tests(tmp_path: Path) -> None:
    made = CliRunner().invoke(cli, ["new", "my-shop", "-C", str(tmp_path / "my-shop")])
    assert made.exit_code == 0, made.output
    root = tmp_path / "my-shop"
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == {
        "my_shop.py", "workflow.py", "tests/test_my_shop.py", "tests/conftest.py", "runbook.ipynb", ".env",
        ".env.dev", ".gitignore", "README.md"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    flow = subprocess.run([sys.executable, "-m", "coworks.cli", "run-workflow", "workflow:flow", "--local",
                           "--input", '{"id": 500}'], cwd=root, capture_output=True, text=True, timeout=120)
    assert flow.returncode == 0 and "Status: SUCCEEDED" in flow.stdout, flow.stdout + flow.stderr


def test_the_runbook_is_a_notebook_with_parameters(tmp_path: Path) -> None:
    import nbformat

    assert CliRunner().invoke(cli, ["new", "shop", "-C", str(tmp_path / "shop")]).exit_code == 0
    book = nbformat.read(tmp_path / "shop" / "runbook.ipynb", as_version=4)
    nbformat.validate(book)
    assert any("parameters" in cell.metadata.get("tags", []) for cell in book.cells)


def test_bad_names_and_taken_folders_are_one_sentence(tmp_path: Path) -> None:
    bad = CliRunner().invoke(cli, ["new", "My Shop"])
    assert bad.exit_code == 2 and "'My Shop' is not a project name" in bad.output
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "x").write_text("")
    taken = CliRunner().invoke(cli, ["new", "shop", "-C", str(tmp_path / "shop")])
    assert taken.exit_code == 1 and "exists and is not empty" in taken.output
