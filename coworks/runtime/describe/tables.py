"""Tables with a text form (terminals, logs) and an HTML form (notebooks, exported reports).

Route tables, plans, execution events and log records are all shown through this one class,
so they look alike and escape their content the same way. In the runtime (standard library
only) so that every layer may use it; loaded only when something is displayed.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_STYLE = (
    "border-collapse:collapse;font-family:var(--jp-code-font-family,monospace);font-size:12px"
)
_CELL = "border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top"


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header; ``title`` is shown above; ``colours`` tint whole rows."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    title: str = ""
    colours: Sequence[str | None] = field(default_factory=tuple)

    def __str__(self) -> str:
        cells = [[str(c) for c in self.columns]] + [[_text(v) for v in row] for row in self.rows]
        widths = [max(len(line) for row in cells for line in [row[i]]) for i in range(len(self.columns))]
        lines = [self.title] if self.title else []
        for index, row in enumerate(cells):
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f'<th style="{_CELL}">{html.escape(str(c))}</th>' for c in self.columns)
        body = []
        for index, row in enumerate(self.rows):
            colour = self.colours[index] if index < len(self.colours) else None
            style = f' style="background:{html.escape(colour)}"' if colour else ""
            cells = "".join(f'<td style="{_CELL}">{_html(v)}</td>' for v in row)
            body.append(f"<tr{style}>{cells}</tr>")
        title = f"<div><b>{html.escape(self.title)}</b></div>" if self.title else ""
        return f'{title}<table style="{_STYLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\n", " ")


def _html(value: Any) -> str:
    return "" if value is None else html.escape(str(value)).replace("\n", "<br>")
