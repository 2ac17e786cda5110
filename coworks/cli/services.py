"""``cws plan``, ``deploy``, ``destroy``, ``status`` and ``invoke``: a service on a cloud
(``cws run``, serving it on 127.0.0.1, is ``serving.py``)."""

from __future__ import annotations

import json
import sys

import click

from .options import (
    ProgressLine,
    cloud_options,
    confirm_and_destroy,
    confirm_on_aws,
    parse_pairs,
    settings_option,
    wait_option,
    yes_option,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..cloud.aws import AwsCloud


@click.command()
@click.argument("target")
@settings_option
@cloud_options
def plan(cloud: AwsCloud, target: str, stage: str, settings: tuple[str, ...]) -> None:
    """Show what deploying TARGET (module:app) would change; changes nothing."""
    click.echo(str(cloud.deploy(target, stage=stage, settings=parse_pairs(settings, "--set")).plan()))


@click.command()
@click.argument("target")
@settings_option
@yes_option
@wait_option
@cloud_options
def deploy(cloud: AwsCloud, target: str, stage: str, settings: tuple[str, ...], yes: bool, wait: float) -> None:
    """Package TARGET (module:app), show the plan, apply it and print the URL (on AWS: after asking)."""
    from ..cloud.errors import ConcurrentDeployError

    deployment = cloud.deploy(target, stage=stage, settings=parse_pairs(settings, "--set"))
    click.echo(str(deployment.package), err=True)
    for attempt in range(3):
        shown = deployment.plan()
        if attempt:  # waited for another deploy, which changed what this one would do
            click.echo("Another deploy ran while this one waited; the plan now:", err=True)
        click.echo(str(shown))
        if not shown.is_empty:
            confirm_on_aws(cloud, yes, f"Apply these changes to {deployment.service} ({stage})")
        try:
            deployment.apply(progress=ProgressLine(), wait=wait)
            break
        except ConcurrentDeployError as exc:
            if not (wait and exc.stale_plan and attempt < 2):
                raise
    click.echo(f"{deployment.service} ({stage}): {deployment.url}")


@click.command()
@click.argument("service")
@yes_option
@cloud_options
def destroy(cloud: AwsCloud, service: str, stage: str, yes: bool) -> None:
    """Delete everything Coworks made for SERVICE (a name or module:app) at the stage, after asking."""
    confirm_and_destroy(cloud.destroy_plan(service, stage), stage, yes,
                        lambda: cloud.destroy(service, stage, progress=ProgressLine()), cloud)


@click.command()
@click.argument("service", required=False)
@cloud_options
def status(cloud: AwsCloud, service: str | None, stage: str) -> None:
    """What is deployed: services, stages, versions serving and URLs."""
    click.echo(str(cloud.status(service)))


@click.command()
@click.argument("service")
@click.argument("path", default="/")
@click.option("--method", "-X", default="GET", show_default=True, help="HTTP method of the route.")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="Query parameter (repeatable).")
@click.option("--data", "-d", default=None, help="JSON body.")
@cloud_options
def invoke(cloud: AwsCloud, service: str, path: str, stage: str, method: str, params: tuple[str, ...],
           data: str | None) -> None:
    """Call PATH of the deployed SERVICE through Lambda (no API Gateway) and print the answer.

    A non-2xx answer prints its status (on stderr) and body, and exits with status 1.
    """
    try:
        body = json.loads(data) if data is not None else None
    except ValueError:
        raise click.BadParameter("it is not JSON.", param_hint="--data") from None
    answer = cloud.invoke(service, stage, path, method, params=parse_pairs(params, "--param"), body=body,
                          response=True)
    status = 200
    if isinstance(answer, dict) and isinstance(answer.get("statusCode"), int) and "body" in answer:
        status, text = answer["statusCode"], answer["body"]
        try:
            answer = json.loads(text)
        except (TypeError, ValueError):
            answer = text
    if not 200 <= status < 300:
        click.echo(f"{method.upper()} {path} answered {status}:", err=True)
    click.echo(answer if isinstance(answer, str) else json.dumps(answer, indent=2))
    if not 200 <= status < 300:
        sys.exit(1)
