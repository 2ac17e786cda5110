"""The static import scan: what a package's own modules import that neither its zip nor the Lambda
runtime provides, and the plan's warning about it before anything is deployed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coworks.cloud.packaging.imports import MissingImport, own_modules, provided_modules, scan, warnings_for
from coworks.cloud.packaging.package import build_package
from coworks.cloud.packaging.runtimes import RUNTIME_MODULES, standard_library
from tests.support import write_module

UNDECLARED = '''
import json
import yaml
from pydantic import BaseModel
import boto3
from coworks import TechMicroService, entry

try:
    import ujson
except ImportError:
    ujson = None

TYPE_CHECKING = False
if TYPE_CHECKING:
    import mypy_boto3_s3


class Parser(TechMicroService):
    @entry
    def get(self):
        import requests
        return "ok"


app = Parser("parser")
'''


def test_the_scan_names_each_import_nothing_provides_with_its_line() -> None:
    found = scan({"app.py": UNDECLARED.encode()}, provided_modules(["app.py", "coworks/__init__.py"]))
    assert [(m.module, m.line) for m in found] == [("yaml", 3), ("pydantic", 4), ("requests", 21)]
    assert str(found[0]) == "app.py:3 imports yaml"


def test_the_zip_its_requirements_the_runtime_and_the_standard_library_satisfy_imports() -> None:
    files = ["app.py", "yaml/__init__.py", "pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so",
             "pydantic/main.py", "requests/api.py", "pyyaml-6.0.dist-info/RECORD", "_cffi.abi3.so",
             "coworks/__init__.py"]
    assert provided_modules(files) >= {"app", "yaml", "pydantic", "pydantic_core", "requests", "_cffi"}
    assert "pyyaml-6" not in provided_modules(files)
    assert scan({"app.py": UNDECLARED.encode()}, provided_modules(files)) == []
    assert {"boto3", "botocore", "urllib3"} <= RUNTIME_MODULES


def test_the_standard_library_is_the_runtimes_python() -> None:
    code = {"app.py": b"import imp\nimport telnetlib\nimport json\n"}
    assert scan(code, [], "python3.11") == []
    assert [m.module for m in scan(code, [], "python3.12")] == ["imp"]
    assert [m.module for m in scan(code, [], "python3.13")] == ["imp", "telnetlib"]
    assert "distutils" in standard_library((3, 11)) and "distutils" not in standard_library((3, 12))


def test_requirements_installed_in_the_zip_are_not_scanned() -> None:
    files = {"app.py": b"import yaml\n", "yaml/__init__.py": b"import _yaml_optional_speedup\n",
             "PyYAML-6.0.dist-info/RECORD": b"yaml/__init__.py,sha256=x,10\nPyYAML-6.0.dist-info/RECORD,,\n",
             "coworks/runtime/service.py": b"import nothing_of_yours\n"}
    assert set(own_modules(files)) == {"app.py"}


@given(st.from_regex(r"[a-z][a-z0-9_]{2,12}", fullmatch=True))
def test_a_module_the_zip_ships_is_never_reported(name: str) -> None:
    code = {"app.py": f"import {name}\nfrom {name}.sub import thing\n".encode()}
    assert scan(code, provided_modules(["app.py", f"{name}/__init__.py"])) == []
    assert scan(code, provided_modules(["app.py", f"{name}.py"])) == []


def test_syntax_errors_and_relative_imports_are_not_reported() -> None:
    assert scan({"bad.py": b"def (:\n", "pkg/mod.py": b"from . import sibling\nfrom .x import y\n"}, []) == []


def test_a_built_package_warns_about_its_undeclared_imports(tmp_path: Path) -> None:
    package = build_package(write_module(tmp_path, UNDECLARED))
    warnings = warnings_for(package)
    module = package.handler.split(".")[0]
    assert warnings == tuple(
        f"{module}.py:{line} imports {name}, which neither the package nor the python3.11 runtime provides: add it "
        "to the service's requirements, or the import fails on Lambda with Runtime.ImportModuleError."
        for name, line in (("pydantic", 4), ("requests", 21), ("yaml", 3)))


def test_a_package_that_declares_what_it_imports_has_no_warning(tmp_path: Path) -> None:
    source = "import json\nfrom coworks import TechMicroService\n\nclass Plain(TechMicroService):\n    pass\n\n" \
             "app = Plain('plain')\n"
    assert warnings_for(build_package(write_module(tmp_path, source))) == ()


def test_the_plan_carries_the_warning_in_text_and_html(aws: Any, tmp_path: Path) -> None:
    plan = aws.deploy(write_module(tmp_path, UNDECLARED), stage="dev").plan()
    assert len(plan.warnings) == 3 and all("Runtime.ImportModuleError" in w for w in plan.warnings)
    text = str(plan)
    assert text.count("! warning: ") == 3 and "imports yaml" in text
    assert "imports pydantic" in plan._repr_html_()


def test_missing_import_is_plain_data() -> None:
    assert MissingImport("yaml", "app.py", 3) == MissingImport("yaml", "app.py", 3)
    with pytest.raises(AttributeError):
        MissingImport("yaml", "app.py", 3).module = "x"  # type: ignore[misc]
