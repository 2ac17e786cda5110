"""Fixtures of the cloud layer's tests: a front door in front of this process's moto (the data
plane's tests), moto's EventBridge, and the samples' deployable zip."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support import service_zip


@pytest.fixture(scope="session")
def inventory_zip() -> bytes:
    return service_zip()


@pytest.fixture(scope="module")
def front_door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from coworks.cloud.local.frontdoor import start_front_door

    server, lambdas = start_front_door(tmp_path_factory.mktemp("workers"))
    try:
        yield server
    finally:
        server.stop()
        lambdas.close()


@pytest.fixture(scope="module")
def front_door_client(front_door: Any) -> Callable[[str], Any]:
    """``front_door_client("lambda")``: a boto3 client of the front door."""
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return lambda service: session.client(service, endpoint_url=front_door.url)


@pytest.fixture
def events() -> Iterator[Any]:
    """moto's EventBridge in this process: the events client to put rules with."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        yield boto3.client("events", region_name="us-east-1")
