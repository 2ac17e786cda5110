"""The endpoint caller: pick a target and a route, fill a form made from the route's parameters,
send, and read status, headers, time and a pretty body; earlier calls can be sent again.

State is plain attributes and every action is a method (``select``, ``fill``, ``send``,
``resend``), so tests drive the widget without a browser; the buttons just call them.

A structured parameter (a dataclass or model, a list, a dict) gets a JSON editor, prefilled
from its JSON schema (the one the OpenAPI document gives) and checked against that schema
before anything is sent (jsonschema), so a mistake is named before the service sees it. A route
whose body is one model (``post_item(self, item: Item)``) sends the model as the whole body,
as the service reads it. Given ``url=``, the caller targets that URL from the start, shown in full.
"""

from __future__ import annotations

import html
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from ..runtime.converters import model_class
from ..runtime.describe.routes import type_name
from ..runtime.params import NO_DEFAULT, Param
from ..runtime.routing import QUERY_METHODS, Route
from .redaction import MASK, is_secret_name
from .shown import Shown
from .theme import STYLE

IN_PROCESS = "in-process"
LOCAL_SERVER = "local server"
SECRET_HEADERS = frozenset(("authorization", "x-api-key", "cookie", "set-cookie"))


@dataclass(frozen=True)
class CallResult:
    """One call: what was sent and what came back."""

    target: str
    method: str
    path: str
    params: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: str
    elapsed_ms: float
    request_headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def pretty_body(self) -> str:
        try:
            return json.dumps(json.loads(self.body), indent=2, ensure_ascii=False)
        except ValueError:
            return self.body


def mask(headers: dict[str, str]) -> dict[str, str]:
    """Headers safe to show: credentials are replaced, never displayed."""
    return {k: (MASK if k.lower() in SECRET_HEADERS or is_secret_name(k) else v) for k, v in headers.items()}


