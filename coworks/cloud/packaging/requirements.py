"""Third-party requirements, installed for Lambda's platform rather than the notebook's.

``pip install --platform manylinux2014_<arch> --only-binary=:all:`` picks the wheels Lambda can
load whatever machine deploys; a package that only ships an sdist cannot be built that way, so
it is refused by name. ``--no-compile`` keeps the output byte-identical from run to run (``.pyc``
files embed timestamps), and installs are cached by their inputs so a re-deploy does not re-run pip.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import PackagingError

PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
_NO_MATCH = re.compile(r"(?:No matching distribution found for|satisfies the requirement) ([^\s(]+)")


def default_cache() -> Path:
    return Path(os.environ.get("COWORKS_CACHE", Path.home() / ".cache" / "coworks")) / "requirements"


def install(
    requirements: tuple[str, ...],
    *,
    architecture: str = "x86_64",
    python_version: str = "3.11",
    pip_options: tuple[str, ...] = (),
    cache_dir: Path | None = None,
) -> dict[str, bytes]:
    """The files of ``requirements`` installed for Lambda, as {path in the zip: content}."""
    if not requirements:
        return {}
    if architecture not in PLATFORMS:
        raise PackagingError(
            f"Unknown architecture {architecture!r}: use one of {', '.join(PLATFORMS)}.", resource="architecture"
        )
    args = [
        "install", "--quiet", "--no-compile", "--disable-pip-version-check", "--no-input",
        "--platform", PLATFORMS[architecture], "--implementation", "cp",
        "--python-version", python_version, "--only-binary=:all:", *pip_options, *sorted(requirements),
    ]
    key = hashlib.sha256("\0".join(args).encode()).hexdigest()[:24]
    cache = (cache_dir or default_cache()) / key
    if not cache.is_dir():
        _pip(args, cache)
    return {
        p.relative_to(cache).as_posix(): p.read_bytes()
        for p in sorted(cache.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.relative_to(cache).parts[0] != "bin"
    }


def _pip(args: list[str], cache: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pip-", dir=cache.parent))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", *args, "--target", str(work)],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0:
            raise _explain(done.stderr + done.stdout, args)
        work.rename(cache)  # atomic: a half-done install is never taken from the cache
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _explain(output: str, args: list[str]) -> PackagingError:
    platform = args[args.index("--platform") + 1]
    version = args[args.index("--python-version") + 1]
    found = _NO_MATCH.search(output)
    if found:
        package = re.split(r"[<>=!~;\[ ]", found.group(1))[0]
        return PackagingError(
            f"{package} has no wheel for Lambda ({platform}, Python {version}), only a source distribution or "
            "nothing at all: pin a version that ships manylinux wheels, or vendor a build made for Lambda.",
            package=package, resource=package,
        )
    last = next((line for line in reversed(output.strip().splitlines()) if line.strip()), "pip failed")
    return PackagingError(f"Installing the requirements for Lambda failed: {last.strip()}", resource="requirements")
