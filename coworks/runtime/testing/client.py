"""Moved to ``coworks.runtime.testclient`` (the service offers it); kept importable for one release."""

from ..testclient import LambdaContext, TestClient, TestResponse, encode_multipart

__all__ = ["LambdaContext", "TestClient", "TestResponse", "encode_multipart"]
