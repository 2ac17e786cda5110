"""The notebook layer: rich display and widgets. The only layer that imports ipywidgets."""

from .caller import CallResult, EndpointCaller
from .services import route_table
from ..tables import Table

__all__ = ["CallResult", "EndpointCaller", "Table", "route_table"]
