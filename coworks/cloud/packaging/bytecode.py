"""Bytecode for the deployed zip, so a cold start does not compile the code it imports.

A Lambda's code folder is read-only: whatever ships as source is compiled again by every new
execution environment, on every cold start. So the zip carries, beside each ``.py`` file, the
``__pycache__/<name>.cpython-3XY.pyc`` that Python would have written, when the interpreter that
deploys is the one the function runs (CPython of the declared ``python_version``: bytecode is
private to a Python release). Otherwise the zip ships source only, and :func:`compile_files` says
why in one sentence, which the plan shows.

The files are *unchecked-hash* pycs (PEP 552): they carry the source's hash instead of a time
stamp, and Python loads them without reading the source's time, so the same inputs give the same
bytes. ``marshal`` output depends on the reference counts of the compiling process (a notebook
that imported boto3 writes other bytes than a fresh interpreter), so compiling happens in a fresh
``python -I -S`` with a fixed hash seed; its results are kept per file and source, in memory and
under ``$COWORKS_CACHE/bytecode``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import subprocess
import sys
import tempfile
import threading
from importlib.util import MAGIC_NUMBER
from pathlib import Path

_COMPILER = """
import marshal, sys
from importlib.util import MAGIC_NUMBER, source_hash
found = []
for path, source in marshal.loads(sys.stdin.buffer.read()):
    try:
        code = compile(source, path, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError):  # Lambda reports it at import, as Runtime.UserCodeSyntaxError
        found.append(None)
        continue
    found.append(MAGIC_NUMBER + (1).to_bytes(4, "little") + source_hash(source) + marshal.dumps(code))
    del code
sys.stdout.buffer.write(marshal.dumps(found))
"""
_memory: dict[str, bytes | None] = {}
_lock = threading.Lock()


def source_only_reason(python_version: str) -> str | None:
    """Why a zip for ``python_version`` cannot carry this interpreter's bytecode; None when it can."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.implementation.name != "cpython" or sys.implementation.cache_tag is None:
        return (f"The package ships source only: this interpreter is {sys.implementation.name}, not the CPython "
                "Lambda runs, so each cold start compiles the modules it imports; deploy from CPython "
                f"{python_version} to ship bytecode.")
    if here != python_version:
        return (f"The package ships source only: this is Python {here} and the function runs python{python_version}, "
                f"whose bytecode differs, so each cold start compiles the modules it imports; deploy from Python "
                f"{python_version} to ship bytecode.")
    if sys.version_info.releaselevel != "final":
        return (f"The package ships source only: this Python {sys.version.split()[0]} is a pre-release whose bytecode "
                "Lambda's may not load, so each cold start compiles the modules it imports.")
    return None


def pyc_path(path: str) -> str:
    """``pkg/mod.py`` -> ``pkg/__pycache__/mod.cpython-311.pyc`` (this interpreter's tag)."""
    folder, _, name = path.rpartition("/")
    pyc = f"__pycache__/{name[:-3]}.{sys.implementation.cache_tag}.pyc"
    return f"{folder}/{pyc}" if folder else pyc


def compile_files(files: dict[str, bytes], python_version: str) -> tuple[dict[str, bytes], str | None]:
    """The pycs of every ``.py`` in ``files`` ({zip path: bytes}) and None, or nothing and the reason
    the zip ships source only. A file that does not compile ships as source alone."""
    reason = source_only_reason(python_version)
    if reason is not None:
        return {}, reason
    sources = {p: d for p, d in files.items() if p.endswith(".py") and "__pycache__/" not in p
               and ".dist-info/" not in p}
    keys = {p: _key(p, d) for p, d in sources.items()}
    with _lock:
        wanted = [p for p in sorted(sources) if keys[p] not in _memory]
        cached = _from_disk([keys[p] for p in wanted])
        _memory.update(cached)
        missing = [p for p in wanted if keys[p] not in _memory]
        if missing:
            for path, pyc in zip(missing, _compile([(p, sources[p]) for p in missing]), strict=True):
                _memory[keys[path]] = pyc
                _to_disk(keys[path], pyc)
        found = {p: _memory[keys[p]] for p in sources}
    return {pyc_path(p): pyc for p, pyc in sorted(found.items()) if pyc is not None}, None


def _key(path: str, source: bytes) -> str:
    digest = hashlib.sha256(path.encode() + b"\0" + source).hexdigest()
    return f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}/{digest}"


def _compile(sources: list[tuple[str, bytes]]) -> list[bytes | None]:
    """Compile in a fresh interpreter, so the bytes depend on the sources only."""
    env = {"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")}
    done = subprocess.run([sys.executable, "-I", "-S", "-c", _COMPILER], input=marshal.dumps(sources),
                          capture_output=True, env=env, check=False)
    if done.returncode != 0:
        from ..errors import PackagingError

        last = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"]
        raise PackagingError(f"Compiling the package's bytecode failed: {last[-1]}", resource="bytecode")
    found: list[bytes | None] = marshal.loads(done.stdout)
    return found


def _cache() -> Path:
    return Path(os.environ.get("COWORKS_CACHE", Path.home() / ".cache" / "coworks")) / "bytecode"


def _from_disk(keys: list[str]) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    for key in keys:
        try:
            found[key] = (_cache() / f"{key}.pyc").read_bytes()
        except OSError:
            continue
    return found


def _to_disk(key: str, pyc: bytes | None) -> None:
    """Atomically (a concurrent build reads a whole file or none); a cache that cannot be written is skipped."""
    if pyc is None:
        return
    target = _cache() / f"{key}.pyc"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(dir=target.parent, prefix=".pyc-")
        with os.fdopen(handle, "wb") as out:
            out.write(pyc)
        os.replace(staging, target)
    except OSError:
        return
