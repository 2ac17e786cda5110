"""Lambda's managed Python runtimes, and their stand-in on this machine for local workers.

A managed runtime gives a function its Python's standard library and the SDK for Python (boto3,
botocore and their dependencies), nothing else. ``SDK`` pins the boto3 and botocore each runtime
ships. AWS's page *Building Lambda functions with Python* (section "Runtime-included SDK
versions") says the included version depends on the runtime version and the Region and is
updated over time, and publishes no table any more; the pin is the release the python3.12 and
python3.13 runtimes carried in August 2025 (reported in aioboto3 issue 381), used for python3.11
too (its last published table, boto3 1.27.1, predates ``AWS_ENDPOINT_URL``): one line to move.

For a local worker: :func:`interpreter` finds a Python of the runtime's version (this one, with a
warning once per runtime, when there is none), and :func:`managed_libraries` installs the SDK once
with pip into ``$COWORKS_LAMBDA_LIBRARIES`` (default ``$COWORKS_CACHE/lambda-libraries``, else
``~/.cache/coworks/lambda-libraries``), one folder per pin, read offline afterwards.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

#: The SDK each managed Python runtime ships: (boto3, botocore) versions.
SDK: dict[str, tuple[str, str]] = {
    "python3.11": ("1.38.36", "1.38.36"),
    "python3.12": ("1.38.36", "1.38.36"),
    "python3.13": ("1.38.36", "1.38.36"),
}
#: The top-level modules the SDK brings (boto3's and botocore's dependencies with it).
RUNTIME_MODULES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"})
#: Standard-library modules removed by a Python release (PEP 594's "dead batteries", distutils...).
_REMOVED = {
    (3, 12): frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"}),
    (3, 13): frozenset({"aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap",
                        "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib",
                        "uu", "xdrlib"}),
}


def sdk_requirements(runtime: str) -> tuple[str, ...]:
    """``("boto3==X", "botocore==Y")`` for a managed runtime (the newest pin for an unknown one)."""
    boto3, botocore = SDK.get(runtime) or SDK[max(SDK)]
    return (f"boto3=={boto3}", f"botocore=={botocore}")


def python_of(runtime: str) -> tuple[int, int]:
    """``(3, 12)`` for ``python3.12``."""
    major, _, minor = runtime.removeprefix("python").partition(".")
    return int(major), int(minor)


def standard_library(version: tuple[int, int]) -> frozenset[str]:
    """The top-level modules of that Python's standard library (this interpreter's list, with the
    releases' removals applied either way)."""
    every = set(sys.stdlib_module_names).union(*_REMOVED.values())
    for release, removed in _REMOVED.items():
        if version >= release:
            every -= removed
    return frozenset(every)


class RuntimeMismatchWarning(UserWarning):
    """Local workers of a runtime run on another Python version than Lambda's."""


_warned: set[str] = set()
_lock = threading.Lock()


def libraries_root() -> Path:
    given = os.environ.get("COWORKS_LAMBDA_LIBRARIES")
    if given:
        return Path(given)
    return Path(os.environ.get("COWORKS_CACHE", Path.home() / ".cache" / "coworks")) / "lambda-libraries"


def interpreter(runtime: str) -> str:
    """The path of a Python of the runtime's version; this interpreter (with a warning, once) if none."""
    wanted = python_of(runtime)
    found = _find(wanted)
    if found is not None:
        return found
    with _lock:
        if runtime not in _warned:
            _warned.add(runtime)
            here = ".".join(map(str, sys.version_info[:3]))
            warnings.warn(
                f"No Python {wanted[0]}.{wanted[1]} here for the {runtime} runtime: local workers run it on Python "
                f"{here}, so code that needs {wanted[0]}.{wanted[1]} may behave otherwise than on Lambda; install "
                f"python{wanted[0]}.{wanted[1]} (on PATH or with pyenv) to match.",
                RuntimeMismatchWarning, stacklevel=3)
    return sys.executable


@functools.cache
def _find(version: tuple[int, int]) -> str | None:
    name = f"python{version[0]}.{version[1]}"
    base = getattr(sys, "_base_executable", sys.executable)
    candidates = [base, sys.executable]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(str(pyenv / "versions" / f"{version[0]}.{version[1]}.*" / "bin" / name)),
                         reverse=True)
    for folder in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/local/bin", "/usr/bin"]:
        if folder and "shims" not in Path(folder).parts:  # pyenv's shims fail for a version not selected
            candidates.append(os.path.join(folder, name))
    for candidate in dict.fromkeys(candidates):
        if os.access(candidate, os.X_OK) and _version(candidate) == version:
            return candidate
    return None


@functools.cache
def _version(executable: str) -> tuple[int, int] | None:
    try:
        done = subprocess.run([executable, "-I", "-S", "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30, check=False)
        major, minor = done.stdout.split()
        return int(major), int(minor)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def managed_libraries(runtime: str, python: str | None = None) -> Path | None:
    """The folder holding the runtime's SDK, installed on first use and compiled for ``python`` (the
    worker's interpreter), as Lambda's runtime ships it compiled: a cold start that imports boto3
    must not compile botocore each time. None (with a warning) when it cannot be installed
    (offline before the first install): functions then run without it."""
    pins = sdk_requirements(runtime)
    target = libraries_root() / "-".join(p.replace("==", "-") for p in pins)
    if (target / "boto3").is_dir():
        _compile(target, python or sys.executable)
        return target
    with _lock:
        if (target / "boto3").is_dir():
            return target
        try:
            _install(pins, target)
        except OSError as exc:
            if runtime + ":sdk" not in _warned:
                _warned.add(runtime + ":sdk")
                warnings.warn(f"The SDK of the {runtime} runtime ({', '.join(pins)}) is not installed and pip could "
                              f"not install it ({exc}): local functions run without boto3 until it can be.",
                              RuntimeMismatchWarning, stacklevel=3)
            return None
    _compile(target, python or sys.executable)
    return target


def _compile(target: Path, python: str) -> None:
    """Bytecode for ``python`` beside the SDK's sources (``__pycache__/*.cpython-3XX.pyc``), once per
    Python version; a failure only costs the speed."""
    import fcntl

    version = _version(python)
    mark = target / f".compiled-{version[0]}.{version[1]}" if version else None
    if mark is None or mark.exists():
        return
    with open(target.parent / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if mark.exists():
            return
        done = subprocess.run([python, "-I", "-S", "-m", "compileall", "-q", "-j", "0", str(target)],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0:
            mark.touch()


def _install(pins: tuple[str, ...], target: Path) -> None:
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".install.lock", "w") as lock:  # another process may be installing the same pin
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "boto3").is_dir():
            return
        staging = Path(tempfile.mkdtemp(prefix=".pip-", dir=target.parent))
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
                 "--no-input", "--only-binary=:all:", "--target", str(staging), *pins],
                capture_output=True, text=True, check=False)
            if done.returncode != 0:
                last = (done.stderr or done.stdout).strip().splitlines() or ["pip failed"]
                raise OSError(last[-1].strip())
            shutil.rmtree(staging / "bin", ignore_errors=True)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
