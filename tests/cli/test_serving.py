"""``cws run``: the port bound before anything says it serves, one line per request, the stage's
.env files, and ``--reload`` restarting on a change: a real ``cws`` process, real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICE = '''
import os

from coworks import TechMicroService, entry


class Greeter(TechMicroService):
    @entry
    def get(self):
        return {"greeting": os.environ.get("GREETING", "none"), "version": VERSION}


VERSION = 1
app = Greeter("greeter")
'''


class Running:
    """A ``cws run`` process; its stderr read line by line."""

    def __init__(self, folder: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "GREETING"}
        self.process = subprocess.Popen([sys.executable, "-m", "coworks.cli", "run", "greeter:app", *args],
                                        cwd=folder, env=env, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []

    def line_with(self, text: str) -> str:
        """The next stderr line holding ``text`` (the process ends or 60 s pass: fail with what it said)."""
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                raise AssertionError("cws run ended: " + "".join(self.lines))
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in 60 s: " + "".join(self.lines))

    def stop(self) -> str:
        self.process.terminate()
        _, rest = self.process.communicate(timeout=30)
        return "".join(self.lines) + (rest or "")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "greeter.py").write_text(SERVICE)
    (tmp_path / ".env").write_text("GREETING=hello\nOTHER=1\n")
    (tmp_path / ".env.prod").write_text("GREETING=hello from prod\n")
    return tmp_path


@pytest.fixture
def running(folder: Path) -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.stop()


def get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def test_it_serves_with_the_stage_env_and_logs_one_line_per_request(folder: Path, running: list[Running]) -> None:
    served = Running(folder, "--port", "0", "--stage", "prod")
    running.append(served)
    url = served.line_with("Serving greeter on ").split(" on ")[1].split()[0]
    assert get(url + "/") == {"greeting": "hello from prod", "version": 1}  # .env.prod over .env
    assert served.line_with("GET / 200").strip().endswith("ms")
    output = served.stop()
    assert output.count("Serving greeter") == 1 and "Traceback" not in output


def test_a_taken_port_is_one_sentence_and_nothing_claims_to_serve(folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "coworks.cli", "run", "greeter:app", "--port", str(port)],
                              cwd=folder, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Serving" not in done.stderr and "Traceback" not in done.stderr
    assert f"Error: Port {port} on 127.0.0.1 is taken" in done.stderr and "--port 0" in done.stderr


def test_reload_restarts_on_a_change_and_survives_a_mistake(folder: Path, running: list[Running]) -> None:
    served = Running(folder, "--port", "0", "--reload")
    running.append(served)
    url = served.line_with("Serving greeter:app on ").split(" on ")[1].split(",")[0]
    deadline = time.monotonic() + 60
    while True:  # the child binds nothing: it answers once it has imported the service
        try:
            assert get(url + "/")["version"] == 1
            break
        except OSError:
            assert time.monotonic() < deadline, served.stop()
            time.sleep(0.1)  # waiting on another process starting: no clock to inject
    (folder / "greeter.py").write_text(SERVICE.replace("def get(self)", "def get(self) -> dict"))
    (folder / "greeter.py").write_text(SERVICE.replace("class Greeter(TechMicroService)", "class Greeter(TechMicro"))
    served.line_with("greeter.py, line")  # the mistake, as one sentence; the watch goes on
    (folder / "greeter.py").write_text(SERVICE.replace("VERSION = 1", "VERSION = 2"))
    served.line_with("Restarting: greeter.py changed")
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(url + "/")["version"] == 2:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, served.stop()
        time.sleep(0.1)
    assert "Traceback" not in served.stop()
