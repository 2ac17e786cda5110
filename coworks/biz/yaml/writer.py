"""ASL -> YAML: the readable form (implicit ``next``, conditions, plain retry and catch words),
checked to compile back to the same ASL; and the comments of an edited document carried over."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from coworks.biz.errors import WorkflowError
from coworks.biz.yaml.conditions import text

from .calls import Call, guess_call, named_route
from .reader import _MISSING, _Compiler, compile_document
from .vocabulary import _BODY, _CATCH, _HANDLERS, _RETRY, _RULE, _TERMINAL, _TOP, FIELDS, KINDS, _ql


def document(definition: dict[str, Any], name: str, triggers: Any = (),
             call_of: Callable[[str, dict[str, Any]], Call | None] | None = None) -> Any:
    """The YAML document (a round-trip mapping) of an ASL definition; ``call_of(name, state)``
    says what a Task calls when that is known (else it is guessed from the invoke's payload)."""
    from ruamel.yaml.comments import CommentedMap

    writer = _Writer(call_of or (lambda name, state: None))
    doc = CommentedMap()
    doc["workflow"] = name
    ql = _ql(definition.get("QueryLanguage"), "JSONPath")
    for key, asl in _TOP.items():
        if asl in definition:
            doc[key] = flow(definition[asl])
    for key, value in definition.items():
        if key not in _TOP.values() and key not in ("StartAt", "States"):
            doc[key] = flow(value)
    if triggers:
        doc["triggers"] = flow(list(triggers))
    body = writer.body({k: v for k, v in definition.items() if k in ("StartAt", "States")}, ql)
    if isinstance(body, list):
        doc["states"] = body
    else:
        doc.update(body)
    _quote(doc)
    compiled = compile_document(doc)
    if compiled.definition != definition:  # pragma: no cover - a guard: the writer checks each state
        raise WorkflowError(f"The workflow {name!r} cannot be written as YAML exactly; use to_asl().")
    return doc


class _Writer:
    def __init__(self, call_of: Callable[[str, dict[str, Any]], Call | None]) -> None:
        self.call_of = call_of

    def body(self, body: dict[str, Any], ql: str, names: dict[str, str] | None = None) -> Any:
        """A list of states when the body is only that, else a mapping (raw ASL where it must be)."""
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        states = body.get("States")
        extra = {k: v for k, v in body.items() if k not in ("StartAt", "States")}
        reverse = {v: k for k, v in (names or {}).items()}
        expressible = isinstance(states, dict) and all(
            isinstance(s, dict) and s.get("Type") in _TYPES for s in states.values()) and all(
            k in reverse or k[:1].isupper() for k in extra)
        if not expressible:
            return CommentedMap((k, flow(v)) for k, v in body.items())
        assert isinstance(states, dict)
        own_ql = _ql(extra.get("QueryLanguage"), ql)
        order = list(states)
        items = CommentedSeq()
        for index, (state_name, state) in enumerate(states.items()):
            following = order[index + 1] if index + 1 < len(order) else None
            items.append(self.state(state_name, state, following, own_ql))
        start = body.get("StartAt", _MISSING)
        if not extra and (start is not _MISSING and order and start == order[0]):
            return items
        out = CommentedMap()
        for key, value in extra.items():
            out[reverse.get(key, key)] = flow(value)
        if start is _MISSING:
            out["start"] = None
        elif not (order and start == order[0]):
            out["start"] = start
        out["states"] = items
        return out

    def branch(self, body: dict[str, Any], ql: str) -> Any:
        """A Parallel branch, always as a mapping (``- states: [...]``) so it reads as one item."""
        from ruamel.yaml.comments import CommentedMap

        written = self.body(body, ql, _BODY)
        return CommentedMap(states=written) if isinstance(written, list) else written

    def state(self, name: str, state: dict[str, Any], following: str | None, ql: str) -> Any:
        own_ql = _ql(state.get("QueryLanguage"), ql)
        for attempt in (self.sugared, self.raw):
            item = attempt(name, state, following, own_ql)
            if item is not None and _compile_state(item, name, following, ql) == state:
                return item
        raise WorkflowError(f"The state {name!r} cannot be written as YAML.")  # pragma: no cover

    def raw(self, name: str, state: dict[str, Any], following: str | None, ql: str) -> Any:
        """The state as its kind and name, every other field under its ASL name."""
        from ruamel.yaml.comments import CommentedMap

        kind = state["Type"].lower()
        item = CommentedMap()
        if kind == "task":
            item["task"] = None
            item["name"] = name
        else:
            item[kind] = name
        for key, value in state.items():
            if key != "Type":
                item[key] = flow(value)
        if state["Type"] not in _TERMINAL and "Next" not in state and "End" not in state:
            item["next"] = None
        return item

    def sugared(self, name: str, state: dict[str, Any], following: str | None, ql: str) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        asl_type = state["Type"]
        kind = asl_type.lower()
        item = CommentedMap()
        used = {"Type"}
        fields = {asl: key for key, asl in FIELDS[asl_type].items()}
        jsonata = ql == "JSONata"
        if asl_type == "Task":
            call = self.call_of(name, state) or guess_call(state)
            expected = call.fields(jsonata) if call is not None and _callable(call, jsonata) else None
            main = ("Arguments", "Output") if jsonata else ("Parameters", "ResultSelector")
            if call is not None and expected is not None and all(
                    state.get(k) == expected[k] for k in ("Resource", main[0])):
                item["task"] = f"{call.service}.{call.entry}"
                if name != call.entry:
                    item["name"] = name
                if named_route(call.entry) != (call.method, call.path):
                    item["route"] = call.route
                if call.args:
                    item["with"] = flow(call.args, block=True)
                used |= {"Resource", main[0]}
                if state.get(main[1], _MISSING) == expected[main[1]]:
                    used.add(main[1])
                elif main[1] not in state:
                    item[fields[main[1]]] = None
            elif isinstance(state.get("Resource"), str) and ":" in state["Resource"]:
                item["task"] = state["Resource"]
                item["name"] = name
                used.add("Resource")
            else:
                item["task"] = None
                item["name"] = name
        else:
            item[kind] = name
        structural = {"Next", "End", "Retry", "Catch", "Choices", "Default", "Branches", "ItemProcessor",
                      "Iterator"}
        for key, value in state.items():
            if key in used or key in structural:
                continue
            if key in fields:
                item[fields[key]] = flow(value)
            elif key[:1].isupper():
                item[key] = flow(value)
            else:
                return None
        if asl_type == "Choice":
            choices = state.get("Choices", _MISSING)
            if choices is not _MISSING:
                if not isinstance(choices, list):
                    item["Choices"] = flow(choices)
                else:
                    rules = CommentedSeq()
                    for rule in choices:
                        written = _rule(rule)
                        if written is None:
                            return None
                        rules.append(written)
                    item["choices"] = rules
            if "Default" in state:
                item["otherwise"] = state["Default"]
        elif any(k in state for k in ("Choices", "Default")):
            return None
        if asl_type == "Parallel" and "Branches" in state:
            branches = state["Branches"]
            if not isinstance(branches, list) or not all(isinstance(b, dict) for b in branches):
                item["Branches"] = flow(branches)
            else:
                item["branches"] = CommentedSeq(self.branch(b, ql) for b in branches)
        if asl_type == "Map":
            for key, asl in (("do", "ItemProcessor"), ("iterator", "Iterator")):
                if asl in state:
                    value = state[asl]
                    item[key if isinstance(value, dict) else asl] = (
                        self.body(value, ql, _BODY) if isinstance(value, dict) else flow(value))
        for key, asl, table in (("retry", "Retry", _RETRY), ("catch", "Catch", _CATCH)):
            if asl in state:
                handlers = _handlers(state[asl], table)
                if handlers is None or asl_type not in _HANDLERS:
                    item[asl] = flow(state[asl])
                else:
                    item[key] = handlers
        if asl_type in _TERMINAL:
            for key in ("Next", "End"):
                if key in state:
                    item[key] = flow(state[key])
            return item
        has_next, has_end = "Next" in state, "End" in state
        if has_next and has_end:
            item["next"], item["end"] = state["Next"], flow(state["End"])
        elif has_next:
            if state["Next"] != following or state["Next"] is None:
                item["next"] = state["Next"]
        elif has_end:
            if not (state["End"] is True and following is None):
                item["end"] = flow(state["End"])
        else:
            item["next"] = None
        return item


_TYPES = frozenset(KINDS.values())


def _callable(call: Call, jsonata: bool) -> bool:
    try:
        call.fields(jsonata)
    except WorkflowError:
        return False
    return True


def _rule(rule: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(rule, dict):
        return None
    out = CommentedMap()
    condition = text(rule)
    extras = {k: v for k, v in rule.items() if k in _RULE.values()}
    if condition is not None:
        out["if"] = condition
    elif set(rule) - set(_RULE.values()) == {"Condition"} and isinstance(rule["Condition"], str) and rule[
            "Condition"].strip().startswith("{%"):
        out["if"] = rule["Condition"]
    else:
        out["rule"] = flow({k: v for k, v in rule.items() if k not in _RULE.values()})
    reverse = {v: k for k, v in _RULE.items()}
    for key, value in extras.items():
        out[reverse[key]] = flow(value)
    return out


def _handlers(rules: Any, table: dict[str, str]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        return None
    reverse = {v: k for k, v in table.items()}
    out = CommentedSeq()
    for rule in rules:
        item = CommentedMap()
        errors = rule.get("ErrorEquals", _MISSING)
        if errors is _MISSING:
            item["errors"] = None
        elif isinstance(errors, list) and len(errors) == 1 and isinstance(errors[0], str):
            item["errors"] = errors[0]
        elif isinstance(errors, str):
            item["ErrorEquals"] = errors
        else:
            item["errors"] = flow(errors)
        for key, value in rule.items():
            if key != "ErrorEquals":
                item[reverse.get(key, key) if key in reverse else key] = flow(value)
        out.append(item)
    return out


def flow(value: Any, block: bool = False) -> Any:
    """JSON data as round-trip YAML: short lists and small mappings of scalars on one line."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap((_text(k), flow(v)) for k, v in value.items())
        if not block and 0 < len(value) <= 4 and all(_scalar(v) for v in value.values()) and len(
                json.dumps(value)) < 70:
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(flow(v) for v in value)
        if all(_scalar(v) for v in value) and len(json.dumps(value)) < 70:
            seq.fa.set_flow_style()
        return seq
    return _text(value) if isinstance(value, str) else value


def _text(value: str) -> Any:
    """Text YAML would read differently unquoted (line separators, control characters) in double quotes."""
    if any(c in value for c in "\x85\u2028\u2029\ufeff") or not value.isprintable():
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)
    return value


def _quote(node: Any) -> None:
    """Quote, in place, every text of a document that YAML would read back differently."""
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(value, str):
                node[key] = _text(value)
            else:
                _quote(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str):
                node[index] = _text(value)
            else:
                _quote(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _compile_state(item: Any, name: str, following: str | None, ql: str) -> dict[str, Any] | None:
    compiler = _Compiler()
    compiler.state_name = name
    out = compiler.state(item, name, following, ql)
    return None if compiler.problems else out


# -- comments carried over ---------------------------------------------------------------------


def merge(old: Any, new: Any) -> Any:
    """``new``'s data in ``old``'s nodes, so the comments written around them stay where they were.

    Mappings are updated key by key (removed keys go with their comments), lists of states are
    matched by state name (a renamed or moved state keeps its comments where its name does), other
    lists item by item; a scalar that did not change keeps its quoting.
    """
    if isinstance(old, dict) and isinstance(new, dict) and hasattr(old, "ca"):
        for key in [k for k in old if k not in new]:
            del old[key]
        for index, (key, value) in enumerate(new.items()):
            if key in old:
                old[key] = merge(old[key], value)
            else:
                old.insert(index, key, value)  # type: ignore[attr-defined]
        keys = list(new)
        if list(old) != keys:  # same keys, other order: rebuild in the new order
            values = {k: old[k] for k in keys}
            for key in keys:
                del old[key]
            for key in keys:
                old[key] = values[key]
        return old
    if isinstance(old, list) and isinstance(new, list) and hasattr(old, "ca"):
        if _states_list(new) and _states_list(old):
            by_name = {item_name(item): item for item in old}
            merged = [merge(by_name.pop(item_name(item)), item) if item_name(item) in by_name else item
                      for item in new]
        else:
            merged = [merge(old[i], item) if i < len(old) else item for i, item in enumerate(new)]
        if len(merged) < len(old):
            for index in range(len(merged), len(old)):
                old.ca.items.pop(index, None)
        old[:] = merged
        return old
    if type(old) is not type(new) and old == new and isinstance(old, str) and isinstance(new, str):
        return old  # same text, its quoting kept
    return new


def _states_list(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and any(k in KINDS for k in i) for i in items)


def item_name(item: Any) -> Any:
    """The name of a state item (its kind's value, a task's ``name:`` or entry), or None."""
    return _Compiler.name_of(item)


