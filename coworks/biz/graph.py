"""Drawing workflows and executions with graphviz (dot layout), offline.

Each state type has its own shape and colour; Choice edges carry their rule, Catch edges are
dashed and carry the errors they catch; Parallel branches and Map item processors are clusters
entered through a fork bar and left through a join bar. Given an execution history, each state
is filled with its status (not started, running, succeeded, failed, caught, retried), as
:func:`coworks.biz.history.state_statuses` reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coworks.biz.choice import rule_text
from coworks.biz.history import state_statuses

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

STYLES: dict[str, dict[str, str]] = {
    "Task": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#1d4ed8"},
    "Pass": {"shape": "box", "style": "dashed,filled", "fillcolor": "#f8fafc", "color": "#64748b"},
    "Choice": {"shape": "diamond", "style": "filled", "fillcolor": "#fef3c7", "color": "#b45309"},
    "Wait": {"shape": "box", "style": "rounded,filled,dotted", "fillcolor": "#ede9fe", "color": "#6d28d9"},
    "Succeed": {"shape": "doublecircle", "style": "filled", "fillcolor": "#dcfce7", "color": "#15803d"},
    "Fail": {"shape": "doubleoctagon", "style": "filled", "fillcolor": "#fee2e2", "color": "#b91c1c"},
    "Parallel": {"shape": "box", "style": "filled", "fillcolor": "#334155", "color": "#334155"},
    "Map": {"shape": "box", "style": "filled", "fillcolor": "#0f766e", "color": "#0f766e"},
}
STATUS_COLORS = {
    "not started": "#ffffff",
    "running": "#fde68a",
    "succeeded": "#86efac",
    "failed": "#fca5a5",
    "caught": "#fdba74",
    "retried": "#c4b5fd",
}


def draw(
    definition: dict[str, Any], name: str = "workflow", history: list[dict[str, Any]] | None = None
) -> graphviz.Digraph:
    """The graph of an ASL definition, coloured by ``history`` when given."""
    import graphviz

    statuses = state_statuses(history) if history is not None else None
    graph = graphviz.Digraph(name, engine="dot")
    graph.attr(rankdir="TB", fontname="Helvetica", fontsize="11", compound="true", nodesep="0.3", ranksep="0.35")
    graph.attr("node", fontname="Helvetica", fontsize="10", height="0.35")
    graph.attr("edge", fontname="Helvetica", fontsize="9", color="#475569", arrowsize="0.7")
    graph.node("__start__", "", shape="circle", style="filled", fillcolor="#0f172a", width="0.2", height="0.2")
    graph.node("__end__", "", shape="doublecircle", style="filled", fillcolor="#0f172a", width="0.15", height="0.15")
    drawer = _Drawer(graph, statuses)
    entry, exits = drawer.body(graph, definition, "")
    if entry:
        graph.edge("__start__", entry)
    for node in exits:
        graph.edge(node, "__end__")
    return graph


class _Drawer:
    def __init__(self, graph: Any, statuses: dict[str, str] | None) -> None:
        self.graph = graph
        self.statuses = statuses
        self.count = 0
        self.cache: dict[tuple[tuple[str, str], ...], str] = {}

    def node(self, graph: Any, node_id: str, label: str, attrs: dict[str, str]) -> None:
        """Append a node as DOT text: ids are generated (safe), the label is quoted, and each
        distinct attribute set is formatted once; graphviz's per-call quoting would otherwise
        cost more than dot's layout of a big workflow."""
        from graphviz.quoting import quote

        graph.body.append(f"\t{node_id} [label={quote(label)}{self.attr_text(attrs)}]\n")

    def edge(self, graph: Any, tail: str, head: str, attrs: dict[str, str]) -> None:
        graph.body.append(f"\t{tail} -> {head}{' [' + self.attr_text(attrs).lstrip() + ']' if attrs else ''}\n")

    def attr_text(self, attrs: dict[str, str]) -> str:
        key = tuple(attrs.items())
        text = self.cache.get(key)
        if text is None:
            from graphviz.quoting import quote

            text = "".join(f" {k}={quote(v)}" for k, v in attrs.items())
            self.cache[key] = text
        return text

    def new_id(self) -> str:
        """Node ids are generated: state names may hold ':' which dot reads as a port."""
        self.count += 1
        return f"s{self.count}"

    def body(self, graph: Any, spec: dict[str, Any], prefix: str) -> tuple[str | None, list[str]]:
        """Draw a body into ``graph``; returns its entry node id and the ids that end it."""
        raw = spec.get("States")
        states: dict[str, Any] = raw if isinstance(raw, dict) else {}
        ids: dict[str, tuple[str, str]] = {}  # name -> (node to enter, node to leave from)
        for state_name, state in states.items():
            if isinstance(state, dict):
                ids[state_name] = self.state(graph, state_name, state, prefix)
        exits: list[str] = []
        for state_name, state in states.items():
            if not isinstance(state, dict) or state_name not in ids:
                continue
            leave = ids[state_name][1]
            kind = state.get("Type")
            for target, attrs in _links(state):
                if target in ids:
                    self.edge(graph, leave, ids[target][0], attrs)
                else:
                    missing = self.new_id()
                    self.node(graph, missing, f"{target}?", {"shape": "plaintext", "fontcolor": "#b91c1c"})
                    self.edge(graph, leave, missing, {"color": "#b91c1c", **attrs})
            if state.get("End") is True or kind in ("Succeed", "Fail"):
                exits.append(leave)
        start = spec.get("StartAt")
        return (ids[start][0] if start in ids else None), exits

    def state(self, graph: Any, name: str, state: dict[str, Any], prefix: str) -> tuple[str, str]:
        kind = state.get("Type", "")
        node_id = self.new_id()
        attrs = dict(STYLES.get(kind, {"shape": "box"}))
        attrs["id"] = svg_id(name)  # lets a live view find the state's shape in the SVG
        status = self.statuses.get(name, "not started") if self.statuses is not None else None
        if status is not None:
            attrs["fillcolor"] = STATUS_COLORS[status]
            attrs["tooltip"] = f"{name}: {status}"
            if status == "not started":
                attrs["fontcolor"] = "#94a3b8"
        if kind in ("Parallel", "Map"):
            return self.cluster(graph, name, state, node_id, attrs, kind, status)
        label = name if kind in ("Task", "Pass", "Choice") else f"{name}\\n({kind.lower()})"
        if kind == "Task":
            label = f"{name}\\n{_short_resource(state)}"
        self.node(graph, node_id, label, attrs)
        return node_id, node_id

    def cluster(
        self,
        graph: Any,
        name: str,
        state: dict[str, Any],
        node_id: str,
        attrs: dict[str, str],
        kind: str,
        status: str | None,
    ) -> tuple[str, str]:
        bar = {"shape": "box", "style": "filled", "height": "0.06", "width": "1.2", "fixedsize": "true", "label": ""}
        fill = attrs["fillcolor"] if status is not None else STYLES[kind]["fillcolor"]
        with graph.subgraph(name=f"cluster_{node_id}") as sub:  # noqa: SIM117
            sub.attr(label=f"{name} ({kind})", style="rounded", color=STYLES[kind]["color"], fontcolor="#0f172a")
            fork, join = node_id, self.new_id()
            sub.node(fork, **{**bar, "fillcolor": fill, "color": STYLES[kind]["color"], "tooltip": name,
                              "id": attrs["id"]})
            sub.node(join, **{**bar, "fillcolor": fill, "color": STYLES[kind]["color"], "tooltip": name,
                              "id": svg_id(name) + "_join"})
            bodies = (
                state.get("Branches") if kind == "Parallel" else [state.get("ItemProcessor") or state.get("Iterator")]
            )
            for i, body in enumerate(bodies if isinstance(bodies, list) else []):
                if not isinstance(body, dict):
                    continue
                with sub.subgraph(name=f"cluster_{node_id}/{i}") as inner:
                    config = body.get("ProcessorConfig")
                    distributed = isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"
                    each = "each item (distributed)" if distributed else "each item"
                    inner.attr(label=f"branch {i + 1}" if kind == "Parallel" else each, style="dashed", color="#94a3b8")
                    entry, exits = self.body(inner, body, f"{node_id}/{i}/")
                if entry:
                    self.edge(sub, fork, entry, {})
                for end in exits:
                    self.edge(sub, end, join, {})
        return fork, join


