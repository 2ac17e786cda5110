"""Converters: how text (path, query, form) and JSON values become annotated Python values.

One converter is built per annotation when a service class is created; a request only runs the
conversions of the parameters it carries. Failures are ``ConversionError`` with the sub-field
they are about, so a 422 can name ``customer.address.zip``.
"""

from __future__ import annotations

import json
import sys

from .errors import RouteDefinitionError
from .uploads import UploadedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_TRUE = frozenset(("true", "1", "yes", "on", "y", "t"))
_FALSE = frozenset(("false", "0", "no", "off", "n", "f"))


class ConversionError(ValueError):
    """A value does not fit its annotation; ``errors`` holds (sub-field, message) pairs."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [("", message)]


class Converter:
    """How to turn text (path, query, form) or JSON values into one annotated type."""

    __slots__ = ("annotation", "multi", "from_text", "from_json", "nullable")

    def __init__(
        self,
        annotation: Any,
        from_text: Callable[[str], Any],
        from_json: Callable[[Any], Any],
        multi: bool = False,
        nullable: bool = False,
    ) -> None:
        self.annotation = annotation
        self.from_text = from_text
        self.from_json = from_json
        self.multi = multi
        self.nullable = nullable


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _identity(value: Any) -> Any:
    return value


def _str_text(value: str) -> str:
    return value


def _str_json(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ConversionError(f"expected a string, got {_show(value)}")


def _int_text(value: str) -> int:
    if value.isdigit() and value.isascii() and len(value) < 4300:  # the common case, first
        return int(value)
    text = value.strip()
    if text[:1] in "+-":
        digits = text[1:]
    else:
        digits = text
    if not digits.isdigit() or not digits.isascii() or len(digits) > 4300:
        raise ConversionError(f"expected an integer, got {_show(value)}")
    return int(text)


def _int_json(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _int_text(value)
    raise ConversionError(f"expected an integer, got {_show(value)}")


def _float_text(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ConversionError(f"expected a number, got {_show(value)}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ConversionError(f"expected a finite number, got {_show(value)}")
    return number


def _float_json(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _float_text(str(value)) if isinstance(value, float) else float(value)
    if isinstance(value, str):
        return _float_text(value)
    raise ConversionError(f"expected a number, got {_show(value)}")


def _bool_text(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConversionError(f"expected true/false (or 1/0, yes/no), got {_show(value)}")


def _bool_json(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _bool_text(value)
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise ConversionError(f"expected true or false, got {_show(value)}")


def _json_text(inner: Callable[[Any], Any], what: str) -> Callable[[str], Any]:
    """Text that holds JSON (a dict or model in a query string or form field)."""

    def convert(value: str) -> Any:
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            raise ConversionError(f"expected {what} as JSON, got {_show(value)}") from None
        return inner(parsed)

    return convert


_SIMPLE: dict[Any, Converter] = {}


def model_class(annotation: Any) -> Any:
    """The model an annotation names (a dataclass or a pydantic-style class, ``Optional`` of one
    too), or None. Duck-typed: the runtime never imports pydantic."""
    if getattr(annotation, "__metadata__", None) is not None:  # Annotated[T, ...]
        annotation = annotation.__origin__
    if _is_union(annotation, getattr(annotation, "__origin__", None)):
        members = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
        if len(members) != 1:
            return None
        annotation = members[0]
    if isinstance(annotation, type) and (hasattr(annotation, "__dataclass_fields__")
                                         or hasattr(annotation, "model_validate")):
        return annotation
    return None


def model_fields(model: Any) -> list[str]:
    """The field names a model accepts in JSON (a pydantic field's alias where it has one)."""
    fields = getattr(model, "__dataclass_fields__", None)
    if fields is not None and not hasattr(model, "model_validate"):
        return [name for name, f in fields.items() if getattr(f, "init", True)]
    found = getattr(model, "model_fields", None) or {}
    return [getattr(info, "alias", None) or name for name, info in found.items()]


def converter_for(annotation: Any, where: str = "") -> Converter:
    """The converter for an annotation; unsupported annotations fail at class creation."""
    if annotation is None or annotation is object:
        return Converter(annotation, _str_text, _identity)
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple
    typing = sys.modules.get("typing")
    if typing is not None:
        if annotation is typing.Any:
            return Converter(annotation, _str_text, _identity)
        if getattr(annotation, "__metadata__", None) is not None:  # Annotated[T, ...]
            return converter_for(annotation.__origin__, where)
    origin = getattr(annotation, "__origin__", None)
    args = getattr(annotation, "__args__", ())
    if _is_union(annotation, origin):
        return _union(annotation, args, where)
    if typing is not None and origin is typing.Literal:
        return _literal(annotation, args)
    if origin in (list, set, frozenset, tuple) or annotation in (list, set, frozenset, tuple):
        return _sequence(annotation, origin or annotation, args, where)
    if origin is dict or annotation is dict:
        return _mapping(annotation, args, where)
    if isinstance(annotation, type):
        enum = sys.modules.get("enum")
        if enum is not None and issubclass(annotation, enum.Enum):
            return _enum(annotation)
        datetime = sys.modules.get("datetime")
        if datetime is not None and annotation in (datetime.datetime, datetime.date, datetime.time):
            return _iso(annotation)
        if hasattr(annotation, "__dataclass_fields__"):
            return _dataclass(annotation, where)
        if hasattr(annotation, "model_validate"):
            return _pydantic(annotation)
        return _constructor(annotation)
    raise RouteDefinitionError(f"Unsupported annotation {annotation!r} on {where}.")


def _is_union(annotation: Any, origin: Any) -> bool:
    types = sys.modules.get("types")
    if types is not None and isinstance(annotation, types.UnionType):
        return True
    typing = sys.modules.get("typing")
    return typing is not None and origin is typing.Union


def _union(annotation: Any, args: tuple[Any, ...], where: str) -> Converter:
    members = [a for a in args if a is not type(None)]
    nullable = len(members) < len(args)
    convs = [converter_for(m, where) for m in members]
    multi = any(c.multi for c in convs)
    names = " or ".join(getattr(m, "__name__", str(m)) for m in members)

    def attempt(attr: str, value: Any) -> Any:
        if nullable and (value is None or (attr == "from_text" and value == "")):
            return None
        if len(convs) == 1:  # Optional[T]: T's own errors name the bad sub-fields
            return getattr(convs[0], attr)(value)
        for conv in convs:
            try:
                return getattr(conv, attr)(value)
            except ConversionError:
                continue
        raise ConversionError(f"expected {names}, got {_show(value)}")

    return Converter(annotation, lambda v: attempt("from_text", v), lambda v: attempt("from_json", v),
                     multi=multi, nullable=nullable)


def _literal(annotation: Any, args: tuple[Any, ...]) -> Converter:
    allowed = ", ".join(repr(a) for a in args)

    def from_json(value: Any) -> Any:
        if value in args:
            return value
        raise ConversionError(f"expected one of {allowed}, got {_show(value)}")

    def from_text(value: str) -> Any:
        for choice in args:
            if str(choice) == value or (isinstance(choice, bool) and value.lower() == str(choice).lower()):
                return choice
        raise ConversionError(f"expected one of {allowed}, got {_show(value)}")

    return Converter(annotation, from_text, from_json)


def _sequence(annotation: Any, container: Any, args: tuple[Any, ...], where: str) -> Converter:
    item_type = args[0] if args and (container is not tuple or (len(args) == 2 and args[1] is Ellipsis)) else None
    item = converter_for(item_type, where)
    build = list if container is list else container

    def from_text(values: Any) -> Any:
        if isinstance(values, str):
            values = [values]
        items = []
        for index, value in enumerate(values):
            try:
                items.append(item.from_text(value) if isinstance(value, str) else item.from_json(value))
            except ConversionError as exc:
                raise ConversionError(exc.errors[0][1], [(f"{index}", m) for _, m in exc.errors]) from None
        return build(items)

    def from_json(values: Any) -> Any:
        if not isinstance(values, list):
            raise ConversionError(f"expected a list, got {_show(values)}")
        items = []
        errors: list[tuple[str, str]] = []
        for index, value in enumerate(values):
            try:
                items.append(item.from_json(value))
            except ConversionError as exc:
                errors.extend((f"{index}.{sub}" if sub else f"{index}", m) for sub, m in exc.errors)
        if errors:
            raise ConversionError(errors[0][1], errors)
        try:
            return build(items)
        except TypeError:
            raise ConversionError("expected a list of hashable values") from None

    return Converter(annotation, from_text, from_json, multi=True)


def _mapping(annotation: Any, args: tuple[Any, ...], where: str) -> Converter:
    value_conv = converter_for(args[1], where) if len(args) == 2 else None

    def from_json(value: Any) -> Any:
        if not isinstance(value, dict):
            raise ConversionError(f"expected an object, got {_show(value)}")
        if value_conv is None:
            return value
        out = {}
        errors: list[tuple[str, str]] = []
        for key, item in value.items():
            try:
                out[key] = value_conv.from_json(item)
            except ConversionError as exc:
                errors.extend((f"{key}.{sub}" if sub else str(key), m) for sub, m in exc.errors)
        if errors:
            raise ConversionError(errors[0][1], errors)
        return out

    return Converter(annotation, _json_text(from_json, "an object"), from_json)


def _enum(annotation: Any) -> Converter:
    members = list(annotation)
    allowed = ", ".join(repr(m.value) for m in members)

    def from_json(value: Any) -> Any:
        for member in members:
            if member.value == value and type(member.value) is type(value):
                return member
        if isinstance(value, str):
            return from_text(value)
        raise ConversionError(f"expected one of {allowed}, got {_show(value)}")

    def from_text(value: str) -> Any:
        for member in members:
            if str(member.value) == value or member.name == value:
                return member
        raise ConversionError(f"expected one of {allowed}, got {_show(value)}")

    return Converter(annotation, from_text, from_json)


def _iso(annotation: Any) -> Converter:
    kind = annotation.__name__

    def from_text(value: str) -> Any:
        if not isinstance(value, str):
            raise ConversionError(f"expected an ISO 8601 {kind}, got {_show(value)}")
        try:
            parsed = annotation.fromisoformat(value.strip())
        except ValueError:
            raise ConversionError(f"expected an ISO 8601 {kind}, got {_show(value)}") from None
        if kind == "date" and type(parsed) is not annotation:
            return parsed.date()
        return parsed

    return Converter(annotation, from_text, from_text)


def _dataclass(annotation: Any, where: str) -> Converter:
    import dataclasses
    import typing

    hints = typing.get_type_hints(annotation)
    specs = []
    for field in dataclasses.fields(annotation):
        if not field.init:
            continue
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        specs.append((field.name, converter_for(hints.get(field.name), f"{where}.{field.name}"), required))

    def from_json(value: Any) -> Any:
        if not isinstance(value, dict):
            raise ConversionError(f"expected an object for {annotation.__name__}, got {_show(value)}")
        kwargs = {}
        errors: list[tuple[str, str]] = []
        for name, conv, required in specs:
            if name not in value:
                if required:
                    errors.append((name, "is required"))
                continue
            try:
                kwargs[name] = conv.from_json(value[name])
            except ConversionError as exc:
                errors.extend((f"{name}.{sub}" if sub else name, m) for sub, m in exc.errors)
        known = {name for name, _, _ in specs}
        unknown = f"is not a field of {annotation.__name__} (its fields: {', '.join(sorted(known)) or 'none'})"
        errors.extend((key, unknown) for key in value if key not in known)
        if errors:
            raise ConversionError(errors[0][1], errors)
        return annotation(**kwargs)

    return Converter(annotation, _json_text(from_json, "an object"), from_json)


def _pydantic(annotation: Any) -> Converter:
    config = getattr(annotation, "model_config", None)
    open_model = isinstance(config, dict) and config.get("extra") == "allow"
    known = model_fields(annotation)
    names = set(known) | set(getattr(annotation, "model_fields", {}) or {})
    unknown = f"is not a field of {annotation.__name__} (its fields: {', '.join(sorted(known)) or 'none'})"

    def from_json(value: Any) -> Any:
        # A typo must not fall back to a default: unknown fields are refused, as for entries.
        extra = [key for key in value if key not in names] if isinstance(value, dict) and not open_model else []
        try:
            model = annotation.model_validate(value)
        except Exception as exc:
            details = getattr(exc, "errors", None)
            if not callable(details):
                raise ConversionError(str(exc)) from None
            errors = [(".".join(str(p) for p in e.get("loc", ())),
                       unknown if e.get("type") == "extra_forbidden" else str(e.get("msg", "is invalid")))
                      for e in details()]
            errors += [(key, unknown) for key in extra if all(sub != key for sub, _ in errors)]
            raise ConversionError(errors[0][1] if errors else "is invalid", errors) from None
        if extra:
            raise ConversionError(unknown, [(key, unknown) for key in extra])
        return model

    return Converter(annotation, _json_text(from_json, "an object"), from_json)


def _constructor(annotation: Any) -> Converter:
    """Any other class: built from the value, so ``Decimal``, ``UUID`` or a user's type work."""
    name = annotation.__name__

    def from_value(value: Any) -> Any:
        if isinstance(value, annotation):
            return value
        try:
            return annotation(value)
        except Exception:
            raise ConversionError(f"expected a valid {name}, got {_show(value)}") from None

    return Converter(annotation, from_value, from_value)


def _upload_json(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return value
    raise ConversionError("expected a file part in a multipart/form-data body")


def _bytes(value: Any) -> bytes:
    if isinstance(value, UploadedFile):
        return value.content
    if isinstance(value, str):
        return value.encode("utf-8")
    raise ConversionError(f"expected bytes, got {_show(value)}")


_SIMPLE.update(
    {
        str: Converter(str, _str_text, _str_json),
        int: Converter(int, _int_text, _int_json),
        float: Converter(float, _float_text, _float_json),
        bool: Converter(bool, _bool_text, _bool_json),
        bytes: Converter(bytes, _bytes, _bytes),
        UploadedFile: Converter(UploadedFile, _upload_json, _upload_json),
    }
)
