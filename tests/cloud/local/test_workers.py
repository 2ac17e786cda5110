"""Local Lambda workers run the deployed zip like Lambda: warm reuse, isolation, timeouts, errors, logs."""

from __future__ import annotations

import json
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coworks.cloud.local.workers import (
    MAX_PAYLOAD,
    FunctionSpec,
    InvalidRequestContentError,
    InvocationResult,
    RequestTooLargeError,
    WorkerError,
    WorkerPool,
    lambda_log_lines,
    stream_name,
)
from coworks.runtime.testing.builders import http_event
from tests.support import ROOT as REPO

HANDLERS = '''
import json, logging, os, sys, time

print("init print")


def ok(event, context):
    return {"echo": event, "pid": os.getpid()}


def talk(event, context):
    print("hello")
    print("two\\nlines")
    logging.getLogger("app").warning("careful %s", 1)
    sys.stderr.write("to stderr\\n")
    return "done"


def boom(event, context):
    print("about to fail")
    raise ValueError("bad value")


def slow(event, context):
    print("before sleep")
    if "mark" in event:
        open(event["mark"], "w").close()
    time.sleep(event.get("seconds", 30))
    return "late"


def environment(event, context):
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
             "AWS_REGION", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT",
             "_HANDLER", "GREETING"]
    return {
        "env": {name: os.environ.get(name) for name in names},
        "cwd": os.getcwd(),
        "context": {
            "aws_request_id": context.aws_request_id,
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
    }


def rendezvous(event, context):
    # Stays inside the handler until `n` invocations have entered: proves they run at the same time.
    folder = event["dir"]
    open(os.path.join(folder, context.aws_request_id), "w").close()
    while len(os.listdir(folder)) < event["n"] and context.get_remaining_time_in_millis() > 1000:
        time.sleep(0.01)
    return {"pid": os.getpid(), "met": len(os.listdir(folder)) >= event["n"]}


def crash(event, context):
    os._exit(3)


def unmarshallable(event, context):
    return {"when": object()}


def big(event, context):
    return "y" * event["n"]


def dispatch(event, context):
    return globals()[event.pop("do")](event, context)
'''


def make_zip(path: Path, files: dict[str, str]) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path.read_bytes()


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[WorkerPool]:
    with WorkerPool(tmp_path / "cache", max_workers_per_function=4) as workers:
        yield workers


@pytest.fixture
def code(tmp_path: Path) -> bytes:
    return make_zip(tmp_path / "app.zip", {"app.py": HANDLERS})


def spec(code: bytes | Path, handler: str, **kwargs: object) -> FunctionSpec:
    return FunctionSpec(name="fn", handler=f"app.{handler}", code=code, timeout=30, **kwargs)  # type: ignore[arg-type]


def payload(result: InvocationResult) -> object:
    return json.loads(result.payload)


def test_cold_then_warm_on_the_same_worker(pool: WorkerPool, code: bytes) -> None:
    first = pool.invoke(spec(code, "ok"), b'{"a": 1}')
    second = pool.invoke(spec(code, "ok"), b'{"a": 2}')
    assert payload(first) == {"echo": {"a": 1}, "pid": first.worker_pid}
    assert first.function_error is None and first.status == "success"
    assert first.cold_start and first.init_duration_ms is not None and first.init_log_lines == ["init print"]
    assert not second.cold_start and second.init_duration_ms is None and second.init_log_lines == []
    assert second.worker_pid == first.worker_pid
    assert first.billed_duration_ms >= 1 and first.billed_duration_ms >= first.duration_ms
    assert first.max_memory_used_mb > 0 and first.memory_size_mb == 128
    assert pool.live_workers() == {("fn", "$LATEST"): 1}


def test_zip_is_unpacked_once_per_code_hash(pool: WorkerPool, code: bytes, tmp_path: Path) -> None:
    path = tmp_path / "app.zip"
    pool.invoke(spec(path, "ok"), b"{}")
    pool.invoke(spec(code, "ok", version="2"), b"{}")
    unpacked = [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]
    assert len(unpacked) == 1 and (unpacked[0] / "app.py").is_file()
    assert pool.code_sha256(spec(path, "ok")) == pool.code_sha256(spec(code, "ok"))


