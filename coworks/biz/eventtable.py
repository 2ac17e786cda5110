"""An execution's history as a table: the same columns for a local run and a cloud execution,
in a terminal (``cws run-workflow``) and in a notebook (an execution's display)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from coworks.runtime.tables import Table


def history_table(history: list[dict[str, Any]], title: str = "") -> Table:
    """The events of an execution: id, time since the start, type, state and detail."""
    start = history[0]["timestamp"] if history else None
    rows = []
    for event in history:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        when = event["timestamp"]
        offset = f"{(when - start).total_seconds():.3f}s" if isinstance(when, datetime) and start else ""
        detail = details.get("error") or _function(details.get("parameters"))
        rows.append((event["id"], offset, event["type"], details.get("name", ""), detail))
    return Table(("id", "at", "event", "state", "detail"), rows, title)


def _function(parameters: Any) -> str:
    """The function a Lambda Task calls, from TaskScheduled's parameters (JSON text)."""
    try:
        name = json.loads(parameters).get("FunctionName", "") if isinstance(parameters, str) else ""
    except (ValueError, AttributeError):
        return ""
    return str(name).split(":function:")[-1] if isinstance(name, str) else ""
