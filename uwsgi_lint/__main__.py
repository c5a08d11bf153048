"""``python -m uwsgi_lint``."""

import sys

from .cli import main

sys.exit(main())
