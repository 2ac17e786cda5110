"""Which cloud a command or a notebook works on: the one definition ``cws`` and the widgets share.

A cloud is named the way people say it (``"local"``, ``"aws"``, ``"aws:<profile>"``) or by the
options of ``cws`` (``--profile``, ``--region``, ``--endpoint-url``). The shared local cloud
(``cws cloud``) is used whenever it runs and nothing else was asked for, and saying so is the
caller's ``say`` callback, so nobody deploys there by surprise.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .aws import AwsCloud

LOCAL, AWS = "local", "aws"


def open_cloud(
    name: str | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    say: Callable[[str], None] | None = None,
) -> AwsCloud:
    """The cloud ``name`` (``local``, ``aws``, ``aws:<profile>``) or the options name.

    With neither, the shared local cloud when ``cws cloud`` runs, else AWS as the environment
    configures it. An endpoint that is a Coworks local cloud opens as one (its logs need local
    pattern matching).
    """
    from .aws import AwsCloud

    if name is not None:
        if name == LOCAL:
            from .local.cloud import LocalCloud

            return LocalCloud()
        if name == AWS or name.startswith(AWS + ":"):
            return AwsCloud(profile=name.partition(":")[2] or profile, region=region)
        raise ConfigurationError(f"Unknown cloud {name!r}: use 'local', 'aws' or 'aws:<profile>'.", resource=name)
    if endpoint_url is not None and profile is None and endpoint_url.startswith("http://127.0.0.1:"):
        from .local.shared import probe

        if probe(endpoint_url) is not None:
            from .local.cloud import LocalCloud

            return LocalCloud(url=endpoint_url)
    if profile is None and region is None and endpoint_url is None:
        from .local.shared import find_shared

        shared = find_shared()
        if shared is not None:
            from .local.cloud import LocalCloud

            if say is not None:
                say(f"(shared local cloud at {shared.url})")
            return LocalCloud(shared=True)
    return AwsCloud(profile=profile, region=region, endpoint_url=endpoint_url)