def svg_id(state_name: str) -> str:
    """The SVG element id of a state: ``cw_`` and the name's UTF-8 in hex, so any name is a
    valid id (no character dot would escape) and the browser can compute it too."""
    return "cw_" + state_name.encode("utf-8").hex()


def _short_resource(state: dict[str, Any]) -> str:
    resource = str(state.get("Resource", ""))
    params = state.get("Parameters") or state.get("Arguments") or {}
    if resource.startswith("arn:aws:states:::lambda:invoke") and isinstance(params, dict):
        raw = params.get("Payload")
        payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
        path = payload.get("path") or payload.get("path.$") or ""
        method = payload.get("method", "")
        fn = params.get("FunctionName", "lambda")
        return f"{fn}: {method} {path}".strip() if method else str(fn)
    if resource.startswith("arn:aws:states:::"):
        return resource[len("arn:aws:states:::") :]
    return resource.rsplit(":", 1)[-1]


def _links(state: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    out: list[tuple[str, dict[str, str]]] = []
    if isinstance(state.get("Next"), str):
        out.append((state["Next"], {}))
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            out.append((rule["Next"], {"label": _clip(rule_text(rule))}))
    if isinstance(state.get("Default"), str):
        out.append((state["Default"], {"label": "otherwise", "style": "bold"}))
    for catch in state.get("Catch") or []:
        if isinstance(catch, dict) and isinstance(catch.get("Next"), str):
            errors = ", ".join(catch.get("ErrorEquals") or [])
            out.append(
                (catch["Next"], {"label": _clip(errors), "style": "dashed", "color": "#b91c1c", "fontcolor": "#b91c1c"})
            )
    return out


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
