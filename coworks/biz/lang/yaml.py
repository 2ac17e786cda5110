"""Workflows as YAML: a format for people who don't program, round-tripping with ASL.

::

    # Invoice the orders that are in stock.
    workflow: shop-orders
    states:
      - task: shop-stock.get_item          # service.entry: what the Task calls
        route: GET /item/{item_id}         # only when the path is not the entry's name
        with:
          item_id: $.id                    # a value starting with $ is read from the input
        result_path: $.item
        retry:
          - errors: HTTP503                # one name or a list
            interval: 2                    # seconds
            attempts: 2
            backoff: 2.0
        catch:
          - errors: States.ALL
            then: Unknown item
            result_path: $.error
      - choice: In stock?
        choices:
          - if: $.item.body.qty > 0        # see coworks.biz.lang.conditions
            then: post_invoice
        otherwise: Out of stock
      - task: shop-billing.post_invoice
        with: {item: $.id, amount: $.item.body.qty}
        end: true
      - pass: Out of stock
        end: true
      - pass: Unknown item                 # the last state ends the workflow

States are listed in order: each one continues to the next unless it says ``next:`` or
``end: true`` (the last one ends). A state starts with its kind and its name (``- pass:
Hello``; a task is named after its entry unless it says ``name:``); a Parallel lists
``branches:`` and a Map its ``do:`` states, each a list of states like the top. Every other
ASL field is written in snake_case (``result_path``, ``items_path``, ``max_concurrency``) with
its ASL value, and any field may be written under its ASL name (``ItemBatcher:``) as it is.

``load(source)`` keeps the document in ruamel.yaml's round-trip form, so comments and layout
survive a load/edit/save cycle; ``document(asl, ...)`` writes a definition in this format, and
``merge`` carries an old document's comments over to a new one. Mistakes are
:class:`YamlError`: every problem with its line and column and what to write instead.
"""

from __future__ import annotations

import datetime
import difflib
import io
import json
import os
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coworks.biz.entries import LAMBDA_INVOKE, call_fields
from coworks.biz.errors import WorkflowError
from coworks.biz.lang.conditions import ConditionError, parse, text
from coworks.biz.refs import Ref
from coworks.runtime.routing import VERBS

#: The kind that starts a state item -> its ASL Type.
KINDS = {"task": "Task", "pass": "Pass", "choice": "Choice", "wait": "Wait", "succeed": "Succeed",
         "fail": "Fail", "parallel": "Parallel", "map": "Map"}
_TERMINAL = frozenset({"Choice", "Succeed", "Fail"})
_HANDLERS = frozenset({"Task", "Parallel", "Map"})
_RETRY = {"errors": "ErrorEquals", "interval": "IntervalSeconds", "attempts": "MaxAttempts",
          "backoff": "BackoffRate", "max_delay": "MaxDelaySeconds", "jitter": "JitterStrategy",
          "comment": "Comment"}
_CATCH = {"errors": "ErrorEquals", "then": "Next", "result_path": "ResultPath", "output": "Output",
          "assign": "Assign", "comment": "Comment"}
_RULE = {"then": "Next", "comment": "Comment", "assign": "Assign", "output": "Output"}
_TOP = {"comment": "Comment", "query_language": "QueryLanguage", "timeout_seconds": "TimeoutSeconds",
        "version": "Version"}
_BODY = {"comment": "Comment", "query_language": "QueryLanguage", "processor_config": "ProcessorConfig"}
ENTRY_CALL = re.compile(r"^(?P<service>[A-Za-z0-9_-]+)\.(?P<entry>[A-Za-z_]\w*)$")
_PLACEHOLDER = re.compile(r"{(\w+)}")
_INTRINSIC = re.compile(r"^States\.\w+\(")
_JSONATA_OUTPUT = "{% $states.result.Payload %}"


def _fields() -> dict[str, dict[str, str]]:
    """Per ASL type: the snake_case field names it takes -> their ASL names (the builder's table)."""
    from coworks.biz.branches import Map, Parallel
    from coworks.biz.choice import Choice
    from coworks.biz.states import ASL_NAMES, Fail, Pass, Succeed, Task, Wait

    return {cls.type: {name: ASL_NAMES[name] for name in sorted(cls.options)}
            for cls in (Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map)}


FIELDS = _fields()
_STRUCTURE = {"Task": ("name", "route", "with", "next", "end", "retry", "catch"),
              "Pass": ("next", "end"), "Wait": ("next", "end"), "Choice": ("choices", "otherwise"),
              "Succeed": (), "Fail": (), "Parallel": ("branches", "next", "end", "retry", "catch"),
              "Map": ("do", "iterator", "next", "end", "retry", "catch")}


# -- errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YamlProblem:
    """One mistake in a YAML workflow: where (1-based line and column), which state, what to do."""

    line: int
    column: int
    message: str
    state: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class YamlError(WorkflowError):
    """A YAML workflow that cannot be read; ``problems`` lists each mistake with its position."""

    def __init__(self, source: str, problems: list[YamlProblem]) -> None:
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            message = f"{source}, {problems[0]}"
        else:
            message = f"{source} has {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(message)

    @property
    def line(self) -> int:
        return self.problems[0].line

    @property
    def column(self) -> int:
        return self.problems[0].column


# -- reading and writing text ------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a condition or a path over two lines
    yaml.preserve_quotes = True
    return yaml


