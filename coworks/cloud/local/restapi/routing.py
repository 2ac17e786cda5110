"""Which resource and method of a REST API answer a request, as API Gateway picks them.

A request's path is matched against the resource tree segment by segment: a literal segment
before a path variable (``{item_id}``) before a greedy one (``{proxy+}``, the rest of the path),
trying the next when a deeper segment does not match. The resource's own method answers, else
its ``ANY``; no resource or no method is API Gateway's 403 ``Missing Authentication Token``.
"""

from __future__ import annotations

from urllib.parse import unquote

from .config import MethodConfig, ResourceConfig, RestApiConfig


def match(api: RestApiConfig, method: str, path: str) -> tuple[ResourceConfig, MethodConfig, dict[str, str]] | None:
    """The resource and method for the request, and its path parameters (decoded)."""
    by_path = {r.path: r for r in api.resources}
    children: dict[str, list[str]] = {}
    for resource in api.resources:
        if resource.path != "/":
            parent = resource.path.rsplit("/", 1)[0] or "/"
            children.setdefault(parent, []).append(resource.path.rsplit("/", 1)[1])
    segments = [s for s in path.split("/") if s]
    found = _walk("/", segments, children, {})
    if found is None or found[0] not in by_path:
        return None
    resource = by_path[found[0]]
    answering = resource.method(method)
    return (resource, answering, found[1]) if answering is not None else None


def _walk(at: str, segments: list[str], children: dict[str, list[str]],
          params: dict[str, str]) -> tuple[str, dict[str, str]] | None:
    if not segments:
        return at, params
    parts = children.get(at, [])
    head, rest = segments[0], segments[1:]
    base = "" if at == "/" else at
    if head in parts:  # a literal segment first
        found = _walk(f"{base}/{head}", rest, children, params)
        if found is not None:
            return found
    for part in sorted(p for p in parts if p.startswith("{") and p.endswith("}") and not p.endswith("+}")):
        found = _walk(f"{base}/{part}", rest, children, {**params, part[1:-1]: unquote(head)})
        if found is not None:
            return found
    for part in sorted(p for p in parts if p.endswith("+}")):
        return f"{base}/{part}", {**params, part[1:-2]: unquote("/".join(segments))}
    return None
