"""Coworks: serverless microservices on AWS, built and run from a notebook.

``import coworks`` loads only the runtime (standard library only). The other layers load on
demand: ``coworks.biz`` (workflows), ``coworks.cloud`` (deploy, local cloud),
``coworks.notebook`` (widgets).
"""

# ruff: noqa: F401 - the runtime's names, re-exported under the runtime's __all__
from .runtime import (
    BadGateway,
    BadRequest,
    Blueprint,
    Conflict,
    CoworksError,
    DirectInvocationError,
    Forbidden,
    GatewayTimeout,
    HTTPError,
    InternalServerError,
    Lambda,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Request,
    Response,
    Route,
    RouteDefinitionError,
    ServiceError,
    ServiceUnavailable,
    TechMicroService,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
    UnsupportedMediaType,
    UploadedFile,
    current_request,
    entry,
    schedule,
)
from .runtime import __all__ as __all__


def __getattr__(name: str) -> object:
    """The runtime's names loaded on first use (``CORSConfig``, ``tokens_equal``): a Lambda that
    needs neither never imports them."""
    from . import runtime

    return getattr(runtime, name)

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext coworks``: ``%%service`` and rich display (the notebook layer), and ``%cws`` (the
    command line), each loaded on demand. The package's root is the one module that may reach
    every layer, and only from here: ``import coworks`` itself loads the runtime alone."""
    from .cli.magic import load as load_cws
    from .notebook.magics import load as load_notebook

    load_notebook(ipython)
    load_cws(ipython)
