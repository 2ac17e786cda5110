"""``%cws ...`` in a notebook: the command line, run in the kernel (``%load_ext coworks`` adds it).

It ends like any other line: ``main`` returns the exit code instead of raising ``SystemExit``,
and a non-zero code is said in one line.
"""

from __future__ import annotations

import shlex
from typing import Any


def cws_line(line: str) -> int:
    """Run ``cws`` with these arguments in the kernel; returns its exit code."""
    from . import main

    try:
        argv = shlex.split(line)
    except ValueError as exc:  # an unclosed quote
        print(f"%cws {line}: {exc}; close the quote.")
        return 2
    return main(argv)


def load(ipython: Any) -> None:
    from IPython.core.magic import register_line_magic

    @register_line_magic  # type: ignore[misc]
    def cws(line: str) -> None:
        code = cws_line(line)
        if code:
            print(f"cws exited with {code}")
