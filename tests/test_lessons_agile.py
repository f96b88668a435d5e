"""Lesson 13 (two-pizza teams and flow): other seeds, and the checker's targeted messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmkit.exercises import start
from pmkit.exercises import two_pizza_teams_and_flow as flow_lesson
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "solutions" / "13_two_pizza_teams_and_flow.ipynb"
LESSON = "13_two_pizza_teams_and_flow"


@pytest.mark.parametrize("seed", [7, 2024])
def test_master_passes_every_check_with_another_seed(tmp_path: Path, seed: int) -> None:
    statuses = run_notebook(MASTER, tmp_path, seed=seed)
    assert statuses == dict.fromkeys(start(LESSON).exercises, "correct")


@pytest.fixture(scope="module")
def lesson():
    return start(LESSON, seed=7)


def test_reading_the_wrong_end_of_a_forecast_gets_a_pointed_message(lesson) -> None:
    ctx = lesson.context
    optimistic = flow_lesson.optimistic_weeks(ctx)
    assert optimistic < flow_lesson.promise_weeks(ctx)
    feedback = lesson.check("promise_weeks", optimistic)
    assert feedback.status == "incorrect" and "optimistic" in feedback.message
    floor = flow_lesson.optimistic_items(ctx)
    assert floor > flow_lesson.promise_items(ctx)
    feedback = lesson.check("promise_items", floor)
    assert feedback.status == "incorrect" and "optimistic" in feedback.message


def test_common_slips_get_targeted_messages(lesson) -> None:
    ctx = lesson.context
    weeks = lesson.check("limited_cycle_days", flow_lesson.limited_cycle_weeks(ctx))
    assert weeks.status == "incorrect" and "days" in weeks.message
    reversed_total = lesson.check("order_gain", flow_lesson.reversed_total(ctx))
    assert reversed_total.status == "incorrect" and "subtract" in reversed_total.message
    big_team = lesson.check("per_person_team", flow_lesson.most_in_total(ctx))
    assert big_team.status == "incorrect" and "team_size" in big_team.message


def test_decision_against_the_evidence_gets_a_question(lesson) -> None:
    ctx = lesson.context
    expected = flow_lesson.launch_call(ctx)
    wrong = next(o for o in ("promise the full scope", "cut the scope") if o != expected)
    feedback = lesson.check("launch_call", f"{wrong}: the team is great and will manage")
    assert feedback.status == "incorrect" and "?" in feedback.message
    bare = lesson.check("launch_call", expected)
    assert bare.status == "incorrect"
    argued = lesson.check(
        "launch_call",
        f"{expected}: the forecast gives only a "
        f"{flow_lesson.chance_all_by_launch(ctx):.0%} chance of all items by launch")
    assert argued.status == "correct"


def test_expected_answers_follow_the_seed() -> None:
    answers = {seed: start(LESSON, seed=seed).context for seed in (7, 2024)}
    flows = {seed: flow_lesson.limited_cycle_days(ctx) for seed, ctx in answers.items()}
    assert flows[7] != flows[2024]


@pytest.mark.parametrize("answer", [None, "", "seven", float("nan"), -1, 10**400, [1, 2], {"a": 1}])
def test_odd_answers_get_feedback_never_a_traceback(lesson, answer) -> None:
    for name, exercise in lesson.exercises.items():
        feedback = lesson.check(name, answer)
        assert feedback.status in {"incorrect", "not answered", "error"}, name
        assert feedback.message
        assert len(exercise.hints) == 3, "two nudges, then the worked step"
