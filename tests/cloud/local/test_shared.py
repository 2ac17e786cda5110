"""``cws cloud``: one local cloud shared by processes, found through its endpoint file, and
(with ``--persist``) the same deployments and URLs after a restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from tests.support import write_module

pytestmark = pytest.mark.localcloud


def endpoint_file() -> Path:
    return Path(os.environ["COWORKS_HOME"]) / "cloud.json"


class CloudProcess:
    """``cws cloud`` in a child process; ``stop()`` sends SIGTERM as a service manager would."""

    def __init__(self, *args: str) -> None:
        endpoint_file().unlink(missing_ok=True)  # a killed one's, left behind
        self.process = subprocess.Popen([sys.executable, "-m", "coworks.cli", "cloud", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output = ""
        deadline = time.monotonic() + 30
        while not endpoint_file().exists():  # the server announces itself when it answers
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"cws cloud did not start: {self.output}")
            time.sleep(0.05)
        self.info = json.loads(endpoint_file().read_text())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.output, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.output, _ = self.process.communicate()
        return self.process.returncode

    def kill(self) -> None:
        """kill -9: no handler runs, nothing is saved on the way out."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.output, _ = self.process.communicate(timeout=30)


@pytest.fixture
def processes() -> Iterator[list[CloudProcess]]:
    started: list[CloudProcess] = []
    yield started
    for process in started:
        process.stop()


def test_attach_deploy_restart_and_the_url_still_answers(tmp_path: Path, processes: list[CloudProcess],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from coworks.cloud import LocalCloud
    from coworks.cloud.local.cloud import free_port

    port = str(free_port())
    state = tmp_path / "state"
    processes.append(CloudProcess("--port", port, "--persist", str(state)))
    first = processes[-1]
    assert first.info["url"] == f"http://127.0.0.1:{port}" and first.info["pid"] == first.process.pid

    with LocalCloud() as attached:  # finds the shared cloud through the file
        assert not attached.embedded and attached.endpoint_url == first.info["url"]
        deployment = attached.deploy(write_module(tmp_path), stage="dev").apply()
        url = deployment.url
        assert requests.get(url + "/echo/1", timeout=10).json() == {"n": 1, "tag": ""}
        assert attached.invoke("probe", "dev", "/echo/4", params={"tag": "direct"}) == {"n": 4, "tag": "direct"}
    assert requests.get(url + "/echo/2", timeout=10).status_code == 200  # closing an attached cloud stops nothing

    monkeypatch.chdir(tmp_path)
    from coworks.cli.app import cli

    status = CliRunner().invoke(cli, ["status"])  # no options: the shared cloud
    assert status.exit_code == 0 and "probe" in status.output and url in status.output

    assert first.stop() == 0 and "Local cloud stopped." in first.output
    assert not endpoint_file().exists()

    processes.append(CloudProcess("--port", port, "--persist", str(state)))
    answer = requests.get(url + "/echo/3", params={"tag": "again"}, timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"n": 3, "tag": "again"})
    with LocalCloud(shared=True) as attached:
        lam = attached.session.client("lambda", endpoint_url=attached.endpoint_url)
        assert lam.get_alias(FunctionName="probe-dev", Name="dev")["FunctionVersion"] == "1"
        records = attached.logs("probe", since="10m")
        assert any(r.message == "echo 1 " for r in records) and any(r.message == "echo 3 again" for r in records)
        assert len({r.event_id for r in records}) == len(records)  # new events' ids follow the restored ones
    assert processes[-1].stop() == 0 and "(state restored)" in processes[-1].output


def test_a_second_shared_cloud_is_refused_and_a_stale_file_ignored(cloud: Any) -> None:
    from coworks.cli.app import cli
    from coworks.cloud import LocalCloud
    from coworks.cloud.local.shared import SharedCloudError

    endpoint_file().parent.mkdir(parents=True, exist_ok=True)
    # this process's embedded cloud, announced as the shared one: its health check names this pid
    endpoint_file().write_text(json.dumps({"url": cloud.endpoint_url, "pid": os.getpid()}))
    try:
        second = CliRunner().invoke(cli, ["cloud"])  # refused before it starts anything
        assert second.exit_code == 1 and f"A shared local cloud already runs at {cloud.endpoint_url}" in second.output
    finally:
        endpoint_file().unlink()

    endpoint_file().write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2 ** 22 + 1}))
    with pytest.raises(SharedCloudError, match="No shared local cloud answers"):
        LocalCloud(shared=True)
    assert endpoint_file().exists()  # stale, but reported by the opener rather than deleted behind the user's back


def _client(url: str, service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))


