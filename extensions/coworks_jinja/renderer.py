"""Rendering a template in the sandbox, within limits, every failure one HTTP error naming its line.

    Renderer(loader, Limits(max_output=..., max_seconds=...)).render(source=..., context={...}, html=True)

- 422 ``UnprocessableEntity``: a syntax error, an undefined variable, a refused operation, a filter
  given a bad value, an output over the limit or a render over the time limit; each error says
  the template's ``field`` and ``line``.
- 404 ``NotFound``: a named (or included) template that the store does not hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from jinja2 import BaseLoader, Template, TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplatesNotFound

from coworks import HTTPError, NotFound, UnprocessableEntity

from .deadline import run_within
from .filters import FilterError
from .loaders import describe
from .sandbox import LimitedEnvironment

INLINE = "<template>"


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one render may use: output characters, seconds, and the inline source's length."""

    max_output: int = 1_000_000
    max_seconds: float = 5.0
    max_source: int = 256 * 1024


class OutputTooLarge(Exception):
    pass


class Renderer:
    """Sandboxed Jinja with a template store; one compiled-template cache per escaping mode."""

    def __init__(self, loader: BaseLoader | None = None, limits: Limits = Limits()) -> None:
        self.loader = loader
        self.limits = limits
        self._environments: dict[bool, LimitedEnvironment] = {}

    def environment(self, html: bool) -> LimitedEnvironment:
        env = self._environments.get(html)
        if env is None:
            env = LimitedEnvironment(max_output=self.limits.max_output, autoescape=html, loader=self.loader)
            self._environments[html] = env
        return env

    def render(self, *, source: str | None = None, name: str | None = None, context: Mapping[str, Any] | None = None,
               html: bool = False, field: str = "template") -> str:
        """Render ``source`` (inline) or the stored template ``name`` with ``context``."""
        if (source is None) == (name is None):
            raise UnprocessableEntity([{"field": field, "location": "body",
                                        "message": "give either an inline template or a template name"}])
        env = self.environment(html)
        filename = name or INLINE
        try:
            if source is not None:
                if len(source) > self.limits.max_source:
                    raise UnprocessableEntity([{"field": field, "location": "body",
                                                "message": f"is over {self.limits.max_source} characters"}])
                template: Template = env.from_string(source)
            else:
                if self.loader is None:
                    raise NotFound(f"No template named {name!r}: the service has no template store; "
                                   "set its TEMPLATES setting to s3://bucket/prefix/ or a directory.")
                template = env.get_template(name)  # type: ignore[arg-type]
                filename = template.filename or name  # type: ignore[assignment]
            finished, text = run_within(self.limits.max_seconds, lambda: self._generate(template, context or {}))
        except HTTPError:
            raise
        except TemplateSyntaxError as exc:
            raise _invalid(field, exc.lineno, f"syntax error: {exc.message}", exc.name or name) from None
        except (TemplateNotFound, TemplatesNotFound) as exc:
            raise NotFound(f"No template named {exc.name!r} in {describe(self.loader)}.") from None
        except UndefinedError as exc:
            raise _invalid(field, _line(exc, filename), str(exc.message)) from None
        except SecurityError as exc:
            raise _invalid(field, _line(exc, filename), f"refused by the sandbox: {exc}") from None
        except OutputTooLarge:
            raise _invalid(field, None, f"renders more than {self.limits.max_output} characters") from None
        except RecursionError:
            raise _invalid(field, None, "recurses too deeply (a macro calling itself without end?)") from None
        except FilterError as exc:
            raise _invalid(field, _line(exc, filename), str(exc)) from None
        except Exception as exc:  # the template's own arithmetic or calls: 1/0, int("x"), a filter misused
            raise _invalid(field, _line(exc, filename), f"{type(exc).__name__}: {exc}") from None
        if not finished:
            raise _invalid(field, None, f"did not finish rendering within {self.limits.max_seconds:g} s")
        return text or ""

    def _generate(self, template: Template, context: Mapping[str, Any]) -> str:
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(dict(context)):
            size += len(chunk)
            if size > self.limits.max_output:
                raise OutputTooLarge()
            chunks.append(chunk)
        return "".join(chunks)


def _line(exc: BaseException, filename: str) -> int | None:
    """The template line where ``exc`` happened: Jinja maps template frames back to it."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if code == filename or code == INLINE or code.endswith(filename):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _invalid(field: str, line: int | None, message: str, name: str | None = None) -> UnprocessableEntity:
    where = ", ".join(part for part in (name, f"line {line}" if line else "") if part)
    text = f"{where}: {message}" if where else message
    error: dict[str, Any] = {"field": field, "location": "body", "message": text}
    if line:
        error["line"] = line
    return UnprocessableEntity([error], f"The template in {field!r} cannot be rendered: {text}")
