"""Coworks: serverless microservices on AWS, built and run from a notebook.

``import coworks`` loads only the runtime (standard library only). The other layers load on
demand: ``coworks.biz`` (workflows), ``coworks.cloud`` (deploy, local cloud),
``coworks.notebook`` (widgets).
"""

from .runtime import *  # noqa: F403 - the runtime's public names are the package's
from .runtime import __all__ as __all__

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext coworks``: ``%%service`` and rich display (the notebook layer), and ``%cws`` (the
    command line), each loaded on demand. The package's root is the one module that may reach
    every layer, and only from here: ``import coworks`` itself loads the runtime alone."""
    from .cli.magic import load as load_cws
    from .notebook.magics import load as load_notebook

    load_notebook(ipython)
    load_cws(ipython)