def read(source: str | os.PathLike[str]) -> tuple[Any, str]:
    """The round-trip document of YAML text or of a ``.yaml``/``.yml`` file, and its name for errors."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = "the YAML workflow"
    text_ = source
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and ": " not in source
        and source.lower().endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        try:
            text_ = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise WorkflowError(f"Cannot read the workflow file {path}: {exc.strerror or exc}.") from None
        name = str(path)
    try:
        doc = _yaml().load(str(text_))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = (exc.problem or exc.context or "not YAML").strip()
        raise YamlError(name, [YamlProblem(line, col, f"{what}; fix the YAML syntax there.")]) from None
    except YAMLError as exc:  # pragma: no cover - every reader error carries a mark
        raise YamlError(name, [YamlProblem(1, 1, f"{exc}")]) from None
    return doc, name


def dump(doc: Any) -> str:
    """The YAML text of a document (comments and quoting kept when it was read with :func:`read`)."""
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """A round-trip YAML value as plain JSON data (timestamps written by hand become ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return bool(value) if value is not None else None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# -- the call a Task makes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What ``task: service.entry`` says: the deployed service (its function name), the entry,
    its route and the arguments as written in YAML (strings starting with ``$`` read the input)."""

    service: str
    entry: str
    method: str
    path: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def fields(self, jsonata: bool) -> dict[str, Any]:
        """The ASL fields of the Task (Resource, Parameters and ResultSelector, or Arguments and Output)."""
        args = self.args if jsonata else {k: _as_ref(v) for k, v in self.args.items()}
        return call_fields(self.service, self.method, self.path, args, jsonata=jsonata)


def named_route(entry: str) -> tuple[str, str]:
    """The route an entry's name gives (``get_item`` -> ``GET /item``), as the runtime names routes."""
    tokens = [t for t in entry.rstrip("_").split("_") if t]
    method = "POST"
    if tokens and tokens[0] in VERBS:
        method = tokens.pop(0).upper()
    return method, "/" + "/".join(tokens)


def is_reference(value: Any) -> bool:
    """A YAML argument read at run time: a path (``$.id``, ``$$.Execution.Id``, ``$total``) or an
    intrinsic call (``States.UUID()``)."""
    return isinstance(value, str) and (value.startswith("$") or bool(_INTRINSIC.match(value)))


def _as_ref(value: Any) -> Any:
    if is_reference(value):
        return Ref(value)
    if isinstance(value, dict):
        return {k: _as_ref(v) for k, v in value.items()}
    return value


def _from_ref(value: Any) -> Any:
    """An argument of a Python-built Task as YAML writes it; raises ValueError where it cannot."""
    if isinstance(value, Ref):
        return value.expression
    if isinstance(value, dict):
        return {k: _from_ref(v) for k, v in value.items()}
    if isinstance(value, list):
        if any(isinstance(v, Ref) for v in value):
            raise ValueError("a Ref inside a list")
        return value
    if is_reference(value):
        raise ValueError("a constant that reads as a reference")
    return value


def builder_call(task: Any) -> Call | None:
    """The call of a Task built in Python as ``Task(service.entry, **args)``."""
    entry_call = getattr(task, "entry_call", None)
    if entry_call is None:
        return None
    entry, args = entry_call
    service = getattr(entry, "__self__", None)
    try:
        route = service.route_of(entry)  # type: ignore[union-attr]
        return Call(str(service.name), route.name, route.method, route.path,  # type: ignore[union-attr]
                    {k: _from_ref(v) for k, v in args.items()})
    except (ValueError, AttributeError, WorkflowError):
        return None


def guess_call(state: dict[str, Any]) -> Call | None:
    """The call of a Task loaded from ASL, when its invoke has the shape an entry call compiles to
    and a static path (a path built with ``States.Format`` does not say its parameters' names)."""
    params = state.get("Parameters")
    if state.get("Resource") != LAMBDA_INVOKE or not isinstance(params, dict) or set(params) != {
        "FunctionName", "Payload"}:
        return None
    payload = params["Payload"]
    function = params["FunctionName"]
    if not isinstance(payload, dict) or not isinstance(function, str) or not ENTRY_CALL.match(f"{function}.x"):
        return None
    method, path = payload.get("method"), payload.get("path")
    if not isinstance(method, str) or not isinstance(path, str) or not set(payload) <= {"method", "path", "params",
                                                                                          "body"}:
        return None
    segments = [s for s in path.split("/") if s]
    if not all(s.isidentifier() for s in segments) or method.lower() not in VERBS:
        return None
    entry = "_".join([method.lower(), *segments])
    if named_route(entry) != (method, path):
        return None
    raw = payload.get("params", payload.get("body", {}))
    if not isinstance(raw, dict):
        return None
    try:
        return Call(function, entry, method, path, _decode_template(raw))
    except ValueError:
        return None


def _decode_template(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key.endswith(".$"):
            if not is_reference(item):
                raise ValueError(key)
            out[key[:-2]] = item
        elif isinstance(item, dict):
            out[key] = _decode_template(item)
        elif is_reference(item):
            raise ValueError(key)
        else:
            out[key] = item
    return out


# -- YAML -> ASL -------------------------------------------------------------------------------


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


def _where(node: Any, key: Any = None) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 1, 1
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(node, list):
            line, col = lc.item(key)
        else:
            line, col = lc.key(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        line, col = lc.line, lc.col
    return int(line or 0) + 1, int(col or 0) + 1


def closest(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {found[0]}?" if found else f"; use one of: {', '.join(choices)}."


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


# -- ASL -> YAML -------------------------------------------------------------------------------


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


def _ql(value: Any, inherited: str) -> str:
    return value if isinstance(value, str) else inherited


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


# -- workflows ---------------------------------------------------------------------------------

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
