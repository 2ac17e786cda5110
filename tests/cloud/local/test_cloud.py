"""LocalCloud: the same deploy code against an embedded moto server on 127.0.0.1.

One server per module (starting one costs about a second); each test is self-contained, so
an in-process ``mock_aws`` test running in between on the same worker cannot disturb it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import SAMPLE, Calls, cell, tagged_for, untagged

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def local() -> Iterator[Any]:
    from coworks.cloud import LocalCloud

    with LocalCloud(sleep=lambda s: None) as cloud:
        yield cloud


def test_deploy_update_and_destroy_on_the_embedded_server(local: Any) -> None:
    assert local.endpoint_url.startswith("http://127.0.0.1:") and local.region == "us-east-1"
    session, endpoint = local.session, local.endpoint_url
    first = local.deploy(cell(SAMPLE, "served"), stage="dev")
    assert not first.plan().is_empty
    first.apply()
    assert untagged(session, endpoint, named="served") == []
    assert {kind for kind, _ in tagged_for(session, "served", "dev", endpoint)} == {
        "role", "log group", "function", "api", "api stage"}
    lam = session.client("lambda", endpoint_url=endpoint)
    assert lam.get_alias(FunctionName="served-dev", Name="dev")["FunctionVersion"] == "1"
    routes = session.client("apigatewayv2", endpoint_url=endpoint).get_routes(ApiId=first.ids["api_id"])["Items"]
    assert {r["RouteKey"] for r in routes} == {"GET /", "GET /item/{item_id}", "POST /item"}

    calls = Calls()
    local.clients.watch(calls)
    try:
        again = local.deploy(cell(SAMPLE, "served"), stage="dev")
        again.apply()
        assert calls.mutating == []
        changed = local.deploy(cell(SAMPLE.replace("201", "202"), "served"), stage="dev")
        changed.apply()
        assert calls.mutating == ["UpdateFunctionCode", "PublishVersion", "UpdateAlias"]
    finally:
        local.clients.unwatch(calls)
    assert lam.get_alias(FunctionName="served-dev", Name="dev")["FunctionVersion"] == "2"
    assert [(r.service, r.version) for r in local.status("served")] == [("served", "2")]

    local.destroy("served", "dev")
    assert tagged_for(session, "served", "dev", endpoint) == []


def test_the_server_stops_with_the_object() -> None:
    from coworks.cloud import LocalCloud

    cloud = LocalCloud()
    port = cloud.port
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    cloud.close()
    cloud.close()  # idempotent
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert "stopped" in repr(cloud)


def test_the_cli_deploys_to_the_embedded_server(local: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from click.testing import CliRunner

    from coworks.cli.app import cli

    (tmp_path / "cli_local_stock.py").write_text(SAMPLE + "\napp = Inventory('clilocal')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    endpoint = ["--endpoint-url", local.endpoint_url, "--stage", "test"]
    try:
        deployed = CliRunner().invoke(cli, ["deploy", "cli_local_stock:app", *endpoint])
        assert deployed.exit_code == 0, deployed.output
        status = CliRunner().invoke(cli, ["status", "clilocal", *endpoint])
        assert "clilocal  test" in status.output
        destroyed = CliRunner().invoke(cli, ["destroy", "clilocal", "--yes", *endpoint])
        assert destroyed.exit_code == 0 and "destroyed" in destroyed.output
    finally:
        sys.modules.pop("cli_local_stock", None)
    assert tagged_for(local.session, "clilocal", "test", local.endpoint_url) == []
