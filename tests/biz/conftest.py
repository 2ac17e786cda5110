"""The fixtures of the biz tests (every folder below shares them); the helpers are in ``support``."""

from __future__ import annotations

import pytest

from coworks.biz import SimulatedClock

from .support import T0, Billing, Inventory


@pytest.fixture
def inventory() -> Inventory:
    return Inventory()


@pytest.fixture
def billing() -> Billing:
    return Billing()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)
