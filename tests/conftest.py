"""Test-wide settings: kernels started by nbval or papermill inherit this environment."""

from __future__ import annotations

import os

# Set ordering and hashing repeat between runs; checks must not write a learner's progress.
os.environ["PYTHONHASHSEED"] = "0"
os.environ["PMKIT_PROGRESS"] = "off"
os.environ.pop("MPLBACKEND", None)  # a non-inline backend would drop figures from outputs
