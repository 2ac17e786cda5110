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
