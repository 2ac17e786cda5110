"""The zip carries bytecode for the function's Python, deterministically, or says why it cannot."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from importlib.util import MAGIC_NUMBER, source_hash
from pathlib import Path
from typing import Any

import pytest

from coworks.cloud import build_package
from coworks.cloud.packaging import bytecode
from tests.support import ROOT, SAMPLE, cell, write_module

HERE = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHER = "3.12" if HERE != "3.12" else "3.11"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_every_module_ships_with_its_unchecked_hash_pyc() -> None:
    files = members(build_package(cell(SAMPLE, "inventory")).data)
    sources = [p for p in files if p.endswith(".py")]
    assert "coworks/runtime/service.py" in sources and "inventory.py" in sources
    for path in sources:
        pyc = files[bytecode.pyc_path(path)]
        assert pyc[:4] == MAGIC_NUMBER
        assert int.from_bytes(pyc[4:8], "little") == 1  # hash-based, source never checked (PEP 552)
        assert pyc[8:16] == source_hash(files[path])


def test_the_same_sources_give_the_same_zip_in_a_fresh_interpreter(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """This process has boto3 and moto loaded, which changes what marshal writes in-process: the
    bytes must not depend on it, nor on a cache."""
    import boto3  # noqa: F401 - loaded on purpose

    target = write_module(tmp_path, SAMPLE + "\napp = Inventory('inventory')\n")
    monkeypatch.setattr(bytecode, "_memory", {})
    monkeypatch.setenv("COWORKS_CACHE", str(tmp_path / "here"))
    here = build_package(target).data
    script = ("import sys, hashlib; sys.path.insert(0, sys.argv[1]); from coworks.cloud import build_package; "
              "print(hashlib.sha256(build_package(sys.argv[2]).data).hexdigest())")
    env = {**os.environ, "COWORKS_CACHE": str(tmp_path / "there"), "PYTHONHASHSEED": "123"}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path), target], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)
    import hashlib

    assert done.stdout.strip() == hashlib.sha256(here).hexdigest()
    assert any(p.suffix == ".pyc" for p in (tmp_path / "here").rglob("*"))  # kept for the next build


def test_the_first_request_is_answered_from_bytecode_alone(tmp_path: Path) -> None:
    """Unpacked, every source emptied into a syntax error, run as Lambda runs it (-I -S -B): it still
    answers, so nothing was compiled."""
    package = build_package(cell(SAMPLE, "inventory"))
    task = tmp_path / "task"
    zipfile.ZipFile(io.BytesIO(package.data)).extractall(task)
    for source in task.rglob("*.py"):
        source.write_text("(\n")
    module, attribute = package.handler.rsplit(".", 1)
    probe = (f"import sys, json; sys.path[:0] = [{str(task)!r}]; import {module}; "
             f"print(json.dumps({module}.{attribute}({{'method': 'GET', 'path': '/item/7'}}, None)))")
    done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    assert json.loads(done.stdout) == {"id": 7}


def test_another_python_ships_source_only_and_the_plan_says_why_once(aws: Any) -> None:
    app = cell(SAMPLE.replace('"""Stock of items."""', f'"""Stock of items."""\n    python_version = "{OTHER}"'),
               "inventory")
    package = build_package(app)
    assert not any(name.endswith(".pyc") for name in package.files)
    assert package.source_only is not None
    assert package.source_only.startswith(f"The package ships source only: this is Python {HERE} and the function "
                                          f"runs python{OTHER}")
    warnings = aws.deploy(package).plan().warnings
    assert warnings.count(package.source_only) == 1
    assert build_package(cell(SAMPLE, "inventory")).source_only is None


def test_a_module_that_does_not_compile_ships_as_source() -> None:
    found, reason = bytecode.compile_files({"good.py": b"x = 1\n", "bad.py": b"def (\n"}, HERE)
    assert reason is None and list(found) == ["__pycache__/good." + sys.implementation.cache_tag + ".pyc"]
