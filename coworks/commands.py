"""The ``cws`` commands (click): a thin shell over ``coworks.cloud`` and the runtime's server.

Every cloud command takes ``--stage --profile --region --endpoint-url``; long work shows one
progress line that rewrites itself in a terminal and prints a line per step elsewhere.
Errors from Coworks print as one sentence (``Error: ...``) and exit with status 1.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from .errors import CoworksError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .cloud.aws import AwsCloud
    from .cloud.plan import Action


def cloud_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every cloud command shares, turned into an ``AwsCloud`` argument."""

    @click.option("--stage", default="dev", show_default=True, help="Stage: its own alias, API stage and .env.")
    @click.option("--profile", default=None, help="AWS profile (from ~/.aws/config).")
    @click.option("--region", default=None, help="AWS region (else the profile's or AWS_DEFAULT_REGION).")
    @click.option("--endpoint-url", default=None, help="Another AWS-compatible endpoint (a local cloud).")
    @functools.wraps(func)
    def wrapper(profile: str | None, region: str | None, endpoint_url: str | None, **kwargs: Any) -> Any:
        try:
            return func(cloud=open_cloud(profile, region, endpoint_url), **kwargs)
        except CoworksError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def open_cloud(profile: str | None, region: str | None, endpoint_url: str | None) -> AwsCloud:
    """The cloud a command works on: the one the options name; with none, the shared local cloud
    when ``cws cloud`` runs (said on stderr, so nobody deploys there by surprise), else AWS.
    An endpoint that is a Coworks local cloud is opened as one (its logs need local filtering)."""
    from .cloud.aws import AwsCloud

    if endpoint_url is not None and profile is None and endpoint_url.startswith("http://127.0.0.1:"):
        from .cloud.sharedcloud import probe

        if probe(endpoint_url) is not None:
            from .cloud.local import LocalCloud

            return LocalCloud(url=endpoint_url)
    if profile is None and region is None and endpoint_url is None:
        from .cloud.sharedcloud import find_shared

        shared = find_shared()
        if shared is not None:
            from .cloud.local import LocalCloud

            click.echo(f"(shared local cloud at {shared.url})", err=True)
            return LocalCloud(shared=True)
    return AwsCloud(profile=profile, region=region, endpoint_url=endpoint_url)


def settings_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
                        help="An environment setting for this deploy (repeatable).")(func)


