"""``cws package`` writes the zip a deploy uploads; ``cws export`` writes a Terraform module or a
CloudFormation/SAM template with the package beside it, for a service or a workflow."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coworks.cli.app import cli
from tests.support import SAMPLE

_modules = itertools.count(1)
WORKFLOW = '''
from coworks.biz import Pass, Task, Workflow

flow = Workflow("orders", Task("Fetch", resource="arn:aws:states:::lambda:invoke",
                               parameters={"FunctionName": "stock", "Payload": {}}) >> Pass("Done"),
                triggers=["rate(1 hour)"])
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A service module and a workflow module in the working directory; their targets."""
    number = next(_modules)
    service, workflow = f"export_stock_{number}", f"export_flow_{number}"
    (tmp_path / f"{service}.py").write_text(SAMPLE + "\napp = Inventory('stock')\n")
    (tmp_path / f"{workflow}.py").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield {"service": f"{service}:app", "workflow": f"{workflow}:flow"}
    for name in (service, workflow):
        sys.modules.pop(name, None)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_package_writes_the_bytes_a_deploy_uploads(project: dict[str, str], aws: Any) -> None:
    done = run("package", project["service"], "-o", "service.zip")
    assert done.exit_code == 0, done.output
    data = Path("service.zip").read_bytes()
    assert done.output.startswith("Wrote service.zip: stock: ") and hashlib.sha256(data).hexdigest()[:12] in done.output
    aws.deploy(project["service"], stage="dev").apply()
    deployed = aws.session.client("lambda").get_function_configuration(FunctionName="stock-dev")["CodeSha256"]
    assert deployed == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert run("package", project["service"], "-o", "again.zip").exit_code == 0
    assert Path("again.zip").read_bytes() == data


def test_export_terraform_writes_the_module_and_the_package(project: dict[str, str]) -> None:
    done = run("export", "terraform", project["service"], "--stage", "prod", "-o", "infra", "--set", "MODE=x")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("Wrote infra/main.tf.json, infra/service.zip (")
    module = json.loads(Path("infra/main.tf.json").read_text())
    assert module["variable"]["stage"]["default"] == "prod"
    function = module["resource"]["aws_lambda_function"]["function"]
    assert function["environment"]["variables"] == {"MODE": "x"}
    assert Path("infra/service.zip").read_bytes()[:2] == b"PK"
    flow = run("export", "terraform", project["workflow"], "-o", "flow", "--trigger", "sqs:orders")
    assert flow.exit_code == 0, flow.output
    resources = json.loads(Path("flow/main.tf.json").read_text())["resource"]
    assert {"aws_sfn_state_machine", "aws_cloudwatch_event_rule", "aws_pipes_pipe"} <= set(resources)
    assert not Path("flow/service.zip").exists()


def test_export_cloudformation_and_sam(project: dict[str, str]) -> None:
    for fmt in ("cloudformation", "sam"):
        done = run("export", "cloudformation", project["service"], "--format", fmt, "-o", fmt)
        assert done.exit_code == 0, done.output
        template = json.loads(Path(fmt, "template.json").read_text())
        assert ("Transform" in template) == (fmt == "sam")
        assert Path(fmt, "service.zip").is_file()


def test_mistakes_are_one_sentence(project: dict[str, str]) -> None:
    missing = run("export", "terraform", project["service"].replace(":app", ":nope"))
    assert missing.exit_code == 1 and "is not a TechMicroService instance" in missing.output
    assert "Traceback" not in missing.output
    trigger = run("export", "terraform", project["service"], "--trigger", "rate(1 hour)")
    assert trigger.exit_code == 2 and "a service has no triggers" in trigger.output
    settings = run("export", "cloudformation", project["workflow"], "--set", "A=1")
    assert settings.exit_code == 2 and "a workflow has no environment" in settings.output
    fmt = run("export", "cloudformation", project["service"], "--format", "pulumi")
    assert fmt.exit_code == 2 and "'pulumi' is not one of 'cloudformation', 'sam'" in fmt.output
