"""The cws commands, through click's CliRunner, on moto in this process."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coworks.cli.app import cli
from coworks.cli.options import ProgressLine
from tests.support import SAMPLE

_modules = itertools.count(1)


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A service module in the working directory; its 'module:app' string."""
    name = f"cli_stock_{next(_modules)}"
    (tmp_path / f"{name}.py").write_text(SAMPLE + "\napp = Inventory('stock')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield f"{name}:app"
    sys.modules.pop(name, None)


@pytest.fixture
def moto() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield


def cws(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_plan_deploy_status_destroy(moto: None, module: str) -> None:
    planned = cws("plan", module, "--stage", "dev", "--set", "LEVEL=debug", "--aws")
    assert planned.exit_code == 0 and "create  lambda function  stock-dev" in planned.output
    assert "debug" not in planned.output
    deployed = cws("deploy", module, "--stage", "dev", "--region", "us-east-1", "--yes")
    assert deployed.exit_code == 0, deployed.output
    assert "[12/12] create permission coworks-api ... done" in deployed.output
    assert "stock (dev): https://" in deployed.output
    assert "no changes" in cws("plan", module, "--aws").output
    status = cws("status", "--aws")
    assert status.exit_code == 0 and "stock" in status.output and " 1 " in status.output
    refused = cws("destroy", "stock", "--aws", input="n\n")
    assert refused.exit_code == 1 and "Delete these resources from AWS account 123456789012 (us-east-1)?" in \
        refused.output and "Nothing was changed" in refused.output
    destroyed = cws("destroy", "stock", "--yes", "--aws")
    assert destroyed.exit_code == 0 and "stock (dev) destroyed." in destroyed.output
    assert "Nothing deployed for stock" in cws("destroy", "stock", "--yes", "--aws").output
    assert "Nothing deployed by Coworks" in cws("status", "--aws").output


def test_invoke_sends_a_direct_invocation(moto: None, module: str) -> None:
    assert cws("deploy", module, "--aws", "--yes").exit_code == 0
    answered = cws("invoke", "stock", "/item/3", "-X", "get", "-p", "full=1", "--aws")
    assert answered.exit_code == 0, answered.output
    # moto without Docker echoes the event back: it is the runtime's direct-invocation shape
    assert json.loads(answered.stdout) == {"method": "GET", "path": "/item/3", "params": {"full": "1"}, "body": None,
                                           "response": "full"}


def test_errors_are_one_sentence(moto: None, module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    result = cws("plan", module, "--aws")
    assert result.exit_code == 1 and result.output.startswith("Error: No AWS region is configured: pass --region")
    assert "region=" not in result.output  # the command line's advice is its flags, not Python
    assert "Traceback" not in result.output
    bad = cws("plan", "nowhere_at_all:app", "--region", "eu-west-1")
    assert bad.exit_code == 1 and "Cannot import 'nowhere_at_all'" in bad.output
    assert cws("invoke", "stock", "--data", "{nope", "--region", "eu-west-1").exit_code == 2


def test_progress_line_rewrites_itself_on_a_terminal() -> None:
    from coworks.cloud.deploy.plan import Action

    class Tty(list[str]):
        def write(self, text: str) -> None:
            self.append(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    out = Tty()
    line = ProgressLine(out)
    action = Action("create", "route", "GET /")
    line(1, 2, action, "start")
    line(2, 2, action, "done")
    assert out == ["\r[1/2] create route GET /", "\r[2/2] create route GET /", "\n"]


def test_importing_the_cloud_and_the_commands_loads_neither_boto3_nor_moto() -> None:
    import subprocess

    probe = "import sys, coworks, coworks.cloud, coworks.cli.app; print(sorted(m for m in ('boto3', 'moto', " \
            "'botocore') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_lists_the_commands() -> None:
    result = cws("--help")
    for command in ("plan", "deploy", "destroy", "status", "invoke", "run"):
        assert f"  {command} " in result.output
    assert "--endpoint-url" in cws("deploy", "--help").output and "--aws" in cws("deploy", "--help").output


def test_with_no_cloud_asked_for_nothing_is_opened_and_the_flags_are_named(module: str) -> None:
    result = cws("deploy", module)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "start one with `cws cloud`" in result.output and "--aws, --profile NAME or --region NAME" in result.output


def test_every_command_says_its_cloud_first_and_aws_changes_are_asked_for(moto: None, module: str) -> None:
    for args in (("plan", module), ("status",), ("destroy", "stock", "--yes")):
        shown = cws(*args, "--aws")
        assert shown.stderr.splitlines()[0] == "Cloud: AWS account 123456789012 in us-east-1", args
    refused = cws("deploy", module, "--aws", input="n\n")
    assert refused.exit_code == 1
    assert "Apply these changes to stock (dev) in AWS account 123456789012 (us-east-1)? [y/N]" in refused.output
    assert "Nothing was changed" in refused.output and "Nothing deployed by Coworks" in cws("status", "--aws").output
    agreed = cws("deploy", module, "--aws", input="y\n")
    assert agreed.exit_code == 0 and "stock (dev): https://" in agreed.stdout
    again = cws("deploy", module, "--aws")  # no changes: nothing to ask about
    assert again.exit_code == 0 and "[y/N]" not in again.output


@pytest.mark.localcloud
def test_invoke_prints_a_non_2xx_answer_and_exits_non_zero(probe: Any, cloud: Any) -> None:
    failed = cws("invoke", "probe", "/boom", "--endpoint-url", cloud.endpoint_url)
    assert failed.exit_code == 1 and "GET /boom answered 500:" in failed.stderr
    assert json.loads(failed.stdout)["message"] == "Internal server error" and "Traceback" not in failed.output
    missing = cws("invoke", "probe", "/nowhere", "--endpoint-url", cloud.endpoint_url)
    assert missing.exit_code == 1 and json.loads(missing.stdout) == {"message": "Not Found"}
    fine = cws("invoke", "probe", "/echo/4", "-p", "tag=x", "--endpoint-url", cloud.endpoint_url)
    assert fine.exit_code == 0 and json.loads(fine.stdout) == {"n": 4, "tag": "x"}
