"""``cws graph`` and ``cws run-workflow --local``: a thin shell over the workflow's own methods."""

from __future__ import annotations

import json
from pathlib import Path

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
