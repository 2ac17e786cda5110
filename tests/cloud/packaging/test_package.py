"""Packaging: from a notebook cell, an object or 'module:app' to a deterministic Lambda zip."""

from __future__ import annotations

import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from coworks.cloud import PackagingError, build_package
from coworks.cloud.errors import ConfigurationError
from tests.support import SAMPLE, cell


def names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def read(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def test_notebook_cell_is_rebuilt_as_a_module_that_serves() -> None:
    app = cell('''
import json
from coworks import TechMicroService, entry

PREFIX = "item"

def wrap(value):
    return {PREFIX: value}

class Shop(TechMicroService):
    """A shop."""

    @entry
    def get(self):
        return wrap(json.dumps([1]))
''', "shop")
    package = build_package(app)
    assert package.handler == "shop.app"
    source = read(package.data, "shop.py")
    assert "class Shop(TechMicroService)" in source and "def wrap" in source and "PREFIX = 'item'" in source
    assert "from coworks import TechMicroService" in source and "import json" in source
    namespace: dict[str, object] = {"__name__": "shop"}
    exec(compile(source, "shop.py", "exec"), namespace)
    response = namespace["app"].test_client().get("/")  # type: ignore[attr-defined]
    assert response.status_code == 200 and response.json() == {"item": "[1]"}


def test_only_what_the_class_uses_is_imported() -> None:
    app = cell("import decimal\nimport json\n" + SAMPLE, "inventory")
    source = read(build_package(app).data, "inventory.py")
    assert "import decimal" not in source and "import json" not in source


def test_same_inputs_give_the_same_bytes_and_a_change_gives_another_hash() -> None:
    first, second = build_package(cell(SAMPLE, "inventory")), build_package(cell(SAMPLE, "inventory"))
    assert first.data == second.data and first.sha256 == second.sha256
    changed = build_package(cell(SAMPLE.replace('"ready"', '"steady"'), "inventory"))
    assert changed.sha256 != first.sha256
    infos = zipfile.ZipFile(io.BytesIO(first.data)).infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_the_zip_holds_the_runtime_only_and_stays_small() -> None:
    package = build_package(cell(SAMPLE, "inventory"))
    files = names(package.data)
    assert "coworks/__init__.py" in files and "coworks/runtime/service.py" in files
    root = ("coworks/__init__.py", f"coworks/__pycache__/__init__.{sys.implementation.cache_tag}.pyc")
    assert all(f in root or f.startswith("coworks/runtime/") for f in files if f.startswith("coworks"))
    assert all(f.endswith(".pyc") for f in files if "__pycache__" in f)  # see test_bytecode.py
    assert package.size < 300 * 1024  # bytecode included: it costs nothing on Lambda, compiling would
    assert "KB zipped" in str(package)


def test_module_attribute_string(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stock_app.py").write_text(SAMPLE + "\napp = Inventory()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        package = build_package("stock_app:app")
    finally:
        sys.modules.pop("stock_app", None)
    assert package.handler == "stock_app.app" and package.name == "inventory"
    assert read(package.data, "stock_app.py").startswith("\nfrom coworks import")
    assert package.root == tmp_path


def test_a_module_ships_the_sibling_modules_it_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rates.py").write_text("RATE = 2\n")
    (tmp_path / "helpers.py").write_text("import json\nfrom rates import RATE\n\ndef double(x):\n    return x * RATE\n")
    (tmp_path / "priced_app.py").write_text(SAMPLE + "\nfrom helpers import double\n\napp = Inventory()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        package = build_package("priced_app:app")
    finally:
        for name in ("rates", "helpers", "priced_app"):
            sys.modules.pop(name, None)
    files = names(package.data)
    assert {"priced_app.py", "helpers.py", "rates.py"} <= set(files)
    assert not any(f.startswith(("json", "pytest", "_pytest")) for f in files)


def test_a_package_named_alone_ships_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stockpkg").mkdir()
    (tmp_path / "stockpkg" / "rates.py").write_text("RATE = 2\n")
    (tmp_path / "stockpkg" / "__init__.py").write_text(SAMPLE + "\nfrom .rates import RATE\n\napp = Inventory()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        package = build_package("stockpkg:app")  # was shipped as stockpkg.py, whose relative import fails
    finally:
        sys.modules.pop("stockpkg", None), sys.modules.pop("stockpkg.rates", None)
    assert package.handler == "stockpkg.app"
    assert {"stockpkg/__init__.py", "stockpkg/rates.py"} <= set(names(package.data))
    assert "stockpkg.py" not in names(package.data)


def test_bad_targets_are_refused_in_one_sentence() -> None:
    with pytest.raises(PackagingError, match="Cannot import 'no_such_module'"):
        build_package("no_such_module:app")
    with pytest.raises(PackagingError, match="pass a TechMicroService"):
        build_package(42)


def test_an_unpackable_notebook_object_is_named() -> None:
    app = cell('''
import threading
from coworks import TechMicroService, entry

LOCK = threading.Lock()

class Locked(TechMicroService):
    @entry
    def get(self):
        with LOCK:
            return "ok"
''', "locked")
    with pytest.raises(PackagingError, match="uses 'LOCK'"):
        build_package(app)


def test_declarations_are_checked() -> None:
    wild = cell(SAMPLE.replace('"""Stock of items."""', 'permissions = [("s3:*", "arn:aws:s3:::b/*")]'), "wild")
    with pytest.raises(ConfigurationError, match="never a wildcard"):
        build_package(wild)
    big = cell(SAMPLE.replace('"""Stock of items."""', "memory = 64"), "big")
    with pytest.raises(ConfigurationError, match="memory"):
        build_package(big)


def test_over_lambda_limits_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from coworks.cloud.packaging import package as packaging

    monkeypatch.setattr(packaging, "ZIPPED_LIMIT", 1000)
    with pytest.raises(PackagingError, match="through S3"):
        build_package(cell(SAMPLE, "inventory"))
    monkeypatch.setattr(packaging, "UNZIPPED_LIMIT", 1000)
    with pytest.raises(PackagingError, match="250 MB"):
        build_package(cell(SAMPLE, "inventory"))


# -- requirements, from a local index: no network ----------------------------------------------


def make_wheel(folder: Path, name: str, version: str = "1.0") -> Path:
    """A minimal pure-Python wheel, the way a build backend would write it."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {name!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files[f"{dist}/RECORD"] = "".join(f"{f},,\n" for f in files) + f"{dist}/RECORD,,\n"
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for file, text in files.items():
            archive.writestr(file, text)
    return path


def make_sdist(folder: Path, name: str, version: str = "1.0") -> Path:
    path = folder / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = f"from setuptools import setup, Extension\nsetup(name={name!r}, version={version!r})\n".encode()
        info = tarfile.TarInfo(f"{name}-{version}/setup.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def with_requirements(requirement: str, name: str) -> object:
    return cell(SAMPLE.replace('"""Stock of items."""', f"requirements = ({requirement!r},)"), name)


def test_requirements_are_installed_for_lambda(tmp_path: Path) -> None:
    make_wheel(tmp_path, "tinydep")
    options = ("--no-index", "--find-links", str(tmp_path))
    app = with_requirements("tinydep==1.0", "withdeps")
    first = build_package(app, pip_options=options, cache_dir=tmp_path / "cache")
    files = names(first.data)
    assert "tinydep/__init__.py" in files and "tinydep-1.0.dist-info/METADATA" in files
    assert f"tinydep/__pycache__/__init__.{sys.implementation.cache_tag}.pyc" in files  # compiled by Coworks
    again = build_package(app, pip_options=options, cache_dir=tmp_path / "cache2")  # a fresh pip run
    assert again.data == first.data


def test_a_requirement_without_wheel_is_named(tmp_path: Path) -> None:
    make_sdist(tmp_path, "nativeonly")
    app = with_requirements("nativeonly==1.0", "native")
    with pytest.raises(PackagingError, match="nativeonly has no wheel for Lambda") as caught:
        build_package(app, pip_options=("--no-index", "--find-links", str(tmp_path)), cache_dir=tmp_path / "c")
    assert caught.value.package == "nativeonly"


def test_arm64_asks_pip_for_aarch64_wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coworks.cloud.packaging import requirements

    seen: list[list[str]] = []

    def pip(args: list[str], cache: Path) -> None:
        seen.append(args)
        cache.mkdir(parents=True)

    monkeypatch.setattr(requirements, "_pip", pip)
    requirements.install(("x",), architecture="arm64", python_version="3.12", cache_dir=tmp_path)
    assert "manylinux2014_aarch64" in seen[0] and "3.12" in seen[0] and "--only-binary=:all:" in seen[0]


def test_a_class_missing_from_linecache_is_found_in_the_ipython_history(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    code = SAMPLE + "\napp = Inventory('history')\n"
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(code, "<not-registered-cell>", "exec"), namespace)
    with pytest.raises(PackagingError, match="Cannot find the source of Inventory"):
        build_package(namespace["app"])

    class Shell:
        user_ns = {"In": ["", "x = 1", code, "print(x)"]}

    monkeypatch.setattr(builtins, "get_ipython", lambda: Shell(), raising=False)
    package = build_package(namespace["app"])
    assert "class Inventory(TechMicroService):" in read(package.data, "history.py")


def test_a_notebook_ships_the_project_modules_it_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pricing.py").write_text("def price(qty):\n    return qty * 2\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        app = cell('''
from pricing import price
from coworks import TechMicroService, entry

class Priced(TechMicroService):
    @entry
    def get(self, qty: int):
        return price(qty)
''', "priced")
        package = build_package(app)
    finally:
        sys.modules.pop("pricing", None)
    assert read(package.data, "pricing.py").startswith("def price")
    assert "from pricing import price" in read(package.data, "priced.py")
    assert "tinydep/__init__.py" not in names(package.data)


def test_the_zip_alone_answers_like_lambda_would_run_it(tmp_path: Path) -> None:
    """Unzipped and run with no site-packages (-S) and nothing else on the path: the handler
    imports, and answers a direct invocation from the runtime shipped inside."""
    import subprocess

    package = build_package(cell(SAMPLE, "inventory"))
    zipfile.ZipFile(io.BytesIO(package.data)).extractall(tmp_path / "task")
    module, attribute = package.handler.rsplit(".", 1)
    probe = (
        "import sys, json; sys.path[:0] = [sys.argv[1]]; import importlib; "
        f"handler = getattr(importlib.import_module({module!r}), {attribute!r}); "
        "print(json.dumps(handler({'method': 'GET', 'path': '/item/7'}, None))); "
        "print(sorted(m for m in sys.modules if m.startswith('coworks.') and not m.startswith('coworks.runtime')))"
    )
    done = subprocess.run([sys.executable, "-S", "-c", probe, str(tmp_path / "task")],
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    answer, others = done.stdout.splitlines()
    assert json.loads(answer) == {"id": 7} and others == "[]"


def test_a_mounted_blueprint_brings_its_requirements_and_permissions() -> None:
    from coworks import Blueprint, TechMicroService, entry
    from coworks.cloud.packaging.declarations import read

    class Mailer(Blueprint):
        requirements = ("jinja2>=3.1,<4",)
        permissions = [("ses:SendEmail", "arn:aws:ses:eu-west-1:123456789012:identity/shop.example")]

        @entry
        def post_send(self, *, to: str) -> str:
            return to

    class Shop(TechMicroService):
        requirements = ("requests>=2.31", "jinja2>=3.1,<4")

        @entry
        def get(self) -> str:
            return "ok"

    shop = Shop("shop")
    shop.register_blueprint(Mailer(), "/mail")
    declared = read(shop)
    assert declared.requirements == ("requests>=2.31", "jinja2>=3.1,<4")  # once, in the order declared
    ses = "arn:aws:ses:eu-west-1:123456789012:identity/shop.example"
    assert declared.permissions == ((("ses:SendEmail",), (ses,)),)


def test_coworks_extensions_ship_with_the_service_that_imports_them() -> None:
    from coworks.cloud.packaging.modules import coworks_extensions

    assert {"coworks_mail", "coworks_jinja", "coworks_odoo", "coworks_ext"} <= coworks_extensions()
    assert "coworks" not in coworks_extensions()
    app = cell("from coworks_mail import MailBlueprint\n" + SAMPLE + '''
    def __init__(self, name):
        super().__init__(name)
        self.register_blueprint(MailBlueprint(), "/mail")
''', "inventory")
    files = names(build_package(app).data)
    assert {"coworks_mail/__init__.py", "coworks_jinja/__init__.py", "coworks_ext/__init__.py"} <= set(files)
