"""``Table``: the text and HTML tables every layer displays (defined in the runtime)."""

from .runtime.describe.tables import Table

__all__ = ["Table"]
