"""The managed Python runtime a local worker imitates: an interpreter of the declared version and
the libraries Lambda's runtime adds to the zip (the SDK for Python at its pin), nothing else.

The SDK is installed once with pip into ``$COWORKS_LAMBDA_LIBRARIES`` (default
``$COWORKS_CACHE/lambda-libraries``, else ``~/.cache/coworks/lambda-libraries``), one folder per
pin, and read offline afterwards. When no interpreter of the declared version is found here, the
worker runs on this one: a warning says so, once per runtime.
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

from ..packaging.imports import python_of, sdk_requirements


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


def managed_libraries(runtime: str) -> Path | None:
    """The folder holding the runtime's SDK, installed on first use; None (with a warning) when it
    cannot be installed (offline before the first install): functions then run without it."""
    pins = sdk_requirements(runtime)
    target = libraries_root() / "-".join(p.replace("==", "-") for p in pins)
    if (target / "boto3").is_dir():
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
    return target


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
