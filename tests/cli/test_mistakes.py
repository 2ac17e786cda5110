"""A user's own mistakes reach them as one sentence in the command line's terms, never a traceback."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coworks.cli import main
from coworks.cli.app import cli

_names = itertools.count(1)


def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    name = f"mistake_{next(_names)}"
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def cws(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_syntax_error_names_the_file_the_line_and_the_message(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    name = module(tmp_path, monkeypatch, "from coworks import TechMicroService\n\nclass Shop(TechMicroService)\n")
    for args in (("run", f"{name}:app"), ("plan", f"{name}:app", "--aws"), ("graph", f"{name}:flow")):
        with mock_aws():
            shown = cws(*args)
        assert shown.exit_code == 1, args
        assert f"Error: {name}.py, line 3: expected ':'" in shown.output and "Traceback" not in shown.output


def test_a_missing_third_party_import_names_the_package_and_requirements(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    name = module(tmp_path, monkeypatch, "import PIL.Image\nfrom coworks import TechMicroService\napp = None\n")
    shown = cws("run", f"{name}:app")
    assert shown.exit_code == 1 and "Traceback" not in shown.output
    assert f"{name} imports PIL, which is not installed here: pip install Pillow" in shown.output
    assert 'requirements = ["Pillow"]' in shown.output


def test_any_other_failure_at_import_names_the_users_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = module(tmp_path, monkeypatch, "x = 1\nprint(undefined_name)\n")
    shown = cws("run", f"{name}:app")
    assert shown.exit_code == 1 and "Traceback" not in shown.output
    assert f"Importing {name} failed at {name}.py, line 2: NameError: name 'undefined_name' is not defined" \
        in shown.output


def test_main_returns_the_exit_code_instead_of_raising(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert main(["no-such-command"]) == 2
    assert "No such command 'no-such-command'" in capsys.readouterr().err


def test_an_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from coworks.cli import services

    def broken(target: str) -> Any:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr("coworks.cloud.targets.load_service", broken)
    assert services is not None and main(["run", "x:app"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ZeroDivisionError: deep inside") and "Traceback" not in err


def test_cws_magic_never_ends_with_system_exit(capsys: pytest.CaptureFixture[str]) -> None:
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.run_line_magic("load_ext", "coworks")
    ip.run_line_magic("cws", "--version")  # click exits 0: returned, not raised
    ip.run_line_magic("cws", "nope")
    ip.run_line_magic("cws", "plan 'unclosed")
    out = capsys.readouterr()
    assert "cws exited with 2" in out.out and "close the quote" in out.out
    assert "SystemExit" not in out.out + out.err


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    done = subprocess.run([sys.executable, "-m", "coworks.cli", "run", "broken:app"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "broken.py, line 1:" in done.stderr
