"""The control-plane snapshot behind ``cws cloud --persist``: written only when something changed,
refused with one sentence when it cannot be trusted. (The restart itself: test_shared.py.)"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import requests

from coworks.cloud.local.shared import SharedCloudServer, endpoint_file
from coworks.cloud.local.snapshot import FILE, SnapshotError, load_snapshot


@pytest.mark.localcloud
def test_a_server_saves_when_the_control_plane_changed_and_cleans_up(tmp_path: Path) -> None:
    server = SharedCloudServer(persist=tmp_path / "state", save_every=0).start()
    try:
        assert not server.restored and endpoint_file().exists()
        assert server.save() is False  # nothing happened yet
        assert requests.get(server.url + "/_coworks/health", timeout=5).json()["service"] == "coworks-local-cloud"
        assert server.save() is False  # reads change nothing
        requests.post(server.url + "/", data="Action=CreateQueue&QueueName=kept", timeout=30,
                      headers={"Content-Type": "application/x-www-form-urlencoded",
                               "Authorization": "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/sqs/aws4_request"})
        assert server.save() is True and (tmp_path / "state" / FILE).is_file()
        assert server.save() is False
    finally:
        server.stop()
    assert not endpoint_file().exists()
    server.stop()  # idempotent


def test_a_damaged_or_foreign_snapshot_is_refused_in_one_sentence(tmp_path: Path) -> None:
    assert load_snapshot(tmp_path) is False  # nothing saved: start empty
    (tmp_path / FILE).write_bytes(b"not a pickle")
    with pytest.raises(SnapshotError, match="cannot be read .*move it away to start empty"):
        load_snapshot(tmp_path)
    (tmp_path / FILE).write_bytes(pickle.dumps({"moto": "0.0.1", "backends": {}}))
    with pytest.raises(SnapshotError, match="saved with moto 0.0.1 and this is moto 5"):
        load_snapshot(tmp_path)
