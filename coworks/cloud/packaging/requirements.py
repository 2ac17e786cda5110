"""Third-party requirements, installed for Lambda's platform rather than the notebook's.

``pip install --platform manylinux2014_<arch> --only-binary=:all:`` picks the wheels Lambda can
load whatever machine deploys; a package that only ships an sdist cannot be built that way, so
it is refused by name. ``--no-compile`` keeps the output byte-identical from run to run (``.pyc``
files embed timestamps), and installs are cached by their inputs so a re-deploy does not re-run pip.

What reaches pip is checked first. Each declared requirement is parsed as a requirement (PEP 508,
with ``packaging``, pip's own parser): ``requests>=2.31``, ``requests[socks]==2.32.3``,
``pkg; python_version>='3.11'`` and ``pkg @ https://...`` are requirements; ``-r requirements.txt``,
``--index-url=...`` or ``-e .`` are pip options and are refused, as is anything else, with a
sentence saying what to write. Where pip looks is the deploy's business, not the service's:
indexes go through ``pip_options`` only (``build_package(app, pip_options=("--index-url", URL))``,
``cloud.deploy(app, pip_options=...)``), and only the options that choose where and what to fetch
(``PIP_OPTIONS``); the ones Coworks sets to build for Lambda (``--target``, ``--platform``,
``--only-binary``...) and those that read more requirements from files (``-r``, ``-c``, ``-e``, whose
contents the cache key could not see) are refused.

- https://peps.python.org/pep-0508/
- https://packaging.python.org/en/latest/specifications/dependency-specifiers/
- https://pip.pypa.io/en/stable/cli/pip_install/#package-index-options
- https://docs.aws.amazon.com/lambda/latest/dg/python-package.html (wheels for Lambda's platform)
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

from ..errors import ConfigurationError, PackagingError

PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
#: The pip options a deploy may pass (``pip_options``): where to look and which versions to take.
#: The value-taking ones, then the flags.
PIP_OPTIONS = ("--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--trusted-host", "--cert",
               "--client-cert", "--proxy", "--retries", "--timeout")
PIP_FLAGS = ("--no-index", "--pre", "--prefer-binary", "--no-deps")
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
    check_pip_options(pip_options)
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


def check_requirement(owner: str, text: str) -> str:
    """``text`` as declared in ``owner.requirements`` when it is a requirement (PEP 508), else refused."""
    from packaging.requirements import InvalidRequirement, Requirement

    where = f"{owner}.requirements has {text!r}"
    if text.startswith("-"):
        raise ConfigurationError(
            f"{where}, a pip option, not a requirement: list each requirement as a string like 'requests>=2.31' "
            "(a requirements file's lines, one by one), and give indexes to the deploy as "
            "pip_options=('--index-url', URL).", resource="requirements")
    try:
        Requirement(text)
    except InvalidRequirement:
        raise ConfigurationError(
            f"{where}, which is not a requirement (PEP 508): write a distribution name with an optional version, "
            "like 'requests>=2.31' or 'requests[socks]==2.32.3'.", resource="requirements") from None
    return text


def check_pip_options(options: tuple[str, ...]) -> None:
    """Refuse, in one sentence, a ``pip_options`` entry that is not one of ``PIP_OPTIONS``/``PIP_FLAGS``."""
    if isinstance(options, str):
        raise PackagingError(f"pip_options is the string {options!r}: pass a tuple of options, like "
                             "('--index-url', URL).", resource="pip_options")
    allowed = ", ".join(PIP_OPTIONS + PIP_FLAGS)
    waiting = ""  # the option whose value comes next
    for option in options:
        if not isinstance(option, str):
            raise PackagingError(f"pip_options has {option!r}: each entry is a string.", resource="pip_options")
        if waiting:
            if option.startswith("-"):
                raise PackagingError(f"pip_options gives {waiting} no value: write ({waiting!r}, VALUE).",
                                     resource="pip_options")
            waiting = ""
            continue
        name, equals, _ = option.partition("=")
        if name in PIP_OPTIONS:
            waiting = "" if equals else name
        elif name in PIP_FLAGS and not equals:
            continue
        elif option.startswith("-"):
            raise PackagingError(f"pip_options has {option!r}, which a deploy does not pass to pip (Coworks sets how "
                                 f"pip builds for Lambda, and requirements are declared on the service): the options "
                                 f"are {allowed}.", resource="pip_options")
        else:
            raise PackagingError(f"pip_options has {option!r}, which is not an option: declare requirements on the "
                                 "service (requirements = [...]), and give pip only options.", resource="pip_options")
    if waiting:
        raise PackagingError(f"pip_options gives {waiting} no value: write ({waiting!r}, VALUE).",
                             resource="pip_options")


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
