"""Where named templates come from: an S3 prefix (``s3://bucket/templates/``) or a directory.

S3 is read through boto3 (Lambda's runtime provides it, so it is not in the zip; on the local
cloud boto3 goes to its endpoint like every other AWS call). A template is kept ``ttl`` seconds
and then read again, so an upload shows within that time without a redeploy; ``{% include %}``
and ``{% extends %}`` resolve in the same place. Names are checked by Jinja (no ``..``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from coworks_ext import BadGateway, MisconfiguredError
from jinja2 import BaseLoader, FileSystemLoader, TemplateNotFound
from jinja2.loaders import split_template_path

MAX_TEMPLATE_BYTES = 1024 * 1024


class S3Loader(BaseLoader):
    """Templates stored under ``s3://bucket/prefix/``."""

    def __init__(self, bucket: str, prefix: str = "", *, ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.ttl = ttl
        self.clock = clock
        self._client = client

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        key = self.prefix + "/".join(split_template_path(template))
        try:
            answer = self.client().get_object(Bucket=self.bucket, Key=key)
            body = answer["Body"].read(MAX_TEMPLATE_BYTES + 1)
        except Exception as exc:
            code = _code(exc)
            if code in ("NoSuchKey", "404", "NotFound"):
                raise TemplateNotFound(template) from None
            if code in ("NoSuchBucket", "AccessDenied", "403", "AllAccessDisabled", "InvalidBucketName"):
                raise MisconfiguredError(f"The templates at {self.location} cannot be read ({code}): check the "
                                         "bucket and that the function's role may s3:GetObject there.") from None
            raise BadGateway(f"S3 did not give the template {template!r} from {self.location} ({code}).") from None
        if len(body) > MAX_TEMPLATE_BYTES:
            raise MisconfiguredError(f"The template {template!r} in {self.location} is over "
                                     f"{MAX_TEMPLATE_BYTES} bytes.")
        try:
            source = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MisconfiguredError(f"The template {template!r} in {self.location} is not UTF-8 text.") from None
        loaded = self.clock()
        return source, f"{self.location}{template}", lambda: self.clock() - loaded < self.ttl


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__


def loader_for(location: str | None, variable: str, *, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic,
               client: Any = None) -> BaseLoader | None:
    """The loader of a ``<PREFIX>TEMPLATES`` setting: ``s3://bucket/prefix`` or a directory path."""
    if not location:
        return None
    if location.startswith("s3://"):
        bucket, _, prefix = location[5:].partition("/")
        if not bucket:
            raise MisconfiguredError(f"{variable} is {location!r}: write s3://bucket/prefix/.")
        return S3Loader(bucket, prefix, ttl=ttl, clock=clock, client=client)
    if "://" in location:
        raise MisconfiguredError(f"{variable} is {location!r}: use s3://bucket/prefix/ or a directory path.")
    return FileSystemLoader(location)


def describe(loader: BaseLoader | None) -> str:
    if isinstance(loader, S3Loader):
        return loader.location
    if isinstance(loader, FileSystemLoader):
        return ", ".join(str(p) for p in loader.searchpath)
    return "no template store (set the TEMPLATES setting)"
