"""``%cws ...`` in a notebook: the command line, run in the kernel (``%load_ext coworks`` adds it)."""

from __future__ import annotations

import shlex
from typing import Any


def cws_line(line: str) -> int:
    """Run ``cws`` with these arguments in the kernel; returns its exit code."""
    from . import main

    return main(shlex.split(line))


def load(ipython: Any) -> None:
    from IPython.core.magic import register_line_magic

    @register_line_magic  # type: ignore[misc]
    def cws(line: str) -> None:
        code = cws_line(line)
        if code:
            print(f"cws exited with {code}")
