"""The OpenAPI 3.1 document of a service, from its routes, annotations and docstrings."""

from __future__ import annotations

import sys

from ..converters import model_class
from ..params import NO_DEFAULT, Param
from ..routing import ENTRY_ATTR, QUERY_METHODS
from ..uploads import UploadedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..routing import Route
    from ..service import TechMicroService

_SIMPLE = {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
           bool: {"type": "boolean"}, bytes: {"type": "string", "format": "binary"},
           UploadedFile: {"type": "string", "format": "binary"}}


def build_openapi(service: TechMicroService) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in service.routes:
        if getattr(route.func, "__coworks_hidden__", False):  # the docs pages themselves
            continue
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(service, route, components)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": service.name, "version": "1.0.0"},
        "paths": paths,
    }
    if service.description:
        doc["info"]["description"] = service.description
    if components:
        doc["components"] = {"schemas": components}
    if service.has_auth:
        doc.setdefault("components", {})["securitySchemes"] = {
            "token": {"type": "apiKey", "in": "header", "name": "Authorization"}
        }
    return doc


def _operation(service: TechMicroService, route: Route, components: dict[str, Any]) -> dict[str, Any]:
    summary, description, param_docs = _docstring(route.doc)
    op: dict[str, Any] = {"operationId": route.name}
    if summary:
        op["summary"] = summary
    if description:
        op["description"] = description
    parameters = []
    for param in route.signature.path_params:
        parameters.append(_parameter(param, "path", param_docs, components))
    fields = route.signature.fields
    model = route.signature.body_model
    if route.method in QUERY_METHODS:
        parameters.extend(_parameter(p, "query", param_docs, components) for p in fields)
    elif model is not None:  # the whole body, flat: the model's own schema
        schema = _with_doc(schema_for(model_class(model.annotation), components), param_docs.get(model.name), model)
        op["requestBody"] = {"required": model.required, "content": {"application/json": {"schema": schema}}}
    elif fields:
        properties = {p.name: _with_doc(schema_for(p.annotation, components), param_docs.get(p.name), p)
                      for p in fields}
        body: dict[str, Any] = {"type": "object", "properties": properties}
        required = [p.name for p in fields if p.required]
        if required:
            body["required"] = required
        if not route.signature.accepts_extra:
            body["additionalProperties"] = False
        content = {"application/json": {"schema": body}}
        if any(p.annotation in (bytes, UploadedFile) for p in fields):
            content = {"multipart/form-data": {"schema": body}}
        elif any(_mentions_binary(properties[p.name]) for p in fields):  # Optional[UploadedFile], list[...]
            content["multipart/form-data"] = {"schema": _as_form(body)}
        op["requestBody"] = {"required": bool(required), "content": content}
    if parameters:
        op["parameters"] = parameters
    op["responses"] = {
        "200": {"description": "Success"},
        "422": {"description": "Invalid parameters: the body names each bad field"},
    }
    if service.has_auth and not route.no_auth:
        op["security"] = [{"token": []}]
        op["responses"]["401"] = {"description": "Missing token"}
        op["responses"]["403"] = {"description": "Token refused"}
    declared = getattr(getattr(route.func, ENTRY_ATTR, None), "responses", None) or {}
    if any(200 < status < 300 for status in declared) and 200 not in declared:
        op["responses"].pop("200")  # the entry answers 201 or 202 instead
    for status, text in sorted(declared.items()):
        op["responses"][str(status)] = {"description": text}
    return op


def _as_form(body: dict[str, Any]) -> dict[str, Any]:
    """The body as a form sends it: a field holding files anywhere is its files (one, or a list)."""
    properties = {}
    for name, schema in body["properties"].items():
        if _mentions_binary(schema):
            many = "array" in json_types(schema)
            binary = {"type": "string", "format": "binary"}
            schema = {"type": "array", "items": binary} if many else binary
        properties[name] = schema
    return {**body, "properties": properties}


def json_types(schema: Any) -> set[str]:
    """The JSON types a schema admits, through anyOf and oneOf."""
    if not isinstance(schema, dict):
        return set()
    found = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type") or ())
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key) or ():
            found |= json_types(branch)
    return found


