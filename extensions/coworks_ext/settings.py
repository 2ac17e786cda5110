"""A service's configuration from environment variables under a prefix.

``Settings("MAIL_").text("SERVER")`` reads ``MAIL_SERVER``. Read on each request (a few dict
look-ups), so a test or a notebook that changes the environment sees the change, and Lambda's
environment, which never changes under a running function, costs nothing more. A missing or
malformed value is a ``MisconfiguredError`` (500) naming the variable and what it should hold:
the operator fixes the deployment, the caller cannot.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from .errors import MisconfiguredError

_PREFIX = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Settings:
    """Typed reads of ``<prefix><KEY>`` environment variables."""

    def __init__(self, prefix: str, environ: Mapping[str, str] | None = None) -> None:
        if not _PREFIX.match(prefix):
            raise ValueError(f"The settings prefix {prefix!r} must be upper-case letters, digits and '_' "
                             "(like 'MAIL_').")
        self.prefix = prefix
        self.environ: Mapping[str, str] = os.environ if environ is None else environ

    def name(self, key: str) -> str:
        """The environment variable behind ``key``."""
        return self.prefix + key

    def raw(self, key: str) -> str | None:
        value = self.environ.get(self.name(key))
        return value if value is None or value.strip() else None

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.raw(key)
        return value.strip() if value is not None else default

    def required(self, key: str, what: str) -> str:
        value = self.text(key)
        if value is None:
            raise MisconfiguredError(f"{self.name(key)} is not set: set it to {what}.")
        return value

    def integer(self, key: str, default: int, minimum: int, maximum: int) -> int:
        value = self.text(key)
        if value is None:
            return default
        if not re.fullmatch(r"[0-9]{1,12}", value) or not minimum <= int(value) <= maximum:
            raise MisconfiguredError(
                f"{self.name(key)} is {value[:40]!r}: set it to a whole number from {minimum} to {maximum}.")
        return int(value)

    def number(self, key: str, default: float, minimum: float, maximum: float) -> float:
        value = self.text(key)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not minimum <= number <= maximum:  # NaN fails this too
            raise MisconfiguredError(
                f"{self.name(key)} is {value[:40]!r}: set it to a number from {minimum:g} to {maximum:g}.")
        return number

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = (self.text(key) or default).lower()
        if value not in choices:
            raise MisconfiguredError(f"{self.name(key)} is {value[:40]!r}: set it to one of {', '.join(choices)}.")
        return value

    def items(self, key: str) -> tuple[str, ...]:
        """A comma-separated list, blanks dropped."""
        value = self.text(key) or ""
        return tuple(item.strip() for item in value.split(",") if item.strip())
