"""The biz modules' old paths still import, as the module at the new path, with a warning naming it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from coworks.moved import MOVED


def test_an_old_biz_path_gives_the_new_module_with_a_deprecation_warning() -> None:
    import coworks.biz.engine.executor as new

    sys.modules.pop("coworks.biz.executor", None)
    with pytest.warns(DeprecationWarning, match="coworks.biz.executor moved to coworks.biz.engine.executor"):
        old = importlib.import_module("coworks.biz.executor")
    assert old is new  # one module object: patches and isinstance agree
    assert old.Executor is new.Executor


@pytest.mark.parametrize("old", sorted(k for k in MOVED if k.startswith("coworks.biz.")))
def test_every_old_biz_path_names_a_module_that_moved(old: str) -> None:
    import coworks.biz

    assert importlib.import_module(MOVED[old]).__name__ == MOVED[old]
    # Nothing is left at the old path, so the finder is what answers it.
    assert not (Path(coworks.biz.__file__).parent / f"{old.rsplit('.', 1)[-1]}.py").exists()
