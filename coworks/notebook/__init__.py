"""The notebook layer: rich display and widgets. The only layer that imports ipywidgets."""

from ..tables import Table
from .caller import CallResult, EndpointCaller
from .deploypanel import DeployPanel, open_cloud
from .logviewer import LogViewer
from .services import route_table

__all__ = ["CallResult", "DeployPanel", "EndpointCaller", "LogViewer", "Table", "open_cloud", "route_table"]
