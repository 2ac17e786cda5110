"""coworks_jinja: Jinja templating as a Coworks technical service (``pip install coworks[jinja]``).

    from coworks_jinja import JinjaService
    app = JinjaService()                       # POST /render {"template": "Hi {{ name }}", "context": {...}}

Templates run in Jinja's immutable sandbox with limits on output size and render time; undefined
variables and syntax errors are 422 answers naming the variable or the line. ``Renderer`` is the
same machinery for other services (the mail service renders its bodies with it).
"""

try:
    import jinja2  # noqa: F401 - checked first, for the sentence below instead of a deep ImportError
except ImportError as exc:  # pragma: no cover - exercised in a venv without the extra
    raise ImportError("The Jinja and mail services need jinja2: pip install 'coworks[jinja]' (or coworks[mail]), "
                      "and list it in your service's requirements.") from exc

from .filters import FILTERS, money  # noqa: E402
from .loaders import S3Loader, loader_for
from .renderer import Limits, Renderer
from .service import REQUIREMENTS, JinjaBlueprint, JinjaEntries, JinjaService, TemplateSettings

__all__ = [
    "FILTERS",
    "REQUIREMENTS",
    "JinjaBlueprint",
    "JinjaEntries",
    "JinjaService",
    "Limits",
    "Renderer",
    "S3Loader",
    "TemplateSettings",
    "loader_for",
    "money",
]
