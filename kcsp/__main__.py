"""Entry point for ``python -m kcsp``: the program, above every layer, so it may join the domain's
commands (kcsp.cli) with those of the serving layer (serving.cli: meeting-pack, rounds)."""

import sys

from serving.cli import main

sys.exit(main())
