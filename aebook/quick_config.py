"""``python -m aebook.quick_config --quick-config PATH``: the quick book's configuration.

Used by ``make book QUICK=1``; the logic is :func:`aebook.classroom.main` (a module of
its own, so that ``-m`` does not run a module the package has already imported).
"""

import sys

from .classroom import main

sys.exit(main())
