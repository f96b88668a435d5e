"""`import pmkit` stays light: heavy libraries load only when a function needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "scipy", "ipywidgets", "nbclient", "papermill", "statsmodels")
MODULES = [
    "pmkit",
    "pmkit.exercises",
    "pmkit.display",
    "pmkit.widgets",
    "pmkit.results",
    "pmkit.course.grading",
    "pmkit.course.runner",
    "pmkit.course.site",
    "pmkit.course.workshop",
    "pmkit.progress",
]


@pytest.mark.parametrize("module", MODULES)
def test_importing_does_not_pull_in_heavy_libraries(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_submodules_load_on_attribute_access() -> None:
    import pmkit

    assert pmkit.exercises.start is not None
    with pytest.raises(AttributeError, match="no attribute"):
        _ = pmkit.nothing_here
