"""The notebook layer: rich display, widgets and runbooks. The only layer that imports ipywidgets
and anywidget, and only when a widget is used: ``runbooks`` (what ``cws runbook`` runs) loads none.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..cloud.opener import open_cloud
    from ..runtime.describe.routes import route_table
    from ..tables import Table
    from .caller import CallResult, EndpointCaller
    from .deploypanel import DeployPanel
    from .editor import WorkflowEditor
    from .logviewer import LogViewer
    from .workflowview import WorkflowView

__all__ = [
    "CallResult",
    "DeployPanel",
    "EndpointCaller",
    "LogViewer",
    "Table",
    "WorkflowEditor",
    "WorkflowView",
    "open_cloud",
    "route_table",
]

def __getattr__(name: str) -> object:
    """Each widget loads on first use; the imports are written out so the architecture test sees them."""
    if name in ("CallResult", "EndpointCaller"):
        from . import caller

        return getattr(caller, name)
    if name == "DeployPanel":
        from . import deploypanel

        return getattr(deploypanel, name)
    if name == "LogViewer":
        from . import logviewer

        return getattr(logviewer, name)
    if name == "WorkflowEditor":
        from . import editor

        return getattr(editor, name)
    if name == "WorkflowView":
        from . import workflowview

        return getattr(workflowview, name)
    if name == "open_cloud":
        from ..cloud import opener

        return getattr(opener, name)
    if name == "route_table":
        from ..runtime.describe import routes

        return getattr(routes, name)
    if name == "Table":
        from .. import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
