"""``cws runbook``: parameters in, executed notebook and HTML report out, a failing cell named."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coworks.cli.app import cli
from coworks.notebook.runbooks import cell_label, parse_value

pytestmark = pytest.mark.kernel


def _notebook(path: Path, *cells: str) -> Path:
    book = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    book.cells = [new_markdown_cell("# A runbook"), new_code_cell('stage = "dev"\nretries = 1\nnames = []',
                                                                 metadata={"tags": ["parameters"]})]
    book.cells += [new_code_cell(source) for source in cells]
    nbformat.write(book, path)
    return path


def test_runbook_runs_with_parameters_and_writes_notebook_and_report_next_to_it(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "ops.ipynb", "print(f'{stage} {retries + 1} {names}')")
    result = CliRunner().invoke(cli, ["runbook", str(path), "-p", "stage", "prod", "-p", "retries", "2",
                                      "-p", "names", "['a', 'b']"])
    assert result.exit_code == 0, result.output
    executed = nbformat.read(tmp_path / "ops.executed.ipynb", as_version=4)
    printed = [o["text"] for c in executed.cells if c.cell_type == "code" for o in c.outputs if "text" in o]
    assert printed == ["prod 3 ['a', 'b']\n"]
    assert "prod 3" in (tmp_path / "ops.html").read_text()
    assert "[3/3] print(f'{stage} {retries + 1} {names}')" in result.output  # the progress line
    assert "[1/3] parameters (defaults)" in result.output  # each step once: the defaults, then those given
    assert "[2/3] parameters given: stage, retries, names" in result.output
    assert "Report: " in result.output


def test_a_failing_cell_exits_non_zero_naming_the_cell_in_one_sentence(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "bad.ipynb", "total = 10", "# share it out\nshare = total / retries", "print('never')")
    out = tmp_path / "reports"
    result = CliRunner().invoke(cli, ["runbook", str(path), "-p", "retries", "0", "--output", str(out)])
    assert result.exit_code == 1
    assert "Error: In [4] (share = total / retries) failed: ZeroDivisionError: division by zero." in result.output
    assert "Traceback" not in result.output
    assert (out / "bad.executed.ipynb").is_file() and (out / "bad.html").is_file()  # readable after a failure


def test_a_path_that_is_not_a_notebook_is_one_sentence(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["runbook", str(tmp_path / "missing.ipynb")])
    assert result.exit_code == 1 and "is not a notebook: give the path of an .ipynb file." in result.output


def test_parameter_values_and_cell_labels() -> None:
    assert [parse_value(v) for v in ("True", "3", "2.5", "['A']", "dev", "{'k': 1}")] == [
        True, 3, 2.5, ["A"], "dev", {"k": 1}]
    assert cell_label({"source": "# comment\nurl = panel.apply()", "execution_count": 7}) == \
        "In [7] (url = panel.apply())"


def test_an_unknown_parameter_is_refused_listing_the_notebooks_own(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "ops.ipynb", "print(stage)")
    result = CliRunner().invoke(cli, ["runbook", str(path), "-p", "stagee", "prod"])
    assert result.exit_code == 1 and not (tmp_path / "ops.executed.ipynb").exists()  # refused before it runs
    assert "ops.ipynb has no parameter 'stagee' (did you mean stage?): its parameters are stage, retries, names." \
        in result.output


def test_a_notebook_without_kernelspec_runs_and_kernel_can_be_named(tmp_path: Path) -> None:
    book = new_notebook()  # no kernelspec, no language_info: as some tools write them
    book.cells = [new_code_cell("x = 1", metadata={"tags": ["parameters"]}), new_code_cell("print(x * 2)")]
    nbformat.write(book, tmp_path / "bare.ipynb")
    result = CliRunner().invoke(cli, ["runbook", str(tmp_path / "bare.ipynb"), "-p", "x", "21", "--kernel", "python3"])
    assert result.exit_code == 0, result.output
    assert "42" in (tmp_path / "bare.html").read_text()
    wrong = CliRunner().invoke(cli, ["runbook", str(tmp_path / "bare.ipynb"), "--kernel", "cobol"])
    assert wrong.exit_code == 1 and "There is no Jupyter kernel 'cobol': use one of" in wrong.output


def test_a_runbook_prints_no_kernel_transport_warning(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _notebook(tmp_path / "quiet.ipynb", "print('hi')")
    done = subprocess.run([sys.executable, "-m", "coworks.cli", "runbook", str(path)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr and "without encryption" not in done.stderr
    assert not list(tmp_path.glob("kernel-*"))  # the kernel's sockets were made elsewhere and are gone