def _mentions_binary(schema: Any) -> bool:
    """Whether a schema holds a file anywhere (inside an Optional, a list, a union)."""
    if isinstance(schema, dict):
        return schema.get("format") == "binary" or any(_mentions_binary(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions_binary(v) for v in schema)
    return False


def _parameter(param: Param, where: str, docs: dict[str, str], components: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": param.name,
        "in": where,
        "required": where == "path" or param.required,
        "schema": _with_doc(schema_for(param.annotation, components), None, param),
    }
    if docs.get(param.name):
        out["description"] = docs[param.name]
    if param.converter.multi:
        out["explode"] = True
    return out


def _with_doc(schema: dict[str, Any], doc: str | None, param: Param) -> dict[str, Any]:
    schema = dict(schema)
    if doc:
        schema["description"] = doc
    if param.default is not NO_DEFAULT and param.default is not None:
        try:
            from ..responses import dumps

            dumps(param.default)
            schema["default"] = param.default.value if hasattr(param.default, "value") else param.default
        except TypeError:
            pass
    return schema


def schema_for(annotation: Any, components: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema (2020-12, as OpenAPI 3.1 uses) for an annotation."""
    if annotation is None:
        return {}
    if annotation in _SIMPLE:
        return dict(_SIMPLE[annotation])
    if getattr(annotation, "__metadata__", None) is not None:
        return schema_for(annotation.__origin__, components)
    origin = getattr(annotation, "__origin__", None)
    args: tuple[Any, ...] = tuple(getattr(annotation, "__args__", ()))
    types = sys.modules.get("types")
    typing = sys.modules.get("typing")
    if (types and isinstance(annotation, types.UnionType)) or (typing and origin is typing.Union):
        members = [schema_for(a, components) if a is not type(None) else {"type": "null"} for a in args]
        return {"anyOf": members}
    if typing is not None and origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (list, set, frozenset, tuple) or annotation in (list, set, frozenset, tuple):
        schema: dict[str, Any] = {"type": "array"}
        if args:
            schema["items"] = schema_for(args[0], components)
        if (origin or annotation) in (set, frozenset):
            schema["uniqueItems"] = True
        return schema
    if origin is dict or annotation is dict:
        schema = {"type": "object"}
        if len(args) == 2:
            schema["additionalProperties"] = schema_for(args[1], components)
        return schema
    if isinstance(annotation, type):
        enum = sys.modules.get("enum")
        if enum is not None and issubclass(annotation, enum.Enum):
            return {"enum": [m.value for m in annotation]}  # type: ignore[attr-defined]
        datetime = sys.modules.get("datetime")
        if datetime is not None:
            formats = {datetime.datetime: "date-time", datetime.date: "date", datetime.time: "time"}
            fmt = formats.get(annotation)
            if fmt is not None:
                return {"type": "string", "format": fmt}
        if hasattr(annotation, "__dataclass_fields__"):
            return _dataclass_schema(annotation, components)
        if hasattr(annotation, "model_json_schema"):
            schema = annotation.model_json_schema(ref_template="#/components/schemas/{model}")
            config = getattr(annotation, "model_config", None)
            if not (isinstance(config, dict) and config.get("extra") == "allow"):
                schema.setdefault("additionalProperties", False)  # unknown fields are refused (422)
            for name, nested in schema.pop("$defs", {}).items():
                components.setdefault(name, nested)
            components[annotation.__name__] = schema
            return {"$ref": f"#/components/schemas/{annotation.__name__}"}
    return {}


def _dataclass_schema(cls: Any, components: dict[str, Any]) -> dict[str, Any]:
    import dataclasses
    import typing

    name = cls.__name__
    if name not in components:
        components[name] = {}  # placeholder against recursive dataclasses
        hints = typing.get_type_hints(cls)
        props = {}
        required = []
        for field in dataclasses.fields(cls):
            props[field.name] = schema_for(hints.get(field.name), components)
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                required.append(field.name)
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False  # unknown fields are refused (422)
        components[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _docstring(doc: str) -> tuple[str, str, dict[str, str]]:
    """Summary line, description, and ``:param name: text`` lines."""
    if not doc:
        return "", "", {}
    lines = doc.splitlines()
    summary = lines[0].strip()
    rest: list[str] = []
    params: dict[str, str] = {}
    for line in lines[1:]:
        text = line.strip()
        if text.startswith(":param "):
            name, _, desc = text[7:].partition(":")
            params[name.strip().split()[-1]] = desc.strip()
        elif not text.startswith(":"):
            rest.append(text)
    return summary, "\n".join(rest).strip(), params
