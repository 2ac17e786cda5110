"""A local worker sees what Lambda gives a function and nothing of this machine: the zip, its
layers, the runtime's SDK at its pin and the standard library of the runtime's Python; the code
folder is read-only, /tmp writable, and the configured memory is a limit.

Each test here fails with a worker that runs on the deploying interpreter's site-packages.
"""

from __future__ import annotations

import json
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coworks.cloud.local.workers import FunctionSpec, InvocationResult, WorkerPool, lambda_log_lines
from coworks.cloud.packaging import runtimes
from coworks.cloud.packaging.runtimes import SDK

PROBES = '''
import json, os, sys


def path(event, context):
    return {"path": sys.path, "flags": [sys.flags.isolated, sys.flags.no_site], "version": list(sys.version_info[:2]),
            "leak": os.environ.get("LEAKY"), "cwd": os.getcwd()}


def sdk(event, context):
    import boto3, botocore
    return {"boto3": boto3.__version__, "botocore": botocore.__version__, "file": boto3.__file__}


def write(event, context):
    try:
        with open(event["path"], "w") as out:
            out.write("x")
    except OSError as exc:
        return {"errno": exc.errno, "text": str(exc)}
    return {"written": open(event["path"]).read()}


def hog(event, context):
    block = bytearray(event["mb"] * 1024 * 1024)
    for i in range(0, len(block), 4096):
        block[i] = 1  # touched: resident, not only reserved
    if event.get("hold"):
        import time
        while context.get_remaining_time_in_millis() > 100:
            time.sleep(0.01)
    return len(block)


def layered(event, context):
    import shared, only_layer
    return [shared.WHERE, only_layer.WHERE]
'''


def make_zip(path: Path, files: dict[str, str]) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path.read_bytes()


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[WorkerPool]:
    with WorkerPool(tmp_path / "cache") as workers:
        yield workers


@pytest.fixture
def code(tmp_path: Path) -> bytes:
    return make_zip(tmp_path / "app.zip", {"app.py": PROBES})


def run(pool: WorkerPool, code: bytes, handler: str, event: object = None, **kwargs: object) -> InvocationResult:
    function = FunctionSpec(name="fn", handler=f"app.{handler}", code=code, timeout=30, **kwargs)  # type: ignore[arg-type]
    return pool.invoke(function, json.dumps(event or {}).encode())


def body(result: InvocationResult) -> object:
    return json.loads(result.payload)


def test_an_import_the_zip_does_not_satisfy_fails_as_on_lambda(pool: WorkerPool, tmp_path: Path) -> None:
    import pydantic  # noqa: F401 - installed here, on purpose: the worker must not see it

    code = make_zip(tmp_path / "svc.zip", {"app.py": "import pydantic\n\ndef handler(event, context):\n    return 1\n"})
    result = pool.invoke(FunctionSpec(name="fn", handler="app.handler", code=code), b"{}", request_id="r-1")
    assert result.status == "init_error" and result.function_error == "Unhandled"
    assert body(result) == {"errorMessage": "Unable to import module 'app': No module named 'pydantic'",
                            "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    assert result.init_log_lines[-1] == ("[ERROR] Runtime.ImportModuleError: Unable to import module 'app': "
                                         "No module named 'pydantic'\rTraceback (most recent call last):")
    assert lambda_log_lines("r-1", "$LATEST", result)[-1].endswith(
        "Status: error\tError Type: Runtime.ImportModuleError")


