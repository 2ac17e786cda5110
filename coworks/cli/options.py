"""What every ``cws`` command shares: the cloud options, KEY=VALUE pairs, the progress line and
the confirmations before changing an AWS account or deleting anything.

Every cloud command prints the cloud it works on first (``Cloud: local at ...`` or ``Cloud: AWS
account ... in ...``, on stderr); real AWS only when asked for (``--aws``, ``--profile``,
``--region`` or ``COWORKS_CLOUD``: ``coworks.cloud.opener``). Errors from Coworks print as one
sentence (``Error: ...``) and exit with status 1.
"""

from __future__ import annotations

import functools
import sys

import click

from ..errors import CoworksError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ..cloud.aws import AwsCloud
    from ..cloud.deploy.plan import Action


def cloud_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every cloud command shares, turned into an ``AwsCloud`` argument."""

    @click.option("--stage", default="dev", show_default=True, help="Stage: its own alias, API stage and .env.")
    @click.option("--aws", "use_aws", is_flag=True,
                  help="Real AWS, as your credentials configure it (else the shared local cloud).")
    @click.option("--profile", default=None, help="AWS profile (from ~/.aws/config): real AWS.")
    @click.option("--region", default=None, help="AWS region (else the profile's or AWS_DEFAULT_REGION): real AWS.")
    @click.option("--endpoint-url", default=None, help="Another AWS-compatible endpoint (a local cloud).")
    @functools.wraps(func)
    def wrapper(profile: str | None, region: str | None, endpoint_url: str | None, use_aws: bool,
                **kwargs: Any) -> Any:
        try:
            return func(cloud=open_cloud(profile, region, endpoint_url, use_aws), **kwargs)
        except CoworksError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def yes_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(func)


def wait_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
                        help="While another deploy of the service and stage runs, wait this long for it to end "
                             "(0: stop at once and say so).")(func)


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


def open_cloud(profile: str | None, region: str | None, endpoint_url: str | None, use_aws: bool = False) -> AwsCloud:
    """The cloud the options name (``coworks.cloud.open_cloud``), said on stderr before anything else."""
    from ..cloud.errors import ConfigurationError
    from ..cloud.opener import describe
    from ..cloud.opener import open_cloud as opener

    try:
        cloud = opener(profile=profile, region=region, endpoint_url=endpoint_url, aws=use_aws, flags=True,
                       say=lambda text: click.echo(f"Warning: {text}", err=True))
    except ConfigurationError as exc:
        if exc.resource != "region":
            raise
        raise ConfigurationError("No AWS region is configured: pass --region NAME, set AWS_DEFAULT_REGION, or "
                                 "add `region = ...` to your AWS profile.", resource="region") from None
    click.echo(f"Cloud: {describe(cloud)}", err=True)
    return cloud


def confirm_on_aws(cloud: AwsCloud, yes: bool, what: str) -> None:
    """Before changing a real AWS account: name it and ask (``--yes`` skips the question)."""
    from ..cloud.opener import is_local

    if is_local(cloud) or yes:
        return
    ask(f"{what} in AWS account {cloud.account} ({cloud.region})?")


def ask(question: str) -> None:
    """A yes/no question; no (or no terminal to answer it) stops the command, nothing changed."""
    try:
        agreed = click.confirm(question, default=False)
    except click.Abort:  # end of input: nobody to answer
        agreed = False
    if not agreed:
        raise click.ClickException("Nothing was changed (answer y, or pass --yes to skip the question).")


def confirm_and_destroy(shown: Any, stage: str, yes: bool, destroy: Callable[[], Any],
                        cloud: AwsCloud | None = None) -> None:
    """Show what would go, ask unless ``--yes`` (naming the AWS account), then destroy it."""
    if shown.is_empty:
        click.echo(f"Nothing deployed for {shown.service} at stage {stage}.")
        return
    click.echo(str(shown))
    if not yes:
        from ..cloud.opener import is_local

        where = "" if cloud is None or is_local(cloud) else f" from AWS account {cloud.account} ({cloud.region})"
        ask(f"Delete these resources{where}?")
    destroy()
    click.echo(f"{shown.service} ({stage}) destroyed.")
