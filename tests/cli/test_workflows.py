"""``cws graph`` and ``cws run-workflow --local``: a thin shell over the workflow's own methods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coworks.cli.app import cli
from tests.support import ORDERS


def test_graph_writes_the_svg_drawn_by_dot(tmp_path: Path) -> None:
    out = tmp_path / "orders.svg"
    result = CliRunner().invoke(cli, ["graph", "sample_flow:flow", "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "Each order" in svg and "In stock?" in svg
    dot = tmp_path / "orders.dot"
    assert CliRunner().invoke(cli, ["graph", "sample_flow:flow", "-o", str(dot)]).exit_code == 0
    assert dot.read_text().startswith("digraph")


def test_graph_of_something_else_is_one_sentence() -> None:
    result = CliRunner().invoke(cli, ["graph", "sample_inventory:app"])
    assert result.exit_code == 1
    assert "is not a workflow" in result.output and "Traceback" not in result.output


def test_run_workflow_locally_prints_status_output_and_the_events() -> None:
    result = CliRunner().invoke(cli, ["run-workflow", "sample_flow:flow", "--local", "--input", json.dumps(ORDERS)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Status: SUCCEEDED"
    output = json.loads(lines[1].removeprefix("Output: "))
    assert output["orders"][2] == {"id": 503, "error": "HTTP503", "status": "backorder"}
    assert any("TaskFailed" in line and "get_item" not in line for line in lines)
    assert any(line.split()[2:4] == ["TaskStateEntered", "get_item"] for line in lines[2:] if len(line.split()) > 3)


def test_run_workflow_locally_exits_1_when_the_execution_fails() -> None:
    result = CliRunner().invoke(cli, ["run-workflow", "sample_flow:flow", "--local", "--input", '{"orders": 3}'])
    assert result.exit_code == 1
    assert "Status: FAILED" in result.output and "States." in result.output


def test_run_workflow_refuses_input_that_is_not_json() -> None:
    result = CliRunner().invoke(cli, ["run-workflow", "sample_flow:flow", "--local", "--input", "{oops"])
    assert result.exit_code == 2 and "is not JSON" in result.output


# -- a workflow in a .yaml file ----------------------------------------------------------------


def _yaml_flow(tmp_path: Path) -> Path:
    from sample_flow import flow

    path = tmp_path / "orders.yaml"
    path.write_text("# The sample flow, as a file people edit.\n" + flow.to_yaml())
    return path


def test_graph_draws_a_yaml_file(tmp_path: Path) -> None:
    out = tmp_path / "orders.svg"
    result = CliRunner().invoke(cli, ["graph", str(_yaml_flow(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Each order" in out.read_text() and "In stock?" in out.read_text()


def test_run_workflow_runs_a_yaml_file_with_the_services_named() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = _yaml_flow(Path(folder))
        result = CliRunner().invoke(cli, ["run-workflow", str(path), "--local", "--input", json.dumps(ORDERS),
                                          "--service", "sample_inventory:app", "--service", "sample_invoicing:app"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == "Status: SUCCEEDED"
        bare = CliRunner().invoke(cli, ["run-workflow", str(path), "--local", "--input", json.dumps(ORDERS)])
    assert bare.exit_code == 1 and "--service MODULE:APP" in bare.output and "Traceback" not in bare.output


def test_a_yaml_file_with_a_mistake_or_missing_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("workflow: w\nstates:\n  - pass: A\n    reslt_path: $.x\n")
    result = CliRunner().invoke(cli, ["graph", str(bad)])
    assert result.exit_code == 1 and "line 4, column 5" in result.output and "result_path" in result.output
    missing = CliRunner().invoke(cli, ["graph", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "There is no workflow file" in missing.output


def test_deploy_workflow_deploys_a_yaml_file_like_the_python_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws: Any
) -> None:
    from sample_flow import flow
    from sample_inventory import app as inventory
    from sample_invoicing import app as invoicing

    for service in (inventory, invoicing):
        aws.deploy(service, stage="dev").apply()
    monkeypatch.setattr("coworks.cli.options.open_cloud", lambda *args: aws)  # moto, in this process
    result = CliRunner().invoke(cli, ["deploy-workflow", str(_yaml_flow(tmp_path)), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Plan for wf-orders at stage dev" in result.output and "wf-orders (dev): arn:" in result.output
    deployed = aws.session.client("stepfunctions").describe_state_machine(stateMachineArn=aws.state_machine_arn(flow))
    python = aws.deploy_workflow(flow, stage="dev").model.machine  # what the Python workflow deploys
    assert json.loads(deployed["definition"]) == json.loads(python.definition)
