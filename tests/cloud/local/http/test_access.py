"""Who may use the front door, with raw sockets, boto3, the AWS CLI and a real `cws cloud --token`:
loopback Host names only (a rebinding page's name is refused), no foreign browser origin (an
allowed one's page can call it, preflight included), and with a token, only the clients that
know it (LocalCloud(), the AWS CLI given it, a deployed function calling back), while the HTTP
APIs' URLs and the health check stay open."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import ROOT, SLOW, deploy_by_hand, poll, raw_answers, service_zip

pytestmark = pytest.mark.localcloud

TOKEN = "CWSTESTTOKEN0123456789ABCDEF0123"
PAGE = "http://localhost:3000"


def ask(port: int, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request written by hand (``head`` without its closing blank line)."""
    answers = raw_answers(port, head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body)
    assert answers, "the front door closed without answering"
    return answers[0]


def message(body: bytes) -> str:
    return str(json.loads(body)["message"])


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A front door started as `cws cloud --token --allow-host dev.internal --allow-origin PAGE` starts it."""
    from coworks.cloud.local.frontdoor import start_front_door
    from coworks.cloud.local.http.access import Access

    server, lambdas = start_front_door(tmp_path_factory.mktemp("guarded"),
                                       access=Access(hosts=("dev.internal",), origins=(PAGE,), token=TOKEN))
    yield server
    server.stop()
    lambdas.close()


def client_of(url: str, key: str) -> Callable[[str], Any]:
    import boto3
    from botocore.config import Config

    session = boto3.Session(aws_access_key_id=key, aws_secret_access_key="testing", region_name="us-east-1")
    config = Config(retries={"total_max_attempts": 1})  # a refusal retried would hide a parse failure
    return lambda service: session.client(service, endpoint_url=url, config=config)


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example", "10.1.2.3",
                                  "192.168.0.7:8000", "[fe80::1]:8000"])
def test_a_host_that_is_no_loopback_name_is_refused_with_the_sentence(front_door: Any, host: str) -> None:
    status, headers, body = ask(front_door.port, f"GET /2015-03-31/functions/ HTTP/1.1\nHost: {host}")
    assert status == 403 and headers["x-amzn-errortype"] == "AccessDeniedException"
    name = host.rsplit(":", 1)[0].strip("[]") if host.count(":") == 1 or host.startswith("[") else host
    assert f"not {name!r}" in message(body) and f"cws cloud --allow-host {name}" in message(body)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LOCALHOST:{port}",
                                  "foo.localhost", "localhost.", "[::1]", "[::1]:{port}"])
def test_loopback_names_are_answered(front_door: Any, host: str) -> None:
    status, _, body = ask(front_door.port, f"GET /_coworks/health HTTP/1.1\nHost: {host.format(port=front_door.port)}")
    assert (status, json.loads(body)["service"]) == (200, "coworks-local-cloud")


def test_a_configured_host_name_is_answered(guarded: Any) -> None:
    status, _, _ = ask(guarded.port, "GET /_coworks/health HTTP/1.1\nHost: dev.internal")
    assert status == 200
    assert ask(guarded.port, "GET /_coworks/health HTTP/1.1\nHost: other.internal")[0] == 403


@pytest.mark.parametrize("fields", ["Origin: http://evil.example", "Origin: null",
                                    "Sec-Fetch-Site: cross-site\nSec-Fetch-Mode: no-cors",
                                    "Sec-Fetch-Site: same-site\nSec-Fetch-Mode: cors"])
def test_a_browser_request_from_another_site_is_refused(front_door: Any, fields: str) -> None:
    status, headers, body = ask(front_door.port, f"POST /2015-03-31/functions/x/invocations HTTP/1.1\nHost: 127.0.0.1\n"
                                                 f"{fields}\nContent-Type: text/plain\nContent-Length: 2", b"{}")
    assert (status, headers["x-amzn-errortype"]) == (403, "AccessDeniedException")
    assert "--allow-origin" in message(body)
    assert "access-control-allow-origin" not in headers  # the page cannot even read the refusal


def test_a_link_followed_from_another_site_opens_the_page(front_door: Any) -> None:
    status, _, _ = ask(front_door.port, "GET /_coworks/health HTTP/1.1\nHost: 127.0.0.1\nSec-Fetch-Site: cross-site\n"
                                        "Sec-Fetch-Mode: navigate")
    assert status == 200


def test_an_allowed_origins_page_can_call_it_preflight_and_all(guarded: Any) -> None:
    """What a browser needs (Fetch standard, CORS protocol): a 2xx preflight naming the origin,
    the method and the headers asked, without credentials; then answers naming the origin and
    exposing the headers an SDK reads (the request id, the error's code)."""
    status, headers, _ = ask(guarded.port, f"OPTIONS /2015-03-31/functions/x/invocations HTTP/1.1\nHost: 127.0.0.1\n"
                                           f"Origin: {PAGE}\nAccess-Control-Request-Method: POST\n"
                                           "Access-Control-Request-Headers: authorization,x-amz-date,content-type")
    assert status == 204
    assert headers["access-control-allow-origin"] == PAGE
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-headers"] == "authorization,x-amz-date,content-type"
    status, headers, _ = ask(guarded.port, f"GET /_coworks/health HTTP/1.1\nHost: 127.0.0.1\nOrigin: {PAGE}")
    assert status == 200 and headers["access-control-allow-origin"] == PAGE
    assert "x-amzn-ErrorType" in headers["access-control-expose-headers"]
    status, headers, _ = ask(guarded.port, "OPTIONS /2015-03-31/functions/ HTTP/1.1\nHost: 127.0.0.1\n"
                                           "Origin: http://evil.example\nAccess-Control-Request-Method: GET")
    assert status == 403 and "access-control-allow-origin" not in headers


def test_with_a_token_an_unsigned_or_wrongly_signed_call_is_refused_in_each_protocol(guarded: Any) -> None:
    from botocore.exceptions import ClientError

    wrong = client_of(guarded.url, "testing")
    for service, call, code in (("lambda", lambda c: c.list_functions(), "AccessDeniedException"),  # REST-JSON
                                ("stepfunctions", lambda c: c.list_state_machines(), "AccessDeniedException"),  # JSON
                                ("iam", lambda c: c.list_roles(), "AccessDeniedException"),  # query
                                ("s3", lambda c: c.list_buckets(), "AccessDenied")):  # REST-XML
        with pytest.raises(ClientError) as refused:
            call(wrong(service))
        error = refused.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, 403), service
        assert "cws cloud --token" in error["Error"]["Message"]
    status, _, body = ask(guarded.port, "GET /2015-03-31/functions/ HTTP/1.1\nHost: 127.0.0.1")  # unsigned
    assert status == 403 and "AWS_ACCESS_KEY_ID" in message(body)
    assert client_of(guarded.url, TOKEN)("lambda").list_functions()["Functions"] is not None


