"""YAML -> ASL: every problem of a document at once, each with its line, column and what to write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coworks.biz.errors import WorkflowError
from coworks.biz.yaml.conditions import ConditionError, parse
from coworks.runtime.routing import VERBS

from .calls import Call, named_route
from .text import YamlError, YamlProblem, _where, closest, plain
from .vocabulary import (
    _BODY,
    _CATCH,
    _PLACEHOLDER,
    _RETRY,
    _RULE,
    _STRUCTURE,
    _TERMINAL,
    _TOP,
    ENTRY_CALL,
    FIELDS,
    KINDS,
    _ql,
)


@dataclass
class Compiled:
    """What a YAML workflow says: its name, triggers, ASL definition, and each Task's call."""

    name: str
    definition: dict[str, Any]
    triggers: list[Any]
    calls: dict[str, Call]
    #: Where each state is written (1-based line and column), for marking problems.
    positions: dict[str, tuple[int, int]]


def compile_document(doc: Any, source: str = "the YAML workflow") -> Compiled:
    """The ASL of a round-trip document; raises :class:`YamlError` listing every mistake."""
    result, problems = compile_leniently(doc)
    if problems:
        raise YamlError(source, problems)
    return result


def compile_leniently(doc: Any) -> tuple[Compiled, list[YamlProblem]]:
    """The ASL of a document as far as it can be read, and its mistakes (the editor shows both)."""
    compiler = _Compiler()
    return compiler.top(doc), compiler.problems


