"""Coworks: serverless microservices on AWS, built and run from a notebook.

``import coworks`` loads only the runtime (standard library only). The other layers load on
demand: ``coworks.biz`` (workflows), ``coworks.cloud`` (deploy, local cloud),
``coworks.notebook`` (widgets).
"""

from .runtime import *  # noqa: F403 - the runtime's public names are the package's
from .runtime import __all__ as __all__

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext coworks``: magics and rich display (the notebook layer, loaded on demand)."""
    from .notebook.magics import load

    load(ipython)