def parse_pairs(pairs: tuple[str, ...], what: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE.", param_hint=what)
        values[key] = value
    return values


class ProgressLine:
    """``callback(step, total, action, status)`` drawing one line: rewritten in place on a terminal."""

    def __init__(self, stream: Any = None) -> None:
        self.stream: Any = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(callable(isatty) and isatty())
        self.width = 0

    def __call__(self, step: int, total: int, action: Action, status: str) -> None:
        text = f"[{step}/{total}] {action.verb} {action.kind} {action.name}"
        if status == "failed":
            text += " ... failed"
        elif status == "done" and not self.tty:
            text += " ... done"
        elif status == "start" and not self.tty:
            return
        if self.tty:
            padded = text.ljust(self.width)
            self.width = len(text)
            self.stream.write("\r" + padded)
            if status == "failed" or (status == "done" and step == total):
                self.stream.write("\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


@click.group()
@click.version_option(package_name="coworks", prog_name="cws")
def cli() -> None:
    """Coworks: serverless microservices on AWS, from a notebook or this shell."""


@cli.command()
@click.argument("target")
@settings_option
@cloud_options
def plan(cloud: AwsCloud, target: str, stage: str, settings: tuple[str, ...]) -> None:
    """Show what deploying TARGET (module:app) would change; changes nothing."""
    click.echo(str(cloud.deploy(target, stage=stage, settings=parse_pairs(settings, "--set")).plan()))


@cli.command()
@click.argument("target")
@settings_option
@cloud_options
def deploy(cloud: AwsCloud, target: str, stage: str, settings: tuple[str, ...]) -> None:
    """Package TARGET (module:app), show the plan, apply it and print the URL."""
    deployment = cloud.deploy(target, stage=stage, settings=parse_pairs(settings, "--set"))
    click.echo(str(deployment.package), err=True)
    shown = deployment.plan()
    click.echo(str(shown))
    deployment.apply(progress=ProgressLine())
    click.echo(f"{deployment.service} ({stage}): {deployment.url}")


@cli.command()
@click.argument("service")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@cloud_options
def destroy(cloud: AwsCloud, service: str, stage: str, yes: bool) -> None:
    """Delete everything Coworks made for SERVICE (a name or module:app) at the stage."""
    confirm_and_destroy(cloud.destroy_plan(service, stage), stage, yes,
                        lambda: cloud.destroy(service, stage, progress=ProgressLine()))


def confirm_and_destroy(shown: Any, stage: str, yes: bool, destroy: Callable[[], Any]) -> None:
    """Show what would go, ask unless ``--yes``, then destroy it; nothing deployed is said so."""
    if shown.is_empty:
        click.echo(f"Nothing deployed for {shown.service} at stage {stage}.")
        return
    click.echo(str(shown))
    if not yes:
        click.confirm("Delete these resources?", abort=True)
    destroy()
    click.echo(f"{shown.service} ({stage}) destroyed.")


@cli.command()
@click.argument("service", required=False)
@cloud_options
def status(cloud: AwsCloud, service: str | None, stage: str) -> None:
    """What is deployed: services, stages, versions serving and URLs."""
    click.echo(str(cloud.status(service)))


@cli.command()
@click.argument("service")
@click.argument("path", default="/")
@click.option("--method", "-X", default="GET", show_default=True, help="HTTP method of the route.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Query parameter (repeatable).")
@click.option("--data", "-d", default=None, help="JSON body.")
@cloud_options
def invoke(cloud: AwsCloud, service: str, path: str, stage: str, method: str, params: tuple[str, ...],
           data: str | None) -> None:
    """Call PATH of the deployed SERVICE through Lambda (no API Gateway) and print the answer."""
    try:
        body = json.loads(data) if data is not None else None
    except ValueError:
        raise click.BadParameter("it is not JSON.", param_hint="--data") from None
    answer = cloud.invoke(service, stage, path, method, params=parse_pairs(params, "--param"), body=body)
    click.echo(answer if isinstance(answer, str) else json.dumps(answer, indent=2))


@cli.command()
@click.argument("target")
@click.option("--since", default="15m", show_default=True, help="Start: 5m, 2h30m, 1d or an ISO timestamp.")
@click.option("--until", default=None, help="End (default: now): same forms as --since.")
@click.option("--pattern", default=None, help="CloudWatch filter pattern: ERROR, '{ $.level = \"ERROR\" }'...")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events until Ctrl-C.")
@click.option("--color/--no-color", "colour", default=None, help="Colour (default: when stdout is a terminal).")
@cloud_options
def logs(cloud: AwsCloud, target: str, stage: str, since: str, until: str | None, pattern: str | None,
         follow: bool, colour: bool | None) -> None:
    """Print the CloudWatch logs of TARGET: a service (at --stage), a function or a /log/group."""
    from .logprinter import LogPrinter

    if follow and until is not None:
        raise click.BadParameter("--until cannot be used with --follow.", param_hint="--until")
    printer = LogPrinter(colour=sys.stdout.isatty() if colour is None else colour)
    records = cloud.logs(target, since=since, until=until, pattern=pattern, follow=follow, stage=stage)
    try:
        for record in records:
            printer(record)
    except KeyboardInterrupt:
        return


@cli.command("cloud")
@click.option("--port", default=0, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--persist", type=click.Path(file_okay=False), default=None,
              help="Keep the cloud's state in this directory across restarts.")
@click.option("--save-every", default=30.0, show_default=True, help="Seconds between snapshots with --persist.")
def cloud_command(port: int, persist: str | None, save_every: float) -> None:
    """Run the local cloud as a shared server until Ctrl-C: notebooks and shells attach to it."""
    import signal
    import threading

    from .cloud.sharedcloud import SharedCloudServer, endpoint_file

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


@cli.command()
@click.argument("target")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
def run(target: str, port: int) -> None:
    """Serve TARGET (module:app) on 127.0.0.1 until interrupted."""
    from .cloud.sources import resolve

    try:
        service = resolve(target).service
    except CoworksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Serving {service.name} on http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    try:
        service.serve(port=port, background=False)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.exit(0)
from .runbooks import runbook as _runbook  # noqa: E402, I001
cli.add_command(_runbook)
from .workflow_commands import graph as _graph, run_workflow as _run_workflow  # noqa: E402, I001
cli.add_command(_graph); cli.add_command(_run_workflow)  # noqa: E702
from .workflow_commands import deploy_workflow as _deploy_wf, destroy_workflow as _destroy_wf  # noqa: E402, I001
cli.add_command(_deploy_wf); cli.add_command(_destroy_wf)  # noqa: E702
