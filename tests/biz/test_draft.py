"""Drafts: a workflow edited as its YAML document, each edit undoable, comments kept."""

from __future__ import annotations

import pytest

from coworks.biz import WorkflowError
from coworks.biz.draft import Draft

HAND = """\
# Restock when low.
workflow: restock
states:
  - pass: Start   # says hello
  - succeed: Done
"""


def test_edits_keep_the_comments_and_undo_restores_the_text_exactly() -> None:
    draft = Draft.open(HAND)
    draft.add("wait", "Pause", after="Start")
    draft.set("Pause", "seconds", 5)
    draft.rename("Start", "Begin")
    draft.move("Pause", -1)
    draft.remove("Done")
    text = draft.text()
    assert text.startswith("# Restock when low.\n") and "- pass: Begin   # says hello" in text
    while draft.undo():
        pass
    assert draft.text() == HAND and not draft.can_undo and draft.can_redo
    while draft.redo():
        pass
    assert draft.text() == text


def test_an_edit_that_fails_changes_nothing() -> None:
    draft = Draft.open(HAND)
    with pytest.raises(WorkflowError, match="already named 'Done'"):
        draft.rename("Start", "Done")
    with pytest.raises(WorkflowError, match="did you mean result_path?"):
        draft.set("Start", "reslt_path", "$.x")
    with pytest.raises(WorkflowError, match="has no state named 'Nope'; its states are: Done, Start"):
        draft.remove("Nope")
    with pytest.raises(WorkflowError, match="cannot be read"):
        draft.add("choice", "C")
        draft.set_choice("C", 0, "$.a = 1", "Done")
    assert draft.text().count("\n") == HAND.count("\n") + 2  # only the choice was added


def test_rename_follows_every_link_and_problems_name_their_state() -> None:
    draft = Draft.new("w")
    draft.add("choice", "Check")
    draft.add("succeed", "Yes")
    draft.add("fail", "No")
    draft.set_choice("Check", 0, "$.n > 1", "Yes")
    draft.connect("Check", "No", "otherwise")
    draft.rename("Yes", "Accepted")
    definition = draft.workflow().to_asl()
    assert definition["States"]["Check"]["Choices"][0]["Next"] == "Accepted"
    assert draft.problems() == {}
    draft.connect("Check", "Gone", "otherwise")
    assert "Gone" in draft.problems()["Check"][0]


def test_nested_states_in_maps_and_parallels() -> None:
    draft = Draft.new("w")
    draft.add("map", "Each")
    draft.add("pass", "Inside", into="Each")
    draft.add("parallel", "Both")
    draft.add("wait", "Later", into="Both", branch=0)
    definition = draft.workflow().to_asl()
    assert list(definition["States"]["Each"]["ItemProcessor"]["States"]) == ["Each item", "Inside"]
    assert list(definition["States"]["Both"]["Branches"][0]["States"]) == ["Both branch 1", "Later"]
