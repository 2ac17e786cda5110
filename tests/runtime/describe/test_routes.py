"""A service displays itself as its route table, in a notebook and in a terminal, with no
extension loaded; the display code is never loaded by handling a request."""

from __future__ import annotations

import subprocess
import sys

from coworks import TechMicroService, entry


class Shop(TechMicroService):
    """A shop."""

    @entry
    def get_item(self, item_id: int, *, detail: bool = False) -> dict[str, int]:
        """One item."""
        return {"id": item_id}


def test_html_form_is_the_route_table() -> None:
    html = Shop()._repr_html_()
    assert "<table" in html and "/item/{item_id}" in html and "item_id: int, detail: bool = False" in html
    assert "shop: A shop." in html


def test_text_form_for_terminals() -> None:
    from IPython.lib.pretty import pretty

    text = pretty(Shop())
    assert text.splitlines()[0] == "shop: A shop."
    assert "GET   /item/{item_id}  item_id: int, detail: bool = False  open  One item." in text


def test_handling_requests_loads_no_display_code() -> None:
    code = (
        "import sys\n"
        "from coworks import TechMicroService, entry\n"
        "class S(TechMicroService):\n"
        "    @entry\n"
        "    def get(self):\n"
        "        return 'ok'\n"
        "from coworks.testing import http_event\n"
        "assert S()(http_event('GET', '/'), None)['statusCode'] == 200\n"
        "print(sorted(m for m in sys.modules if m.startswith('coworks.runtime.describe')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
