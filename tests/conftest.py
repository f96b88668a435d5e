"""Settings for the unit and property tests.

`pmkit.course._pytest_plugin` sets up every run (see pyproject).
"""

from __future__ import annotations

import os

# Property tests draw the same examples on every run, so the suite passes or fails the same way
# each time (CI included). `pytest --hypothesis-profile=explore` searches afresh for new cases.
from hypothesis import settings

# One Chromium and one JupyterLab per test process, shared by every browser test: fixtures
# defined here exist once, while a fixture imported into two test modules would start twice,
# and Playwright cannot run two of its sync sessions in one process.
from tests.browser_harness import browser, lab  # noqa: F401

settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
