"""``python -m aebook [--mirror DIR] [--dest DIR]``: fetch and verify the book's data."""

import sys

from .data import main

sys.exit(main())
