"""A REST API's resource tree picks the resource and method of a request as API Gateway does:
a literal segment before a path variable before a greedy ``{proxy+}``, the verb's method before
``ANY`` (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html)."""

from __future__ import annotations

import pytest

from coworks.cloud.local.restapi.config import MethodConfig, ResourceConfig, RestApiConfig
from coworks.cloud.local.restapi.routing import match


def api(*resources: tuple[str, tuple[str, ...]]) -> RestApiConfig:
    return RestApiConfig("abc123", "us-east-1", tuple(
        ResourceConfig(path, tuple(MethodConfig(verb, f"fn-{path}-{verb}", "AWS_PROXY", None, False)
                                   for verb in verbs)) for path, verbs in resources), ("dev",))


TREE = api(("/", ("GET",)), ("/item", ("POST",)), ("/item/{item_id}", ("GET", "ANY")), ("/item/price", ("GET",)),
           ("/files", ()), ("/files/{proxy+}", ("GET",)), ("/a", ()), ("/a/{x}", ()), ("/a/{x}/b", ("GET",)),
           ("/a/c", ()))


@pytest.mark.parametrize(
    ("method", "path", "resource", "verb", "params"),
    [
        ("GET", "/", "/", "GET", {}),
        ("GET", "/item/price", "/item/price", "GET", {}),
        ("GET", "/item/3", "/item/{item_id}", "GET", {"item_id": "3"}),
        ("DELETE", "/item/3", "/item/{item_id}", "ANY", {"item_id": "3"}),
        ("GET", "/item/a%20b", "/item/{item_id}", "GET", {"item_id": "a b"}),
        ("GET", "/files/x/y/z", "/files/{proxy+}", "GET", {"proxy": "x/y/z"}),
        ("GET", "/a/c/b", "/a/{x}/b", "GET", {"x": "c"}),  # the literal /a/c has no /b: the variable is tried next
    ],
)
def test_the_most_specific_resource_answers(method: str, path: str, resource: str, verb: str,
                                            params: dict[str, str]) -> None:
    found = match(TREE, method, path)
    assert found is not None
    assert (found[0].path, found[1].http_method, found[2]) == (resource, verb, params)


@pytest.mark.parametrize(("method", "path"), [("GET", "/nothing"), ("GET", "/item"), ("PUT", "/item/price"),
                                              ("GET", "/files"), ("GET", "/item/3/extra"), ("HEAD", "/")])
def test_no_resource_or_no_method_is_no_match(method: str, path: str) -> None:
    assert match(TREE, method, path) is None
