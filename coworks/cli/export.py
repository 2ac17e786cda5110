"""``cws package`` and ``cws export terraform|cloudformation``: what a deploy would upload and make,
written to files for other tools, with no cloud at all.

``cws package MODULE:APP -o service.zip`` writes the very zip a deploy uploads (same bytes, same
hash). ``cws export terraform TARGET -o infra/`` writes a Terraform module in JSON syntax and the
package beside it; ``cws export cloudformation TARGET -o infra/ [--format sam]`` a template. TARGET
is a service (``module:app``) or a workflow (``module:attribute``, or a ``.yaml`` file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import CoworksError
from .options import parse_pairs, settings_option


def _errors(func: Any) -> Any:
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CoworksError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.command("package")
@click.argument("target")
@click.option("-o", "--output", default="service.zip", show_default=True, type=click.Path(dir_okay=False),
              help="The zip to write.")
@_errors
def package(target: str, output: str) -> None:
    """Write the Lambda zip a deploy of TARGET (module:app) would upload: the same bytes and hash."""
    from ..cloud.packaging.package import build_package

    built = build_package(target)
    built.write(output)
    click.echo(f"Wrote {output}: {built}")
    if built.source_only:
        click.echo(f"Warning: {built.source_only}", err=True)


def _workflow(target: str) -> Any:
    """The workflow TARGET names, or None when it names a service."""
    from ..biz import Workflow
    from ..cloud.packaging.sources import import_user_module
    from ..cloud.targets import load_workflow

    if target.lower().endswith((".yaml", ".yml", ".json")):
        return load_workflow(target)
    module_name, _, attribute = target.partition(":")
    found = getattr(import_user_module(module_name, target), attribute or "app", None)
    return found if isinstance(found, Workflow) else None


def _build(target: str, fmt: str, stage: str, settings: dict[str, str], triggers: tuple[str, ...],
           log_level: str, retention: int) -> Any:
    from ..cloud.deploy import cloudformation, exports, terraform
    from .workflows import _trigger

    workflow = _workflow(target)
    data: bytes | None = None
    digest = ""
    if workflow is not None:
        if settings:
            raise click.BadParameter("a workflow has no environment: --set is for services.", param_hint="--set")
        model: Any = exports.workflow_model(workflow, stage, triggers=[*workflow.triggers,
                                                                       *(_trigger(t) for t in triggers)],
                                            log_level=log_level, retention=retention)
    else:
        if triggers:
            raise click.BadParameter("a service has no triggers: its @schedule methods are its rules.",
                                     param_hint="--trigger")
        from ..cloud.packaging.package import build_package

        built = build_package(target)
        if built.source_only:
            click.echo(f"Warning: {built.source_only}", err=True)
        model, data, digest = exports.service_model(built, stage, settings), built.data, built.sha256
    if fmt == "terraform":
        return terraform.export(model, stage, data)
    return cloudformation.export(model, stage, data, sam=fmt == "sam", package_hash=digest)


def _options(func: Any) -> Any:
    func = click.option("--stage", default="dev", show_default=True, help="The stage exported.")(func)
    func = click.option("-o", "--output", default="infra", show_default=True, type=click.Path(file_okay=False),
                        help="The folder to write into.")(func)
    func = click.option("--trigger", "triggers", multiple=True, metavar="TRIGGER",
                        help="A workflow trigger added to those it declares (repeatable).")(func)
    func = click.option("--log-level", default="ALL", show_default=True, help="A workflow's execution log level.")(func)
    func = click.option("--retention", default=30, show_default=True, help="Days a workflow's logs are kept.")(func)
    return settings_option(func)


@click.group("export")
def export() -> None:
    """Write what a deploy would make as a Terraform module or a CloudFormation template."""


@export.command("terraform")
@click.argument("target")
@_options
@_errors
def export_terraform(target: str, stage: str, output: str, settings: tuple[str, ...], triggers: tuple[str, ...],
                     log_level: str, retention: int) -> None:
    """TARGET (module:app, or a workflow) as a Terraform module (main.tf.json) and its package."""
    done = _build(target, "terraform", stage, parse_pairs(settings, "--set"), triggers, log_level, retention)
    _written(done.write(output), len(done.resources))


@export.command("cloudformation")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["cloudformation", "sam"]), default="cloudformation",
              show_default=True, help="A plain CloudFormation template, or SAM's.")
@_options
@_errors
def export_cloudformation(target: str, fmt: str, stage: str, output: str, settings: tuple[str, ...],
                          triggers: tuple[str, ...], log_level: str, retention: int) -> None:
    """TARGET (module:app, or a workflow) as a CloudFormation or SAM template (template.json) and its package."""
    done = _build(target, fmt, stage, parse_pairs(settings, "--set"), triggers, log_level, retention)
    _written(done.write(output), len(done.resources))


def _written(paths: list[Path], count: int) -> None:
    click.echo(f"Wrote {', '.join(str(p) for p in paths)} ({count} resources)")
