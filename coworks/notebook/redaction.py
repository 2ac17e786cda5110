"""What widgets may show: credentials and secret-looking values are replaced before display.

A notebook is shared, exported to HTML and committed with its outputs, so a secret that reaches
a widget's state or a cell's output has leaked. Every widget passes headers, JSON log messages
and free text through these functions; values are judged by the name they are stored under
(``Authorization``, ``api_key``, ``DB_PASSWORD``...), since a secret's value has no shape.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "••••"

#: Names whose values are never shown: credentials, tokens, passwords, keys, cookies.
SECRET_NAME = re.compile(
    r"(authori[sz]ation|passw(or)?d|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|credential|cookie|session[_-]?id|signature|^key$)",
    re.IGNORECASE,
)

# ``password=hunter2``, ``"token": "abc"``, ``Authorization: Bearer abc`` inside free text.
_IN_TEXT = re.compile(
    r"""(?P<name>["']?[\w.-]*(?:authori[sz]ation|passw(?:or)?d|secret|token|api[_-]?key|access[_-]?key"""
    r"""|credential|cookie)[\w.-]*["']?)(?P<sep>\s*[:=]\s*)(?P<value>"[^"]*"|'[^']*'|(?:Bearer\s+|Basic\s+)?[^\s,;&}]+)""",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a header, field or variable called ``name`` holds a secret."""
    return bool(SECRET_NAME.search(name))


def mask_mapping(values: dict[str, Any]) -> dict[str, Any]:
    """A copy with the values of secret-looking names replaced (nested dicts and lists too)."""
    return {key: (MASK if is_secret_name(str(key)) else mask_value(value)) for key, value in values.items()}


def mask_value(value: Any) -> Any:
    if isinstance(value, dict):
        return mask_mapping(value)
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_text(text: str) -> str:
    """Free text with ``name=value`` / ``name: value`` pairs of secret-looking names masked."""
    if not _IN_TEXT.search(text):
        return text

    def replace(match: re.Match[str]) -> str:
        value = match.group("value")
        quote = value[0] if value[:1] in "\"'" and len(value) > 1 else ""
        return f"{match.group('name')}{match.group('sep')}{quote}{MASK}{quote}"

    return _IN_TEXT.sub(replace, text)
