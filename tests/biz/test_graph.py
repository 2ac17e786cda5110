"""Graphs of workflows and executions (graphviz, dot layout, rendered offline)."""

from __future__ import annotations

from typing import Any

import pytest

from coworks.biz import Map, Pass, Workflow
from coworks.biz.graph import STATUS_COLORS
from coworks.biz.history import state_statuses

from .support import sample_workflow as sample


def test_graph_is_a_dot_digraph_with_distinct_shapes() -> None:
    graph = sample().graph()
    assert type(graph).__name__ == "Digraph" and graph.engine == "dot"
    source = graph.source
    assert "shape=diamond" in source  # Choice
    assert "shape=doubleoctagon" in source  # Fail
    assert "shape=doublecircle" in source  # Succeed
    assert "rounded,filled" in source  # Task


def test_edges_carry_rules_catches_and_clusters() -> None:
    source = sample().graph().source
    assert 'label="$.n > 10"' in source
    assert "label=otherwise" in source
    assert "style=dashed" in source and 'label="States.ALL"' in source
    assert "subgraph cluster_" in source
    assert 'label="Both (Parallel)"' in source and 'label="Each (Map)"' in source
    assert 'label="branch 2"' in source and 'label="each item"' in source


def test_names_with_colons_and_quotes_are_safe() -> None:
    wf = Workflow("w", Pass('a:b "c"') >> Pass("d::e"))
    svg = wf._repr_svg_()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "a:b" in svg


def test_missing_targets_are_drawn_in_red() -> None:
    wf = Workflow.from_asl({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Ghost"}}})
    assert "Ghost?" in wf.graph().source


def test_inline_svg_needs_no_network() -> None:
    svg = sample()._repr_svg_()
    assert "<svg" in svg and "Work" in svg and "http://" not in svg.split("<svg", 1)[1].split(">", 1)[1][:0]


@pytest.mark.parametrize("status", sorted(STATUS_COLORS))
def test_each_status_has_a_colour(status: str) -> None:
    assert STATUS_COLORS[status].startswith("#")


def test_execution_graph_colours_states() -> None:
    wf = Workflow("w", Pass("A") >> Pass("B"))
    ex = wf.run_local({})
    source = wf.graph(ex).source
    assert STATUS_COLORS["succeeded"] in source
    assert "A: succeeded" in source


def test_an_execution_draws_itself_and_live_history_shows_running() -> None:
    wf = Workflow("w", Pass("A") >> Pass("B"))
    seen: list[dict[str, Any]] = []
    snapshots: list[dict[str, str]] = []

    def on_event(event: dict[str, Any]) -> None:
        seen.append(event)
        snapshots.append(state_statuses(seen))

    ex = wf.run_local({}, on_event=on_event)
    assert {"A": "running"} in snapshots
    assert "<svg" in ex._repr_svg_()
    assert "A: succeeded" in wf.graph(history=ex.history).source


def test_distributed_map_cluster_is_labelled() -> None:
    each = Map("Each", Pass("Item"), mode="DISTRIBUTED", execution_type="EXPRESS", items_path="$.items")
    assert 'label="each item (distributed)"' in Workflow("w", each).graph().source
