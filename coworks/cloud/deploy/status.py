"""What is deployed: one row per service and stage, printable and shown as a table in a notebook."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class StatusRow:
    """One deployment: the version its stage alias serves and the API's base URL."""

    service: str
    stage: str
    function: str
    version: str
    url: str


@dataclass(frozen=True)
class Status:
    """Every deployment found by its tags, sorted by service then stage."""

    rows: tuple[StatusRow, ...]

    def __iter__(self) -> Iterator[StatusRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        if not self.rows:
            return "Nothing deployed by Coworks here."
        head = ("service", "stage", "version", "url")
        table = [head, *((r.service, r.stage, r.version, r.url) for r in self.rows)]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                         for row in table)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td>{html.escape(r.service)}</td><td>{html.escape(r.stage)}</td><td>{html.escape(r.version)}</td>"
            f"<td><a href='{html.escape(r.url)}'>{html.escape(r.url)}</a></td></tr>"
            for r in self.rows
        )
        return ("<table><thead><tr><th>service</th><th>stage</th><th>version</th><th>url</th></tr></thead>"
                f"<tbody>{cells}</tbody></table>")
