"""The ``cws`` command: a thin shell over the functions the notebook calls.

``main`` never lets a traceback reach the user: Coworks errors are one sentence (the commands
turn them into ``Error: ...``), an unexpected exception is named in one line (``COWORKS_DEBUG=1``
shows its traceback), Ctrl-C stops quietly, and the exit code is returned, never raised, so
``%cws`` in a notebook ends like any other line.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from .app import cli
    except ImportError as exc:  # click is an extra: say how to get it
        print(f"cws needs the cli extra ({exc.name} is missing): pip install 'coworks[cli]'", file=sys.stderr)
        return 2
    try:
        return int(cli.main(args=argv, prog_name="cws", standalone_mode=True) or 0)
    except SystemExit as exc:  # click ends every command this way
        code = exc.code
        if code is None or isinstance(code, int):
            return int(code or 0)
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last net: one line, the traceback on request
        if os.environ.get("COWORKS_DEBUG"):
            raise
        print(f"Error: {type(exc).__name__}: {exc} (unexpected; COWORKS_DEBUG=1 cws ... shows the traceback)",
              file=sys.stderr)
        return 1
