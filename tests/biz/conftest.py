"""Shared fixtures: two sample TechMicroServices, a fixed simulated clock, the ASL corpus."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from coworks import TechMicroService, entry
from coworks.biz.clock import SimulatedClock
from coworks.runtime import NotFound

CORPUS = Path(__file__).parent / "corpus"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


class Inventory(TechMicroService):
    """Stock of items."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    @entry
    def get_item(self, item_id: int) -> Any:
        self.calls.append(f"get {item_id}")
        if item_id == 404:
            raise NotFound(f"no item {item_id}")
        return {"id": item_id, "qty": item_id % 7}

    @entry
    def post_item(self, *, name: str, qty: int = 0) -> Any:
        self.calls.append(f"post {name}")
        return {"name": name, "qty": qty}, 201

    @entry
    def get_search(self, q: str = "", limit: int = 10) -> Any:
        return {"q": q, "limit": limit}


class Billing(TechMicroService):
    """Invoices."""

    @entry
    def post_invoice(self, *, item: int, amount: float) -> Any:
        return {"item": item, "amount": amount, "status": "sent"}


@pytest.fixture
def inventory() -> Inventory:
    return Inventory()


@pytest.fixture
def billing() -> Billing:
    return Billing()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


def corpus() -> dict[str, dict[str, Any]]:
    """Real-world ASL definitions (from the AWS documentation and the ASL specification)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(CORPUS.glob("*.json"))}


def types(execution: Any) -> list[str]:
    """The event types of an execution, in order."""
    return [e["type"] for e in execution.history]
