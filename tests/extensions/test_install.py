"""The extensions ship in the coworks distribution as top-level packages (``import coworks_mail``),
found in extensions/ by setuptools: in the wheel that ``pip install coworks`` installs, and in the
editable install developers use."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import coworks_ext
import coworks_jinja
import coworks_mail
import coworks_odoo

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("coworks_ext", "coworks_jinja", "coworks_mail", "coworks_odoo")


def test_the_editable_install_imports_them_from_extensions() -> None:
    for module in (coworks_ext, coworks_jinja, coworks_mail, coworks_odoo):
        assert module.__file__ is not None, f"{module.__name__} is a namespace package: its __init__.py is missing"
        assert Path(module.__file__).parent.parent.name == "extensions"


def test_the_wheel_holds_every_extension_and_nothing_of_the_tests(tmp_path: Path) -> None:
    # built from a copy: setuptools writes build/ and *.egg-info into the tree it builds, which two
    # concurrent runs (or a developer's own build) would otherwise share
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("coworks", "extensions"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
                           str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("coworks-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for package in PACKAGES:
        sources = sorted(p.name for p in (ROOT / "extensions" / package).glob("*.py"))
        assert sorted(n.split("/", 1)[1] for n in names if n.startswith(package + "/")) == sources, package
    assert not any(n.startswith(("tests/", "extensions/")) for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    for extra in ("mail", "jinja", "odoo"):
        assert f"Provides-Extra: {extra}" in text
    assert 'Requires-Dist: jinja2<4,>=3.1; extra == "mail"' in text


def test_a_service_from_an_installed_wheel_ships_the_extensions_it_imports(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "site-packages"  # where pip would have put them
    for package in PACKAGES:
        shutil.copytree(ROOT / "extensions" / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from coworks.cloud import build_package\n"
        "from coworks_mail import MailService\n"
        "assert 'site-packages' in sys.modules['coworks_mail'].__file__\n"
        "print(sorted({f.split('/')[0] for f in build_package(MailService('mail')).files}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COWORKS_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr[-2000:]
    shipped = done.stdout
    for package in ("coworks_mail", "coworks_jinja", "coworks_ext", "jinja2"):
        assert f"'{package}'" in shipped, shipped
