"""Entry parameters: read from the signature once (``read_signature``), then bound to each
request's values (``bind``), collecting every failure into one 422 that names each field.
"""

from __future__ import annotations

from .converters import ConversionError, Converter, converter_for, model_class
from .errors import RouteDefinitionError, UnprocessableEntity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
NO_DEFAULT: Any = object()


class Param:
    """One parameter of an entry: where it comes from and how it is converted."""

    __slots__ = ("name", "location", "annotation", "default", "converter")

    def __init__(self, name: str, location: str, annotation: Any, default: Any, converter: Converter):
        self.name = name
        self.location = location  # "path", "query" or "body"
        self.annotation = annotation
        self.default = default
        self.converter = converter

    @property
    def required(self) -> bool:
        return self.default is NO_DEFAULT

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.location!r})"


class Signature:
    """The parameters of an entry, split into path segments and named fields.

    ``body_model`` is the one field that takes the whole JSON body, flat, as FastAPI reads a
    single model parameter: an entry of a body verb whose only field is a dataclass or a model.
    Several models are fields of the body, each under its own name.
    """

    __slots__ = ("path_params", "fields", "accepts_extra", "by_name", "reserved", "body_model")

    def __init__(
        self, path_params: list[Param], fields: list[Param], accepts_extra: bool, self_name: str = "self"
    ) -> None:
        self.path_params = path_params
        self.fields = fields
        self.accepts_extra = accepts_extra
        self.by_name = {p.name: p for p in fields}
        only = fields[0] if len(fields) == 1 and not accepts_extra else None
        self.body_model = only if only is not None and only.location == "body" and \
            model_class(only.annotation) is not None else None
        # Names that **kwargs cannot take: the call already passes them positionally.
        self.reserved = frozenset([self_name, *(p.name for p in path_params)])

    @property
    def params(self) -> list[Param]:
        return self.path_params + self.fields


def read_signature(func: Callable[..., Any], field_location: str) -> Signature:
    """Split ``func``'s parameters: positional without default -> path, the rest -> fields."""
    code = func.__code__  # type: ignore[attr-defined]
    name = func.__qualname__
    if code.co_flags & _CO_VARARGS:
        raise RouteDefinitionError(f"Entry {name} takes *args; name each parameter instead.")
    nargs = code.co_argcount
    nkw = code.co_kwonlyargcount
    positional = code.co_varnames[1:nargs]  # skip self
    keyword_only = code.co_varnames[nargs : nargs + nkw]
    defaults = func.__defaults__ or ()  # type: ignore[attr-defined]
    kwdefaults = func.__kwdefaults__ or {}  # type: ignore[attr-defined]
    hints = _annotations(func)
    first_default = len(positional) - len(defaults)
    if first_default < 0:  # a default on self: not an entry we can call
        raise RouteDefinitionError(f"Entry {name} must take self as its first parameter.")
    path_params: list[Param] = []
    fields: list[Param] = []
    for index, pname in enumerate(positional):
        annotation = hints.get(pname)
        converter = converter_for(annotation, f"{name}({pname})")
        if index < first_default and model_class(annotation) is not None:  # a model is never a path segment
            fields.append(Param(pname, field_location, annotation, NO_DEFAULT, converter))
        elif index < first_default:
            if converter.multi:
                raise RouteDefinitionError(
                    f"Path parameter {pname!r} of {name} cannot be a list; give it a default "
                    "or make it keyword-only to read it from the query or body."
                )
            path_params.append(Param(pname, "path", annotation, NO_DEFAULT, converter))
        else:
            default = defaults[index - first_default]
            fields.append(Param(pname, field_location, annotation, default, converter))
    for pname in keyword_only:
        annotation = hints.get(pname)
        converter = converter_for(annotation, f"{name}({pname})")
        fields.append(Param(pname, field_location, annotation, kwdefaults.get(pname, NO_DEFAULT), converter))
    return Signature(path_params, fields, bool(code.co_flags & _CO_VARKEYWORDS), code.co_varnames[0])


