"""The workflow editor: build a workflow by clicking, validate it on every change, save it as YAML,
run it locally and deploy it, without writing Python.

``WorkflowEditor(services=[stock, billing], cloud=cloud)`` shows a palette (the entries of the
services the notebook knows, with their parameters, and the other state kinds), a form for the
selected state, and the graph: the same :class:`~coworks.notebook.workflowview.WorkflowView` that
watches executions, so a run recolours the states live. Every button calls a method of the
widget (``add``, ``connect``, ``set_argument``, ``save``, ``run``, ``deploy``, ``confirm``...), and
everything the browser shows is a plain field, so code and tests drive it as a person does.

The work is done below: the edits by :class:`coworks.biz.draft.Draft` (the YAML document, with
undo), validation by the YAML format and ASL checks, the drawing by dot, runs by the local
executor and deployments by the cloud's ``deploy_workflow(...).plan()/apply()``. After an edit
the browser receives the form of the selected state, the marks that changed and the parts of
the drawing that changed, never the whole workflow again.

A deployed service is listed when the cloud's status names it at the stage; its entries and
parameters come from its class (a deployed Lambda does not say them), so pass the class or
``"module:app"`` in ``services`` and the palette marks it deployed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets

from ..biz import yaml as wfyaml
from ..biz.draft import Draft
from ..biz.yaml.conditions import ConditionError, parse, text
from ..errors import CoworksError
from .workflowview import WorkflowView

_STATIC = Path(__file__).with_name("static")
BLOCKS = [
    ("choice", "Choice", "Go one way or another, on conditions"),
    ("parallel", "Parallel", "Run branches at the same time"),
    ("map", "Map", "Run steps for each item of a list"),
    ("wait", "Wait", "Wait some seconds or until a time"),
    ("pass", "Pass", "Pass the input on, or shape it"),
    ("succeed", "Succeed", "End here, successfully"),
    ("fail", "Fail", "End here with an error"),
]
#: The fields the form offers for each kind (any other is reachable with set_field).
FORM_FIELDS = {
    "task": ["result_path", "timeout_seconds", "comment"],
    "pass": ["result", "parameters", "result_path", "comment"],
    "wait": ["seconds", "timestamp", "seconds_path", "timestamp_path", "comment"],
    "choice": ["comment"],
    "succeed": ["comment"],
    "fail": ["error", "cause", "comment"],
    "parallel": ["result_path", "comment"],
    "map": ["items_path", "max_concurrency", "result_path", "comment"],
}
_NUMBERS = {"seconds", "timeout_seconds", "heartbeat_seconds", "max_concurrency", "tolerated_failure_count",
            "tolerated_failure_percentage"}
_JSON = {"parameters", "result", "result_selector", "item_selector", "assign", "output", "arguments",
         "item_reader", "item_batcher", "result_writer", "credentials"}
_OPERATORS = ["==", "<", ">", "<=", ">=", "is present", "is not present", "is null", "matches"]
#: The buttons' actions, by the name the browser sends: each is a method of the editor.
ACTIONS = ("add", "add_entry", "select", "rename", "remove", "move", "connect", "set_field", "set_argument",
           "set_choice", "remove_choice", "set_retry", "remove_retry", "set_catch", "remove_catch", "set_name",
           "undo", "redo", "save", "show_yaml", "show_python", "hide", "run", "deploy", "confirm", "cancel")


class WorkflowEditor(anywidget.AnyWidget):  # type: ignore[misc]
    """``WorkflowEditor(workflow_or_file=None, services=[...], cloud=..., stage="dev", path="x.yaml")``."""

    _esm = _STATIC / "workflow_editor.js"
    _css = """
    .coworks-editor-box { gap: 12px; }
    .coworks-workflow-editor { flex: 0 0 400px; max-width: 400px; font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color1); background: var(--jp-layout-color1);
      border: 1px solid var(--jp-border-color2); border-radius: 4px; padding: 8px; }
    .coworks-workflow-editor h4 { margin: 8px 0 4px; font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color0); }
    .coworks-workflow-editor button { margin: 2px; padding: 2px 8px; cursor: pointer;
      color: var(--jp-ui-font-color1); background: var(--jp-layout-color2);
      border: 1px solid var(--jp-border-color1); border-radius: 3px; }
    .coworks-workflow-editor button:disabled { color: var(--jp-ui-font-color3); cursor: default; }
    .coworks-workflow-editor input, .coworks-workflow-editor select, .coworks-workflow-editor textarea {
      color: var(--jp-ui-font-color1); background: var(--jp-input-background, var(--jp-layout-color0));
      border: 1px solid var(--jp-border-color1); border-radius: 2px; padding: 1px 4px; max-width: 100%; }
    .coworks-workflow-editor .cw-palette { max-height: 220px; overflow: auto;
      border: 1px solid var(--jp-border-color2); }
    .coworks-workflow-editor .cw-block { display: block; width: calc(100% - 4px); text-align: left; }
    .coworks-workflow-editor .cw-muted { color: var(--jp-ui-font-color2); }
    .coworks-workflow-editor .cw-problem { color: var(--jp-error-color1); }
    .coworks-workflow-editor .cw-row { display: flex; gap: 4px; align-items: center; margin: 2px 0; }
    .coworks-workflow-editor .cw-row > label { flex: 0 0 110px; color: var(--jp-ui-font-color2); }
    .coworks-workflow-editor .cw-row > input, .coworks-workflow-editor .cw-row > select { flex: 1 1 auto;
      min-width: 0; }
    .coworks-workflow-editor .cw-choice .cw-row { flex-wrap: wrap; }
    .coworks-workflow-editor pre { max-height: 320px; overflow: auto; color: var(--jp-content-font-color1);
      background: var(--jp-layout-color2); padding: 6px; }
    .coworks-workflow-editor .cw-message.error { color: var(--jp-error-color1); }
    .coworks-workflow-editor .cw-message.ok { color: var(--jp-success-color1); }
    .coworks-editor-graph { flex: 1 1 auto; min-width: 0; }
    .coworks-editor-graph .coworks-graph { background: #ffffff; border: 1px solid var(--jp-border-color2);
      border-radius: 4px; padding: 4px; }
    .coworks-invalid > polygon, .coworks-invalid > ellipse, .coworks-invalid > path {
      stroke: #dc2626; stroke-width: 3px; }
    """

    title = traitlets.Unicode("").tag(sync=True)
    palette: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    names: traitlets.List[str] = traitlets.List().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    form = traitlets.Dict().tag(sync=True)
    problems = traitlets.Dict().tag(sync=True)
    paths: traitlets.List[str] = traitlets.List().tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    message_kind = traitlets.Unicode("").tag(sync=True)  # "ok", "error" or ""
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    shown = traitlets.Unicode("").tag(sync=True)  # "yaml", "python", "plan" or ""
    text = traitlets.Unicode("").tag(sync=True)
    file = traitlets.Unicode("").tag(sync=True)
    run_input = traitlets.Unicode("{}").tag(sync=True)
    pending = traitlets.Unicode("").tag(sync=True)  # "deploy" while a plan waits for confirm()

    def __init__(self, workflow: Any = None, *, services: Any = (), cloud: Any = None, stage: str = "dev",
                 path: str | None = None, input: Any = None, name: str = "workflow", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = [_load_service(s) for s in services]
        self.cloud = cloud
        self.stage = stage
        self.deployment: Any = None
        self.execution: Any = None
        self.sent: list[int] = []  # bytes of each message to the browser (state and custom), for benchmarks
        self._dot = ""
        if input is not None:
            self.run_input = json.dumps(input)
        if path is not None:
            self.file = str(path)
        elif isinstance(workflow, str | Path) and str(workflow).lower().endswith((".yaml", ".yml")):
            self.file = str(workflow)  # Save writes back where it was opened from
        self.draft = _open(workflow, path, name)
        self.palette = palette(self.services, cloud, stage)
        first = self._compiled_workflow()[0]
        self.view = WorkflowView(first)  # laid out by dot once, here
        self._dot = first.graph().source
        self.view.add_class("coworks-editor-graph")
        self.view.observe(self._clicked, names="selected")
        self.on_msg(self._on_action)
        self.add_class("coworks-workflow-editor")
        self._refresh()

    # -- display: the panel beside the graph ------------------------------------------------------

    @property
    def box(self) -> Any:
        """The panel and the graph side by side (what displaying the editor shows)."""
        if getattr(self, "_box", None) is None:
            self._box = ipywidgets.HBox([self, self.view], layout=ipywidgets.Layout(align_items="flex-start",
                                                                                    width="100%"))
            self._box.add_class("coworks-editor-box")
        return self._box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    # -- building ---------------------------------------------------------------------------------

    def add(self, kind: str, name: str | None = None, *, after: str | None = None, into: str | None = None,
            branch: int = 0) -> str:
        """Add a Choice, Parallel, Map, Wait, Pass, Succeed or Fail (after ``after``, or at the end);
        the new state is selected. Returns its name."""
        if kind == "task":
            raise CoworksError("Add a task from the palette's entries: add_entry('service.entry').")
        return self._added(self.draft.add(kind, name, after=after, into=into, branch=branch))

    def add_entry(self, call: str, name: str | None = None, *, after: str | None = None,
                  into: str | None = None, branch: int = 0) -> str:
        """Add a task calling ``call`` ("service.entry", as the palette lists it)."""
        entry = self._entry(call)
        with self.draft.edit():
            added = self.draft.add("task", name, after=after, into=into, branch=branch, call=call)
            if entry is not None and entry["route"].split() != list(wfyaml.named_route(entry["entry"])):
                self.draft.set(added, "route", entry["route"])
        return self._added(added)

    def _added(self, name: str) -> str:
        self.selected = name
        self._refresh()
        self._say(f"Added {name!r}.")
        return name

    def select(self, name: str) -> None:
        """Show the form of state ``name`` ("" for none)."""
        if name and name not in self.draft.places():
            raise CoworksError(f"There is no state {name!r} to select.")
        self.selected = name
        self.form = self._form()

    def rename(self, name: str, new: str) -> None:
        self.draft.rename(name, new)
        if self.selected == name:
            self.selected = new.strip()
        self._refresh()
        self._say(f"Renamed {name!r} to {new.strip()!r}.")

    def remove(self, name: str) -> None:
        self.draft.remove(name)
        if self.selected == name:
            self.selected = ""
        self._refresh()
        self._say(f"Removed {name!r}.")

    def move(self, name: str, offset: int) -> None:
        """Move a state up (-1) or down (+1): states follow each other in the order listed."""
        self.draft.move(name, int(offset))
        self._refresh()

    def connect(self, name: str, target: str | None, how: str = "next") -> None:
        """Link ``name`` to ``target`` (None or "" ends there): how="next", "otherwise", "choice N", "catch N"."""
        self.draft.connect(name, target or None, how)
        self._refresh()

    def set_field(self, name: str, key: str, value: Any) -> None:
        """Set a field of a state; text from the form is read as a number or JSON where the field is one."""
        self.draft.set(name, key, _coerce_field(key, value))
        self._refresh()

    def set_argument(self, name: str, argument: str, value: Any, mode: str = "value") -> None:
        """Set an entry's argument: ``mode="ref"`` reads ``value`` (a path such as $.id) at run time,
        "value" sends it as it is (text from the form is converted to the parameter's type)."""
        self.draft.set_argument(name, argument, self._argument(name, argument, value, mode))
        self._refresh()

    def set_choice(self, name: str, index: int, condition: str | dict[str, Any], then: str | None) -> None:
        """Set choice ``index`` (a new one at the end): a condition text, or the dropdowns' parts
        ``{"path": "$.qty", "op": ">", "value": "0", "kind": "number"}``."""
        if isinstance(condition, dict):
            condition = condition_text(condition)
        self.draft.set_choice(name, int(index), condition, then or None)
        self._refresh()

    def remove_choice(self, name: str, index: int) -> None:
        self.draft.remove_choice(name, int(index))
        self._refresh()

    def set_retry(self, name: str, index: int, errors: Any = "States.ALL", interval: Any = None,
                  attempts: Any = None, backoff: Any = None) -> None:
        """Retry on ``errors`` (comma separated), waiting ``interval`` seconds, ``attempts`` times."""
        self.draft.set_retry(name, int(index), errors, interval=_number(interval), attempts=_number(attempts),
                             backoff=_number(backoff))
        self._refresh()

    def remove_retry(self, name: str, index: int) -> None:
        self.draft.remove_retry(name, int(index))
        self._refresh()

    def set_catch(self, name: str, index: int, errors: Any = "States.ALL", then: str = "",
                  result_path: str | None = None) -> None:
        """On ``errors``, continue at ``then`` with the error placed at ``result_path``."""
        if not then:
            raise CoworksError("A catch says where to go: pick the state to continue with.")
        self.draft.set_catch(name, int(index), errors, then, result_path or None)
        self._refresh()

    def remove_catch(self, name: str, index: int) -> None:
        self.draft.remove_catch(name, int(index))
        self._refresh()

    def set_name(self, name: str) -> None:
        """Name the workflow (its state machine is named after it when deployed)."""
        self.draft.set_workflow("workflow", name.strip())
        self._refresh()

    def undo(self) -> None:
        if self.draft.undo():
            self._after_history()

    def redo(self) -> None:
        if self.draft.redo():
            self._after_history()

    def _after_history(self) -> None:
        if self.selected not in self.draft.places():
            self.selected = ""
        self._refresh()

    # -- saving, showing ----------------------------------------------------------------------------

    def save(self, path: str | None = None) -> Path:
        """Write the YAML file (``path``, else the editor's file, else ``<workflow>.yaml``)."""
        target = Path(path or self.file or f"{self.draft.name}.yaml")
        target.write_text(self.draft.text(), encoding="utf-8")
        self.file = str(target)
        self._say(f"Saved {self.draft.name} to {target}.", "ok")
        return target

    def show_yaml(self) -> str:
        self.text, self.shown = self.draft.text(), "yaml"
        return self.text

    def show_python(self) -> str:
        """The Python that builds the same workflow with coworks.biz (shown on demand)."""
        from ..biz.source import python_source

        compiled, _ = self.draft.compile()
        self.text = python_source(compiled.definition, compiled.name, compiled.calls, compiled.triggers)
        self.shown = "python"
        return self.text

    def hide(self) -> None:
        self.shown, self.text = "", ""

    # -- running and deploying --------------------------------------------------------------------

    def run(self, input: Any = None) -> Any:
        """Run the workflow locally with the notebook's services; the graph recolours live."""
        if input is None:
            try:
                input = json.loads(self.run_input or "null")
            except ValueError:
                raise CoworksError("The run's input is not JSON; write it as JSON, e.g. {\"id\": 3}.") from None
        else:
            self.run_input = json.dumps(input)
        workflow = self.draft.workflow()
        workflow.validate()
        self.view.workflow = workflow
        self.execution = self.view.run(input, services=self.services)
        ex = self.execution
        detail = json.dumps(ex.output)[:200] if ex.status == "SUCCEEDED" else f"{ex.error}: {ex.cause}"[:200]
        self._say(f"Run {ex.status.lower()}: {detail}", "ok" if ex.status == "SUCCEEDED" else "error")
        return ex

    def deploy(self) -> Any:
        """Plan the deployment on the editor's cloud and show it; ``confirm()`` applies it."""
        if self.cloud is None:
            raise CoworksError("The editor has no cloud: create it with WorkflowEditor(..., cloud=LocalCloud()).")
        workflow = self.draft.workflow()
        workflow.validate()
        self.deployment = self.cloud.deploy_workflow(workflow, stage=self.stage)
        plan = self.deployment.plan()
        self.text, self.shown, self.pending = str(plan), "plan", "deploy"
        self._say("Review the plan, then Confirm to deploy it.")
        return plan

    def confirm(self) -> str:
        """Apply the plan shown by ``deploy()``; returns the state machine's ARN."""
        if self.pending != "deploy" or self.deployment is None:
            raise CoworksError("There is no plan to confirm: press Deploy first.")
        self.deployment.apply()
        self.pending = ""
        self.shown, self.text = "", ""
        self._say(f"Deployed {self.deployment.name} at stage {self.stage}: {self.deployment.arn}", "ok")
        return str(self.deployment.arn)

    def cancel(self) -> None:
        self.deployment, self.pending, self.shown, self.text = None, "", "", ""
        self._say("Nothing deployed.")

    # -- what the browser sees ----------------------------------------------------------------------

    def _on_action(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("action") not in ACTIONS:
            return
        args = content.get("args") or {}
        try:
            getattr(self, content["action"])(**args)
        except CoworksError as exc:
            self._say(str(exc), "error")
        except (TypeError, ValueError) as exc:
            self._say(f"{content['action']}: {exc}", "error")

    def _clicked(self, change: dict[str, Any]) -> None:
        name = change["new"]
        if name and name in self.draft.places() and name != self.selected:
            self.select(name)

    def _say(self, message: str, kind: str = "") -> None:
        self.message, self.message_kind = message, kind

    def _send(self, msg: Any, buffers: Any = None) -> None:
        if hasattr(self, "sent"):  # (anywidget sends its module before __init__ is done)
            self.sent.append(len(json.dumps(msg, default=str)))
        super()._send(msg, buffers)

    def _compiled_workflow(self) -> tuple[Any, wfyaml.Compiled, list[wfyaml.YamlProblem]]:
        from ..biz.asl import load_body
        from ..biz.workflow import Workflow

        compiled, mistakes = self.draft.compile()
        workflow = Workflow(compiled.name, load_body(compiled.definition), triggers=compiled.triggers)
        return workflow, compiled, mistakes

    def _refresh(self) -> None:
        """After an edit: validate, redraw what changed, mark each invalid state, rebuild the form."""
        workflow, compiled, mistakes = self._compiled_workflow()
        self.problems = self.draft.problems(compiled, mistakes)
        graph = workflow.graph()
        if graph.source != self._dot:  # the drawing changed: dot lays it out again
            self._dot = graph.source
            self.view.redraw(workflow, graph.pipe(format="svg").decode())
        else:
            self.view.workflow = workflow
        self.view.marks = {k: "; ".join(v) for k, v in self.problems.items() if k}
        self.title = compiled.name
        places = self._places = self.draft.places()
        self.names = list(places)
        self.paths = known_paths(self.draft.doc, self.run_input)
        self.can_undo, self.can_redo = self.draft.can_undo, self.draft.can_redo
        if self.selected and self.selected not in places:
            self.selected = ""
        self.form = self._form()
        if self.shown == "yaml":
            self.text = self.draft.text()

    def _entry(self, call: str) -> dict[str, Any] | None:
        return next((e for e in self.palette if e.get("call") == call), None)

    def _form(self) -> dict[str, Any]:
        name = self.selected
        if not name:
            return {}
        place = getattr(self, "_places", {}).get(name) or self.draft.place(name)
        item = place.item
        kind = next(k for k in item if k in wfyaml.KINDS)
        following = wfyaml.item_name(place.items[place.index + 1]) if place.index + 1 < len(place.items) else None
        form: dict[str, Any] = {
            "name": name, "kind": kind, "problems": self.problems.get(name, []),
            "fields": [{"key": k, "value": _shown(item.get(k))} for k in FORM_FIELDS[kind]],
            "following": following, "index": place.index, "count": len(place.items),
        }
        if kind not in ("choice", "succeed", "fail"):
            form["next"] = str(item["next"]) if item.get("next") is not None else ""
            form["ends"] = bool(item.get("end")) or ("next" not in item and following is None)
        if kind == "task":
            form["call"] = self._call_form(item)
        if kind == "choice":
            form["choices"] = [_rule_form(r) for r in item.get("choices") or []]
            form["otherwise"] = str(item.get("otherwise") or "")
            form["operators"] = _OPERATORS
        if kind in ("task", "parallel", "map"):
            form["retry"] = [_handler_form(r, ("errors", "interval", "attempts", "backoff"))
                             for r in item.get("retry") or []]
            form["catch"] = [_handler_form(r, ("errors", "then", "result_path")) for r in item.get("catch") or []]
        return form

    def _call_form(self, item: Any) -> dict[str, Any]:
        call = item.get("task")
        entry = self._entry(call) if isinstance(call, str) else None
        args = item.get("with") or {}
        params = []
        for param in (entry or {}).get("params", []):
            value = args.get(param["name"])
            mode = "ref" if wfyaml.is_reference(value) else ("value" if value is not None else "")
            params.append({**param, "value": _shown(value), "mode": mode})
        for extra in [k for k in args if k not in {p["name"] for p in params}]:
            value = args[extra]
            params.append({"name": extra, "type": "", "required": False, "description": "", "in": "",
                           "value": _shown(value), "mode": "ref" if wfyaml.is_reference(value) else "value"})
        return {"call": str(call), "route": str(item.get("route") or (entry or {}).get("route") or ""),
                "known": entry is not None, "deployed": (entry or {}).get("deployed"), "params": params}

    def _argument(self, name: str, argument: str, value: Any, mode: str) -> Any:
        if value is None or value == "":
            return None
        if mode == "ref":
            value = str(value).strip()
            if not wfyaml.is_reference(value):
                raise CoworksError(f"A reference reads the input with a path that starts with $ (such as $.id), "
                                   f"not {value!r}.")
            return value
        if mode != "value":
            raise CoworksError(f"An argument is a value or a reference (mode='ref'), not mode={mode!r}.")
        call = self.draft.item(name).get("task")
        entry = self._entry(call) if isinstance(call, str) else None
        kind = next((p["type"] for p in (entry or {}).get("params", []) if p["name"] == argument), "")
        converted = _convert(value, kind, argument)
        if wfyaml.is_reference(converted):
            raise CoworksError(f"The value {converted!r} starts like a reference ($...): to read the input, "
                               "choose reference; a constant text cannot start with $ here.")
        return converted


# -- the palette --------------------------------------------------------------------------------------


def palette(services: list[Any], cloud: Any = None, stage: str = "dev") -> list[dict[str, Any]]:
    """The building blocks: every entry of the known services (route, parameters with types,
    defaults and descriptions, whether deployed at ``stage``), then the other state kinds."""
    deployed: set[str] | None = None
    if cloud is not None:
        deployed = {row.service for row in cloud.status().rows if row.stage == stage}
    entries: list[dict[str, Any]] = []
    for service in services:
        for route in service.routes:
            entries.append({"kind": "task", "call": f"{service.name}.{route.name}", "service": service.name,
                            "entry": route.name, "route": route.key, "summary": route.doc.split("\n")[0],
                            "params": entry_params(service, route),
                            "deployed": None if deployed is None else service.name in deployed})
    known = {s.name for s in services}
    for name in sorted((deployed or set()) - known):
        entries.append({"kind": "service", "service": name, "deployed": True, "params": [],
                        "summary": f"deployed at {stage}; its entries are listed when its class is passed in "
                                   "services=[...]"})
    entries.extend({"kind": kind, "label": label, "summary": summary} for kind, label, summary in BLOCKS)
    return entries


def entry_params(service: Any, route: Any) -> list[dict[str, Any]]:
    """An entry's parameters as its OpenAPI document says them: name, where, type, required, default,
    description."""
    from ..runtime.params import NO_DEFAULT

    operation = service.openapi()["paths"][route.path][route.method.lower()]
    described = {p["name"]: p for p in operation.get("parameters", [])}
    body: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    first: dict[str, Any] = next(iter(body.values())) if body else {}
    schema: dict[str, Any] = first.get("schema", {})
    out = []
    for param in route.signature.params:
        doc = described.get(param.name) or {}
        prop = doc.get("schema") or schema.get("properties", {}).get(param.name, {})
        default = None if param.default is NO_DEFAULT else param.default
        try:
            json.dumps(default)
        except (TypeError, ValueError):
            default = repr(default)
        out.append({"name": param.name, "in": param.location, "type": _type_name(prop),
                    "required": param.required, "default": default,
                    "description": doc.get("description") or prop.get("description", "")})
    return out


def _type_name(schema: dict[str, Any]) -> str:
    if "type" in schema:
        kind = schema["type"]
        return "/".join(kind) if isinstance(kind, list) else str(kind)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type_name(s) for s in schema[key])
    if "$ref" in schema:
        return "object"
    return ""


def known_paths(doc: Any, sample: str = "{}") -> list[str]:
    """The paths a reference may read: the run input's fields, what states place (result_path, and
    ``.body`` of an entry's answer) and the paths the workflow already uses."""
    found: set[str] = {"$"}
    try:
        _paths(json.loads(sample or "null"), "$", found)
    except ValueError:
        pass

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "result_path" and isinstance(value, str) and value.startswith("$"):
                    found.add(value)
                    if "task" in node:
                        found.add(value + ".body")
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("$.") and " " not in node:
            found.add(node)

    walk(doc)
    return sorted(found)[:200]


def _paths(value: Any, prefix: str, found: set[str], depth: int = 0) -> None:
    if depth > 4:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if str(key).isidentifier() else f"{prefix}['{key}']"
            found.add(path)
            _paths(item, path, found, depth + 1)
    elif isinstance(value, list) and value:
        _paths(value[0], f"{prefix}[0]", found, depth + 1)


# -- form values ----------------------------------------------------------------------------------------


def condition_text(parts: dict[str, Any]) -> str:
    """A condition from the dropdowns: a path, an operator, a value and its kind."""
    path = str(parts.get("path") or "").strip()
    op = str(parts.get("op") or "==")
    value = str(parts.get("value") if parts.get("value") is not None else "").strip()
    kind = str(parts.get("kind") or "")
    if not path.startswith("$"):
        raise CoworksError("Pick the path the choice reads, such as $.qty.")
    if op.startswith("is "):
        return f"{path} {op}"
    if op == "matches":
        return f"{path} matches {json.dumps(value)}"
    if op not in ("==", "<", ">", "<=", ">="):
        raise CoworksError(f"{op!r} is not a comparison; use one of: {', '.join(_OPERATORS)}.")
    if value.startswith("$"):
        literal = value
        prefix = f"{kind} " if kind in ("string", "boolean", "timestamp") else ""
    elif kind == "string" or (kind == "" and not _is_number(value) and value not in ("true", "false")):
        literal, prefix = json.dumps(value), ""
    elif kind == "timestamp":
        literal, prefix = json.dumps(value), "timestamp "
    elif kind == "boolean" or value in ("true", "false"):
        if value not in ("true", "false"):
            raise CoworksError(f"A boolean is true or false, not {value!r}.")
        literal, prefix = value, ""
    else:
        if not _is_number(value):
            raise CoworksError(f"{value!r} is not a number.")
        literal, prefix = value, ""
    return f"{path} {op} {prefix}{literal}"


def _rule_form(rule: Any) -> dict[str, Any]:
    condition = rule.get("if") if isinstance(rule, dict) else None
    parts = None
    if isinstance(condition, str) and not condition.startswith("{%"):
        try:
            parts = _parts(parse(condition))
        except ConditionError:
            parts = None
    elif isinstance(rule, dict) and "rule" in rule:
        condition = text(wfyaml.plain(rule["rule"])) or json.dumps(wfyaml.plain(rule["rule"]))
    return {"condition": str(condition or ""), "then": str(rule.get("then") or "") if isinstance(rule, dict)
            else "", "parts": parts}


def _parts(rule: dict[str, Any]) -> dict[str, Any] | None:
    """The dropdowns' view of a simple comparison (None for and/or/not)."""
    if set(rule) != {"Variable", *[k for k in rule if k != "Variable"]} or len(rule) != 2:
        return None
    path = rule["Variable"]
    ((key, value),) = [(k, v) for k, v in rule.items() if k != "Variable"]
    if key.startswith("Is"):
        if key not in ("IsPresent", "IsNull"):
            return None
        op = f"is {'' if value else 'not '}{key[2:].lower()}"
        return {"path": path, "op": op, "value": "", "kind": ""} if op in _OPERATORS else None
    if key == "StringMatches":
        return {"path": path, "op": "matches", "value": value, "kind": "string"}
    for kind, word in (("String", "string"), ("Numeric", "number"), ("Boolean", "boolean"),
                       ("Timestamp", "timestamp")):
        if key.startswith(kind):
            rest = key[len(kind):].removesuffix("Path")
            symbols = {"Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=",
                       "GreaterThanEquals": ">="}
            shown = json.dumps(value) if isinstance(value, bool) else str(value)
            return {"path": path, "op": symbols.get(rest, "=="), "value": shown, "kind": word}
    return None


def _handler_form(rule: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        value = rule.get(key) if isinstance(rule, dict) else None
        if key == "errors":
            value = ", ".join(value) if isinstance(value, list) else (value or "States.ALL")
        out[key] = "" if value is None else str(value)
    return out


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(wfyaml.plain(value))


def _coerce_field(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value == "":
        return None
    if key in _NUMBERS:
        number = _number(value)
        if number is None:
            raise CoworksError(f"{key} is a number of seconds or items, not {value!r}.")
        return number
    if key in _JSON and value[:1] in "{[\"" or key in _JSON and value in ("true", "false", "null"):
        try:
            return json.loads(value)
        except ValueError:
            raise CoworksError(f"{key} holds JSON here, and {value!r} is not JSON; fix its brackets or quotes.") \
                from None
    return value


def _convert(value: Any, kind: str, argument: str) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value) if not value.lstrip("-").isdigit() else int(value)
        if kind == "boolean":
            if value.lower() not in ("true", "false"):
                raise ValueError(value)
            return value.lower() == "true"
        if kind in ("object", "array") or value[:1] in "{[":
            return json.loads(value)
    except ValueError:
        what = {"integer": "a whole number", "number": "a number", "boolean": "true or false"}.get(kind, "JSON")
        raise CoworksError(f"{argument} takes {what}, not {value!r}.") from None
    return value


def _number(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    text_ = str(value).strip()
    if text_.lstrip("-").isdigit():
        return int(text_)
    try:
        return float(text_)
    except ValueError:
        return None


def _is_number(text_: str) -> bool:
    return _number(text_) is not None


def _load_service(service: Any) -> Any:
    if isinstance(service, str):
        from ..cloud.targets import load_service

        return load_service(service)
    return service


def _open(workflow: Any, path: str | None, name: str) -> Draft:
    """The draft of what to edit: a Workflow, a file (.yaml, .yml, ASL .json), "module:attribute",
    YAML text, an ASL dict; else the file ``path`` when it exists; else a new workflow."""
    if workflow is None:
        if path is not None and Path(path).is_file():
            workflow = path
        else:
            return Draft.new(name)
    if isinstance(workflow, str | Path) and str(workflow).lower().endswith((".yaml", ".yml")):
        return Draft.open(Path(workflow))  # the file itself: its comments and layout are kept
    if isinstance(workflow, str | Path) and str(workflow).lower().endswith(".json") or (
            isinstance(workflow, str) and ":" in workflow and "\n" not in workflow and " " not in workflow):
        from ..cloud.targets import load_workflow

        return Draft.open(load_workflow(str(workflow)))
    return Draft.open(workflow, name)

