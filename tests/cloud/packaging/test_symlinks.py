"""Symbolic links in a project (``coworks/cloud/packaging/modules.py``): one out of the project is
refused, naming the link and its target, and nothing of what it points to reaches a zip; one inside
ships as a copy of its target; loops end. Real files and real links in a temporary project."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coworks.cloud import PackagingError, build_package

SERVICE = '''from coworks import TechMicroService, entry


class Shop(TechMicroService):
    @entry
    def get(self):
        return "ok"


app = Shop()
'''
SECRET = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A project folder with a package of a fresh name, and a credentials file beside it, outside."""
    (tmp_path / "home" / ".aws").mkdir(parents=True)
    (tmp_path / "home" / ".aws" / "credentials").write_text(SECRET)
    (tmp_path / "home" / "lib").mkdir()
    (tmp_path / "home" / "lib" / "outside.py").write_text("X = 1\n")
    name = "linked_" + uuid.uuid4().hex[:8]
    package = tmp_path / "proj" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(SERVICE)
    monkeypatch.syspath_prepend(str(tmp_path / "proj"))
    yield tmp_path / "proj", name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def files(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {n: archive.read(n) for n in archive.namelist() if not n.startswith("coworks/")}


def test_a_file_link_out_of_the_project_is_refused_naming_it(project: tuple[Path, str]) -> None:
    root, name = project
    link = root / name / "secrets.py"
    link.symlink_to(root.parent / "home" / ".aws" / "credentials")
    with pytest.raises(PackagingError) as caught:
        build_package(f"{name}.app:app")
    message = str(caught.value)
    assert str(link) in message and str(root.parent / "home" / ".aws" / "credentials") in message
    assert "outside the project" in message and message.count(". ") == 0 and message.endswith(".")


def test_a_directory_link_out_of_the_project_is_refused(project: tuple[Path, str]) -> None:
    root, name = project
    (root / name / "lib").symlink_to(root.parent / "home" / "lib", target_is_directory=True)
    with pytest.raises(PackagingError, match=r"lib is a symbolic link to .*home/lib, outside the project"):
        build_package(f"{name}.app:app")


def test_a_link_into_a_hidden_directory_of_the_project_is_refused(project: tuple[Path, str]) -> None:
    root, name = project
    (root / ".aws").mkdir()
    (root / ".aws" / "credentials").write_text(SECRET)
    (root / name / "creds.py").symlink_to(root / ".aws" / "credentials")
    with pytest.raises(PackagingError, match="into a hidden directory of the project"):
        build_package(f"{name}.app:app")


def test_a_broken_link_is_refused(project: tuple[Path, str]) -> None:
    root, name = project
    (root / name / "gone.py").symlink_to(root / "nowhere.py")
    with pytest.raises(PackagingError, match=r"gone.py is a broken or looping symbolic link: remove it"):
        build_package(f"{name}.app:app")


def test_links_inside_the_project_ship_as_copies_of_their_targets(project: tuple[Path, str]) -> None:
    root, name = project
    (root / "common").mkdir()
    (root / "common" / "shared.py").write_text("SHARED = 'yes'\n")
    (root / "common" / "tools.py").write_text("TOOLS = 1\n")
    (root / name / "shared.py").symlink_to(Path("..") / "common" / "shared.py")  # relative, as ln -s writes
    (root / name / "kit").symlink_to(root / "common", target_is_directory=True)
    shipped = files(build_package(f"{name}.app:app").data)
    assert shipped[f"{name}/shared.py"] == b"SHARED = 'yes'\n"
    assert shipped[f"{name}/kit/shared.py"] == b"SHARED = 'yes'\n" and shipped[f"{name}/kit/tools.py"] == b"TOOLS = 1\n"
    archive = zipfile.ZipFile(io.BytesIO(build_package(f"{name}.app:app").data))
    assert all((archive.getinfo(n).external_attr >> 16) & 0o170000 == 0o100000 for n in archive.namelist())


def test_link_loops_end(project: tuple[Path, str]) -> None:
    root, name = project
    (root / name / "sub").mkdir()
    (root / name / "sub" / "inner.py").write_text("I = 1\n")
    (root / name / "again").symlink_to(".", target_is_directory=True)
    (root / name / "sub" / "back").symlink_to("..", target_is_directory=True)
    (root / name / "self.py").symlink_to("self.py")  # a link to itself
    with pytest.raises(PackagingError, match="self.py is a broken or looping symbolic link"):
        build_package(f"{name}.app:app")
    (root / name / "self.py").unlink()
    shipped = files(build_package(f"{name}.app:app").data)
    modules = {n.removeprefix(name + "/") for n in shipped if n.endswith(".py")}
    assert modules == {"__init__.py", "app.py", "sub/inner.py"}


def test_a_single_module_and_its_siblings_are_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "proj").mkdir()
    helper = "helper_" + uuid.uuid4().hex[:8]
    (tmp_path / "elsewhere" / f"{helper}.py").write_text("VALUE = 2\n")
    (tmp_path / "proj" / f"{helper}.py").symlink_to(tmp_path / "elsewhere" / f"{helper}.py")
    module = "single_" + uuid.uuid4().hex[:8]
    (tmp_path / "proj" / f"{module}.py").write_text(f"from {helper} import VALUE\n" + SERVICE)
    monkeypatch.syspath_prepend(str(tmp_path / "proj"))
    try:
        with pytest.raises(PackagingError, match=rf"{helper}.py is a symbolic link to .*elsewhere.*outside the"):
            build_package(f"{module}:app")
        (tmp_path / "proj" / f"{helper}.py").unlink()
        (tmp_path / "proj" / f"{helper}.py").write_text("VALUE = 2\n")
        assert f"{helper}.py" in files(build_package(f"{module}:app").data)
    finally:
        sys.modules.pop(module, None), sys.modules.pop(helper, None)


def test_cws_package_refuses_with_the_sentence_and_writes_nothing(project: tuple[Path, str]) -> None:
    root, name = project
    (root / name / "secrets.py").symlink_to(root.parent / "home" / ".aws" / "credentials")
    out = root.parent / "service.zip"
    cws = Path(sys.executable).with_name("cws")
    done = subprocess.run([str(cws), "package", f"{name}.app:app", "-o", str(out)], cwd=root, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "secrets.py is a symbolic link to" in done.stderr + done.stdout
    assert not out.exists()