def _annotations(func: Callable[..., Any]) -> dict[str, Any]:
    """Parameter annotations, evaluated when written as strings (``from __future__ import
    annotations``). The return annotation is never evaluated: it does not matter here."""
    hints = {k: v for k, v in getattr(func, "__annotations__", {}).items() if k != "return"}
    for name, annotation in hints.items():
        if isinstance(annotation, str):
            try:
                hints[name] = eval(annotation, getattr(func, "__globals__", {}))  # noqa: S307 - the user's own annotation
            except Exception as exc:  # NameError and friends from the user's module
                raise RouteDefinitionError(
                    f"Cannot resolve the annotation {annotation!r} of parameter {name!r} of "
                    f"{func.__qualname__}: {exc}; import that name at module level."
                ) from None
    return hints


# -- binding -----------------------------------------------------------------------------


def bind(
    signature: Signature,
    path_values: dict[str, str] | None,
    fields: dict[str, Any],
    from_text: bool,
    reject_unknown: bool,
) -> tuple[list[Any], dict[str, Any]]:
    """Convert request values into call arguments; raises 422 listing every bad field.

    ``fields`` maps names to lists of strings when ``from_text`` (query, forms) and to JSON
    values otherwise.
    """
    errors: list[dict[str, str]] = []
    args: list[Any] = []
    if signature.path_params:
        values = path_values or {}
        for param in signature.path_params:
            raw = values.get(param.name)
            if raw is None:
                errors.append(_err(param, "is missing from the path"))
                continue
            try:
                args.append(param.converter.from_text(raw))
            except ConversionError as exc:
                _collect(errors, param, exc)
    kwargs: dict[str, Any] = {}
    if signature.body_model is not None and reject_unknown:
        _bind_model(signature.body_model, fields, from_text, kwargs, errors)
        if errors:
            raise UnprocessableEntity(errors)
        return args, kwargs
    for param in signature.fields:
        if param.name not in fields:
            if param.default is NO_DEFAULT:
                errors.append(_err(param, "is required"))
            continue
        raw = fields[param.name]
        conv = param.converter
        try:
            if from_text:
                if conv.multi:
                    kwargs[param.name] = conv.from_text(raw)  # type: ignore[arg-type]
                else:
                    value = (raw[-1] if raw else "") if type(raw) is list else raw  # [] is "?name="
                    # a file part of a multipart body is not text: convert it like a JSON value
                    kwargs[param.name] = conv.from_text(value) if type(value) is str else conv.from_json(value)
            else:
                kwargs[param.name] = conv.from_json(raw)
        except ConversionError as exc:
            _collect(errors, param, exc)
    known = signature.by_name
    if fields and not known.keys() >= fields.keys():
        extra = [name for name in fields if name not in known]
        if extra:
            if signature.accepts_extra:
                for name in extra:
                    if name in signature.reserved:
                        errors.append({"field": name, "location": "body" if reject_unknown else "query",
                                       "message": "names a positional parameter; it cannot be an extra field"})
                        continue
                    raw = fields[name]
                    kwargs[name] = raw[-1] if from_text and type(raw) is list and len(raw) == 1 else raw
            elif reject_unknown:
                accepted = ", ".join(known) or "no fields"
                for name in extra:
                    errors.append({"field": name, "location": "body",
                                   "message": f"is not a parameter of this entry (it accepts {accepted})"})
    if errors:
        raise UnprocessableEntity(errors)
    return args, kwargs


def _bind_model(param: Param, fields: dict[str, Any], from_text: bool, kwargs: dict[str, Any],
                errors: list[dict[str, str]]) -> None:
    """The whole body is the model: its fields are named as they are, not under the parameter."""
    if not fields:
        if param.default is NO_DEFAULT:
            from .converters import model_fields

            model = model_class(param.annotation)
            errors.append({"field": "", "location": "body", "message": f"the JSON body is required: a {model.__name__} "
                           f"object (its fields: {', '.join(model_fields(model)) or 'none'})"})
        return
    if from_text:  # a form: one value per field
        fields = {k: (v[-1] if type(v) is list and len(v) == 1 else v) for k, v in fields.items()}
    try:
        kwargs[param.name] = param.converter.from_json(fields)
    except ConversionError as exc:
        for sub, message in exc.errors:
            errors.append({"field": sub, "location": "body", "message": message})


def _err(param: Param, message: str) -> dict[str, str]:
    return {"field": param.name, "location": param.location, "message": message}


def _collect(errors: list[dict[str, str]], param: Param, exc: ConversionError) -> None:
    for sub, message in exc.errors:
        field = f"{param.name}.{sub}" if sub else param.name
        errors.append({"field": field, "location": param.location, "message": message})
