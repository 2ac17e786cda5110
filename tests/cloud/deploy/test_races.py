"""Deploys that race, on the local cloud: two deploys (or a deploy and a destroy) of one service
and stage at once never make two APIs or lose a code update; the loser is told in one sentence,
and its deploy works once the other has ended. Threads in this process, then real ``cws deploy``
processes against a ``cws cloud`` server, one of them stopped or killed while it holds the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from coworks.cloud import ConcurrentDeployError
from tests.support import poll, write_module

pytestmark = pytest.mark.localcloud

RACER = '''
from coworks import TechMicroService, entry


class Racer(TechMicroService):
    """Says which code it runs."""

    @entry
    def get(self):
        return "{code}"


app = Racer("{name}")
'''
HOST = socket.gethostname()


def racer(directory: Path, name: str, code: str) -> str:
    return write_module(directory, RACER.replace("{code}", code).replace("{name}", name))


def apis_of(cloud: Any, name: str) -> list[str]:
    """The HTTP APIs named for ``name`` at dev, tagged or not."""
    client = cloud.session.client("apigatewayv2", endpoint_url=cloud.endpoint_url)
    return [a["ApiId"] for a in client.get_apis()["Items"] if a["Name"] == f"{name}-dev"]


def served(cloud: Any, name: str) -> str:
    (api_id,) = apis_of(cloud, name)
    return str(requests.get(cloud.api_url(api_id, "dev"), timeout=30).text)


def while_applying(step: Callable[[], None], kind: str = "lambda function") -> Callable[..., None]:
    """A progress callback that runs ``step`` (another thread's deploy, and waits for it) when the
    action of ``kind`` starts: the other deploy runs while this one holds the lock, every time."""
    def progress(index: int, total: int, action: Any, status: str) -> None:
        if status == "start" and action.kind == kind:
            other = threading.Thread(target=step)
            other.start()
            other.join()
    return progress


def refused(call: Callable[[], Any], errors: list[BaseException]) -> Callable[[], None]:
    def run() -> None:
        try:
            call()
        except ConcurrentDeployError as exc:
            errors.append(exc)
    return run


def told(error: BaseException, other: str, name: str, retry: str) -> None:
    text = str(error)
    assert text.startswith(f"{other} of {name} (dev) is running (since ") and text.endswith(
        f", process {os.getpid()} on {HOST}): {retry} again when it has ended."), text


# -- in this process: threads --------------------------------------------------------------------


def test_two_deploys_at_once_make_one_api_the_loser_is_told_and_the_winners_code_runs(cloud: Any,
                                                                                     tmp_path: Path) -> None:
    winner, loser = (cloud.deploy(racer(tmp_path, "racer1", code), stage="dev") for code in ("a", "b"))
    assert [a.verb for a in winner.plan().actions] == [a.verb for a in loser.plan().actions]  # both would create
    errors: list[BaseException] = []
    winner.apply(progress=while_applying(refused(loser.apply, errors)))
    (error,) = errors
    told(error, "Another deploy", "racer1", "deploy")
    assert isinstance(error, ConcurrentDeployError) and error.holder == f"process {os.getpid()} on {HOST}"
    assert len(apis_of(cloud, "racer1")) == 1 and served(cloud, "racer1") == "a"

    loser.apply()  # once the other has ended, the loser's deploy goes through: its code, the same API
    assert len(apis_of(cloud, "racer1")) == 1 and served(cloud, "racer1") == "b"
    assert len(cloud.status("racer1").rows) == 1


def test_a_plan_shown_before_another_deploy_ran_is_refused_then_planned_again(cloud: Any, tmp_path: Path) -> None:
    first, second = (cloud.deploy(racer(tmp_path, "racer2", code), stage="dev") for code in ("a", "b"))
    first.plan()
    second.plan()
    first.apply()
    with pytest.raises(ConcurrentDeployError) as caught:
        second.apply()  # its plan would make a role, a function and an API that now exist
    assert str(caught.value) == ("racer2 (dev) changed since its plan was shown (another deploy or destroy ran "
                                 "meanwhile): look at the new plan and apply it again.")
    assert {a.kind for a in second.plan().changes if a.verb == "create"} == {"version"}  # planned again
    second.apply()
    assert len(apis_of(cloud, "racer2")) == 1 and served(cloud, "racer2") == "b"


def test_a_deploy_that_waits_applies_once_the_other_has_ended(cloud: Any, tmp_path: Path) -> None:
    first, second = (cloud.deploy(racer(tmp_path, "racer3", code), stage="dev") for code in ("a", "b"))
    waiting = threading.Thread(target=lambda: second.apply(wait=120))
    started = threading.Event()

    def progress(index: int, total: int, action: Any, status: str) -> None:
        if not started.is_set():
            started.set()
            waiting.start()  # it waits for the lock this deploy holds

    first.apply(progress=progress)
    waiting.join()
    assert len(apis_of(cloud, "racer3")) == 1 and served(cloud, "racer3") == "b"


def test_a_destroy_and_a_deploy_at_once_the_second_is_told(cloud: Any, tmp_path: Path) -> None:
    deployment = cloud.deploy(racer(tmp_path, "racer4", "a"), stage="dev")
    errors: list[BaseException] = []
    deployment.apply(progress=while_applying(refused(lambda: cloud.destroy("racer4", "dev"), errors)))
    told(errors[0], "A deploy", "racer4", "destroy")
    assert served(cloud, "racer4") == "a"

    again = cloud.deploy(racer(tmp_path, "racer4", "b"), stage="dev")
    cloud.destroy("racer4", "dev", progress=while_applying(refused(again.apply, errors), kind="http api"))
    told(errors[1], "A destroy", "racer4", "deploy")
    assert apis_of(cloud, "racer4") == [] and cloud.status("racer4").rows == ()


def test_code_changed_by_another_deploy_is_never_published_and_the_deploy_says_so(cloud: Any,
                                                                                  tmp_path: Path) -> None:
    """Without the lock (on AWS; or any client of the local cloud), Lambda's CodeSha256 check is
    what keeps a deploy from publishing code another one uploaded."""
    cloud.deploy(racer(tmp_path, "racer5", "a"), stage="dev").apply()
    lam = cloud.session.client("lambda", endpoint_url=cloud.endpoint_url)
    other = cloud.deploy(racer(tmp_path, "racer5", "c"), stage="dev").package
    mine = cloud.deploy(racer(tmp_path, "racer5", "b"), stage="dev")

    def upload_other() -> None:  # what another deploy does, between this one's upload and its publish
        lam.update_function_code(FunctionName="racer5-dev", ZipFile=other.data)

    with pytest.raises(ConcurrentDeployError) as caught:
        mine.apply(progress=while_applying(upload_other, kind="version"))
    assert str(caught.value) == ("Another deploy of racer5 (dev) changed the code of racer5-dev while this one ran: "
                                 "deploy again when it has ended. [InvalidParameterValueException]")
    assert lam.get_alias(FunctionName="racer5-dev", Name="dev")["FunctionVersion"] == "1"
    assert served(cloud, "racer5") == "a"  # nothing published under this deploy's name
    mine.apply()
    assert served(cloud, "racer5") == "b"


def test_publish_version_with_a_stale_code_sha256_gets_lambdas_error(cloud: Any, tmp_path: Path) -> None:
    deployment = cloud.deploy(racer(tmp_path, "racer6", "a"), stage="dev").apply()
    lam = boto3.client("lambda", endpoint_url=cloud.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    current = deployment.package.code_sha256
    with pytest.raises(ClientError) as caught:
        lam.publish_version(FunctionName="racer6-dev", CodeSha256="c3RhbGU=")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterValueException"
    assert error["Error"]["Message"] == (f"CodeSHA256 (c3RhbGU=) is different from current CodeSHA256 in $LATEST "
                                         f"({current}). Please try again with the CodeSHA256 in $LATEST.")
    assert lam.publish_version(FunctionName="racer6-dev", CodeSha256=current)["Version"] == "1"  # unchanged code


def test_an_api_another_deploy_made_meanwhile_is_found_by_its_tags_not_made_twice(cloud: Any,
                                                                                  tmp_path: Path) -> None:
    """AWS has no lock: before making the API, the deploy looks for one tagged for the service."""
    from coworks.cloud.deploy.names import tags_for

    client = cloud.session.client("apigatewayv2", endpoint_url=cloud.endpoint_url)
    made: list[str] = []

    def make_api() -> None:
        made.append(client.create_api(Name="racer7-dev", ProtocolType="HTTP", Tags=tags_for("racer7", "dev"))["ApiId"])

    deployment = cloud.deploy(racer(tmp_path, "racer7", "a"), stage="dev")
    with pytest.raises(ConcurrentDeployError) as caught:
        deployment.apply(progress=while_applying(make_api, kind="http api"))
    assert str(caught.value) == (f"Another deploy of racer7 (dev) made its API {made[0]} while this one ran: deploy "
                                 "again when it has ended.")
    cloud.deploy(racer(tmp_path, "racer7", "a"), stage="dev").apply()
    assert apis_of(cloud, "racer7") == made and served(cloud, "racer7") == "a"


def test_on_aws_without_a_lock_the_deploy_that_finds_the_others_work_is_told(aws: Any, tmp_path: Path) -> None:
    """No lock on AWS: the state read again under apply, and what the other made found by its tags."""
    shown, loser = (aws.deploy(racer(tmp_path, "racer8", code), stage="dev") for code in ("a", "b"))
    shown.plan()
    loser.plan()
    errors: list[BaseException] = []
    shown.apply(progress=while_applying(refused(loser.apply, errors)))
    assert str(errors[0]) == ("racer8 (dev) changed since its plan was shown (another deploy or destroy ran "
                              "meanwhile): look at the new plan and apply it again.")

    first, second = (aws.deploy(racer(tmp_path, "racer9", code), stage="dev") for code in ("a", "b"))
    with pytest.raises(ConcurrentDeployError) as caught:  # the other ran whole while this one made its function
        first.apply(progress=while_applying(second.apply))
    assert str(caught.value) == ("Another deploy of racer9 (dev) made its function racer9-dev while this one ran: "
                                 "deploy again when it has ended.")
    apis = aws.session.client("apigatewayv2").get_apis()["Items"]
    assert [a["Name"] for a in apis if a["Name"].startswith("racer")] == ["racer8-dev", "racer9-dev"]


# -- real processes: `cws deploy` shells against one `cws cloud` -----------------------------------


class Shared:
    """``cws cloud`` in a child process (the test's own COWORKS_HOME), and ``cws deploy`` shells."""

    def __init__(self, directory: Path) -> None:
        from coworks.cloud.local.shared import endpoint_file

        self.directory = directory
        self.server = subprocess.Popen([sys.executable, "-m", "coworks.cli", "cloud"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        poll(lambda: endpoint_file().exists() or self.server.poll() is not None, polls=600)
        assert self.server.poll() is None, "cws cloud did not start"
        self.url = json.loads(endpoint_file().read_text())["url"]

    def deploy(self, target: str, *options: str, stdout: Any = subprocess.PIPE,
               **environment: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "coworks.cli", "deploy", target, *options],
                                cwd=self.directory, env={**os.environ, **environment}, stdout=stdout,
                                stderr=subprocess.PIPE, text=True)

    def holder(self, name: str) -> int:
        answer = requests.get(f"{self.url}/_coworks/locks/service/{name}/dev", timeout=10)
        return int(answer.json()["pid"]) if answer.status_code == 200 else 0

    def holding(self, name: str, target: str, **environment: str) -> subprocess.Popen[str]:
        """A ``cws deploy`` stopped (SIGSTOP) while it holds the lock: in the middle of its apply."""
        for _ in range(10):
            process = self.deploy(target, **environment)
            while process.poll() is None and self.holder(name) != process.pid:
                pass  # the lock is held for the whole apply: look as often as the server answers
            if process.poll() is None:
                process.send_signal(signal.SIGSTOP)
                if self.holder(name) == process.pid:
                    return process
                process.send_signal(signal.SIGCONT)
            process.communicate(timeout=120)  # it ended before it could be caught: once more
        raise AssertionError(f"cws deploy {target} was never seen holding the lock of {name}")

    def stop(self) -> None:
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    server = Shared(tmp_path)
    yield server
    server.stop()


def test_two_cws_deploy_at_once_against_one_cws_cloud(shared: Shared, tmp_path: Path) -> None:
    a, b = (racer(tmp_path, "racerp", code) for code in ("a", "b"))
    first = shared.holding("racerp", a)
    loser = shared.deploy(b)
    out, err = loser.communicate(timeout=120)
    assert loser.returncode == 1
    assert err.strip().splitlines()[-1].startswith("Error: Another deploy of racerp (dev) is running (since ")
    assert err.strip().endswith(f", process {first.pid} on {HOST}): deploy again when it has ended.")
    # --wait: a third one waits for the lock instead (its plan shown while the first still holds it)
    shown = tmp_path / "waiter.out"
    with shown.open("w") as sink:
        waiter = shared.deploy(b, "--wait", "120", stdout=sink, PYTHONUNBUFFERED="1")
        poll(lambda: "Plan for racerp" in shown.read_text() or waiter.poll() is not None)
    assert waiter.poll() is None and shared.holder("racerp") == first.pid
    first.send_signal(signal.SIGCONT)
    first.communicate(timeout=120)
    assert first.returncode == 0
    _, err = waiter.communicate(timeout=120)
    assert waiter.returncode == 0, err
    assert "Another deploy ran while this one waited; the plan now:" in err  # and it applied that one

    from coworks.cloud import LocalCloud

    with LocalCloud(url=shared.url) as attached:
        assert len(apis_of(attached, "racerp")) == 1 and served(attached, "racerp") == "b"


def test_a_deploy_killed_or_hung_while_holding_the_lock_locks_the_service_only_for_its_lease(
        shared: Shared, tmp_path: Path) -> None:
    a, b, c = (racer(tmp_path, "racerk", code) for code in ("a", "b", "c"))
    killed = shared.holding("racerk", a)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    after = shared.deploy(b)  # its process is gone: the lock is free at once
    after.communicate(timeout=120)
    assert after.returncode == 0

    hung = shared.holding("racerk", c, COWORKS_DEPLOY_LEASE="1")  # alive, but renews its lease no more
    try:
        blocked = shared.deploy(b)
        _, err = blocked.communicate(timeout=120)
        if blocked.returncode:  # refused while the lease lasts
            assert f"process {hung.pid} on {HOST}): deploy again when it has ended." in err
        poll(lambda: shared.holder("racerk") == 0)
        later = shared.deploy(b)
        later.communicate(timeout=120)
        assert later.returncode == 0
    finally:
        hung.kill()
        hung.communicate(timeout=30)
    from coworks.cloud import LocalCloud

    with LocalCloud(url=shared.url) as attached:
        assert len(apis_of(attached, "racerk")) == 1 and served(attached, "racerk") == "b"


def test_with_a_token_the_lock_is_taken_only_by_clients_that_carry_it(tmp_path: Path) -> None:
    from coworks.cloud import ConfigurationError
    from coworks.cloud.deploy.locks import EndpointLocks
    from coworks.cloud.deploy.names import Owner
    from coworks.cloud.local.frontdoor import start_front_door
    from coworks.cloud.local.http.access import Access

    server, lambdas = start_front_door(tmp_path, access=Access(token="s3cret"))
    try:
        owner = Owner("racert", "dev")
        with EndpointLocks(server.url, "s3cret").hold(owner, "deploy"):
            with pytest.raises(ConcurrentDeployError):
                with EndpointLocks(server.url, "s3cret").hold(owner, "deploy"):
                    pass
        with pytest.raises(ConfigurationError, match="refused the deploy lock of racert \\(dev\\): The local cloud "
                                                     "was started with a token"):
            with EndpointLocks(server.url).hold(owner, "deploy"):
                pass
    finally:
        server.stop()
        lambdas.close()
