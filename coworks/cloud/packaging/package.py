"""The Lambda zip of a service: its code, the Coworks runtime and its requirements.

Deterministic on purpose: entries sorted, timestamps fixed, permissions fixed, so the same
inputs give the same bytes and the same sha256. The planner compares that hash with the one
Lambda reports (``CodeSha256``), so an unchanged service never uploads its code again.

Only ``coworks/__init__.py`` and ``coworks/runtime/`` ship: the cloud, biz and notebook layers
stay on the machine that deploys, which keeps a service without requirements around 40 KB. Of
the runtime, only its ``.py`` files: Swagger UI's files (``runtime/describe/static``) are added
when the service mounts the docs page (``Docs``), and then only they. Every module ships with its
bytecode when this interpreter is the function's Python (``bytecode``), so a cold start compiles
nothing; otherwise ``Package.source_only`` says why, and the plan shows it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PackagingError
from . import bytecode, declarations, requirements
from .sources import resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ...runtime.service import TechMicroService
    from .declarations import Declarations
    from .sources import Source

ZIPPED_LIMIT = 50 * 1024 * 1024  # Lambda's direct-upload limit
UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's limit on the unpacked function
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold


@dataclass(frozen=True)
class Package:
    """A built Lambda zip and what the deploy needs to know about it."""

    service: TechMicroService = field(repr=False)
    handler: str
    data: bytes = field(repr=False)
    files: tuple[str, ...] = field(repr=False)
    unzipped_size: int
    declarations: Declarations = field(repr=False)
    root: Path | None = field(default=None, repr=False)
    #: Why the zip carries no bytecode (one sentence), or None when every module has its pyc.
    source_only: str | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.service.name)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def code_sha256(self) -> str:
        """The hash as Lambda reports it (base64 of the digest), to compare with ``CodeSha256``."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()

    def write(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_bytes(self.data)
        return target

    def __str__(self) -> str:
        return (
            f"{self.name}: {len(self.files)} files, {self.size / 1024:.1f} KB zipped "
            f"({self.unzipped_size / 1024:.1f} KB unzipped), sha256 {self.sha256[:12]}, handler {self.handler}"
        )


def build_package(
    target: Any,
    *,
    pip_options: tuple[str, ...] = (),
    cache_dir: Path | None = None,
) -> Package:
    """Zip a service (instance, class or ``"module:attribute"``) for Lambda.

    ``pip_options`` go to pip when requirements are installed, and are the one place to choose
    where pip looks: ``("--index-url", URL)`` for a private index, ``("--extra-index-url", URL)``,
    ``("--no-index", "--find-links", DIR)`` for local wheels (``requirements.PIP_OPTIONS`` and
    ``PIP_FLAGS`` list them; anything else is refused, as is a requirement that is not PEP 508).
    ``cache_dir`` holds installed requirements between builds.
    """
    requirements.check_pip_options(pip_options)
    source = resolve(target)
    declared = declarations.read(source.service)
    files = dict(runtime_files())
    installed = requirements.install(
        declared.requirements,
        architecture=declared.architecture,
        python_version=declared.python_version,
        pip_options=pip_options,
        cache_dir=cache_dir,
    )
    _merge(files, installed, "a requirement")
    _merge(files, docs_files(source.service), "the docs page")
    _merge(files, source.files, "the service")
    return _package(source, declared, files)


def _merge(files: dict[str, bytes], extra: dict[str, bytes], what: str) -> None:
    for name, data in extra.items():
        if name.startswith("coworks/") and name in files and files[name] != data:
            raise PackagingError(f"{what} ships its own {name}: remove it, the runtime provides coworks.")
        files[name] = data


def _package(source: Source, declared: Declarations, files: dict[str, bytes]) -> Package:
    compiled, source_only = bytecode.compile_files(files, declared.python_version)
    files = {**files, **compiled}
    unzipped = sum(len(d) for d in files.values())
    if unzipped > UNZIPPED_LIMIT:
        raise PackagingError(
            f"{source.service.name} unpacks to {unzipped / 2**20:.0f} MB, over Lambda's 250 MB: "
            "drop requirements or move them to a container image.",
            resource=source.service.name,
        )
    data = zip_files(files)
    if len(data) > ZIPPED_LIMIT:
        raise PackagingError(
            f"{source.service.name} zips to {len(data) / 2**20:.0f} MB, over the 50 MB Lambda accepts "
            "directly: trim requirements or upload the package through S3.",
            resource=source.service.name,
        )
    return Package(source.service, source.handler, data, tuple(sorted(files)), unzipped, declared, source.root,
                   source_only)


def zip_files(files: dict[str, bytes]) -> bytes:
    """A byte-for-byte reproducible zip of ``files`` ({path: content})."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16  # a regular file Lambda's user can read
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever machine builds it
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def docs_files(service: Any) -> dict[str, bytes]:
    """Swagger UI's files, when ``service`` mounts ``coworks.docs.Docs`` (``/docs``); else nothing."""
    if not getattr(service, "_blueprints", None):
        return {}
    from ...runtime.describe.pages import docs_assets

    return docs_assets(service)


def runtime_files() -> dict[str, bytes]:
    """The part of Coworks that runs in the Lambda: the package root and the runtime.

    Read once per process, so every package this process builds carries the same runtime
    (the one it runs) even if the source tree is edited meanwhile.
    """
    return dict(_runtime_files())


@functools.cache
def _runtime_files() -> dict[str, bytes]:
    from ... import runtime

    package = Path(runtime.__file__).resolve().parent.parent
    files = {"coworks/__init__.py": (package / "__init__.py").read_bytes()}
    for path in sorted((package / "runtime").rglob("*.py")):
        if "__pycache__" not in path.parts:
            files[path.relative_to(package.parent).as_posix()] = path.read_bytes()
    return files
