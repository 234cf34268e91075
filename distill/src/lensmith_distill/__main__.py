"""`python -m lensmith_distill`: the `distill` command without installing the package."""

import sys

from .cli import main

sys.exit(main())
