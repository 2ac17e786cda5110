"""Pages about a service, each one line to enable: ``app.register_blueprint(Docs())`` serves
``/docs`` (Swagger UI, no CDN) and ``/openapi.json``; ``OpenApi()`` the document alone; ``Admin()``
``/admin`` (description and route table). Defined in the runtime (``runtime/describe/pages.py``)."""

from .runtime.describe.pages import Admin, Docs, OpenApi

__all__ = ["Admin", "Docs", "OpenApi"]
