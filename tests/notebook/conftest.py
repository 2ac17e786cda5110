"""Notebook tests never attach to a shared local cloud (``cws cloud``) a developer may be running:
``COWORKS_HOME`` points at an empty folder, inherited by the kernels the tests start."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_local_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COWORKS_HOME", str(tmp_path / "coworks-home"))
