"""How a controller shows itself: its live ipywidgets view in JupyterLab, with static HTML and
text beside it in the same output, so executed notebooks and HTML reports show what the widget
showed. The view is made on first display; actions refresh it only once it exists."""

from __future__ import annotations

from typing import Any


class Shown:
    """Mixin for EndpointCaller, DeployPanel and LogViewer: subclasses give ``_make_view()``
    (an object with ``.box`` and ``.refresh(...)``), ``_repr_html_()`` and ``__str__``."""

    _view: Any = None

    def _make_view(self) -> Any:
        raise NotImplementedError

    @property
    def widget(self) -> Any:
        if self._view is None:
            self._view = self._make_view()
        return self._view.box

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = self._repr_html_()
        bundle["text/plain"] = str(self)
        return bundle

    def _repr_html_(self) -> str:
        raise NotImplementedError

    def _refresh(self, *args: Any) -> None:
        if self._view is not None:
            self._view.refresh(*args)
