"""``cws cloud``: the local cloud as a shared server that notebooks and shells attach to."""

from __future__ import annotations

import click

from ..errors import CoworksError


@click.command("cloud")
@click.option("--port", default=0, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--persist", type=click.Path(file_okay=False), default=None,
              help="Keep the cloud's state in this directory across restarts.")
@click.option("--save-every", default=30.0, show_default=True, help="Seconds between snapshots with --persist.")
def cloud_command(port: int, persist: str | None, save_every: float) -> None:
    """Run the local cloud as a shared server until Ctrl-C: notebooks and shells attach to it."""
    import signal
    import threading

    from ..cloud.local.shared import SharedCloudServer, endpoint_file

    stop = threading.Event()
    server = SharedCloudServer(port=port, persist=persist, save_every=save_every)
    try:
        server.start()
    except CoworksError as exc:
        raise click.ClickException(str(exc)) from None
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        restored = " (state restored)" if server.restored else ""
        click.echo(f"Local cloud on {server.url}{restored}; endpoint in {endpoint_file()} (Ctrl-C to stop)\n"
                   f"LocalCloud() and cws commands attach to it; other clients: aws --endpoint-url {server.url} ...",
                   err=True)
        while not stop.wait(min(1.0, save_every)):
            server.tick()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
        click.echo("Local cloud stopped.", err=True)
