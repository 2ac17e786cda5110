"""What goes with a function goes, on a running local cloud: its worker processes (looked up in
/proc, not only in the pool's books) and its unpacked code, after a destroy, a code replaced and
an alias moved, and a worker that was busy when its function was destroyed."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import SLOW, deploy_by_hand, poll, remove_named, service_zip

pytestmark = pytest.mark.localcloud


def workers_of(name: str) -> list[int]:
    """Pids of live processes (this machine's, by their environment) that run ``name`` as a Lambda worker."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"AWS_LAMBDA_FUNCTION_NAME={name}\0".encode() in environ.read_bytes():
                state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def folder_of(front_door: Any, lam: Any, name: str, qualifier: str = "$LATEST") -> Path:
    sha = lam.get_function(FunctionName=name, Qualifier=qualifier)["Configuration"]["CodeSha256"]
    return Path(front_door.app.lambdas.cache_dir) / base64.b64decode(sha).hex()


def versions_running(front_door: Any, name: str) -> dict[str, int]:
    return {version: n for (function, version), n in front_door.app.lambdas.live_workers().items() if function == name}


@pytest.fixture(scope="module", autouse=True)
def _clean(front_door_client: Callable[[str], Any]) -> Any:
    yield
    remove_named(front_door_client, ("sweep-",))


def test_five_deploy_destroy_cycles_leave_no_worker_and_no_unpacked_code(front_door: Any,
                                                                         front_door_client: Any) -> None:
    lam = front_door_client("lambda")
    for cycle in range(5):
        name = f"sweep-cycle-{cycle}"
        url = deploy_by_hand(front_door_client, name, service_zip(SLOW + f"\n# cycle {cycle}\n"), url=front_door.url)
        assert requests.get(url + "/sleep/0", timeout=60).json() == {"slept": 0}
        folder = folder_of(front_door, lam, name)
        assert folder.is_dir() and workers_of(name) and versions_running(front_door, name)
        lam.delete_function(FunctionName=name)
        assert versions_running(front_door, name) == {}
        poll(lambda gone=name: not workers_of(gone))  # killed: the process is gone, not only forgotten
        assert not folder.exists()


def test_replacing_code_and_moving_the_alias_stops_the_old_versions_workers(front_door: Any,
                                                                              front_door_client: Any) -> None:
    lam, name = front_door_client("lambda"), "sweep-replace"
    url = deploy_by_hand(front_door_client, name, service_zip(SLOW), url=front_door.url)
    assert requests.get(url + "/sleep/0", timeout=60).status_code == 200
    assert versions_running(front_door, name) == {"1": 1}
    lam.update_function_code(FunctionName=name, ZipFile=service_zip(SLOW + "\n# replaced\n"))
    version = lam.publish_version(FunctionName=name)["Version"]
    assert versions_running(front_door, name) == {"1": 1}  # the alias still names version 1: it serves
    lam.update_alias(FunctionName=name, Name="dev", FunctionVersion=version)
    assert versions_running(front_door, name) == {}
    poll(lambda: not workers_of(name))
    assert requests.get(url + "/sleep/0", timeout=60).status_code == 200
    assert versions_running(front_door, name) == {version: 1}


def test_a_worker_busy_when_its_function_is_destroyed_stops_when_it_is_done(front_door: Any,
                                                                            front_door_client: Any) -> None:
    lam, name = front_door_client("lambda"), "sweep-busy"
    url = deploy_by_hand(front_door_client, name, service_zip(SLOW), url=front_door.url)
    answers: list[int] = []
    slow = threading.Thread(target=lambda: answers.append(requests.get(url + "/sleep/2", timeout=60).status_code))
    slow.start()
    poll(lambda: front_door.app.lambdas.running(name) == 1)
    lam.delete_function(FunctionName=name)
    assert versions_running(front_door, name) == {"1": 1}  # busy: it finishes its invocation
    slow.join()
    assert answers == [200]
    assert versions_running(front_door, name) == {}
    poll(lambda: not workers_of(name))
