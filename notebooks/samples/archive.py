"""Archive: pages kept in S3 under a dated key, ``s3://$ARCHIVE_BUCKET/dashboards/<day>.html``.

A technical service of the dashboards workflow (``business.dashboards``), deployed as a Lambda of
its own; it imports nothing but the runtime, and boto3 (Lambda's runtime has it) on first use.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from coworks import InternalServerError, NotFound, Response, TechMicroService, entry

PREFIX = "dashboards/"


class Archive(TechMicroService):
    """Dashboards kept in S3 under a dated key."""

    permissions = [("s3:PutObject", f"arn:aws:s3:::*/{PREFIX}*"), ("s3:GetObject", f"arn:aws:s3:::*/{PREFIX}*")]

    def __init__(self, name: str | None = None, *, s3_client: Any = None, **options: Any) -> None:
        super().__init__(name or "archive", **options)
        self._s3 = s3_client

    def s3(self) -> Any:
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3")
        return self._s3

    @staticmethod
    def bucket() -> str:
        bucket = os.environ.get("ARCHIVE_BUCKET", "")
        if not bucket:
            raise InternalServerError("ARCHIVE_BUCKET is not set: set it to the bucket that keeps the dashboards.")
        return bucket

    @entry
    def put_dashboard(self, day: datetime.date, *, html: str) -> tuple[dict[str, str], int]:
        """Keep the dashboard of ``day`` (an ISO date), replacing the one kept before."""
        bucket, key = self.bucket(), f"{PREFIX}{day.isoformat()}.html"
        answer = self.s3().put_object(Bucket=bucket, Key=key, Body=html.encode(),
                                      ContentType="text/html; charset=utf-8")
        return {"bucket": bucket, "key": key, "url": f"s3://{bucket}/{key}", "etag": answer.get("ETag", "")}, 201

    @entry
    def get_dashboard(self, day: datetime.date) -> Response:
        """The dashboard kept for ``day``."""
        client = self.s3()
        try:
            got = client.get_object(Bucket=self.bucket(), Key=f"{PREFIX}{day.isoformat()}.html")
        except client.exceptions.NoSuchKey:
            raise NotFound(f"No dashboard is kept for {day.isoformat()}.") from None
        return Response(got["Body"].read(), 200, {"Content-Type": "text/html; charset=utf-8"})
