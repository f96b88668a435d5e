"""``python -m pmkit`` is the same as the ``pmkit`` command."""

import sys

from pmkit.course.cli import main

sys.exit(main())
