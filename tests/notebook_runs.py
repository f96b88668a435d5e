"""Run a course notebook under papermill, the way CI pipelines and workshops do.

The exercises record every check in the progress log; pointing the log at a
temporary file gives each exercise's last status without parsing outputs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pmkit.exercises.engine import read_progress
from pmkit.notebooks import kernel_environment


def run_notebook(path: Path, tmp_path: Path, **parameters: Any) -> dict[str, str]:
    """Execute ``path`` with papermill; return {exercise: last status}."""
    import papermill

    log = tmp_path / f"{path.stem}-progress.jsonl"
    out = tmp_path / f"{path.stem}-out.ipynb"
    with kernel_environment({"PMKIT_PROGRESS": str(log)}):
        papermill.execute_notebook(
            str(path), str(out), parameters=parameters, kernel_name="python3",
            cwd=str(path.parent), progress_bar=False, execution_timeout=120,
            shutdown_kernel="immediate",
        )
    statuses: dict[str, str] = {}
    for event in read_progress(log):
        if event["status"] != "hint":
            statuses[event["exercise"]] = event["status"]
    assert os.path.exists(out)
    return statuses
