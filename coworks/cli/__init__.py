"""The ``cws`` command: a thin shell over the functions the notebook calls."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from .app import cli
    except ImportError as exc:  # click is an extra: say how to get it
        print(f"cws needs the cli extra ({exc.name} is missing): pip install 'coworks[cli]'", file=sys.stderr)
        return 2
    return int(cli.main(args=argv, prog_name="cws", standalone_mode=True) or 0)

