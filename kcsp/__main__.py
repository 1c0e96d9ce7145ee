"""Entry point for ``python -m kcsp``."""

import sys

from kcsp.cli import main

sys.exit(main())
