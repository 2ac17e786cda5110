"""The Python a workflow stands for builds the same ASL (or says it with from_asl)."""

from __future__ import annotations

from typing import Any

import pytest

from coworks.biz import Workflow
from coworks.biz.source import python_source

from .support import Billing, Inventory, corpus, sample_workflow
from .yaml.test_format import orders

CORPUS = corpus()


def built(source: str, **services: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = dict(services)
    exec(source, namespace)  # noqa: S102 - the point of the test
    return dict(namespace["wf"].to_asl())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corpus_written_as_python_builds_the_same_asl(name: str) -> None:
    assert built(python_source(CORPUS[name], name)) == CORPUS[name]


def test_a_built_workflow_reads_as_builder_calls(inventory: Inventory, billing: Billing) -> None:
    from coworks.biz.yaml import load_source

    compiled, _ = load_source(orders(inventory, billing).to_yaml())
    source = python_source(compiled.definition, compiled.name, compiled.calls, compiled.triggers)
    assert "Task(inventory.get_item, item_id=Ref('$.id'), result_path='$.item')" in source
    assert "from_asl" not in source
    assert built(source, inventory=inventory, billing=billing) == compiled.definition


def test_the_sample_workflow_reads_as_builder_calls() -> None:
    wf = sample_workflow()
    source = python_source(wf.to_asl(), wf.name)
    assert "from_asl" not in source and built(source) == wf.to_asl()


def test_what_the_builder_cannot_say_is_written_with_from_asl() -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}, "Lost": {"Type": "Pass",
                                                                                             "End": True}}}
    source = python_source(definition, "w")
    assert "Workflow.from_asl(" in source and built(source) == definition
    assert Workflow.from_asl(definition).to_asl() == definition


def test_an_argument_named_like_a_state_option_is_passed_as_the_entry_s(inventory: Inventory) -> None:
    from coworks.biz import Ref, Task

    wf = Workflow("w", Task(inventory.post_item, name="Add", args={"name": Ref("$.name"), "qty": 2}))
    from coworks.biz.yaml import load_source

    compiled, _ = load_source(wf.to_yaml())
    source = python_source(compiled.definition, compiled.name, compiled.calls)
    assert "args={'name': Ref('$.name')}" in source and built(source, inventory=inventory) == wf.to_asl()
