"""The embedded local cloud: ``LocalCloud`` and what serves it on 127.0.0.1.

moto is the control plane (``controlplane`` reads it); the ``frontdoor`` serves the data plane
moto cannot: the ``gateway`` (HTTP APIs), ``lambdas`` run in ``workers`` (one process each,
``bootstrap`` being Lambda's runtime loop), ``stepfunctions`` executions (Tasks through the
``invoker``) and ``events`` (EventBridge). ``shared`` is the ``cws cloud`` server, ``snapshot``
its persistence.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .cloud import LocalCloud

__all__ = ["LocalCloud"]


def __getattr__(name: str) -> object:
    """``LocalCloud`` loads the clouds' code on first use: the workers and the front door's pieces
    import this package without needing it."""
    if name == "LocalCloud":
        from .cloud import LocalCloud

        return LocalCloud
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
