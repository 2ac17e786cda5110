"""``UploadedFile``: a file part of a multipart body, apart from the parser so that reading an
annotation or an OpenAPI schema never loads the parser."""

from __future__ import annotations

#: How many parts a multipart/form-data body may have (werkzeug's ``max_form_parts``, Starlette's
#: ``max_fields``/``max_files`` default to the same); a service raises it with its ``max_form_parts``
#: class attribute.
MAX_FORM_PARTS = 1000


class UploadedFile:
    """A file part of a multipart/form-data body."""

    __slots__ = ("filename", "content_type", "content")

    def __init__(self, filename: str, content_type: str, content: bytes) -> None:
        self.filename = filename
        self.content_type = content_type
        self.content = content

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.content)} bytes)"