def structured(param: Param) -> bool:
    """Whether a parameter is written as JSON in the form (a model, a list, a dict)."""
    return param.converter.multi or param.annotation is dict or getattr(param.annotation, "__origin__", None) is dict \
        or model_class(param.annotation) is not None


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON schema of a parameter, its ``$ref``s resolvable inside it (as the OpenAPI document has them)."""
    from ..runtime.describe.openapi import schema_for

    components: dict[str, Any] = {}
    schema = schema_for(param.annotation, components)
    return {**schema, "components": {"schemas": components}} if components else schema


def example(schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0) -> Any:
    """A value of ``schema`` to start from: required fields filled, enums at their first value."""
    root = root or schema
    if depth > 6:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return example(root.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {}), root, depth + 1)
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            choices = [c for c in schema[key] if c.get("type") != "null"] or schema[key]
            return example(choices[0], root, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: example(sub, root, depth + 1) for name, sub in props.items()
                if name in schema.get("required", props)}
    empty: dict[str, Any] = {"array": [], "string": "", "integer": 0, "number": 0, "boolean": False, "null": None}
    return empty.get(kind) if isinstance(kind, str) else None


def check(param: Param, value: Any) -> list[str]:
    """What is wrong with ``value`` for ``param`` by its JSON schema, one sentence each (empty: fine)."""
    try:
        import jsonschema
    except ImportError:  # the service checks it anyway
        return []
    validator = jsonschema.Draft202012Validator(param_schema(param))
    return [f"{'.'.join([param.name, *map(str, e.absolute_path)])}: {e.message}"
            for e in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))]


def fill_path(route: Route, values: dict[str, Any]) -> str:
    path = route.path
    for param in route.signature.path_params:
        path = path.replace("{" + param.name + "}", quote(str(values.get(param.name, "")), safe=""))
    return path


class EndpointCaller(Shown):
    """``EndpointCaller(app, url=None)``; display it in a cell, or drive it from code."""

    def __init__(self, app: Any, url: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.targets = [IN_PROCESS, LOCAL_SERVER] + ([url] if url else [])
        self.target = url or IN_PROCESS  # given a URL, that is what the caller is for
        self.headers = dict(headers or {})
        self.route: Route = app.routes[0]
        self.values: dict[str, Any] = {}
        self.problems: list[str] = []  # why the last send was refused before it left
        self.history: list[CallResult] = []
        self._server: Any = None
        self._view: Any = None

    # -- actions ---------------------------------------------------------------------------

    def select(self, route: str | Route) -> None:
        """Choose the route by key (``"GET /item/{item_id}"``), entry name or Route."""
        if isinstance(route, str):
            found = [r for r in self.app.routes if route in (r.key, r.name)]
            if not found:
                keys = ", ".join(r.key for r in self.app.routes)
                raise ValueError(f"{route!r} is not a route of {self.app.name}; choose one of {keys}.")
            self.route = found[0]
        else:
            self.route = route
        self.values = {}
        self._refresh()

    def fill(self, **values: Any) -> None:
        self.values.update(values)

    def use(self, target: str) -> None:
        if target not in self.targets:
            raise ValueError(f"Unknown target {target!r}; choose one of {', '.join(self.targets)}.")
        self.target = target

    def send(self) -> CallResult | None:
        """Send the filled values; None (and ``problems`` saying why) when they do not fit the schema."""
        route, values = self.route, dict(self.values)
        self.problems = [problem for p in route.signature.fields if structured(p) and p.name in values
                         for problem in check(p, values[p.name])]
        if self.problems:
            self._refresh(None, self.problems)
            return None
        result = self._call(self.target, route, values)
        self.history.append(result)
        self._refresh(result)
        return result

    def resend(self, index: int = -1) -> CallResult:
        """Send an earlier call again, to the same target with the same parameters."""
        old = self.history[index]
        route = next(r for r in self.app.routes if r.method == old.method and fill_path(r, old.params) == old.path)
        result = self._call(old.target, route, dict(old.params))
        self.history.append(result)
        self._refresh(result)
        return result

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    # -- transport -------------------------------------------------------------------------

    def _call(self, target: str, route: Route, values: dict[str, Any]) -> CallResult:
        path = fill_path(route, values)
        fields = {p.name: values[p.name] for p in route.signature.fields
                  if p.name in values and values[p.name] != ""}
        model = route.signature.body_model
        if model is not None and route.method not in QUERY_METHODS:  # the model is the whole body
            fields = dict(values.get(model.name) or {})
        started = time.perf_counter()
        if target == IN_PROCESS:
            client = self.app.test_client()
            if route.method in QUERY_METHODS:
                response = client.request(route.method, path, params=fields, headers=self.headers)
            else:
                response = client.request(route.method, path, json=fields, headers=self.headers)
            status, headers, body = response.status_code, dict(response.headers), response.text
        else:
            base = target
            if target == LOCAL_SERVER:
                if self._server is None:
                    self._server = self.app.serve(port=0)
                base = self._server.url
            status, headers, body = _http(base, route.method, path, fields, self.headers)
        elapsed = (time.perf_counter() - started) * 1000
        return CallResult(target, route.method, path, values, status, headers, body, elapsed, mask(self.headers))

    # -- display ---------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """The static summary shown beside the widget (and alone in exported reports)."""
        last = self.history[-1] if self.history else None
        route = f"{self.route.method} {self.route.path} on {self.target}"
        if last is None:
            return f'{STYLE}<div class="coworks-endpoint-caller coworks-themed">{html.escape(route)}</div>'
        calls = "".join(f"<li>{c.status} {html.escape(c.method)} {html.escape(c.path)} ({html.escape(c.target)})</li>"
                        for c in self.history)
        ok = "coworks-ok" if last.status < 400 else "coworks-error"
        return (
            f'{STYLE}<div class="coworks-endpoint-caller coworks-themed">{html.escape(route)}<div>'
            f'<span class="coworks-status {ok}">'
            f"{last.status}</span> {html.escape(last.method)} {html.escape(last.path)}</div>"
            f'<pre class="coworks-body">{html.escape(last.pretty_body)}</pre><ul>{calls}</ul></div>'
        )

    def __str__(self) -> str:
        last = self.history[-1] if self.history else None
        route = f"{self.route.method} {self.route.path} on {self.target}"
        if last is None:
            return f"EndpointCaller {self.app.name}: {route}"
        return (f"EndpointCaller {self.app.name}: {route}; last call {last.status} {last.method} "
                f"{last.path} in {last.elapsed_ms:.1f} ms\n{last.pretty_body}")

    def _make_view(self) -> Any:
        return _CallerView(self)


def _http(
    base: str, method: str, path: str, fields: dict[str, Any], headers: dict[str, str]
) -> tuple[int, dict[str, str], str]:
    url = base.rstrip("/") + path
    data = None
    sent = dict(headers)
    if method in QUERY_METHODS:
        if fields:
            url += "?" + urlencode(fields, doseq=True)
    else:
        data = json.dumps(fields).encode()
        sent.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers.items()), answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read().decode("utf-8", "replace")


def _input_for(param: Param) -> Any:
    import ipywidgets as w

    label = f"{param.name}: {type_name(param.annotation)}"
    default = None if param.default is NO_DEFAULT else param.default
    annotation = param.annotation
    if annotation is bool:
        return w.Checkbox(value=bool(default), description=label, style={"description_width": "initial"})
    if annotation is int:
        return w.IntText(value=default or 0, description=label, style={"description_width": "initial"})
    if annotation is float:
        return w.FloatText(value=default or 0.0, description=label, style={"description_width": "initial"})
    enum_members = getattr(annotation, "__members__", None)
    if enum_members:
        options = [m.value for m in enum_members.values()]
        return w.Dropdown(options=options, value=getattr(default, "value", options[0]), description=label)
    if structured(param):  # a JSON editor, started from the schema
        start = default if default is not None else example(param_schema(param))
        text = json.dumps(getattr(start, "value", start), indent=2, default=str)
        return w.Textarea(value=text, description=label, placeholder="JSON", rows=min(12, text.count("\n") + 2),
                          style={"description_width": "initial"}, layout=w.Layout(width="60%"))
    placeholder = ""
    return w.Text(value="" if default is None else str(default), placeholder=placeholder, description=label,
                  style={"description_width": "initial"})


class _CallerView:
    """The ipywidgets front of an EndpointCaller: controls call its methods, nothing more."""

    def __init__(self, caller: EndpointCaller) -> None:
        import ipywidgets as w

        self.caller = caller
        self.target = w.Dropdown(options=caller.targets, value=caller.target, description="target",
                                 layout=w.Layout(width="auto", min_width="360px"))  # a URL shown in full
        self.route = w.Dropdown(options=[(r.key, r.key) for r in caller.app.routes], value=caller.route.key,
                                description="route")
        self.form = w.VBox()
        self.send = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.status = w.HTML()
        self.body = w.HTML()
        self.history = w.VBox()
        self.box = w.VBox([w.HTML(STYLE), w.HBox([self.target, self.route, self.send]), self.form, self.status,
                           self.body, w.HTML("<b>History</b>"), self.history])
        self.box.add_class("coworks-endpoint-caller")
        self.box.add_class("coworks-themed")
        self.target.observe(lambda change: caller.use(change["new"]), names="value")
        self.route.observe(lambda change: caller.select(change["new"]), names="value")
        self.send.on_click(lambda _: self._send())
        self.inputs: dict[str, Any] = {}
        self.refresh(None)
        if caller.history:  # calls sent before the view existed
            self.refresh(caller.history[-1])

    def _send(self) -> None:
        bad: list[str] = []
        for name, widget in self.inputs.items():
            value = widget.value
            param = self.caller.route.signature.by_name.get(name)
            if param is not None and structured(param) and isinstance(value, str):
                if not value.strip():
                    self.caller.values.pop(name, None)
                    continue
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    bad.append(f"{name}: not JSON ({exc.msg}, line {exc.lineno})")
                    continue
            self.caller.values[name] = value
        if bad:
            self.caller.problems = bad
            self.refresh(None, bad)
            return
        self.caller.send()

    def refresh(self, result: CallResult | None = None, problems: list[str] | None = None) -> None:
        import ipywidgets as w

        route = self.caller.route
        if self.route.value != route.key:
            self.route.value = route.key
        if problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.status.value = f'<div class="coworks-error">Not sent: fix these first<ul>{items}</ul></div>'
            return
        if result is None:
            self.inputs = {p.name: _input_for(p) for p in route.signature.params}
            for name, value in self.caller.values.items():  # what fill() gave before the form existed
                if name in self.inputs:
                    if isinstance(self.inputs[name], w.Textarea) and not isinstance(value, str):
                        value = json.dumps(value, indent=2, default=str)
                    try:
                        self.inputs[name].value = value
                    except Exception:  # noqa: BLE001 - a value the input cannot hold stays in values only
                        pass
            self.form.children = tuple(self.inputs.values())
            return
        css = "coworks-ok" if result.status < 400 else "coworks-error"
        shown = "".join(f"<div>{html.escape(k)}: {html.escape(v)}</div>" for k, v in mask(result.headers).items())
        sent = "".join(f"<div>{html.escape(k)}: {html.escape(v)}</div>" for k, v in result.request_headers.items())
        self.status.value = (
            f'<span class="coworks-status {css}" style="font-weight:bold">{result.status}</span> '
            f"{html.escape(result.method)} {html.escape(result.path)} in {result.elapsed_ms:.1f} ms"
            f"<details><summary>headers</summary>{shown}</details>"
            f"<details><summary>request headers</summary>{sent}</details>"
        )
        self.body.value = f'<pre class="coworks-body">{html.escape(result.pretty_body)}</pre>'
        rows = []
        for index, call in enumerate(self.caller.history):
            again = w.Button(description="Re-send", layout=w.Layout(width="80px"))
            again.on_click(lambda _, i=index: self.caller.resend(i))
            rows.append(w.HBox([again, w.HTML(f"{call.status} {html.escape(call.method)} {html.escape(call.path)} "
                                              f"({html.escape(call.target)})")]))
        self.history.children = tuple(rows)
