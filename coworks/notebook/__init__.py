"""The notebook layer: rich display and widgets. The only layer that imports ipywidgets."""

from ..tables import Table
from .caller import CallResult, EndpointCaller
from .services import route_table

__all__ = ["CallResult", "EndpointCaller", "Table", "route_table"]
