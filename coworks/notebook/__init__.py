"""The notebook layer: rich display and widgets. The only layer that imports ipywidgets."""

from ..runtime.describe import route_table
from ..tables import Table
from .caller import CallResult, EndpointCaller
from .deploypanel import DeployPanel, open_cloud
from .logviewer import LogViewer
from .workflowview import WorkflowView

__all__ = [
    "CallResult",
    "DeployPanel",
    "EndpointCaller",
    "LogViewer",
    "Table",
    "WorkflowView",
    "open_cloud",
    "route_table",
]
