"""``python -m pmkit`` is the same as the ``pmkit`` command.

It also works when the ``pmkit`` command does not: ``pmkit`` on the package index is another
project, and installing it into the same environment replaces the ``pmkit`` script (and, if it
came last, ``pmkit/__init__.py``) with its own. That case gets one line saying what happened.
"""

import sys

import pmkit

if not hasattr(pmkit, "DISTRIBUTION"):
    sys.exit(
        f"pmkit: {pmkit.__file__} is not the course's: another project named pmkit (see "
        "`python -m pip show pmkit`) was installed over it. Fix: `python -m pip uninstall pmkit "
        "basketly-pmkit`, then `python -m pip install 'basketly-pmkit[lab]'` (in a clone of the "
        "course: `python -m pip uninstall pmkit`, then `python3 course.py start`)."
    )

from pmkit.course.cli import main  # only once pmkit is known to be the course's

sys.exit(main())
