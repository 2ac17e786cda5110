"""The sample service of the runbooks: a small stock of items that logs as a real service does.

Its logs show what the log viewer is for: one JSON line per request (written by the runtime), a
structured JSON line of its own, a warning for a missing item and an error with a traceback.
"""

from __future__ import annotations

import json
import os

from coworks import NotFound, TechMicroService, entry, tokens_equal

ITEMS = {1: {"id": 1, "name": "pen", "qty": 12}, 2: {"id": 2, "name": "ink", "qty": 3}}


class Inventory(TechMicroService):
    """Stock of items."""

    def auth(self, token: str) -> bool:
        # INVENTORY_TOKEN is a deploy setting; without one the service is open.
        expected = os.environ.get("INVENTORY_TOKEN", "")
        return not expected or tokens_equal(token, expected)

    @entry(no_auth=True)
    def get(self) -> str:
        """Health check."""
        return "ready"

    @entry
    def get_item(self, item_id: int) -> dict[str, object]:
        """One item by id."""
        if item_id not in ITEMS:
            print(f"WARNING no item {item_id}")
            raise NotFound(f"No item {item_id}.")
        print(json.dumps({"level": "INFO", "event": "item read", "item": item_id, "qty": ITEMS[item_id]["qty"]}))
        return ITEMS[item_id]

    @entry
    def get_report(self) -> dict[str, object]:
        """A stock report that fails: its traceback goes to the log, the client gets a 500."""
        raise RuntimeError("the report store is unreachable")


app = Inventory()
