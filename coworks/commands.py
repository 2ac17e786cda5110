"""Moved to :mod:`coworks.cli` (the ``cws`` group is ``coworks.cli.app.cli``); kept for one release."""

import warnings

from .cli.app import *  # noqa: F403
from .cli.app import cli as cli

warnings.warn("coworks.commands moved to coworks.cli: import cli from coworks.cli.app.", DeprecationWarning,
              stacklevel=2)
