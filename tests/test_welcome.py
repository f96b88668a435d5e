"""Lesson 00 under papermill: other seeds give other data, and the checks still grade right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = {"average_order", "late_share", "promise_call"}


@pytest.mark.parametrize("seed", [7, 2024])
def test_master_passes_every_check_with_another_seed(tmp_path: Path, seed: int) -> None:
    statuses = run_notebook(ROOT / "solutions" / "00_welcome.ipynb", tmp_path, seed=seed)
    assert statuses == dict.fromkeys(EXERCISES, "correct")


def test_papermill_command_line_runs_the_lesson_with_a_seed(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    env = {**os.environ, "PMKIT_PROGRESS": str(tmp_path / "log.jsonl")}
    result = subprocess.run(
        [
            str(papermill),
            "lessons/00_welcome.ipynb",
            str(out),
            "-p",
            "seed",
            "7",
            "-k",
            "python3",
            "--no-progress-bar",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    nb = json.loads(out.read_text())
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and "seed = 7" in "".join(injected[0]["source"])
    shown = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    assert "not answered" in shown and '"output_type": "error"' not in shown