def test_the_search_path_is_lambdas_and_nothing_of_this_machine(
        pool: WorkerPool, code: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKY", "from the deploying shell")
    monkeypatch.setenv("PYTHONPATH", str(Path(sys.prefix) / "lib"))
    answer = body(run(pool, code, "path"))
    assert isinstance(answer, dict)
    path = answer["path"]
    assert path[0] == answer["cwd"] and Path(path[0], "app.py").is_file()  # the zip first, as /var/task
    assert not [p for p in path if "site-packages" in p and "lambda-libraries" not in p], path
    assert sys.prefix not in "".join(path) or sys.prefix == sys.base_prefix
    assert answer["flags"] == [1, 1] and answer["leak"] is None


def test_the_runtimes_sdk_is_the_pinned_one_not_this_machines(pool: WorkerPool, code: bytes) -> None:
    import boto3

    answer = body(run(pool, code, "sdk", runtime="python3.12"))
    assert isinstance(answer, dict)
    assert (answer["boto3"], answer["botocore"]) == SDK["python3.12"]
    assert answer["boto3"] != boto3.__version__ or Path(answer["file"]).parent != Path(boto3.__file__).parent
    assert str(runtimes.libraries_root()) in answer["file"]


def test_a_zip_that_ships_its_own_boto3_wins_over_the_runtimes(pool: WorkerPool, tmp_path: Path) -> None:
    code = make_zip(tmp_path / "own.zip", {"app.py": PROBES, "boto3/__init__.py": "__version__ = 'mine'\n",
                                          "botocore/__init__.py": "__version__ = 'mine too'\n"})
    assert body(run(pool, code, "sdk")) == {"boto3": "mine", "botocore": "mine too",
                                            "file": str(pool.cache_dir.resolve() / _unpacked(pool) / "boto3" /
                                                        "__init__.py")}


def _unpacked(pool: WorkerPool) -> str:
    return next(p.name for p in pool.cache_dir.iterdir() if not p.name.startswith("."))


def test_layers_come_after_the_zip_and_a_later_layer_overrides_an_earlier(pool: WorkerPool, tmp_path: Path) -> None:
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    first, second = tmp_path / "layer1", tmp_path / "layer2"
    (first / "python").mkdir(parents=True)
    (first / "python" / "shared.py").write_text("WHERE = 'first layer'\n")
    (first / "python" / "only_layer.py").write_text("WHERE = 'python/ of the first layer'\n")
    site = second / "python" / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (site / "shared.py").write_text("WHERE = 'second layer'\n")
    code = make_zip(tmp_path / "l.zip", {"app.py": PROBES})
    layers = (str(first), str(second))
    assert body(run(pool, code, "layered", layers=layers)) == ["second layer", "python/ of the first layer"]
    code = make_zip(tmp_path / "l2.zip", {"app.py": PROBES, "shared.py": "WHERE = 'zip'\n"})
    assert body(run(pool, code, "layered", layers=layers)) == ["zip", "python/ of the first layer"]


def test_the_interpreter_matches_the_declared_runtime(pool: WorkerPool, code: bytes) -> None:
    for runtime in SDK:
        wanted = runtimes.python_of(runtime)
        if runtimes._find(wanted) is None:
            continue  # no such interpreter here: the next test covers what happens then
        answer = body(run(pool, code, "path", runtime=runtime))
        assert isinstance(answer, dict) and tuple(answer["version"]) == wanted
    assert runtimes._find(sys.version_info[:2]) is not None  # at least this interpreter's own runtime ran


def test_a_runtime_without_its_interpreter_says_so_once_and_runs(pool: WorkerPool, code: bytes) -> None:
    runtimes._warned.discard("python3.99")
    with pytest.warns(runtimes.RuntimeMismatchWarning, match=r"No Python 3\.99 here for the python3\.99 runtime"):
        first = run(pool, code, "path", runtime="python3.99")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = run(pool, code, "path", runtime="python3.99", memory=256)  # a new worker, no second warning
    assert first.status == second.status == "success"
    assert body(first)["version"] == list(sys.version_info[:2])  # type: ignore[index]


def test_the_code_folder_is_read_only_and_tmp_is_writable(pool: WorkerPool, code: bytes, tmp_path: Path) -> None:
    task_root = body(run(pool, code, "path"))["cwd"]  # type: ignore[index]
    refused = body(run(pool, code, "write", {"path": str(Path(task_root) / "out.txt")}))
    assert refused == {"errno": 30, "text": f"[Errno 30] Read-only file system: '{Path(task_root) / 'out.txt'}'"}
    relative = body(run(pool, code, "write", {"path": "out.txt"}))  # the working directory is the code folder
    assert isinstance(relative, dict) and relative["errno"] == 30
    elsewhere = body(run(pool, code, "write", {"path": str(Path.home() / ".coworks-worker-probe")}))
    assert isinstance(elsewhere, dict) and elsewhere["errno"] == 30
    assert body(run(pool, code, "write", {"path": str(tmp_path / "scratch.txt")})) == {"written": "x"}


def test_memory_over_the_configured_size_is_runtime_out_of_memory(pool: WorkerPool, code: bytes) -> None:
    small = run(pool, code, "hog", {"mb": 200, "hold": True}, memory=128)
    assert small.status == "crash" and small.function_error == "Unhandled"
    error = body(small)
    assert isinstance(error, dict) and error["errorType"] == "Runtime.OutOfMemory"
    assert error["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
    report = lambda_log_lines(small.request_id, "$LATEST", small)[-1]
    assert "Max Memory Used: 128 MB" in report and report.endswith("Error Type: Runtime.OutOfMemory")
    spike = run(pool, code, "hog", {"mb": 200}, memory=128)  # gone before a look: the peak tells
    assert body(spike)["errorType"] == "Runtime.OutOfMemory"  # type: ignore[index]
    assert body(run(pool, code, "hog", {"mb": 200}, memory=512)) == 200 * 1024 * 1024


UNDECLARED = '''
import yaml
from coworks import TechMicroService, entry


class Parser(TechMicroService):
    """Reads YAML, without declaring it."""

    @entry
    def get(self):
        return yaml.safe_dump({"ok": True})


app = Parser("undeclared")
'''


@pytest.mark.localcloud
def test_an_undeclared_import_warns_in_the_plan_then_fails_deployed_as_on_lambda(cloud: object, tmp_path: Path) -> None:
    import requests
    import yaml  # noqa: F401 - installed here, as on the machine of a user who forgot to declare it

    from tests.support import write_module

    deployment = cloud.deploy(write_module(tmp_path, UNDECLARED), stage="dev")  # type: ignore[attr-defined]
    plan = deployment.plan()
    assert len(plan.warnings) == 1 and " imports yaml, which neither the package nor the python3.11 runtime " \
        "provides" in plan.warnings[0]
    deployment.apply()
    answer = requests.get(deployment.url + "/", timeout=60)
    assert answer.status_code == 500 and answer.json() == {"message": "Internal Server Error"}
    lines = [record.message for record in cloud.logs("undeclared", since="10m")]  # type: ignore[attr-defined]
    assert "[ERROR] Runtime.ImportModuleError: Unable to import module" in "\n".join(lines)
    assert any(line.startswith("[ERROR] Runtime.ImportModuleError: Unable to import module '")
               and line.endswith("': No module named 'yaml'\rTraceback (most recent call last):") for line in lines)


def test_a_handler_given_as_a_path_imports_the_module_inside_its_package(pool: WorkerPool, tmp_path: Path) -> None:
    code = make_zip(tmp_path / "pkg.zip", {"src/api/__init__.py": "", "src/__init__.py": "",
                                          "src/api/app.py": "def handler(event, context):\n    return __name__\n"})
    result = pool.invoke(FunctionSpec(name="fn", handler="src/api/app.handler", code=code), b"{}")
    assert body(result) == "src.api.app"
    builtin = pool.invoke(FunctionSpec(name="fn", handler="sys.handler", code=code), b"{}")
    assert body(builtin)["errorType"] == "Runtime.BuiltInModuleConflict"  # type: ignore[index]
    broken = make_zip(tmp_path / "bad.zip", {"app.py": "def handler(:\n"})
    syntax = body(pool.invoke(FunctionSpec(name="fn", handler="app.handler", code=broken), b"{}"))
    assert isinstance(syntax, dict) and syntax["errorType"] == "Runtime.UserCodeSyntaxError"
    assert syntax["errorMessage"].startswith("Syntax error in module 'app':")
