"""Swagger UI's files reach a deployed zip only when the service mounts the docs page."""

from __future__ import annotations

import io
import zipfile

from coworks import TechMicroService, entry
from coworks.cloud import build_package
from coworks.docs import Admin, Docs


class Plain(TechMicroService):
    @entry
    def get(self):
        return "ok"


def names(service: TechMicroService) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(build_package(service).data)) as archive:
        return set(archive.namelist())


def test_only_a_service_with_docs_carries_swagger_ui() -> None:
    plain = names(Plain("plain"))
    assert not any("static/swagger-ui" in n for n in plain)
    admin = Plain("admin")
    admin.register_blueprint(Admin())
    assert not any("static/swagger-ui" in n for n in names(admin))
    docs = Plain("docs")
    docs.register_blueprint(Docs())
    shipped = names(docs) - plain
    assert {"coworks/runtime/describe/static/swagger-ui/swagger-ui-bundle.js",
            "coworks/runtime/describe/static/swagger-ui/swagger-ui.css",
            "coworks/runtime/describe/static/swagger-ui/LICENSE"} <= shipped
    assert all("swagger-ui" in n or not n.startswith("coworks/") for n in shipped)
