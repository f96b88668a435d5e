"""Lesson 00 under papermill: other seeds give other data, and the checks still grade right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmkit import datasets
from pmkit.exercises import welcome
from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = {"average_order", "late_share", "promise_call"}
SEEDS = (42, 7, 2024)


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


@pytest.mark.parametrize("seed", SEEDS)
def test_words_without_a_number_never_decide_the_promise(seed: int) -> None:
    lesson = start("00_welcome", seed=seed)
    call = welcome.promise_decision(lesson.context)
    for fluff in (f"{call}: the promise is not good enough yet", f"{call}: the promise is broken",
                  f"{call}: late orders are a problem for the promise"):
        feedback = lesson.check("promise_call", fluff)
        assert feedback.status == "incorrect" and "which number supports it" in feedback.message
    share = welcome.late_share(lesson.context)
    side = "above" if share > welcome.BAR else "below"
    argued = lesson.check("promise_call", f"{call}: {share:.1%} of orders arrive late, {side} our 10% bar")
    assert argued.passed, argued.message


@pytest.mark.parametrize("seed", SEEDS)
def test_late_share_slips_are_named_and_near_misses_are_not(seed: int) -> None:
    lesson = start("00_welcome", seed=seed)
    ctx = lesson.context
    flipped = lesson.check("late_share", welcome.late_share_wrong_way(ctx)).message
    assert "flip the comparison" in flipped
    on_the_day = lesson.check("late_share", welcome.late_share_at_or_after(ctx)).message
    assert "use > rather than >=" in on_the_day
    near = lesson.check("late_share", welcome.late_share(ctx) * 1.03).message
    assert "flip" not in near and ">=" not in near
    assert lesson.check("late_share", welcome.late_share(ctx)).passed


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reveal_shows_the_generators_probability_not_the_sample_share(seed: int) -> None:
    """The truth is the late probability the generator drew from, never the observed share."""
    truth = datasets.truth("orders", seed=seed)["late_probability_by_region"]
    orders, customers = datasets.load("orders", seed=seed), datasets.load("customers", seed=seed)
    late = orders.merge(customers[["customer_id", "region"]], on="customer_id")
    observed = (late["actual_days"] > late["promised_days"]).groupby(late["region"]).mean()
    for region, probability in truth.items():
        assert probability != pytest.approx(observed[region], abs=1e-4), region