def test_what_a_deploy_returned_survives_kill_9(tmp_path: Path, processes: list[CloudProcess]) -> None:
    from coworks.cloud import LocalCloud
    from coworks.cloud.local.cloud import free_port

    port, state = str(free_port()), tmp_path / "state"
    processes.append(CloudProcess("--port", port, "--persist", str(state), "--save-every", "0"))
    with LocalCloud() as attached:
        url = attached.deploy(write_module(tmp_path), stage="dev").apply().url
        processes[-1].kill()  # right after the deploy returned: no compaction, no stop
    processes.append(CloudProcess("--port", port, "--persist", str(state)))
    lam = _client(processes[-1].info["url"], "lambda")
    assert lam.get_function(FunctionName="probe-dev")["Configuration"]["FunctionName"] == "probe-dev"
    assert lam.get_alias(FunctionName="probe-dev", Name="dev")["FunctionVersion"] == "1"
    answer = requests.get(url + "/echo/5", timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"n": 5, "tag": ""})
    assert oct(os.stat(state / "workers").st_mode & 0o777) == "0o700"  # the unpacked code is the user's alone


def _zip(size: int, name: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("handler.py", f"def main(event, context):\n    return {name!r}\n")
        archive.writestr("padding.bin", os.urandom(size))  # incompressible: the zip is as large
    return buffer.getvalue()


def test_a_large_create_beside_others_survives_kill_9_every_time(tmp_path: Path,
                                                                  processes: list[CloudProcess]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from coworks.cloud.local.cloud import free_port
    from tests.support import ROLE_POLICY

    port, state = str(free_port()), tmp_path / "state"
    created: list[str] = []
    for round in range(5):
        processes.append(CloudProcess("--port", port, "--persist", str(state), "--save-every", "0"))
        url = processes[-1].info["url"]
        lam = _client(url, "lambda")
        assert sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]) == sorted(created)
        role = _client(url, "iam").create_role(RoleName=f"r{round}", AssumeRolePolicyDocument=ROLE_POLICY)["Role"]

        def create(name: str, size: int, url: str = url, role: dict[str, Any] = role) -> str:
            _client(url, "lambda").create_function(FunctionName=name, Runtime="python3.11", Role=role["Arn"],
                                                   Handler="handler.main", Code={"ZipFile": _zip(size, name)})
            return name

        with ThreadPoolExecutor(4) as pool:
            large = pool.submit(create, f"large{round}", 20 * 1024 * 1024)
            small = [pool.submit(create, f"small{round}-{i}", 1024) for i in range(3)]
            created.append(large.result())
            processes[-1].kill()  # as soon as the large one is answered, the small ones wherever they are
            created += [f.result() for f in small if f.exception() is None]
    processes.append(CloudProcess("--port", port, "--persist", str(state)))
    lam = _client(processes[-1].info["url"], "lambda")
    assert {f"large{r}" for r in range(5)} <= {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    assert lam.get_function(FunctionName="large4")["Configuration"]["CodeSize"] > 20 * 1024 * 1024


def test_sigterm_saves_and_exits_every_time(tmp_path: Path, processes: list[CloudProcess]) -> None:
    from coworks.cloud.local.snapshot import SERVICES

    for round in range(10):
        state = tmp_path / f"state{round}"
        process = CloudProcess("--persist", str(state), "--save-every", "0")
        processes.append(process)
        _client(process.info["url"], "sqs").create_queue(QueueName=f"q{round}")
        assert [p.name for p in state.glob("*.state")] == ["sqs.state"]  # the call's own write
        assert process.stop() == 0, process.output  # within stop()'s timeout, not killed
        assert "Local cloud stopped." in process.output and "Traceback" not in process.output
        assert len(list(state.glob("*.state"))) == len(SERVICES)  # the save on the way out
        assert not endpoint_file().exists()


def _main_thread(pid: int) -> tuple[int, int]:
    """The main thread's CPU ticks and voluntary context switches (how often it woke up)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rpartition(")")[2].split()
    status = dict(line.split(":\t") for line in Path(f"/proc/{pid}/task/{pid}/status").read_text().splitlines()
                  if ":\t" in line)
    return int(fields[11]) + int(fields[12]), int(status["voluntary_ctxt_switches"])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the main thread's counters in /proc")
def test_save_every_0_waits_for_a_signal_without_waking_up(tmp_path: Path, processes: list[CloudProcess]) -> None:
    processes.append(CloudProcess("--persist", str(tmp_path / "state"), "--save-every", "0"))
    pid = processes[-1].process.pid
    before = _main_thread(pid)
    time.sleep(2)  # an idle server: the real process is watched, there is no clock to inject
    ticks, switches = (after - first for after, first in zip(_main_thread(pid), before, strict=True))
    assert switches <= 1 and ticks <= 1  # a loop polling every 0.2 s wakes up 10 times
    assert processes[-1].stop() == 0


def test_a_state_that_cannot_be_trusted_stops_cws_cloud_with_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "lambda.state").write_bytes(b"\x80\x04crafted")
    done = subprocess.run([sys.executable, "-m", "coworks.cli", "cloud", "--persist", str(state)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"Error: The local cloud's state in {state / 'lambda.state'} is not a Coworks state file: "
                           "move it away to start empty.\n")
    assert (state / "lambda.state").read_bytes() == b"\x80\x04crafted" and not endpoint_file().exists()
