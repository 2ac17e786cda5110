"""Workflows and their YAML documents: loading a file or text, dumping a workflow, and keeping a
loaded workflow's document so that ``to_yaml()`` gives its comments back."""

from __future__ import annotations

import os
import weakref
from typing import Any

from .calls import Call, builder_call
from .reader import Compiled, compile_document
from .text import dump, read
from .writer import document, merge

#: The document a workflow was loaded from, and the calls of its Tasks, for writing it back.
_SOURCES: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_CALLS: weakref.WeakKeyDictionary[Any, Call] = weakref.WeakKeyDictionary()


def remember(workflow: Any, doc: Any, calls: dict[str, Call]) -> None:
    """Keep what ``load`` read beside the workflow it built, so ``dump_workflow`` keeps its comments."""
    _SOURCES[workflow] = doc
    states = workflow.states
    for name, call in calls.items():
        if name in states:
            _CALLS[states[name]] = call


def dump_workflow(workflow: Any) -> str:
    """The YAML of a workflow (built in Python, loaded from ASL or from YAML, then edited)."""
    return dump(workflow_document(workflow))


def workflow_document(workflow: Any) -> Any:
    """The round-trip document of a workflow: the one it was loaded from, updated to what it is now."""
    states = workflow.states

    def call_of(name: str, state: dict[str, Any]) -> Call | None:
        obj = states.get(name)
        if obj is None:
            return None
        return _CALLS.get(obj) or builder_call(obj)

    doc = document(workflow.to_asl(), workflow.name, workflow.triggers, call_of)
    old = _SOURCES.get(workflow)
    return merge(old, doc) if old is not None else doc


def load_source(source: str | os.PathLike[str]) -> tuple[Compiled, Any]:
    """Read and compile YAML text or a file: what it says, and its round-trip document."""
    doc, name = read(source)
    return compile_document(doc, name), doc