def test_with_a_token_the_health_check_is_one_open_path(guarded: Any) -> None:
    assert ask(guarded.port, "GET /_coworks/health HTTP/1.1\nHost: 127.0.0.1")[0] == 200
    for path in ("/_coworks/health/../2015-03-31/functions/", "/_coworks/healthz", "/_coworks/health/x"):
        assert ask(guarded.port, f"GET {path} HTTP/1.1\nHost: 127.0.0.1")[0] == 403, path


def test_with_a_token_the_apis_urls_stay_open_and_functions_call_back(guarded: Any) -> None:
    url = deploy_by_hand(client_of(guarded.url, TOKEN), "tokened-dev", service_zip(SLOW), url=guarded.url)
    answer = requests.get(url + "/functions", timeout=60)  # no token: an API's URL is open, as on AWS
    assert answer.status_code == 200 and "tokened-dev" in answer.json()  # the function's boto3 has the token


def test_the_aws_cli_given_the_token_works(guarded: Any, tmp_path: Path) -> None:
    def aws(key: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "testing"}
        env.pop("AWS_SESSION_TOKEN", None)
        return subprocess.run([str(Path(sys.executable).with_name("aws")), "--endpoint-url", guarded.url, "lambda",
                               "list-functions"], capture_output=True, text=True, env=env, timeout=120)

    given = aws(TOKEN)
    assert given.returncode == 0, given.stderr
    assert "Functions" in json.loads(given.stdout)
    refused = aws("testing")
    assert refused.returncode != 0 and "AccessDeniedException" in refused.stderr


def test_local_cloud_attaches_to_a_tokened_cws_cloud_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """``cws cloud --token`` writes the token in ~/.coworks/cloud.json (HOME isolated here); a
    ``LocalCloud()`` of another process reads it and signs with it, the user doing nothing."""
    from coworks.cloud import LocalCloud

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("COWORKS_HOME")
    server = subprocess.Popen([str(Path(sys.executable).with_name("cws")), "cloud", "--token"], cwd=ROOT,
                              env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        record = tmp_path / ".coworks" / "cloud.json"
        poll(lambda: record.exists() and server.poll() is None, polls=1200)
        announced = json.loads(record.read_text())
        assert announced["token"] and oct(record.stat().st_mode & 0o777) == "0o600"
        with LocalCloud() as cloud:
            assert not cloud.embedded and cloud.endpoint_url == announced["url"]
            assert isinstance(cloud.session.client("lambda", endpoint_url=cloud.endpoint_url).list_functions()[
                "Functions"], list)
        from botocore.exceptions import ClientError

        with pytest.raises(ClientError) as refused:
            client_of(announced["url"], "testing")("lambda").list_functions()
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    finally:
        server.terminate()
        server.wait(timeout=30)