def test_empty_payload_is_an_empty_object(pool: WorkerPool, code: bytes) -> None:
    assert payload(pool.invoke(spec(code, "ok"))) == {"echo": {}, "pid": pool.invoke(spec(code, "ok")).worker_pid}


def test_prints_logging_and_stderr_are_captured_per_invocation(pool: WorkerPool, code: bytes) -> None:
    result = pool.invoke(spec(code, "dispatch"), b'{"do": "talk"}', request_id="req-1")
    assert payload(result) == "done"
    lines = result.log_lines
    assert lines[:3] == ["hello", "two", "lines"]
    assert re.fullmatch(r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\treq-1\tcareful 1", lines[3])
    assert lines[4:] == ["to stderr"]
    again = pool.invoke(spec(code, "dispatch"), b'{"do": "ok"}')
    assert again.worker_pid == result.worker_pid
    assert again.log_lines == []  # nothing of the previous invocation leaks into the next


def test_lambda_environment_and_context(pool: WorkerPool, code: bytes) -> None:
    function = spec(code, "environment", version="7", memory=256, environment={"GREETING": "hi"})
    result = pool.invoke(function, b"{}", qualifier="dev", request_id="rid-42")
    body = payload(result)
    assert isinstance(body, dict)
    env, context = body["env"], body["context"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn" and env["AWS_LAMBDA_FUNCTION_VERSION"] == "7"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["AWS_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn" == result.log_group
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == result.log_stream and "/[7]" in result.log_stream
    assert env["_HANDLER"] == "app.environment" and env["GREETING"] == "hi"
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"] and Path(body["cwd"], "app.py").is_file()
    assert context["aws_request_id"] == "rid-42" == result.request_id
    assert context["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn:dev"
    assert context["function_name"] == "fn" and context["function_version"] == "7"
    assert context["memory_limit_in_mb"] == "256"  # a string, as in Lambda's Python runtime
    assert context["log_group_name"] == "/aws/lambda/fn" and context["log_stream_name"] == result.log_stream
    assert 0 < context["remaining"] <= 30_000
    assert result.executed_version == "7"


def test_handler_exception_gives_lambdas_error_payload_and_the_worker_stays_warm(pool: WorkerPool, code: bytes) -> None:
    failed = pool.invoke(spec(code, "dispatch"), b'{"do": "boom"}')
    error = payload(failed)
    assert failed.function_error == "Unhandled" and failed.status == "error"
    assert isinstance(error, dict) and set(error) >= {"errorMessage", "errorType", "stackTrace"}
    assert error["errorMessage"] == "bad value" and error["errorType"] == "ValueError"
    assert any("app.py" in frame and "boom" in frame for frame in error["stackTrace"])
    assert failed.log_lines[0] == "about to fail"
    assert failed.log_lines[1].startswith("[ERROR] ValueError: bad value\rTraceback (most recent call last):")
    after = pool.invoke(spec(code, "dispatch"), b'{"do": "ok"}')
    assert after.worker_pid == failed.worker_pid and not after.cold_start


def test_timeout_kills_the_worker_and_reports_lambdas_message(pool: WorkerPool, code: bytes) -> None:
    function = FunctionSpec(name="fn", handler="app.slow", code=code, timeout=1)
    result = pool.invoke(function, b'{"seconds": 30}', request_id="r-timeout")
    error = payload(result)
    assert result.status == "timeout" and result.function_error == "Unhandled"
    assert isinstance(error, dict) and error["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(r"RequestId: r-timeout Error: Task timed out after 1\.\d\d seconds", error["errorMessage"])
    assert result.log_lines == ["before sleep"]  # what was printed before the kill is kept
    with pytest.raises(ProcessLookupError):
        os.kill(result.worker_pid, 0)
    replaced = pool.invoke(function, b'{"seconds": 0}')
    assert replaced.cold_start and replaced.worker_pid != result.worker_pid and payload(replaced) == "late"
    lines = lambda_log_lines("r-timeout", "$LATEST", result)
    assert re.fullmatch(r"\S+Z r-timeout Task timed out after 1\.\d\d seconds", lines[-1])
    assert lines[-2].endswith("Status: timeout")


def test_worker_exit_is_reported_and_replaced(pool: WorkerPool, code: bytes) -> None:
    died = pool.invoke(spec(code, "dispatch"), b'{"do": "crash"}', request_id="r-exit")
    assert died.status == "crash" and died.function_error == "Unhandled"
    assert payload(died) == {
        "errorMessage": "RequestId: r-exit Error: Runtime exited with error: exit status 3",
        "errorType": "Runtime.ExitError",
    }
    replaced = pool.invoke(spec(code, "dispatch"), b'{"do": "ok"}')
    assert replaced.cold_start and replaced.worker_pid != died.worker_pid


def test_unmarshallable_result_is_a_marshal_error(pool: WorkerPool, code: bytes) -> None:
    error = payload(pool.invoke(spec(code, "unmarshallable"), b"{}"))
    assert isinstance(error, dict) and error["errorType"] == "Runtime.MarshalError"
    assert error["errorMessage"].startswith("Unable to marshal response:")


def test_import_failure_is_reported_like_lambda(pool: WorkerPool, code: bytes) -> None:
    missing = FunctionSpec(name="fn", handler="nowhere.handler", code=code)
    result = pool.invoke(missing, b"{}")
    error = payload(result)
    assert result.status == "init_error" and result.function_error == "Unhandled" and result.cold_start
    assert isinstance(error, dict) and error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"].startswith("Unable to import module 'nowhere':")
    absent = pool.invoke(FunctionSpec(name="fn", handler="app.absent", code=code), b"{}")
    assert json.loads(absent.payload)["errorType"] == "Runtime.HandlerNotFound"
    assert pool.live_workers() == {}


def test_invalid_json_payload_is_refused_before_running_code(pool: WorkerPool, code: bytes) -> None:
    with pytest.raises(InvalidRequestContentError) as caught:
        pool.invoke(spec(code, "ok"), b"{not json")
    assert caught.value.code == "InvalidRequestContentException"
    assert pool.live_workers() == {}


def test_payloads_over_lambdas_limit_are_refused_or_reported(pool: WorkerPool, code: bytes) -> None:
    with pytest.raises(RequestTooLargeError) as caught:
        pool.invoke(spec(code, "ok"), b'"' + b"x" * MAX_PAYLOAD + b'"')
    assert caught.value.code == "RequestTooLargeException"
    big = pool.invoke(spec(code, "dispatch"), json.dumps({"do": "big", "n": MAX_PAYLOAD}).encode())
    assert big.status == "error" and json.loads(big.payload)["errorType"] == "Function.ResponseSizeTooLarge"


def test_versions_get_their_own_workers(pool: WorkerPool, code: bytes) -> None:
    one = pool.invoke(spec(code, "ok", version="1"), b"{}")
    two = pool.invoke(spec(code, "ok", version="2"), b"{}")
    assert one.worker_pid != two.worker_pid and one.cold_start and two.cold_start
    assert pool.invoke(spec(code, "ok", version="1"), b"{}").worker_pid == one.worker_pid
    assert pool.live_workers() == {("fn", "1"): 1, ("fn", "2"): 1}


def test_new_code_on_the_same_version_retires_old_workers(pool: WorkerPool, code: bytes, tmp_path: Path) -> None:
    old = pool.invoke(spec(code, "ok"), b"{}")
    changed = make_zip(tmp_path / "v2.zip", {"app.py": HANDLERS + "\nVERSION = 2\n"})
    new = pool.invoke(spec(changed, "ok"), b"{}")
    assert new.cold_start and new.worker_pid != old.worker_pid
    assert pool.live_workers() == {("fn", "$LATEST"): 1}


def test_new_configuration_gets_fresh_workers(pool: WorkerPool, code: bytes) -> None:
    old = pool.invoke(spec(code, "ok"), b"{}")
    renamed = pool.invoke(spec(code, "dispatch"), b'{"do": "ok"}')
    assert renamed.cold_start and renamed.worker_pid != old.worker_pid
    env = pool.invoke(spec(code, "dispatch", environment={"X": "1"}), b'{"do": "ok"}')
    assert env.cold_start and env.worker_pid != renamed.worker_pid
    assert pool.live_workers() == {("fn", "$LATEST"): 1}


def invoke_together(pool: WorkerPool, function: FunctionSpec, event: dict[str, object], count: int) -> list[dict]:
    results: list[dict] = [{}] * count

    def call(index: int) -> None:
        results[index] = json.loads(pool.invoke(function, json.dumps(event).encode()).payload)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_invocations_get_their_own_workers(pool: WorkerPool, code: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "meet"
    folder.mkdir()
    results = invoke_together(pool, spec(code, "rendezvous"), {"dir": str(folder), "n": 3}, 3)
    assert all(result["met"] for result in results)
    assert len({result["pid"] for result in results}) == 3
    assert pool.live_workers() == {("fn", "$LATEST"): 3}


def test_invocations_beyond_the_limit_wait_for_a_worker(tmp_path: Path, code: bytes) -> None:
    folder = tmp_path / "meet"
    folder.mkdir()
    with WorkerPool(tmp_path / "cache", max_workers_per_function=2) as limited:
        results = invoke_together(limited, spec(code, "rendezvous"), {"dir": str(folder), "n": 2}, 5)
        assert all(result["met"] for result in results)
        assert len({result["pid"] for result in results}) == 2
        assert limited.live_workers() == {("fn", "$LATEST"): 2}


def test_close_kills_every_worker(tmp_path: Path, code: bytes) -> None:
    pool = WorkerPool(tmp_path / "cache")
    pid = pool.invoke(spec(code, "ok"), b"{}").worker_pid
    pool.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(WorkerError, match="closed"):
        pool.invoke(spec(code, "ok"), b"{}")


def test_close_during_an_invocation_reports_the_workers_death(tmp_path: Path, code: bytes) -> None:
    pool = WorkerPool(tmp_path / "cache")
    mark = tmp_path / "inside"
    results: list[InvocationResult] = []
    event = json.dumps({"do": "slow", "seconds": 60, "mark": str(mark)}).encode()
    thread = threading.Thread(target=lambda: results.append(pool.invoke(spec(code, "dispatch"), event)))
    thread.start()
    while not mark.exists() and thread.is_alive():
        thread.join(0.01)  # until the handler is running
    pool.close()
    thread.join()
    assert results[0].status == "crash" and results[0].function_error == "Unhandled"
    assert json.loads(results[0].payload)["errorType"] == "Runtime.ExitError"
    assert pool.live_workers() == {}


def test_a_coworks_service_answers_an_http_api_event(pool: WorkerPool, tmp_path: Path) -> None:
    files = {"coworks/__init__.py": (REPO / "coworks" / "__init__.py").read_text()}
    for source in (REPO / "coworks" / "runtime").rglob("*.py"):
        files[source.relative_to(REPO).as_posix()] = source.read_text()
    files["inventory.py"] = '''
from coworks import TechMicroService, entry


class Inventory(TechMicroService):
    """Stock of items."""

    @entry
    def get_item(self, item_id: int):
        print("looking up", item_id)
        return {"id": item_id}


app = Inventory()
'''
    code = make_zip(tmp_path / "service.zip", files)
    function = FunctionSpec(name="inventory-dev", handler="inventory.app", code=code, timeout=10)
    result = pool.invoke(function, json.dumps(http_event("GET", "/item/3")).encode())
    response = payload(result)
    assert result.function_error is None, response
    assert isinstance(response, dict) and response["statusCode"] == 200
    assert json.loads(response["body"]) == {"id": 3}
    assert "looking up 3" in result.log_lines


def test_log_lines_have_lambdas_exact_format() -> None:
    result = InvocationResult(
        request_id="abc", payload=b"null", function_error=None, log_lines=["hello"], duration_ms=1.234,
        billed_duration_ms=2, memory_size_mb=128, max_memory_used_mb=40, init_duration_ms=120.0, cold_start=True,
        status="success", executed_version="$LATEST", log_group="/aws/lambda/fn", log_stream="s", started_at=0,
        worker_pid=1, init_log_lines=["init print"],
    )
    assert lambda_log_lines("abc", "$LATEST", result) == [
        "init print",
        "START RequestId: abc Version: $LATEST",
        "hello",
        "END RequestId: abc",
        "REPORT RequestId: abc\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 40 MB\tInit Duration: 120.00 ms\t",
    ]
    assert result.log_tail()  # base64 of the same lines


def test_stream_name_is_dated_and_versioned() -> None:
    name = stream_name("$LATEST", datetime(2024, 5, 1, tzinfo=UTC))
    assert re.fullmatch(r"2024/05/01/\[\$LATEST\][0-9a-f]{32}", name)
    assert stream_name("3") != stream_name("3")
    assert stream_name("3", 1_714_564_800.0).startswith("2024/05/01/[3]")