class _Compiler:
    def __init__(self) -> None:
        self.problems: list[YamlProblem] = []
        self.calls: dict[str, Call] = {}
        self.positions: dict[str, tuple[int, int]] = {}
        self.state_name: str | None = None

    def add(self, node: Any, key: Any, message: str) -> None:
        line, col = _where(node, key)
        self.problems.append(YamlProblem(line, col, message, self.state_name))

    def top(self, doc: Any) -> Compiled:
        if not isinstance(doc, dict):
            self.add(doc, None, "a workflow is a mapping: start with `workflow: its-name` and `states:`.")
            return Compiled("workflow", {}, [], {}, {})
        name = doc.get("workflow")
        if not isinstance(name, str) or not name:
            self.add(doc, "workflow" if "workflow" in doc else None,
                     "name the workflow on a line of its own: `workflow: invoicing`.")
            name = "workflow"
        triggers = doc.get("triggers") or []
        if not isinstance(triggers, list):
            self.add(doc, "triggers", 'list the triggers: `triggers: ["rate(1 hour)"]`.')
            triggers = []
        allowed = [*_TOP, "workflow", "triggers", "start", "states"]
        for key in doc:
            if isinstance(key, str) and key not in allowed and not key[:1].isupper():
                self.add(doc, key, f"`{key}` is not a workflow setting{closest(key, allowed)}")
        if "states" not in doc and "States" not in doc:
            self.add(doc, None, "list the workflow's states under `states:`, each starting with `- task:`, ...")
        ql = _ql(doc.get("query_language"), "JSONPath")
        definition = self.body(doc, _TOP, ql, top=True)
        return Compiled(name, definition, plain(triggers), self.calls, self.positions)

    def body(self, node: Any, names: dict[str, str], ql: str, top: bool = False) -> dict[str, Any]:
        """A state-machine body from a list of states or a mapping holding ``states:``."""
        out: dict[str, Any] = {}
        if isinstance(node, list):
            items: Any = node
            start: Any = _MISSING
        elif isinstance(node, dict):
            items = node.get("states", _MISSING)
            start = node.get("start", _MISSING)
            allowed = [*names, "states", "start"] if not top else [*_TOP, "workflow", "triggers", "start", "states"]
            for key, value in node.items():
                if key in names:
                    out[names[key]] = plain(value)
                elif isinstance(key, str) and key[:1].isupper():
                    out[key] = plain(value)
                elif not top and key not in allowed:
                    self.add(node, key, f"`{key}` is not a setting of a list of states{closest(key, allowed)}")
            if isinstance(out.get("QueryLanguage"), str):
                ql = out["QueryLanguage"]
        else:
            self.add(node, None, "write the states as a list: each item starts with `- task:`, `- choice:`, ...")
            return out
        states: dict[str, Any] = {}
        if items is not _MISSING:
            if not isinstance(items, list):
                self.add(node, "states", "`states:` is a list: each item starts with `- task:`, `- pass:`, ...")
                items = []
            item_names = [self.name_of(item) for item in items]
            for index, item in enumerate(items):
                following = item_names[index + 1] if index + 1 < len(items) else None
                name = item_names[index]
                if name is None:
                    self.add(items, index, self.unnamed(item))
                    continue
                if name in states:
                    self.add(items, index, f"two states are named {name!r}; give each state its own name.")
                self.positions.setdefault(name, _where(items, index))  # (across bodies: validation says it)
                previous, self.state_name = self.state_name, name
                states[name] = self.state(item, name, following, ql)
                self.state_name = previous
            out["States"] = states
        if start is _MISSING:
            if items is not _MISSING and item_names and item_names[0] is not None:
                out["StartAt"] = item_names[0]
        elif start is not None:
            out["StartAt"] = plain(start)
        order = ("Comment", "QueryLanguage", "StartAt", "States")
        return {**{k: out[k] for k in order if k in out}, **{k: v for k, v in out.items() if k not in order}}

    @staticmethod
    def name_of(item: Any) -> str | None:
        if not isinstance(item, dict):
            return None
        kinds = [k for k in item if k in KINDS]
        if len(kinds) != 1:
            return None
        if kinds[0] == "task":
            name = item.get("name")
            if isinstance(name, str) and name:
                return name
            call = item.get("task")
            match = ENTRY_CALL.match(call) if isinstance(call, str) else None
            return match.group("entry") if match else None
        value = item[kinds[0]]
        return value if isinstance(value, str) and value else None

    def unnamed(self, item: Any) -> str:
        kinds = [k for k in item if k in KINDS] if isinstance(item, dict) else []
        if len(kinds) > 1:
            return f"a state has one kind, this one says {' and '.join(kinds)}: keep one."
        if kinds == ["task"]:
            call = item.get("task")
            if isinstance(call, str) and ":" not in call:
                return (f"`task: {call}` names neither an entry (service.entry, as in billing.post_invoice) "
                        "nor a resource (arn:aws:...); write one of them.")
            return "give the task a name: `name: Charge the card`."
        if kinds:
            return f"name the {kinds[0]} state: `- {kinds[0]}: Its name`."
        return _NO_KIND

    def state(self, item: dict[str, Any], name: str, following: str | None, ql: str) -> dict[str, Any]:
        (kind,) = [k for k in item if k in KINDS]
        asl_type = KINDS[kind]
        data: dict[str, Any] = {"Type": asl_type}
        own_ql = item.get("query_language")
        jsonata = (own_ql if isinstance(own_ql, str) else ql) == "JSONata"
        structure = _STRUCTURE[asl_type]
        fields = FIELDS[asl_type]
        if kind == "task":
            self.task(item, name, data, jsonata)
        for key, value in item.items():
            if key == kind or key in structure:
                continue
            if key in fields:
                asl = fields[key]
                if value is None and asl in ("ResultSelector", "Output") and name in self.calls:
                    data.pop(asl, None)  # the call's default result shaping, removed
                else:
                    data[asl] = plain(value)
            elif isinstance(key, str) and key[:1].isupper():
                data[key] = plain(value)
            else:
                self.add(item, key, self.unknown(key, kind, asl_type))
        if asl_type == "Choice":
            self.choices(item, data)
        if asl_type == "Parallel" and "branches" in item:
            branches = item["branches"]
            if not isinstance(branches, list):
                self.add(item, "branches", "`branches:` is a list of branches, each a list of states.")
            else:
                data["Branches"] = [self.body(b, _BODY, ql) for b in branches]
        if asl_type == "Map":
            for key, asl in (("do", "ItemProcessor"), ("iterator", "Iterator")):
                if key in item:
                    data[asl] = self.body(item[key], _BODY, ql)
        for key, table, asl in (("retry", _RETRY, "Retry"), ("catch", _CATCH, "Catch")):
            if key in item:
                data[asl] = self.handlers(item, key, table)
        if asl_type not in _TERMINAL:
            explicit = [k for k in ("next", "end", "Next", "End") if k in item]
            if "next" in item and item["next"] is not None:
                data["Next"] = plain(item["next"])
            if "end" in item:
                data["End"] = plain(item["end"])
            if not explicit:
                if following is not None:
                    data["Next"] = following
                else:
                    data["End"] = True
        return data

    def unknown(self, key: Any, kind: str, asl_type: str) -> str:
        allowed = sorted([*FIELDS[asl_type], *_STRUCTURE[asl_type]])
        if key in ("next", "end") and asl_type in _TERMINAL:
            return f"a {kind} state decides its own successor: remove `{key}`."
        others = [k for k, t in KINDS.items() if key in FIELDS[t] or key in _STRUCTURE[t]]
        if others:
            return f"a {kind} state does not take `{key}` (only {', '.join(others)} states do){closest(key, allowed)}"
        return f"`{key}` is not a field of a {kind} state{closest(str(key), allowed)}"

    def task(self, item: dict[str, Any], name: str, data: dict[str, Any], jsonata: bool) -> None:
        call = item.get("task")
        if call is None:
            if "with" in item or "route" in item:
                self.add(item, "task", "name the entry these arguments go to: `task: billing.post_invoice`.")
            return
        if not isinstance(call, str):
            self.add(item, "task", "write what the task calls: `task: billing.post_invoice` or a resource ARN.")
            return
        if ":" in call:
            data["Resource"] = call
            if "resource" in item:
                self.add(item, "resource", "the task already names its resource after `task:`; remove `resource:`.")
            if "with" in item:
                self.add(item, "with", "`with:` gives an entry's arguments; for a resource write `parameters:`.")
            return
        match = ENTRY_CALL.match(call)
        if match is None:
            self.add(item, "task", f"`task: {call}` names neither an entry (service.entry, as in "
                                   "billing.post_invoice) nor a resource (arn:aws:...); write one of them.")
            return
        service, entry = match.group("service"), match.group("entry")
        route = item.get("route")
        if route is None:
            method, path = named_route(entry)
        else:
            parts = str(route).split()
            if len(parts) != 2 or parts[0].lower() not in VERBS or not parts[1].startswith("/"):
                self.add(item, "route", f"write the route as a verb and a path: `route: GET /item/{{item_id}}`, "
                                        f"not {route!r}.")
                return
            method, path = parts[0].upper(), parts[1]
        args = item.get("with") or {}
        if not isinstance(args, dict):
            self.add(item, "with", "`with:` lists the entry's arguments by name: `with: {item_id: $.id}`.")
            return
        args = plain(args)
        missing = [p for p in _PLACEHOLDER.findall(path) if p not in args]
        if missing:
            self.add(item, "with" if "with" in item else "task",
                     f"the route {method} {path} needs {', '.join(missing)}: add "
                     + ", ".join(f"`{m}: $.{m}`" for m in missing) + " under `with:`.")
            return
        found = Call(service, entry, method, path, args)
        try:
            data.update(found.fields(jsonata))
        except WorkflowError as exc:
            self.add(item, "with", f"{exc}")
            return
        self.calls[name] = found

    def choices(self, item: dict[str, Any], data: dict[str, Any]) -> None:
        if "choices" in item:
            rules = item["choices"]
            if not isinstance(rules, list):
                self.add(item, "choices", "`choices:` is a list of `- if: CONDITION` / `then: STATE`.")
            else:
                data["Choices"] = [self.rule(rules, i, r) for i, r in enumerate(rules)]
        if "otherwise" in item:
            data["Default"] = plain(item["otherwise"])

    def rule(self, rules: list[Any], index: int, node: Any) -> dict[str, Any]:
        if not isinstance(node, dict):
            self.add(rules, index, "each choice is `- if: $.qty > 0` with `then: STATE`.")
            return {}
        out: dict[str, Any] = {}
        if "if" in node and "rule" in node:
            self.add(node, "rule", "a choice has one condition: keep `if:` or `rule:`, not both.")
        if "if" in node:
            condition = node["if"]
            if isinstance(condition, str) and condition.strip().startswith("{%"):
                out["Condition"] = str(condition)
            elif not isinstance(condition, str):
                self.add(node, "if", 'write the condition as text: `if: $.qty > 0` or `if: $.kind == "pen"`.')
            else:
                try:
                    out.update(parse(condition))
                except ConditionError as exc:
                    line, col = _where(node, "if")
                    value_line, value_col = node.lc.value("if") if hasattr(node, "lc") else (line - 1, col - 1)
                    self.problems.append(YamlProblem(value_line + 1, value_col + 1 + exc.column,
                                                     f"{exc}", self.state_name))
        elif "rule" in node:
            rule = plain(node["rule"])
            if not isinstance(rule, dict):
                self.add(node, "rule", "`rule:` holds an ASL choice rule as a mapping.")
            else:
                out.update(rule)
        else:
            self.add(node, None, "a choice needs its condition: `if: $.qty > 0`.")
        for key, value in node.items():
            if key in ("if", "rule"):
                continue
            if key in _RULE:
                out[_RULE[key]] = plain(value)
            elif isinstance(key, str) and key[:1].isupper():
                out[key] = plain(value)
            else:
                self.add(node, key, f"`{key}` is not part of a choice{closest(str(key), ['if', 'rule', *_RULE])}")
        return out

    def handlers(self, item: dict[str, Any], key: str, table: dict[str, str]) -> list[Any]:
        rules = item[key]
        if not isinstance(rules, list):
            self.add(item, key, f"`{key}:` is a list: `- errors: [States.ALL]` ...")
            return []
        out: list[Any] = []
        for index, node in enumerate(rules):
            if not isinstance(node, dict):
                self.add(rules, index, f"each {key} is a mapping starting with `- errors: [...]`.")
                continue
            data: dict[str, Any] = {}
            if "errors" not in node:
                data["ErrorEquals"] = ["States.ALL"]
            for name, value in node.items():
                if name == "errors":
                    if value is not None:
                        data["ErrorEquals"] = [value] if isinstance(value, str) else plain(value)
                elif name in table:
                    data[table[name]] = plain(value)
                elif isinstance(name, str) and name[:1].isupper():
                    data[name] = plain(value)
                else:
                    self.add(node, name, f"`{name}` is not part of a {key}{closest(str(name), list(table))}")
            out.append(data)
        return out


_MISSING: Any = object()
_NO_KIND = ("each state starts with its kind and name: `- task: billing.post_invoice`, `- choice: In stock?`, "
            "`- pass: Done`, `- wait:`, `- succeed:`, `- fail:`, `- parallel:` or `- map:`.")


