"""``cws cloud``: the local cloud as a shared server that notebooks and shells attach to."""

from __future__ import annotations

import click

from ..errors import CoworksError


@click.command("cloud")
@click.option("--port", default=0, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--persist", type=click.Path(file_okay=False), default=None,
              help="Keep the cloud's state in this directory across restarts (every answered change is on disk).")
@click.option("--save-every", default=30.0, show_default=True,
              help="Seconds between compactions of the state with --persist (0: only when it stops).")
@click.option("--token", "use_token", is_flag=True,
              help="Require a fresh random token on every AWS call (LocalCloud() and cws commands use it).")
@click.option("--allow-host", "hosts", multiple=True, metavar="NAME",
              help="A Host name to answer besides 127.0.0.1, localhost, *.localhost and [::1].")
@click.option("--allow-origin", "origins", multiple=True, metavar="ORIGIN",
              help="A browser origin (http://localhost:3000) whose pages may call the local cloud.")
def cloud_command(port: int, persist: str | None, save_every: float, use_token: bool, hosts: tuple[str, ...],
                  origins: tuple[str, ...]) -> None:
    """Run the local cloud as a shared server until Ctrl-C: notebooks and shells attach to it.

    Any process of this machine can deploy and run code on it, as with moto's server; --token
    keeps out those that cannot read ~/.coworks/cloud.json (readable by you only)."""
    import select
    import signal
    import socket

    from ..cloud.local.http.access import new_token
    from ..cloud.local.http.server import sync_endpoint
    from ..cloud.local.shared import SharedCloudServer, endpoint_file

    if save_every < 0:
        raise click.BadParameter("it is a number of seconds, 0 or more.", param_hint="--save-every")
    token = new_token() if use_token else None
    server = SharedCloudServer(port=port, persist=persist, save_every=save_every, token=token, hosts=hosts,
                               origins=origins)
    # The handlers take no lock (Event.set() from a handler deadlocks when the signal lands while
    # the main thread holds that Event's lock inside wait()): they append, and the signal's byte on
    # the wakeup socket ends the select below. Installed before start: a SIGTERM while the state is
    # restored still stops the server cleanly once it is up.
    received: list[int] = []
    wakeup, alarm = socket.socketpair()
    wakeup.setblocking(False)
    alarm.setblocking(False)
    previous_fd = signal.set_wakeup_fd(alarm.fileno(), warn_on_full_buffer=False)
    previous = {sig: signal.signal(sig, lambda number, frame: received.append(number))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server.start()
        except CoworksError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            restored = " (state restored)" if server.restored else ""
            secured = f"; token in {endpoint_file()} (AWS_ACCESS_KEY_ID for other clients)" if token else ""
            click.echo(f"Local cloud on {server.url}{restored}; endpoint in {endpoint_file()}{secured} (Ctrl-C to "
                       f"stop)\nLocalCloud() and cws commands attach to it; other clients (boto3, the AWS CLI): "
                       f"export AWS_ENDPOINT_URL={server.url} AWS_ENDPOINT_URL_SFN={sync_endpoint(server.url)}",
                       err=True)
            # Blocks until a signal, or until the next compaction is due (never with --save-every 0).
            while not received:
                select.select([wakeup], [], [], save_every if persist and save_every > 0 else None)
                try:
                    wakeup.recv(4096)
                except BlockingIOError:
                    pass
                server.tick()
        finally:
            try:
                server.stop()
            except CoworksError as exc:
                raise click.ClickException(f"{exc} (the state saved before is kept)") from None
            finally:
                click.echo("Local cloud stopped.", err=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous_fd)
        wakeup.close()
        alarm.close()
