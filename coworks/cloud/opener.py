"""Which cloud a command or a notebook works on: the one definition ``cws`` and the widgets share.

Real AWS is reached only when someone asked for it: a name (``"aws"``, ``"aws:<profile>"``), an
option of ``cws`` (``--aws``, ``--profile``, ``--region``) or the environment setting
``COWORKS_CLOUD`` (``aws``, ``aws:<profile>`` or ``local``). Asked for nothing, the shared local
cloud (``cws cloud``) is used when it runs; when it does not, nothing is opened and the error says
how to start it or how to choose AWS. A credentials file, ``AWS_PROFILE`` or ``AWS_DEFAULT_REGION``
alone never count as asking: they are there for every other tool too.

``describe(cloud)`` is the line every command prints first (``Cloud: local at http://...`` or
``Cloud: AWS account 123456789012 in eu-west-1``), so nobody deploys anywhere by surprise.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .aws import AwsCloud

LOCAL, AWS = "local", "aws"
#: The environment setting that chooses a cloud when no name or option does.
ENVIRONMENT = "COWORKS_CLOUD"


def open_cloud(
    name: str | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    aws: bool = False,
    say: Callable[[str], None] | None = None,
    flags: bool = False,
) -> AwsCloud:
    """The cloud ``name`` (``local``, ``aws``, ``aws:<profile>``), or the one the options ask for.

    With neither, ``$COWORKS_CLOUD``; without it, the shared local cloud when ``cws cloud`` runs,
    else a :class:`ConfigurationError` saying how to start it or choose AWS (``flags=True``
    words that advice as ``cws`` options). ``say`` hears about a stale ``cloud.json``.
    """
    from .aws import AwsCloud

    if name is None and not (aws or profile or region or endpoint_url):
        name = os.environ.get(ENVIRONMENT) or None
        if name is not None:
            name = name.strip()
            where = f" in ${ENVIRONMENT}"
        else:
            return _shared_or_advice(say, flags)
    else:
        where = ""
    if name is not None:
        if name == LOCAL:
            from .local.cloud import LocalCloud

            return LocalCloud()
        if name == AWS or name.startswith(AWS + ":"):
            return AwsCloud(profile=name.partition(":")[2] or profile, region=region)
        raise ConfigurationError(f"Unknown cloud {name!r}{where}: use 'local', 'aws' or 'aws:<profile>'.",
                                 resource=name)
    if endpoint_url is not None and profile is None and endpoint_url.startswith("http://127.0.0.1:"):
        from .local.shared import probe

        if probe(endpoint_url) is not None:
            from .local.cloud import LocalCloud

            return LocalCloud(url=endpoint_url)
    return AwsCloud(profile=profile, region=region, endpoint_url=endpoint_url)


def _shared_or_advice(say: Callable[[str], None] | None, flags: bool) -> AwsCloud:
    from .local.shared import endpoint_file, find_shared, read_endpoint

    shared = find_shared()
    if shared is not None:
        from .local.cloud import LocalCloud

        return LocalCloud(url=shared.url)
    stale = read_endpoint()
    if stale is not None and say is not None:
        say(f"{endpoint_file()} names a local cloud at {stale.url} (pid {stale.pid}) that does not answer: "
            "it was stopped without cleaning up; start `cws cloud` again, or delete that file.")
    if flags:
        choose = "or choose AWS with --aws, --profile NAME or --region NAME"
    else:
        choose = "or choose one: open_cloud('local') embeds one here, open_cloud('aws') or 'aws:<profile>' is AWS"
    raise ConfigurationError(
        f"No cloud chosen and no shared local cloud runs: start one with `cws cloud` in another terminal, "
        f"{choose} (or set {ENVIRONMENT}=aws).", resource=ENVIRONMENT)


def is_local(cloud: object) -> bool:
    """Whether ``cloud`` is a Coworks local cloud (embedded or shared), not an AWS account."""
    from .local.cloud import LocalCloud

    return isinstance(cloud, LocalCloud)


def describe(cloud: AwsCloud) -> str:
    """``local at http://127.0.0.1:4566`` or ``AWS account 123456789012 in eu-west-1``: where work goes.

    For AWS the account comes from the credentials (STS ``GetCallerIdentity``), so the line names
    the account that will be changed, not the one someone meant.
    """
    if is_local(cloud):
        shared = getattr(cloud, "shared", None)
        how = " (shared, `cws cloud`)" if shared is not None else " (embedded in this process)"
        return f"local at {cloud.endpoint_url}{how}"
    profile = getattr(cloud.session, "profile_name", None)
    named = f", profile {profile}" if profile and profile != "default" else ""
    via = f", through {cloud.endpoint_url}" if cloud.endpoint_url else ""
    return f"AWS account {cloud.account} in {cloud.region}{named}{via}"
