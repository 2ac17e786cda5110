"""pytest fixtures, registered through the ``pytest11`` entry point.

Define an ``app`` fixture returning your service; ``client`` then calls it through its Lambda
event adapter, and ``lambda_context`` is a Lambda-like context object.
"""

from __future__ import annotations

import pytest

from ..testclient import LambdaContext, TestClient

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


@pytest.fixture
def client(request: pytest.FixtureRequest) -> TestClient:
    try:
        app: Any = request.getfixturevalue("app")
    except pytest.FixtureLookupError:
        app = None
    if app is None:  # failing outside the except block keeps pytest's report to this one sentence
        pytest.fail("The `client` fixture needs an `app` fixture that returns your TechMicroService.",
                    pytrace=False)
    return TestClient(app)
