"""The Jinja service: ``POST /render`` a template given inline, uploaded or stored (S3 or a directory).

Settings, under the prefix (``JINJA_`` by default):

    JINJA_TEMPLATES      s3://bucket/prefix/ or a directory: where template_name is looked up
    JINJA_MAX_OUTPUT     characters a render may produce (default 1,000,000)
    JINJA_MAX_SECONDS    seconds a render may take (default 5)
    JINJA_CACHE_SECONDS  how long a stored template is kept before it is read again (default 60)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from coworks_ext import ExtensionBlueprint, Settings

from coworks import Response, TechMicroService, UnprocessableEntity, UploadedFile, entry

from .loaders import describe, loader_for
from .renderer import Limits, Renderer

REQUIREMENTS = ("jinja2>=3.1,<4",)
RESPONSES = {
    200: "The rendered text (text/plain or text/html)",
    404: "template_name (or a template it includes) is not in the store",
    422: "A syntax error, an undefined variable, a refused operation, or a limit passed: the line is named",
    500: "The template store is not configured or cannot be read",
    502: "S3 did not answer",
}
CONTENT_TYPES = {"text": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}


class TemplateSettings:
    """The template store and limits of a service, read from ``<prefix>TEMPLATES`` and friends."""

    def __init__(self, settings: Settings, s3_client: Any = None) -> None:
        self.settings = settings
        self.s3_client = s3_client
        self._renderers: dict[tuple[Any, ...], Renderer] = {}

    def renderer(self) -> Renderer:
        s = self.settings
        key = (s.text("TEMPLATES"), s.integer("MAX_OUTPUT", 1_000_000, 1, 100_000_000),
               s.number("MAX_SECONDS", 5.0, 0.01, 900.0), s.number("CACHE_SECONDS", 60.0, 0.0, 86400.0))
        renderer = self._renderers.get(key)
        if renderer is None:
            loader = loader_for(key[0], s.name("TEMPLATES"), ttl=key[3], client=self.s3_client)
            renderer = Renderer(loader, Limits(max_output=key[1], max_seconds=key[2]))
            self._renderers = {key: renderer}  # settings changed: the old cache is stale
        return renderer


class JinjaEntries:
    """The entries, shared by the service and the blueprint."""

    prefix = "JINJA_"
    templates: TemplateSettings

    def _setup_templates(self, prefix: str | None, environ: Mapping[str, str] | None, s3_client: Any) -> None:
        self.templates = TemplateSettings(Settings(prefix or type(self).prefix, environ), s3_client)

    @entry
    def get(self) -> dict[str, Any]:
        """Where templates are looked up and the limits of a render (no secret here)."""
        renderer = self.templates.renderer()
        return {"templates": describe(renderer.loader), "max_output": renderer.limits.max_output,
                "max_seconds": renderer.limits.max_seconds}

    @entry(responses=RESPONSES)
    def render(self, *, template: str | None = None, template_name: str | None = None,
               file: UploadedFile | None = None, context: dict[str, Any] | None = None,
               output: Literal["text", "html"] = "text") -> Response:
        """Render a template with a JSON context.

        :param template: the template's source, inline
        :param template_name: the name of a stored template (under the TEMPLATES setting)
        :param file: the template uploaded as a file part of a multipart/form-data body
        :param context: the variables the template sees (a JSON object)
        :param output: text (nothing escaped) or html (autoescaped), also the answer's content type
        """
        given = [n for n, v in (("template", template), ("template_name", template_name), ("file", file))
                 if v is not None]
        if len(given) != 1:
            message = "give exactly one of template, template_name or file" if given else \
                "give a template: inline (template), stored (template_name) or uploaded (file)"
            raise UnprocessableEntity([{"field": n, "location": "body", "message": message}
                                       for n in (given or ["template"])])
        source = template
        field = given[0]
        if file is not None:
            try:
                source = file.content.decode("utf-8")
            except UnicodeDecodeError:
                raise UnprocessableEntity([{"field": "file", "location": "body",
                                            "message": "is not UTF-8 text"}]) from None
        text = self.templates.renderer().render(source=source, name=template_name, context=context or {},
                                                html=output == "html", field=field)
        return Response(text, 200, {"Content-Type": CONTENT_TYPES[output]})


class JinjaService(JinjaEntries, TechMicroService):
    """Renders Jinja templates in a sandbox: inline, uploaded or stored in S3, as text or HTML."""

    requirements = REQUIREMENTS

    def __init__(self, name: str | None = None, *, prefix: str | None = None,
                 environ: Mapping[str, str] | None = None, s3_client: Any = None, **options: Any) -> None:
        super().__init__(name or "jinja", **options)
        self._setup_templates(prefix, environ, s3_client)


class JinjaBlueprint(JinjaEntries, ExtensionBlueprint):
    """The Jinja entries to mount in your own service: ``app.register_blueprint(JinjaBlueprint(), "/jinja")``.

    Mounting it brings its ``requirements`` to your service's package.
    """

    requirements = REQUIREMENTS

    def __init__(self, *, prefix: str | None = None, environ: Mapping[str, str] | None = None,
                 s3_client: Any = None) -> None:
        self._setup_templates(prefix, environ, s3_client)
