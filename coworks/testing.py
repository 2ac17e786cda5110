"""``from coworks.testing import TestClient, http_event, ...``: the runtime's testing helpers."""

from .runtime.testing import *  # noqa: F403
