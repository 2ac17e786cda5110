"""Every test runs against its own embedded clouds: a developer's running `cws cloud` (found
through $COWORKS_HOME) must never capture a test's LocalCloud()."""

from __future__ import annotations

import os
import tempfile

# Set at import, before any test module creates a LocalCloud at collection or in a fixture.
os.environ["COWORKS_HOME"] = tempfile.mkdtemp(prefix="coworks-test-home-")
