"""The ``cws`` group: one module per command family, added here (and nowhere else)."""

from __future__ import annotations

import click

from . import export, localcloud, logs, runbooks, scaffold, services, serving, workflows


@click.group()
@click.version_option(package_name="coworks", prog_name="cws")
def cli() -> None:
    """Coworks: serverless microservices on AWS, from a notebook or this shell."""


for command in (
    services.plan, services.deploy, services.destroy, services.status, services.invoke, serving.run,
    logs.logs, localcloud.cloud_command, runbooks.runbook, scaffold.new,
    workflows.graph, workflows.run_workflow, workflows.deploy_workflow, workflows.destroy_workflow,
    export.package, export.export,
):
    cli.add_command(command)
