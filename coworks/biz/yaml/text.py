"""Reading and writing YAML text (ruamel.yaml in round-trip mode, so comments survive), and the
errors that point at a line and a column."""

from __future__ import annotations

import datetime
import difflib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coworks.biz.errors import WorkflowError


@dataclass(frozen=True)
class YamlProblem:
    """One mistake in a YAML workflow: where (1-based line and column), which state, what to do."""

    line: int
    column: int
    message: str
    state: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class YamlError(WorkflowError):
    """A YAML workflow that cannot be read; ``problems`` lists each mistake with its position."""

    def __init__(self, source: str, problems: list[YamlProblem]) -> None:
        self.source = source
        self.problems = problems
        if len(problems) == 1:
            message = f"{source}, {problems[0]}"
        else:
            message = f"{source} has {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(message)

    @property
    def line(self) -> int:
        return self.problems[0].line

    @property
    def column(self) -> int:
        return self.problems[0].column


# -- reading and writing text ------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a condition or a path over two lines
    yaml.preserve_quotes = True
    return yaml


def read(source: str | os.PathLike[str]) -> tuple[Any, str]:
    """The round-trip document of YAML text or of a ``.yaml``/``.yml`` file, and its name for errors."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = "the YAML workflow"
    text_ = source
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and ": " not in source
        and source.lower().endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        try:
            text_ = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise WorkflowError(f"Cannot read the workflow file {path}: {exc.strerror or exc}.") from None
        name = str(path)
    try:
        doc = _yaml().load(str(text_))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = (exc.problem or exc.context or "not YAML").strip()
        raise YamlError(name, [YamlProblem(line, col, f"{what}; fix the YAML syntax there.")]) from None
    except YAMLError as exc:  # pragma: no cover - every reader error carries a mark
        raise YamlError(name, [YamlProblem(1, 1, f"{exc}")]) from None
    return doc, name


def dump(doc: Any) -> str:
    """The YAML text of a document (comments and quoting kept when it was read with :func:`read`)."""
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """A round-trip YAML value as plain JSON data (timestamps written by hand become ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return bool(value) if value is not None else None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value



def _where(node: Any, key: Any = None) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 1, 1
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(node, list):
            line, col = lc.item(key)
        else:
            line, col = lc.key(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        line, col = lc.line, lc.col
    return int(line or 0) + 1, int(col or 0) + 1


def closest(word: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {found[0]}?" if found else f"; use one of: {', '.join(choices)}."


