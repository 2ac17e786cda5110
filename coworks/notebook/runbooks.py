"""Runbooks: notebooks executed headlessly with parameters, kept with an HTML report.

``run_runbook("notebooks/deploy_runbook.ipynb", {"stage": "prod"})`` (``cws runbook ... -p stage prod``)
runs the notebook with papermill
(kernel ``python3``, working directory the notebook's own, so ``samples.inventory:app`` imports),
writes ``<name>.executed.ipynb`` and ``<name>.html`` next to it (or in ``--output``), shows a
progress line per cell, and exits non-zero naming the failing cell in one sentence.

The report is static: widgets are exported through the HTML their classes put beside the
widget view, so it reads offline and holds exactly what the widgets showed (masked secrets
included), with no widget state or JavaScript from a CDN.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CoworksError

KERNEL = "python3"

#: ``progress(done, total, label)`` after each code cell starts; label names the cell.
Progress = Callable[[int, int, str], None]


class RunbookError(CoworksError):
    """A runbook that cannot run or whose cell failed; ``cell`` names the failing cell."""

    def __init__(self, message: str, *, cell: str | None = None, result: RunbookResult | None = None) -> None:
        super().__init__(message)
        self.cell = cell
        self.result = result


@dataclass(frozen=True)
class RunbookResult:
    """Where the executed notebook and its report were written, and what failed (if anything)."""

    notebook: Path
    report: Path
    seconds: float
    error: str | None = None


def parse_value(text: str) -> Any:
    """``True``, ``3``, ``["A", "B"]`` as Python values; anything else stays the string it is."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def first_line(source: str) -> str:
    """The first line of code of a cell, comments skipped, cut at 60 characters."""
    line = next((t.strip() for t in source.splitlines() if t.strip() and not t.strip().startswith("#")), "")
    return line if len(line) <= 60 else line[:57] + "..."


def cell_label(cell: Any) -> str:
    """``In [7] (url = panel.apply())``: how a person finds the cell in the notebook."""
    first = first_line(str(cell.get("source", "")))
    count = cell.get("execution_count")
    where = f"In [{count}]" if count else "a cell"
    return f"{where} ({first})" if first else where


def notebook_parameters(book: Any) -> list[str] | None:
    """The names the ``parameters`` cell assigns (in order), or None when no cell is tagged so."""
    for cell in book.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = ast.parse(str(cell.source))
            except SyntaxError:
                return []
            found: list[str] = []
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, ast.AnnAssign) else []
                found += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in found]
            return found
    return None


def check_parameters(source: Path, book: Any, given: dict[str, Any]) -> None:
    """Every given name is one the parameters cell sets: a typo would otherwise run with the default."""
    import difflib

    known = notebook_parameters(book)
    if not given:
        return
    if known is None:
        raise RunbookError(f"{source.name} has no cell tagged 'parameters', so it takes no -p: tag the cell "
                           "that sets its defaults, or drop the -p options.")
    unknown = [name for name in given if name not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise RunbookError(f"{source.name} has no parameter {unknown[0]!r}{hint}: its parameters are "
                           f"{', '.join(known) or 'none'}.")


def run_runbook(
    path: str | Path,
    parameters: dict[str, Any] | None = None,
    output: str | Path | None = None,
    progress: Progress | None = None,
    timeout: int = 600,
    kernel: str | None = None,
) -> RunbookResult:
    """Execute ``path`` with ``parameters``; raise :class:`RunbookError` when a cell fails (the
    executed notebook and the report are written either way, so the failure can be read).

    ``kernel`` names the Jupyter kernel; default: the notebook's own (its kernelspec), else
    ``python3``. A notebook without kernelspec metadata runs as Python.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = Path(path)
    if not source.is_file() or source.suffix != ".ipynb":
        raise RunbookError(f"{source} is not a notebook: give the path of an .ipynb file.")
    folder = Path(output) if output else source.parent
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / f"{source.stem}.executed.ipynb"
    report = folder / f"{source.stem}.html"
    book = nbformat.read(source, as_version=4)
    check_parameters(source, book, dict(parameters or {}))
    spec = book.metadata.get("kernelspec") or {}
    kernel_name = kernel or spec.get("name") or KERNEL
    if kernel is not None:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            KernelSpecManager().get_kernel_spec(kernel)
        except NoSuchKernel:
            names = ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "none"
            raise RunbookError(f"There is no Jupyter kernel {kernel!r}: use one of {names} "
                               "(jupyter kernelspec list).") from None
    language = spec.get("language") or book.metadata.get("language_info", {}).get("name") or "python"
    total = sum(cell.cell_type == "code" for cell in book.cells) + (1 if parameters else 0)
    started = {"count": 0}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        if cell.cell_type == "code" and progress is not None:
            started["count"] += 1
            tags = cell.get("metadata", {}).get("tags", [])
            if "injected-parameters" in tags:  # papermill's copy of the parameters: say which were given
                label = "parameters given: " + ", ".join(dict(parameters or {}))
            elif "parameters" in tags:
                label = "parameters (defaults)"
            else:
                label = first_line(cell.source) or "(comments only)"
            progress(started["count"], total, label)

    import tempfile

    from traitlets.config import Config

    began = time.monotonic()
    failure: str | None = None
    # The kernel talks over Unix sockets in a private folder, not TCP: no port open on the machine,
    # and none of ipykernel's warning about unencrypted TCP in the runbook's output.
    sockets = tempfile.TemporaryDirectory(prefix="coworks-kernel-")
    transport = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets.name) / "kernel")}})
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=dict(parameters or {}), kernel_name=kernel_name,
            language=language,
            cwd=str(source.parent.resolve()), progress_bar=False, log_output=False, request_save_on_cell_execute=False,
            execution_timeout=timeout, on_cell_start=on_cell_start, config=transport,
        )
    except PapermillExecutionError as exc:
        label = cell_label({"source": exc.source, "execution_count": exc.exec_count})
        failure = f"{label} failed: {exc.ename}: {exc.evalue}".rstrip(".") + "."
    except Exception as exc:  # noqa: BLE001 - the kernel did not start, the notebook is malformed...
        if not executed.is_file():
            raise RunbookError(f"{source} could not run: {type(exc).__name__}: {exc}") from None
        failure = f"{source.name} stopped: {type(exc).__name__}: {exc}"
    finally:
        sockets.cleanup()
    write_report(executed, report)
    result = RunbookResult(executed, report, time.monotonic() - began, failure)
    if failure is not None:
        raise RunbookError(failure, cell=failure.split(" failed:")[0], result=result)
    return result


def write_report(notebook: Path, report: Path) -> Path:
    """The executed notebook as static HTML: the text/html each output carries, no widget state."""
    import nbformat
    from nbconvert import HTMLExporter

    book = nbformat.read(notebook, as_version=4)
    book.metadata.pop("widgets", None)
    for cell in book.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                data.pop("application/vnd.jupyter.widget-view+json")
                if not ({"text/html", "text/plain"} & set(data)):
                    data["text/plain"] = "(interactive widget)"
    body, _ = HTMLExporter().from_notebook_node(book)
    report.write_text(body, encoding="utf-8")
    return report
