"""``cws runbook``: a notebook executed headlessly with parameters, and its HTML report.

The execution is the notebook layer's (``coworks.notebook.runbooks``: papermill, no widgets
loaded); this is its shell: ``-p`` parameters read as Python values, one progress line per cell.
"""

from __future__ import annotations

import sys
from typing import Any

import click


def _progress_line(stream: Any) -> Any:
    tty = bool(getattr(stream, "isatty", lambda: False)())
    width = {"last": 0}

    def show(done: int, total: int, label: str) -> None:
        text = f"[{done}/{total}] {label}"
        if tty:
            stream.write("\r" + text.ljust(width["last"]))
            width["last"] = len(text)
        else:
            stream.write(text + "\n")
        stream.flush()

    return show


@click.command("runbook")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True, metavar="NAME VALUE",
              help="A parameter of the notebook's parameters cell (repeatable); True, 3, ['a'] are read as Python.")
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Folder for the executed notebook and the HTML report (default: next to the notebook).")
@click.option("--timeout", type=int, default=600, show_default=True, help="Seconds a cell may run.")
@click.option("--kernel", default=None, help="The Jupyter kernel (default: the notebook's own, else python3).")
def runbook(notebook: str, parameters: tuple[tuple[str, str], ...], output: str | None, timeout: int,
            kernel: str | None) -> None:
    """Execute NOTEBOOK headlessly (papermill) and write the executed notebook and an HTML report."""
    from ..notebook.runbooks import RunbookError, parse_value, run_runbook

    values = {name: parse_value(value) for name, value in parameters}
    progress = _progress_line(sys.stderr)
    try:
        result = run_runbook(notebook, values, output, progress=progress, timeout=timeout, kernel=kernel)
    except RunbookError as exc:
        if getattr(sys.stderr, "isatty", lambda: False)():
            sys.stderr.write("\n")
        if exc.result is not None:
            click.echo(f"Executed notebook: {exc.result.notebook}\nReport: {exc.result.report}", err=True)
        raise click.ClickException(str(exc)) from None
    if getattr(sys.stderr, "isatty", lambda: False)():
        sys.stderr.write("\n")
    click.echo(f"Ran {notebook} in {result.seconds:.1f} s\nExecuted notebook: {result.notebook}\n"
               f"Report: {result.report}")
