"""``python -m coworks.cli``: the same as ``cws``."""

import sys

from . import main

sys.exit(main())
