"""``cws run``: a service on 127.0.0.1, as ``flask run`` and ``chalice local`` serve theirs.

The port is bound before anything says it serves, so a taken port is one sentence and nothing
claims to be serving. Every request is one line on stderr. The stage's settings come from
``.env`` then ``.env.<stage>`` in the current directory, the files the deploy reads; variables
already set in the shell win, as python-dotenv and Flask do.

``--reload`` keeps the socket in this process and runs the service in a child that gets it;
watchfiles watches the current directory (``.py`` and ``.env*`` files), and each change restarts
the child, whose import errors are printed as one sentence while the watch goes on.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import CoworksError

HOST = "127.0.0.1"


@click.command()
@click.argument("target")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--stage", default="dev", show_default=True, help="Whose .env.<stage> is read after .env.")
@click.option("--reload", "reload", is_flag=True, help="Restart when a .py or .env file here changes.")
@click.option("--listen-fd", type=int, default=None, hidden=True)
def run(target: str, port: int, stage: str, reload: bool, listen_fd: int | None) -> None:
    """Serve TARGET (module:app) on 127.0.0.1 until interrupted, one log line per request."""
    if listen_fd is not None:  # a child of --reload: the socket is bound already
        sock = socket.socket(fileno=listen_fd)
    else:
        sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}"
    if reload:
        supervise(target, stage, sock, url)
        return
    load_settings(stage)
    try:
        from ..cloud.targets import load_service

        service = load_service(target)
    except CoworksError as exc:
        sock.close()
        raise click.ClickException(str(exc)) from None
    handle = service.serve(background=True, log=lambda line: click.echo(line, err=True), sock=sock)
    if listen_fd is None:
        click.echo(f"Serving {service.name} on {url} (Ctrl-C to stop)", err=True)
    try:
        _wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()


def _wait() -> None:
    import threading

    threading.Event().wait()


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port``; a taken port is one sentence naming the flag."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"Port {port} on {HOST} is taken ({exc.strerror}): stop what serves there, or "
                                   "pass --port N (--port 0 picks a free one).") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def load_settings(stage: str, root: Path | None = None) -> dict[str, str]:
    """``.env`` then ``.env.<stage>`` into the environment, shell variables first; what was set."""
    from ..cloud.packaging.settings import read_dotenv

    base = root or Path.cwd()
    values = {**read_dotenv(base / ".env"), **read_dotenv(base / f".env.{stage}")}
    added = {key: value for key, value in values.items() if key not in os.environ}
    os.environ.update(added)
    return added


def supervise(target: str, stage: str, sock: socket.socket, url: str) -> None:
    """Run the service in a child holding ``sock``; restart it on every change under the current directory."""
    import signal
    import threading

    import watchfiles

    root = Path.cwd()
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # terminated: stop the child too
    click.echo(f"Serving {target} on {url}, restarting on changes under {root} (Ctrl-C to stop)", err=True)
    child = _start(target, stage, sock)
    try:
        for changes in watchfiles.watch(root, watch_filter=_watched, stop_event=stop, raise_interrupt=True):
            names = sorted({Path(path).name for _, path in changes})
            click.echo(f"Restarting: {', '.join(names)} changed", err=True)
            _stop(child)
            child = _start(target, stage, sock)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(child)
        sock.close()


def _watched(change: Any, path: str) -> bool:
    name = Path(path).name
    return (name.endswith(".py") or name == ".env" or name.startswith(".env.")) and "__pycache__" not in path


def _start(target: str, stage: str, sock: socket.socket) -> subprocess.Popen[bytes]:
    fd = sock.fileno()
    return subprocess.Popen([sys.executable, "-m", "coworks.cli", "run", target, "--stage", stage,
                             "--listen-fd", str(fd)], pass_fds=(fd,))


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
