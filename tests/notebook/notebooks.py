"""The runbooks of notebooks/, and reading what their executed copies show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def runbooks() -> list[Path]:
    """Every notebook of notebooks/ (executed copies excluded)."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if not p.name.endswith(".executed.ipynb"))


def outputs(book: Any) -> list[dict[str, Any]]:
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def texts(book: Any) -> str:
    """Everything the outputs say as text: streams, text/plain and text/html."""
    parts = []
    for out in outputs(book):
        if out.get("output_type") == "stream":
            parts.append(out["text"])
        data = out.get("data", {})
        parts.extend(str(data[key]) for key in ("text/plain", "text/html") if key in data)
    return "\n".join(parts)


def errors(book: Any) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for o in outputs(book) if o.get("output_type") == "error"]


def widget_state(book: Any) -> dict[str, Any]:
    """The saved widget models by id (what JupyterLab shows when the notebook is reopened)."""
    return dict(book.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}))


def shown_views(book: Any) -> list[str]:
    """Model ids of the widget views displayed in outputs."""
    return [o["data"][WIDGET_VIEW]["model_id"] for o in outputs(book) if WIDGET_VIEW in o.get("data", {})]


def state_text(book: Any) -> str:
    return json.dumps(widget_state(book), ensure_ascii=False)


def with_class(book: Any, css_class: str) -> list[dict[str, Any]]:
    """The saved state of the boxes carrying ``css_class`` (our widgets' roots)."""
    return [m["state"] for m in widget_state(book).values() if css_class in m["state"].get("_dom_classes", [])]
