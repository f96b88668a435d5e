"""Test-wide settings: kernels started by nbval or papermill inherit this environment."""

from __future__ import annotations

import os

from pmkit._speedups import skip_iri_grammar

skip_iri_grammar()  # every xdist worker imports nbformat; this saves ~2.4 s each

# Set ordering and hashing repeat between runs; checks must not write a learner's progress.
os.environ["PYTHONHASHSEED"] = "0"
os.environ["PMKIT_PROGRESS"] = "off"
os.environ.pop("MPLBACKEND", None)  # a non-inline backend would drop figures from outputs

# Property tests draw the same examples on every run, so the suite passes or fails the same way
# each time (CI included). `pytest --hypothesis-profile=explore` searches afresh for new cases.
from hypothesis import settings  # noqa: E402

settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
