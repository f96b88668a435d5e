"""Module 3 lessons (06, 07) run under papermill with other seeds, and every check passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["09_ab_testing", "10_trustworthy_experiments"]
OTHER_SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(name: str, seed: int, tmp_path: Path) -> None:
    statuses = run_notebook(ROOT / "solutions" / f"{name}.ipynb", tmp_path, seed=seed)
    assert set(statuses) == set(start(name, seed=seed).exercises)
    assert all(status == "correct" for status in statuses.values()), statuses


@pytest.mark.parametrize("name", LESSONS)
def test_expected_answers_change_with_the_seed(name: str) -> None:
    """Answers are computed from each seed's data, never typed in."""
    answers = {}
    for seed in (None, OTHER_SEEDS[0]):
        lesson = start(name, seed=seed)
        answers[seed] = {n: lesson.answer(n) for n in lesson.exercises
                         if isinstance(lesson.answer(n), float)}
    assert answers[None] and answers[None] != answers[OTHER_SEEDS[0]]


def test_the_checkers_catch_the_tempting_slips() -> None:
    """A wrong-but-plausible answer gets the targeted message, not a generic one."""
    ab = start("09_ab_testing")
    pooled = ab.context.load("experiments").query("experiment == 'free_shipping_banner'")
    feedback = ab.check("baseline_rate", float(pooled["converted"].mean()))
    assert feedback.status == "incorrect" and "both arms" in feedback.message
    total = 2 * ab.answer("users_needed")
    assert "both arms together" in ab.check("users_needed", total).message
    wrong_call = "don't ship" if ab.answer("launch_call") == "ship" else "ship"
    assert ab.check("launch_call", f"{wrong_call}: the numbers say so clearly").status == "incorrect"

    trust = start("10_trustworthy_experiments")
    from pmkit.exercises import trustworthy_experiments as te

    assert "metric" in trust.check("srm_p_value", te.revenue_p_value(trust.context)).message
    assert "once" in trust.check("peeking_rate", te.one_look_rate(trust.context)).message
    assert "square" in trust.check("variance_reduction",
                                   te.correlation_only(trust.context)).message
    ship = trust.check("upsell_call", "ship: revenue went up a lot, p is tiny")
    assert ship.status == "incorrect" and trust.answer("upsell_call") != "ship"
