"""A front door in front of an in-process moto, shared by the data-plane tests of a module."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

SERVICE = '''
import os
from coworks import TechMicroService, entry, tokens_equal


class Inventory(TechMicroService):
    """Stock of items."""

    def auth(self, token):
        return tokens_equal(token, os.environ.get("TOKEN", "letmein"))

    @entry(no_auth=True)
    def get(self):
        return "ready"

    @entry
    def get_item(self, item_id: int):
        print(f"looking up {item_id}")
        return {"id": item_id}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201

    @entry
    def get_fail(self):
        raise RuntimeError("boom")


app = Inventory()
'''


def service_zip(source: str = SERVICE) -> bytes:
    """The sample service with the Coworks runtime, as the deploy package holds them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(ROOT / "coworks" / "__init__.py", "coworks/__init__.py")
        for path in sorted((ROOT / "coworks" / "runtime").rglob("*.py")):
            archive.write(path, str(path.relative_to(ROOT)))
        archive.writestr("inventory.py", source)
    return buffer.getvalue()


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
def aws(front_door: Any) -> Any:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return lambda service: session.client(service, endpoint_url=front_door.url)
