"""Moved to :mod:`coworks.notebook.runbooks`; kept for one release."""

import warnings

from .notebook.runbooks import *  # noqa: F403
from .notebook.runbooks import RunbookError as RunbookError
from .notebook.runbooks import RunbookResult as RunbookResult
from .notebook.runbooks import run_runbook as run_runbook

warnings.warn("coworks.runbooks moved to coworks.notebook.runbooks: import it from there.", DeprecationWarning,
              stacklevel=2)
