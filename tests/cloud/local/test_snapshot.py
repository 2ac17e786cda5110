"""The control-plane state behind ``cws cloud --persist``: one sealed file per backend, written
when an answered call changed it, readable by this user only, secrets not in plain text, and
refused with one sentence -- changing nothing -- when it cannot be trusted. (Restarts and kill -9
of a real ``cws cloud``: test_shared.py.)"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from coworks.cloud.local.shared import SharedCloudServer, endpoint_file
from coworks.cloud.local.snapshot import LEGACY, MAGIC, SERVICES, Snapshot, SnapshotError, seal, touched
from tests.support import deploy_by_hand, service_zip

SIGNED = "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=0"


def test_a_call_touches_the_backend_its_signature_names_and_reads_touch_none() -> None:
    assert touched("POST", "/2015-03-31/functions", SIGNED.format("lambda")) == ("lambda",)
    assert touched("PUT", "/2015-03-31/functions/f/configuration", SIGNED.format("lambda")) == ("lambda",)
    assert touched("POST", "/v2/apis", SIGNED.format("apigateway")) == ("apigatewayv2",)
    assert touched("POST", "/restapis", SIGNED.format("apigateway")) == ("apigateway",)
    assert touched("POST", "/", SIGNED.format("states"), "AWSStepFunctions.CreateStateMachine") == ("stepfunctions",)
    assert touched("POST", "/", SIGNED.format("logs"), "Logs_20140328.PutLogEvents") == ("logs",)
    assert touched("POST", "/", SIGNED.format("iam"), body=b"Action=CreateRole&RoleName=r") == ("iam",)
    # reads, whatever their verb, write nothing
    assert touched("GET", "/2015-03-31/functions", SIGNED.format("lambda")) == ()
    assert touched("POST", "/", SIGNED.format("logs"), "Logs_20140328.DescribeLogGroups") == ()
    assert touched("POST", "/", SIGNED.format("iam"), body=b"Action=ListRoles&Version=2010-05-08") == ()
    # a call that says nothing we know: every backend
    assert touched("POST", "/", None) == SERVICES
    assert touched("DELETE", "/x", SIGNED.format("kinesis")) == SERVICES


@pytest.mark.localcloud
def test_a_server_writes_what_an_answered_call_changed_before_answering(tmp_path: Path) -> None:
    state = tmp_path / "state"
    server = SharedCloudServer(persist=state, save_every=0).start()
    try:
        assert not server.restored and endpoint_file().exists()
        assert server.save() is False  # nothing happened yet (but the warm-up's reads)
        assert requests.get(server.url + "/_coworks/health", timeout=5).json()["service"] == "coworks-local-cloud"
        assert server.save() is False  # reads change nothing
        assert not (state / "sqs.state").exists()
        created = requests.post(server.url + "/", data="Action=CreateQueue&QueueName=kept", timeout=30,
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Authorization": SIGNED.format("sqs"), "X-Amz-Date": "20260101T000000Z"})
        assert created.status_code == 200, created.text
        assert [p.name for p in state.glob("*.state")] == ["sqs.state"]  # on disk when answered, alone
        assert server.save() is True and len(list(state.glob("*.state"))) == len(SERVICES)  # the compaction
        assert server.save() is False
    finally:
        server.stop()
    assert not endpoint_file().exists()
    server.stop()  # idempotent


@pytest.fixture
def saved(cloud: Any, tmp_path: Path) -> tuple[Snapshot, str, str]:
    """This process's backends saved (read only: nothing here loads into them) with a secret and a
    function whose environment holds a value; the snapshot, the secret and the value."""
    secret, value = f"secret-{uuid.uuid4().hex}", f"environment-{uuid.uuid4().hex}"
    client = cloud.session.client
    name = f"persist-{uuid.uuid4().hex[:8]}"
    client("secretsmanager", endpoint_url=cloud.endpoint_url).create_secret(Name=name, SecretString=secret)
    deploy_by_hand(lambda service: client(service, endpoint_url=cloud.endpoint_url), name, service_zip())
    client("lambda", endpoint_url=cloud.endpoint_url).update_function_configuration(
        FunctionName=name, Environment={"Variables": {"PASSWORD": value}})
    snapshot = Snapshot(tmp_path / "state", tmp_path / "home" / "state.key")
    snapshot.save()
    return snapshot, secret, value


@pytest.mark.localcloud
def test_the_files_are_the_users_alone_and_hold_no_secret_in_plain_text(saved: tuple[Snapshot, str, str]) -> None:
    snapshot, secret, value = saved
    files = [p for p in snapshot.directory.rglob("*") if p.is_file() and "workers" not in p.parts]
    assert {p.name for p in snapshot.files()} <= {p.name for p in files}
    assert any(p.parent.name == "blobs" for p in files)  # the function's zip, kept once
    for path in [*files, snapshot.key_file]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for directory in (snapshot.directory, snapshot.directory / "blobs"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data and value.encode() not in data, path
        assert b"inventory.py" not in data  # code is sealed too


def _refused(snapshot: Snapshot, match: str) -> None:
    with pytest.raises(SnapshotError, match=match) as refusal:
        snapshot.load()
    assert str(refusal.value).count(". ") == 0 and str(refusal.value).endswith(".")  # one sentence


def _reseal(path: Path, header: dict[str, Any], sealed: bytes) -> None:
    text = json.dumps(header).encode()
    path.write_bytes(MAGIC + len(text).to_bytes(4, "big") + text + sealed)


def _header(path: Path) -> tuple[dict[str, Any], bytes]:
    data = path.read_bytes()
    size = int.from_bytes(data[len(MAGIC):len(MAGIC) + 4], "big")
    return json.loads(data[len(MAGIC) + 4:len(MAGIC) + 4 + size]), data[len(MAGIC) + 4 + size:]


class _System:
    def __reduce__(self) -> Any:
        return os.system, ("touch pwned",)


@pytest.mark.localcloud
def test_a_damaged_or_foreign_state_is_refused_in_one_sentence_and_changes_nothing(
        cloud: Any, saved: tuple[Snapshot, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot, _, _ = saved
    monkeypatch.chdir(tmp_path)
    sqs = cloud.session.client("sqs", endpoint_url=cloud.endpoint_url)
    queue = sqs.create_queue(QueueName=f"after-{uuid.uuid4().hex[:8]}")["QueueUrl"]  # not in the saved state
    last = snapshot.directory / "sns.state"  # read after sqs.state: a load applying files one by one drops the queue
    good = last.read_bytes()
    key = snapshot.key_file.read_bytes()
    header, sealed = _header(last)

    last.write_bytes(good[:-100])
    _refused(snapshot, "sns.state is damaged .*: move it away to start empty")
    last.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    _refused(snapshot, "sns.state is damaged")
    last.write_bytes(b"something else")
    _refused(snapshot, "sns.state is not a Coworks state file")
    _reseal(last, {**header, "format": 2}, sealed)
    _refused(snapshot, "is in state format 2 and this Coworks reads format 1: use the Coworks that wrote it")
    _reseal(last, {**header, "moto": "0.0.1"}, sealed)
    _refused(snapshot, "was saved with moto 0.0.1 and this is moto 5")

    # sealed under another key (another user's cloud), or a crafted pickle sealed under none of ours
    last.write_bytes(seal("sns", pickle.dumps({"backends": {}}), os.urandom(32)))
    _refused(snapshot, r"was not written by this user's local cloud \(the key .*state.key does not open it\): "
                       "restore the key that sealed it")
    crafted = pickle.dumps(_System())
    last.write_bytes(seal("sns", crafted, os.urandom(32)))
    _refused(snapshot, "was not written by this user's local cloud")
    # the right file under another backend's name
    last.write_bytes((snapshot.directory / "sqs.state").read_bytes())
    _refused(snapshot, r"sns.state was not written by this user's local cloud \(it holds sqs, not sns\)")
    # even sealed with the key itself, the unpickler resolves no os.system
    last.write_bytes(seal("sns", crafted, key))
    _refused(snapshot, r"sns.state names posix.system, which no local cloud state holds: move it away")
    assert not (tmp_path / "pwned").exists()
    # a blob swapped for another's content
    blob = next((snapshot.directory / "blobs").iterdir())
    last.write_bytes(good)
    kept = blob.read_bytes()
    blob.write_bytes(seal(f"blob {blob.name}", b"other code", key))
    _refused(snapshot, r"blobs/[0-9a-f]+ is damaged \(not the content its name says\)")
    blob.write_bytes(kept)

    (snapshot.directory / LEGACY).write_bytes(pickle.dumps({"moto": "5", "backends": {}}))
    _refused(snapshot, "controlplane.pickle is a pickle from an older Coworks, which could run code when loaded")
    (snapshot.directory / LEGACY).unlink()
    moved = snapshot.key_file.rename(tmp_path / "elsewhere.key")
    _refused(snapshot, r"not written by this user's local cloud \(there is no key .*state.key\)")
    moved.rename(snapshot.key_file)

    assert queue in sqs.list_queues()["QueueUrls"]  # nothing was put in place of the running backends
    assert hashlib.sha256(last.read_bytes()).digest() == hashlib.sha256(good).digest()
