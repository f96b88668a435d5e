"""Module 2 lessons (05-07) run under papermill with other seeds, and every check passes;
lesson 05's graders name the slips they claim to and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmkit.exercises import metrics_that_matter as mm
from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["05_metrics_that_matter", "06_cohorts_and_retention", "07_recommendations"]
OTHER_SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(name: str, seed: int, tmp_path: Path) -> None:
    master = ROOT / "solutions" / f"{name}.ipynb"
    if not master.exists():
        pytest.skip(f"{name} is not written yet")
    statuses = run_notebook(master, tmp_path, seed=seed)
    assert set(statuses) == set(start(name, seed=seed).exercises)
    assert all(status == "correct" for status in statuses.values()), statuses


@pytest.mark.parametrize("name", LESSONS)
def test_expected_answers_change_with_the_seed(name: str) -> None:
    """Answers are computed from each seed's data, never typed in."""
    if not (ROOT / "solutions" / f"{name}.ipynb").exists():
        pytest.skip(f"{name} is not written yet")
    numbers = {}
    for seed in (None, OTHER_SEEDS[0]):
        lesson = start(name, seed=seed)
        numbers[seed] = {n: lesson.answer(n) for n in lesson.exercises
                         if isinstance(lesson.answer(n), float)}
    assert numbers[None] and numbers[None] != numbers[OTHER_SEEDS[0]]


# ------------------------------------------------------------ 05 graders ---


@pytest.fixture(scope="module")
def lesson05():
    return start("05_metrics_that_matter")


def _message(lesson, name, answer) -> str:
    feedback = lesson.check(name, answer)
    assert not feedback.passed, (name, answer)
    return feedback.message


def test_lesson05_numeric_slips_are_named_and_near_misses_are_not(lesson05) -> None:
    ctx = lesson05.context
    cases = {
        "late_q1": [(mm.late_all, "every order"), (mm.late_q1_or_on_the_day, "> not >=")],
        "nps_gap_margin": [(lambda c: mm._nps_margins(c)[1], "one survey's margin"),
                           (lambda c: sum(mm._nps_margins(c)), "add in squares")],
        "web_change_low": [(mm.web_change_point, "point estimate"), (mm.web_change_high, "upper end"),
                           (mm.all_devices_change, "every device")],
        "redesign_effect": [(mm.web_change_point, "Tablets got the promotion"),
                            (mm.tablet_change, "tablet app's change"),
                            (mm.all_devices_change, "every device together")],
    }
    for name, slips in cases.items():
        right = lesson05.answer(name)
        assert lesson05.check(name, right).passed
        for wrong, phrase in slips:
            assert phrase in _message(lesson05, name, wrong(ctx)), (name, phrase)
        # A near miss (5% off the right answer) is not any of the named slips.
        near = _message(lesson05, name, right * 1.05)
        assert not any(phrase in near for _, phrase in slips), (name, near)


def test_lesson05_lists_and_choices_get_true_messages(lesson05) -> None:
    inputs = lesson05.answer("input_metrics")
    assert lesson05.check("input_metrics", list(reversed(inputs))).passed
    assert "revenue is an output" in _message(lesson05, "input_metrics", [*inputs, "revenue"])
    assert "missing" in _message(lesson05, "input_metrics", inputs[:2])
    assert "`metric_menu`" in _message(lesson05, "input_metrics", "revenue")
    assert "output" not in _message(lesson05, "input_metrics", inputs[:2])
    assert "not on the list" in _message(lesson05, "input_metrics", ["conversion"])
    guard = lesson05.answer("guardrails")
    assert lesson05.check("guardrails", guard).passed
    assert "primary metric" in _message(lesson05, "guardrails", [*guard, "checkout completion"])
    assert "could harm" in _message(lesson05, "guardrails", [*guard, "sessions per day"])
    near = _message(lesson05, "guardrails", guard[:2])
    assert "missing" in near and "primary" not in near
    assert "buy sessions" in _message(lesson05, "north_star", "sessions per week")
    assert "Revenue is the result" in _message(lesson05, "north_star", "revenue per week")
    assert lesson05.check("north_star", "Weekly customers who complete a purchase").passed


def test_lesson05_easy_rule_is_not_the_call(lesson05) -> None:
    ctx = lesson05.context
    web = mm.web_change(ctx)
    assert web.ci[0] > 0  # conversion rose after launch, clearly ...
    assert lesson05.answer("redesign_call") == "run an a/b test"  # ... and that is not the call
    easy = _message(lesson05, "redesign_call",
                    f"keep the redesign: web checkout completion rose {100 * web.difference:.1f} points")
    assert "tablets, which never got the redesign" in easy


def test_lesson05_reveal_shows_the_population_truth_not_the_estimate(lesson05) -> None:
    ctx = lesson05.context
    truth = ctx.truth("sessions")
    assert truth["redesign_effect_on_checkout_completion"] != pytest.approx(mm.redesign_effect(ctx), abs=1e-3)
    tablet = truth["checkout_completion_by_device"]["tablet"]
    assert tablet["after"] - tablet["before"] != pytest.approx(mm.tablet_change(ctx), abs=1e-4)
