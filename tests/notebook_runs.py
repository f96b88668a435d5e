"""Run a course notebook under papermill for tests: {exercise: last status}, or fail loudly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pmkit.course.execute import run_notebook as _run


def run_notebook(path: Path, tmp_path: Path, **parameters: Any) -> dict[str, str]:
    """Execute ``path`` with papermill; assert it ran; return each exercise's last status."""
    result = _run(path, tmp_path / f"{path.stem}-out.ipynb", **parameters)
    assert result.ok, result.summary()
    return result.statuses
