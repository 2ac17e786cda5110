"""``cws graph`` and ``cws run-workflow``: a workflow drawn to a file, or run locally or on a cloud.

``run-workflow --local`` runs the workflow in-process with the TechMicroServices its module
holds (or those named with ``--service``); without it, the workflow deployed at ``--stage`` is
started on the cloud and waited for. Both print the status, the output (or error) and the
history as one table, so a local and a deployed run read the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..biz.history import history_table
from ..errors import CoworksError


def _module_services(workflow: Any, target: str) -> list[Any]:
    """The TechMicroServices defined or imported in the workflow's module."""
    from ..runtime.service import TechMicroService

    module = sys.modules.get(target.partition(":")[0]) if ":" in target else None
    found = [v for v in vars(module).values() if isinstance(v, TechMicroService)] if module else []
    return list({id(s): s for s in found}.values())


@click.command()
@click.argument("target")
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False),
              help="The file to write (.svg, .png, .pdf or .dot); default: <workflow>.svg.")
def graph(target: str, output: str | None) -> None:
    """Draw the workflow TARGET (module:attribute or a .yaml file) with graphviz's dot, offline."""
    from ..cloud.targets import load_workflow

    try:
        workflow = load_workflow(target)
        drawing = workflow.graph()
        path = Path(output or f"{workflow.name}.svg")
        kind = path.suffix.lstrip(".").lower() or "svg"
        if kind == "dot":
            path.write_text(drawing.source)
        else:
            path.write_bytes(drawing.pipe(format=kind))
    except CoworksError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # graphviz: unknown format, dot missing
        raise click.ClickException(f"Cannot draw {target} to {output or 'SVG'}: {exc}") from None
    click.echo(f"Wrote {path} ({len(workflow.states)} states)", err=True)


@click.command("run-workflow")
@click.argument("target")
@click.option("--input", "input_text", default="{}", show_default=True, help="The execution's input, as JSON.")
@click.option("--local", is_flag=True, help="Run in-process with the module's services, not on a cloud.")
@click.option("--service", "services", multiple=True, metavar="MODULE:APP",
              help="A service to run the Tasks with (--local; repeatable). Default: those of the module.")
@click.option("--stage", default="dev", show_default=True, help="The stage the workflow is deployed at.")
@click.option("--aws", "use_aws", is_flag=True, help="Real AWS, as your credentials configure it.")
@click.option("--profile", default=None, help="AWS profile (from ~/.aws/config).")
@click.option("--region", default=None, help="AWS region (else the profile's or AWS_DEFAULT_REGION).")
@click.option("--endpoint-url", default=None, help="Another AWS-compatible endpoint (a local cloud).")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for a cloud execution.")
def run_workflow(target: str, input_text: str, local: bool, services: tuple[str, ...], stage: str, use_aws: bool,
                 profile: str | None, region: str | None, endpoint_url: str | None, timeout: float) -> None:
    """Run the workflow TARGET (module:attribute or a .yaml file) with --input, locally or deployed at --stage."""
    try:
        data = json.loads(input_text)
    except ValueError:
        raise click.BadParameter(f"{input_text!r} is not JSON.", param_hint="--input") from None
    try:
        if local:
            status, output, error, cause, history = _run_local(target, data, services)
        else:
            status, output, error, cause, history = _run_on_cloud(target, data, stage, profile, region,
                                                                  endpoint_url, use_aws, timeout)
    except CoworksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Status: {status}")
    if status == "SUCCEEDED":
        click.echo(f"Output: {json.dumps(output)}")
    elif error or cause:
        click.echo(f"Error: {error}: {cause}")
    click.echo(str(history_table(history)))
    if status != "SUCCEEDED":
        sys.exit(1)


def _run_local(target: str, data: Any, services: tuple[str, ...]) -> tuple[str, Any, Any, Any, list[Any]]:
    from ..biz import UnresolvedResourceError
    from ..cloud.targets import load_service, load_workflow

    workflow = load_workflow(target)
    found = [load_service(s) for s in services] if services else _module_services(workflow, target)
    try:
        ex = workflow.run_local(data, services=found)
    except UnresolvedResourceError as exc:
        called = ", ".join(sorted(set(exc.unresolved.values())))
        raise click.ClickException(f"No service answers {called}: name each with --service MODULE:APP.") from None
    return ex.status, ex.output, ex.error, ex.cause, ex.history


def _run_on_cloud(target: str, data: Any, stage: str, profile: str | None, region: str | None,
                  endpoint_url: str | None, use_aws: bool, timeout: float) -> tuple[str, Any, Any, Any, list[Any]]:
    from .options import open_cloud

    cloud = open_cloud(profile, region, endpoint_url, use_aws)
    arn = cloud.start_execution(target, data, stage=stage)
    click.echo(f"Started {arn}", err=True)
    ex = cloud.wait_execution(arn, timeout=timeout, interval=0.5)
    return ex.status, ex.output, ex.error, ex.cause, cloud.execution_history(arn)


def _trigger(text: str) -> Any:
    """Schedules and sources (``s3://bucket/prefix``, ``sqs:queue``, queue and topic ARNs) as they
    are; anything else is an event pattern in JSON."""
    if text.startswith(("rate(", "cron(", "s3://", "sqs:", "arn:aws:sqs:", "arn:aws:sns:")):
        return text
    try:
        pattern = json.loads(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not rate(...), cron(...), s3://bucket/prefix, sqs:queue, a queue or "
                                 "topic ARN, or an event pattern in JSON.") from None
    if not isinstance(pattern, dict):
        raise click.BadParameter(f"The event pattern {text!r} must be a JSON object.")
    return pattern


def _cloud_command(name: str, help_text: str) -> Any:
    """A click command over the shared cloud options of ``cws`` (imported late: commands imports us)."""
    from .options import cloud_options

    def decorate(func: Any) -> Any:
        return click.command(name, help=help_text)(cloud_options(func))

    return decorate


@click.argument("target")
@click.option("--trigger", "triggers", multiple=True, metavar="TRIGGER",
              help="rate(...), cron(...), s3://bucket/prefix, sqs:queue, an SNS topic ARN or an event pattern as JSON "
                   "(repeatable; adds to the workflow's own).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def _deploy_workflow(cloud: Any, target: str, stage: str, triggers: tuple[str, ...], yes: bool) -> None:
    from .options import ProgressLine, confirm_on_aws

    deployment = cloud.deploy_workflow(target, stage=stage, triggers=[_trigger(t) for t in triggers])
    shown = deployment.plan()
    click.echo(str(shown))
    if not shown.is_empty:
        confirm_on_aws(cloud, yes, f"Apply these changes to the workflow {deployment.workflow.name} ({stage})")
    deployment.apply(progress=ProgressLine())
    click.echo(f"{deployment.workflow.name} ({stage}): {deployment.arn}")


@click.argument("target")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def _destroy_workflow(cloud: Any, target: str, stage: str, yes: bool) -> None:
    from .options import ProgressLine, confirm_and_destroy

    confirm_and_destroy(cloud.destroy_workflow_plan(target, stage), stage, yes,
                        lambda: cloud.destroy_workflow(target, stage, progress=ProgressLine()), cloud)


deploy_workflow = _cloud_command(
    "deploy-workflow",
    "Deploy the workflow TARGET (module:attribute or a .yaml file) as a state machine; deploy its services first."
)(_deploy_workflow)
destroy_workflow = _cloud_command(
    "destroy-workflow", "Delete everything Coworks made for the workflow TARGET at the stage."
)(_destroy_workflow)
