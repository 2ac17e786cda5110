"""What every ``cws`` command shares: the cloud options, KEY=VALUE pairs, the progress line and
the confirmation before deleting anything.

Errors from Coworks print as one sentence (``Error: ...``) and exit with status 1.
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


def open_cloud(profile: str | None, region: str | None, endpoint_url: str | None) -> AwsCloud:
    """The cloud the options name (``coworks.cloud.open_cloud``), the shared one said on stderr."""
    from ..cloud.opener import open_cloud as opener

    return opener(profile=profile, region=region, endpoint_url=endpoint_url,
                  say=lambda text: click.echo(text, err=True))


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
