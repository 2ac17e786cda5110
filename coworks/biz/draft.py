"""``Draft``: a workflow being edited, as its YAML document, with undo and redo.

What the workflow editor's buttons do, as plain methods on data: add a state, connect, move,
rename, remove, set a field, an entry's argument, a choice, a retry or a catch. The document is
the YAML format's round-trip form (:mod:`coworks.biz.yaml`), so what a person wrote by hand
(comments included) survives every edit, and Save writes it back. Each edit is a list of small
changes (set a key, delete a key, insert or remove an item) kept for undo: nothing is copied, so
an edit costs the same on a 3-state and a 300-state workflow.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coworks.biz import yaml as wfyaml
from coworks.biz.errors import Problem, WorkflowError
from coworks.biz.yaml.conditions import ConditionError, parse

_DEFAULT_NAMES = {"choice": "Choice", "pass": "Pass", "wait": "Wait", "succeed": "Done", "fail": "Failed",
                  "parallel": "Parallel", "map": "Map", "task": "Task"}


@dataclass
class Change:
    """One undoable change: ``kind`` is set/delete (a mapping's key) or insert/remove (a list's item)."""

    kind: str
    node: Any
    key: Any
    old: Any = None
    new: Any = None
    position: int = 0
    had: bool = False


@dataclass(frozen=True)
class Place:
    """Where a state item lives: the list holding it, its index, and the item."""

    items: Any
    index: int
    item: Any


class Draft:
    """A workflow under edit: ``Draft.new("orders")``, ``Draft.open(wf_or_path_or_text_or_asl)``."""

    def __init__(self, doc: Any) -> None:
        if not isinstance(doc, dict):
            raise WorkflowError("A draft is a YAML workflow: a mapping with `workflow:` and `states:`.")
        self.doc = doc
        self.done: list[list[Change]] = []
        self.undone: list[list[Change]] = []
        self._journal: list[Change] | None = None

    @classmethod
    def new(cls, name: str = "workflow") -> Draft:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        return cls(CommentedMap([("workflow", name), ("states", CommentedSeq())]))

    @classmethod
    def open(cls, source: Any, name: str | None = None) -> Draft:
        """From a Workflow, YAML text or a ``.yaml`` file, an ASL dict, or ASL JSON text."""
        if hasattr(source, "to_asl") and hasattr(source, "states"):
            return cls(wfyaml.workflow_document(source))
        if isinstance(source, dict):
            return cls(wfyaml.document(source, name or "workflow"))
        if isinstance(source, str) and source.lstrip().startswith("{"):
            from coworks.biz.asl import parse_definition

            return cls(wfyaml.document(parse_definition(source), name or "workflow"))
        if isinstance(source, str | os.PathLike):
            doc, _ = wfyaml.read(source)
            return cls(doc)
        raise WorkflowError(f"Cannot open {source!r}: give a Workflow, a .yaml file, YAML text or an ASL definition.")

    # -- reading --------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return str(self.doc.get("workflow") or "workflow")

    def compile(self) -> tuple[wfyaml.Compiled, list[wfyaml.YamlProblem]]:
        """The ASL as far as it can be read, and the YAML mistakes (each naming its state)."""
        return wfyaml.compile_leniently(self.doc)

    def workflow(self) -> Any:
        """The draft as a :class:`~coworks.biz.Workflow` (raises when it has a YAML mistake)."""
        from coworks.biz.asl import load_body
        from coworks.biz.workflow import Workflow

        compiled = wfyaml.compile_document(self.doc, f"the workflow {self.name!r}")
        workflow = Workflow(compiled.name, load_body(compiled.definition), triggers=compiled.triggers)
        wfyaml.remember(workflow, self.doc, compiled.calls)
        return workflow

    def problems(self, compiled: wfyaml.Compiled | None = None,
                 mistakes: list[wfyaml.YamlProblem] | None = None) -> dict[str, list[str]]:
        """Each state's problems (YAML mistakes, then ASL validation), and the workflow's under ``""``
        (``compiled`` and ``mistakes``: what :meth:`compile` just said, not to compile twice)."""
        from coworks.biz.lang.validation import check

        if compiled is None or mistakes is None:
            compiled, mistakes = self.compile()
        found: dict[str, list[str]] = {}
        for mistake in mistakes:
            found.setdefault(mistake.state or "", []).append(mistake.message)
        names = sorted(self.places(), key=len, reverse=True)
        misread = set(found)
        for problem in check(compiled.definition):
            state = state_of(problem, names)
            if state not in misread:  # a state misread from YAML is incomplete in the ASL: its mistake is enough
                found.setdefault(state, []).append(problem.message)
        return found

    def text(self) -> str:
        return wfyaml.dump(self.doc)

    def places(self) -> dict[str, Place]:
        """Every state item by name, nested ones included."""
        return {name: place for name, place in _walk(self.doc)}

    def place(self, name: str) -> Place:
        found = self.places().get(name)
        if found is None:
            known = ", ".join(sorted(self.places())) or "none yet"
            raise WorkflowError(f"The workflow has no state named {name!r}; its states are: {known}.")
        return found

    def item(self, name: str) -> Any:
        return self.place(name).item

    # -- edits ----------------------------------------------------------------------------------

    def add(self, kind: str, name: str | None = None, *, after: str | None = None, into: str | None = None,
            branch: int = 0, call: str | None = None) -> str:
        """Add a state of ``kind`` (task with ``call="service.entry"``, choice, pass, ...) after the
        state ``after`` (default: at the end of the workflow, or of the Map/Parallel ``into``)."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if kind not in wfyaml.KINDS:
            raise WorkflowError(f"There is no {kind!r} state; add one of: {', '.join(wfyaml.KINDS)}.")
        if kind == "task" and not (call and (wfyaml.ENTRY_CALL.match(call) or ":" in call)):
            raise WorkflowError("A task calls an entry: add('task', call='billing.post_invoice').")
        taken = set(self.places())
        base = name or (call.rsplit(".", 1)[-1] if kind == "task" and call and ":" not in call else
                        _DEFAULT_NAMES[kind])
        new_name = name or _unique(base, taken)
        if new_name in taken:
            raise WorkflowError(f"A state is already named {new_name!r}; choose another name.")
        item = CommentedMap()
        if kind == "task":
            item["task"] = call
            if new_name != call.rsplit(".", 1)[-1] or ":" in str(call):  # type: ignore[union-attr]
                item["name"] = new_name
        else:
            item[kind] = new_name
        if kind == "map":
            item["items_path"] = "$.items"
            item["do"] = CommentedSeq([CommentedMap([("pass", _unique(f"{new_name} item", taken))])])
        if kind == "parallel":
            first = CommentedSeq([CommentedMap([("pass", _unique(f"{new_name} branch 1", taken))])])
            item["branches"] = CommentedSeq([CommentedMap([("states", first)])])
        if kind == "choice":
            item["choices"] = CommentedSeq()
        with self.edit():
            if after is not None:
                place = self.place(after)
                self._insert(place.items, place.index + 1, item)
            elif into is not None:
                self._insert(*self._inner(into, branch), item)
            else:
                states = self.doc.get("states")
                if states is None:
                    states = CommentedSeq()
                    self._set(self.doc, "states", states)
                self._insert(states, len(states), item)
        return new_name

    def _inner(self, name: str, branch: int) -> tuple[Any, int]:
        item = self.item(name)
        if "do" in item:
            body = item["do"]
        elif "branches" in item:
            branches = item["branches"]
            if not 0 <= branch < len(branches):
                raise WorkflowError(f"The parallel state {name!r} has {len(branches)} branches; pick 0 to "
                                    f"{len(branches) - 1}.")
            body = branches[branch]
        else:
            raise WorkflowError(f"Only a map or a parallel state holds states; {name!r} does not.")
        items = body if isinstance(body, list) else body["states"]
        return items, len(items)

    def remove(self, name: str) -> None:
        """Remove a state; what pointed at it is marked by validation until it is reconnected."""
        place = self.place(name)
        with self.edit():
            self._remove(place.items, place.index)

    def move(self, name: str, offset: int) -> None:
        """Move a state up (-1) or down (+1) in its list: with implicit next, the order is the flow."""
        place = self.place(name)
        target = place.index + offset
        if not 0 <= target < len(place.items):
            raise WorkflowError(f"{name!r} is already {'first' if offset < 0 else 'last'} in its list.")
        with self.edit():
            self._remove(place.items, place.index)
            self._insert(place.items, target, place.item)

    def rename(self, name: str, new: str) -> None:
        """Rename a state and every link to it."""
        if not isinstance(new, str) or not new.strip():
            raise WorkflowError("A state's name cannot be empty.")
        new = new.strip()
        if new == name:
            return
        if new in self.places():
            raise WorkflowError(f"A state is already named {new!r}; choose another name.")
        item = self.item(name)
        with self.edit():
            kind = next(k for k in item if k in wfyaml.KINDS)
            if kind == "task":
                self._set(item, "name", new)
            else:
                self._set(item, kind, new)
            for node, key in _links(self.doc):
                if node.get(key) == name:
                    self._set(node, key, new)

    def connect(self, name: str, target: str | None, how: str = "next") -> None:
        """Link ``name`` to ``target``: ``how`` is "next" (None ends there), "otherwise",
        "choice N" (the Nth choice's then) or "catch N"."""
        place = self.place(name)
        item = place.item
        with self.edit():
            if how == "next":
                following = wfyaml.item_name(place.items[place.index + 1]) if place.index + 1 < len(
                    place.items) else None
                for key in ("next", "end"):
                    if key in item:
                        self._delete(item, key)
                if target is None:
                    if following is not None:
                        self._set(item, "end", True)
                elif target != following:
                    self._set(item, "next", target)
            elif how == "otherwise":
                self._set_or_delete(item, "otherwise", target)
            elif how.startswith(("choice ", "catch ")):
                key, _, number = how.partition(" ")
                rules = item.get("choices" if key == "choice" else "catch")
                index = int(number) if number.isdigit() else -1
                if not isinstance(rules, list) or not 0 <= index < len(rules):
                    raise WorkflowError(f"{name!r} has no {key} {number}.")
                self._set(rules[index], "then", target)
            else:
                raise WorkflowError(f"Connect with how='next', 'otherwise', 'choice N' or 'catch N', not {how!r}.")

    def set(self, name: str, key: str, value: Any) -> None:
        """Set a field of a state by its YAML name (``result_path``...); None removes it."""
        item = self.item(name)
        kind = next(k for k in item if k in wfyaml.KINDS)
        asl_type = wfyaml.KINDS[kind]
        allowed = sorted([*wfyaml.FIELDS[asl_type], "route", "comment"] if kind == "task" else wfyaml.FIELDS[
            asl_type])
        if key not in allowed:
            raise WorkflowError(_unknown_field(key, kind, allowed))
        with self.edit():
            self._set_or_delete(item, key, wfyaml.flow(value) if isinstance(value, dict | list) else value)

    def set_workflow(self, key: str, value: Any) -> None:
        """Set the workflow's name (``workflow``), ``comment`` or another top-level setting."""
        allowed = ["workflow", "comment", "query_language", "timeout_seconds", "version", "triggers"]
        if key not in allowed:
            raise WorkflowError(f"`{key}` is not a workflow setting{wfyaml.closest(key, allowed)}")
        if key == "workflow" and not value:
            raise WorkflowError("A workflow needs a name.")
        with self.edit():
            self._set_or_delete(self.doc, key, wfyaml.flow(value) if isinstance(value, list) else value)

    def set_argument(self, name: str, argument: str, value: Any) -> None:
        """Set (None: remove) an argument of a task's entry: a constant, or ``"$.path"`` read at run time."""
        from ruamel.yaml.comments import CommentedMap

        item = self.item(name)
        if not isinstance(item.get("task"), str) or ":" in item["task"]:
            raise WorkflowError(f"{name!r} does not call an entry: only a `task: service.entry` takes arguments.")
        with self.edit():
            args = item.get("with")
            if not isinstance(args, dict):
                if value is None:
                    return
                args = CommentedMap()
                self._set(item, "with", args)
            self._set_or_delete(args, argument, value)
            if not args:
                self._delete(item, "with")

    def set_choice(self, name: str, index: int, condition: str, then: str | None) -> None:
        """Set choice ``index`` (``index == len``: a new one) to ``if: condition`` / ``then: state``."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        item = self.item(name)
        if "choice" not in item:
            raise WorkflowError(f"{name!r} is not a choice state.")
        condition = condition.strip()
        if not condition.startswith("{%"):
            try:
                parse(condition)
            except ConditionError as exc:
                raise WorkflowError(f"The condition cannot be read: {exc}") from None
        with self.edit():
            rules = item.get("choices")
            if not isinstance(rules, list):
                rules = CommentedSeq()
                self._set(item, "choices", rules)
            rule = CommentedMap([("if", condition), ("then", then)])
            if 0 <= index < len(rules):
                old = rules[index]
                self._set(old, "if", condition)
                self._set(old, "then", then)
                if "rule" in old:
                    self._delete(old, "rule")
            elif index == len(rules):
                self._insert(rules, index, rule)
            else:
                raise WorkflowError(f"{name!r} has {len(rules)} choices: set 0 to {len(rules)}.")

    def remove_choice(self, name: str, index: int) -> None:
        self._remove_rule(name, "choices", index)

    def set_retry(self, name: str, index: int, errors: list[str] | str, *, interval: float | None = None,
                  attempts: int | None = None, backoff: float | None = None) -> None:
        """Set retry ``index`` (``index == len``: a new one): on ``errors``, try again."""
        self._set_rule(name, "retry", index, {"errors": _errors(errors), "interval": interval,
                                              "attempts": attempts, "backoff": backoff})

    def remove_retry(self, name: str, index: int) -> None:
        self._remove_rule(name, "retry", index)

    def set_catch(self, name: str, index: int, errors: list[str] | str, then: str,
                  result_path: str | None = None) -> None:
        """Set catch ``index`` (``index == len``: a new one): on ``errors`` go to ``then``."""
        self._set_rule(name, "catch", index, {"errors": _errors(errors), "then": then, "result_path": result_path})

    def remove_catch(self, name: str, index: int) -> None:
        self._remove_rule(name, "catch", index)

    def _set_rule(self, name: str, key: str, index: int, values: dict[str, Any]) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        item = self.item(name)
        kind = next(k for k in item if k in wfyaml.KINDS)
        if kind not in ("task", "parallel", "map"):
            raise WorkflowError(f"A {kind} state cannot {key}; only task, parallel and map states can.")
        with self.edit():
            rules = item.get(key)
            if not isinstance(rules, list):
                rules = CommentedSeq()
                self._set(item, key, rules)
            if 0 <= index < len(rules):
                for field_name, value in values.items():
                    self._set_or_delete(rules[index], field_name, value)
            elif index == len(rules):
                self._insert(rules, index, CommentedMap((k, v) for k, v in values.items() if v is not None))
            else:
                raise WorkflowError(f"{name!r} has {len(rules)} {key} rules: set 0 to {len(rules)}.")

    def _remove_rule(self, name: str, key: str, index: int) -> None:
        item = self.item(name)
        rules = item.get(key)
        if not isinstance(rules, list) or not 0 <= index < len(rules):
            raise WorkflowError(f"{name!r} has no {key} number {index}.")
        with self.edit():
            self._remove(rules, index)
            if not rules and key != "choices":
                self._delete(item, key)

    # -- undo and redo --------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def undo(self) -> bool:
        if not self.done:
            return False
        changes = self.done.pop()
        for change in reversed(changes):
            _revert(change)
        self.undone.append(changes)
        return True

    def redo(self) -> bool:
        if not self.undone:
            return False
        changes = self.undone.pop()
        for change in changes:
            _apply(change)
        self.done.append(changes)
        return True

    def edit(self) -> _Edit:
        """One undoable step: ``with draft.edit(): ...`` (nested steps join the outer one)."""
        return _Edit(self)

    def _record(self, change: Change) -> None:
        _apply(change)
        if self._journal is None:  # pragma: no cover - every change goes through edit()
            self.done.append([change])
        else:
            self._journal.append(change)

    def _set(self, node: Any, key: Any, value: Any) -> None:
        had = key in node
        position = list(node).index(key) if had else len(node)
        self._record(Change("set", node, key, node.get(key), value, position, had))

    def _delete(self, node: Any, key: Any) -> None:
        if key in node:
            self._record(Change("delete", node, key, node[key], None, list(node).index(key), True))

    def _set_or_delete(self, node: Any, key: Any, value: Any) -> None:
        if value is None:
            self._delete(node, key)
        elif node.get(key, _ABSENT) != value or type(node.get(key)) is not type(value):
            self._set(node, key, value)

    def _insert(self, items: Any, index: int, item: Any) -> None:
        self._record(Change("insert", items, index, None, item))

    def _remove(self, items: Any, index: int) -> None:
        self._record(Change("remove", items, index, items[index]))


_ABSENT: Any = object()


class _Edit:
    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.outer = False

    def __enter__(self) -> _Edit:
        if self.draft._journal is None:
            self.draft._journal = []
            self.outer = True
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        if not self.outer:
            return
        journal, self.draft._journal = self.draft._journal or [], None
        if error is not None:
            for change in reversed(journal):
                _revert(change)
            return
        if journal:
            self.draft.done.append(journal)
            self.draft.undone.clear()


def _apply(change: Change) -> None:
    if change.kind == "set":
        if change.had:
            change.node[change.key] = change.new
        else:
            _insert_key(change.node, change.position, change.key, change.new)
    elif change.kind == "delete":
        del change.node[change.key]
    elif change.kind == "insert":
        change.node.insert(change.key, change.new)
    else:
        del change.node[change.key]


def _revert(change: Change) -> None:
    if change.kind == "set":
        if change.had:
            change.node[change.key] = change.old
        else:
            del change.node[change.key]
    elif change.kind == "delete":
        _insert_key(change.node, change.position, change.key, change.old)
    elif change.kind == "insert":
        del change.node[change.key]
    else:
        change.node.insert(change.key, change.old)


def _insert_key(node: Any, position: int, key: Any, value: Any) -> None:
    if hasattr(node, "insert"):
        node.insert(position, key, value)
    else:  # pragma: no cover - documents are round-trip mappings
        node[key] = value


def _walk(doc: Any) -> Iterator[tuple[str, Place]]:
    def body(node: Any) -> Iterator[tuple[str, Place]]:
        items = node if isinstance(node, list) else node.get("states") if isinstance(node, dict) else None
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            name = wfyaml.item_name(item)
            if name is None:
                continue
            yield name, Place(items, index, item)
            branches = item.get("branches")
            for branch in branches if isinstance(branches, list) else []:
                yield from body(branch)
            for key in ("do", "iterator"):
                if key in item:
                    yield from body(item[key])

    yield from body(doc)


def _links(doc: Any) -> Iterator[tuple[Any, str]]:
    """Every (mapping, key) holding a state's name as a link: next, otherwise, then, start."""
    if isinstance(doc, dict):
        if "start" in doc:
            yield doc, "start"
    for _, place in _walk(doc):
        item = place.item
        for key in ("next", "otherwise"):
            if key in item:
                yield item, key
        for rules in (item.get("choices"), item.get("catch")):
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict) and "then" in rule:
                    yield rule, "then"
        bodies = list(item.get("branches") or []) if isinstance(item.get("branches"), list) else []
        bodies += [item[k] for k in ("do", "iterator") if k in item]
        for body in bodies:
            if isinstance(body, dict) and "start" in body:
                yield body, "start"


def state_of(problem: Problem, names: list[str]) -> str:
    """The state a validation problem is about (the deepest named in its path), or ``""``."""
    path = problem.path + "."
    best, at = "", -1
    for name in names:
        index = path.rfind(f"States.{name}.")
        if index > at:
            best, at = name, index
    return best


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base} {number}" in taken:
        number += 1
    return f"{base} {number}"


def _errors(errors: list[str] | str) -> Any:
    if isinstance(errors, str):
        parts = [e.strip() for e in errors.split(",") if e.strip()]
        errors = parts or ["States.ALL"]
    return errors[0] if len(errors) == 1 else wfyaml.flow(list(errors))


def _unknown_field(key: str, kind: str, allowed: list[str]) -> str:
    return f"`{key}` is not a field of a {kind} state{wfyaml.closest(key, allowed)}"
