"""Lesson 13 (two-pizza teams and flow): other seeds, and the checker's targeted messages.

Every targeted message is tried with the mistake it names and with a near miss that must not
trigger it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from pmkit import datasets
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


def _says(feedback, *words: str) -> bool:
    return feedback.status == "incorrect" and all(w in feedback.message for w in words)


# (exercise, wrong-value function, words its message must hold)
NUMERIC_MISTAKES = [
    ("limited_cycle_days", flow_lesson.limited_cycle_weeks, "in weeks"),
    ("limited_cycle_days", flow_lesson.current_cycle_days, "today's cycle time"),
    ("limited_cycle_days", flow_lesson.wip_times_throughput, "divides"),
    ("promise_weeks", flow_lesson.optimistic_weeks, "optimistic"),
    ("promise_weeks", flow_lesson.coin_flip_weeks, "median"),
    ("promise_weeks", flow_lesson.average_pace_weeks, "average pace"),
    ("promise_items", flow_lesson.optimistic_items, "optimistic"),
    ("promise_items", flow_lesson.coin_flip_items, "median"),
    ("promise_items", flow_lesson.average_pace_items, "Average pace"),
    ("merged_rate", flow_lesson.merged_rate_no_decline, "Checkout's pace"),
    ("merged_rate", flow_lesson.merged_rate_big_team_pace, "Platform's pace"),
    ("merged_rate", flow_lesson.apart_rate, "two teams finish apart"),
]


@pytest.mark.parametrize(("name", "wrong", "words"), NUMERIC_MISTAKES,
                         ids=[f"{n}-{w.__name__}" for n, w, _ in NUMERIC_MISTAKES])
def test_each_targeted_message_fits_its_mistake_and_not_a_near_miss(lesson, name, wrong, words) -> None:
    value = wrong(lesson.context)
    assert value != pytest.approx(lesson.answer(name), rel=1e-3), "the mistake must differ from the answer"
    assert _says(lesson.check(name, value), words)
    # A near miss: the same slip, but off by enough that it is no longer that slip.
    near = value * 1.07 + (1 if abs(value) < 1 else 0)
    assert words not in lesson.check(name, near).message


def test_per_person_names_the_big_team_slip_only_for_big_teams(lesson) -> None:
    ctx = lesson.context
    assert _says(lesson.check("per_person_team", flow_lesson.most_in_total(ctx)), "team_size")
    assert "team_size" not in lesson.check("per_person_team", "Search").message
    assert lesson.check("per_person_team", flow_lesson.most_per_person(ctx)).passed


def test_the_warm_up_messages_name_the_misreading(lesson) -> None:
    no_effect = lesson.check("interval_reading", "the change had no effect")
    assert _says(no_effect, "could not tell")
    assert _says(lesson.check("interval_reading", "the change raised conversion"), "cannot say")
    assert lesson.check("interval_reading", "The effect is not shown either way").passed
    assert _says(lesson.check("peeking_rate", "about 5% of the time"), "ONE look")
    assert _says(lesson.check("peeking_rate", "less than 5% of the time"), "only add chances")
    assert lesson.check("peeking_rate", "well above 5% of the time").passed


def test_wsjf_names_value_only_and_size_only_orders(lesson) -> None:
    ctx = lesson.context
    right = flow_lesson.wsjf_order(ctx)
    assert lesson.check("wsjf_order", right).passed
    assert _says(lesson.check("wsjf_order", flow_lesson.value_order(ctx)), "value alone")
    assert _says(lesson.check("wsjf_order", flow_lesson.shortest_order(ctx)), "shortest job first")
    # A near miss: a swap of two slices is neither slip, just the wrong order.
    swapped = right[:]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    feedback = lesson.check("wsjf_order", swapped)
    assert feedback.status == "incorrect"
    assert "value alone" not in feedback.message and "shortest" not in feedback.message
    assert "wrong order" in feedback.message


def test_wsjf_order_beats_value_order_in_delay_cost() -> None:
    from pmkit import agile

    costs = {name: flow_lesson.SLICES[name] for name in flow_lesson.SLICES}
    def delay(order):
        return agile.delay_cost([costs[n][0] for n in order], [costs[n][1] for n in order])
    ctx = start(LESSON).context
    assert delay(flow_lesson.wsjf_order(ctx)) < delay(flow_lesson.value_order(ctx))
    assert flow_lesson.wsjf_order(ctx) != flow_lesson.value_order(ctx) != flow_lesson.shortest_order(ctx)


def test_the_slices_in_the_prose_are_the_slices_the_checker_uses() -> None:
    nb = json.loads(MASTER.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    rows = dict(re.findall(r"^\| ([a-z][\w -]+) \| ([\d,]+) \| [\d.]+ \|$", text, re.M))
    assert {k: float(v.replace(",", "")) for k, v in rows.items()} == {
        k: v[0] for k, v in flow_lesson.SLICES.items()}


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_the_merger_is_slower_than_the_teams_apart_and_the_easy_rule_misleads(seed: int) -> None:
    lesson = start(LESSON, seed=seed)
    ctx = lesson.context
    # The easy rule: count heads, and eighteen people look faster than the two teams ...
    assert flow_lesson.merged_rate_no_decline(ctx) > flow_lesson.apart_rate(ctx)
    # ... but the two teams apart finish more, so the call is to keep them apart.
    assert flow_lesson.merged_rate(ctx) < flow_lesson.apart_rate(ctx)
    assert lesson.answer("merger_call") == "keep the teams apart"
    feedback = lesson.check("merger_call", f"merge the teams: the merged team would finish "
                                           f"{flow_lesson.merged_rate(ctx):.1f} items a week")
    assert _says(feedback, "Which comparison")


@pytest.mark.parametrize("seed", [42, 7])
def test_the_truth_reveal_shows_population_values_not_the_sample_fit(seed: int) -> None:
    ctx = start(LESSON, seed=seed).context
    truth = datasets.truth("throughput", seed=seed)
    slope, intercept = flow_lesson.size_fit(ctx)
    n = flow_lesson.merged_size(ctx)
    week = truth["average_week_factor"]
    true_merged = truth["per_person_rate"] * n * np.exp(
        -truth["overhead_per_extra_person"] * (n - 1)) * week
    assert true_merged != pytest.approx(flow_lesson.merged_rate(ctx), rel=1e-3)
    assert -slope != pytest.approx(truth["overhead_per_extra_person"], rel=1e-3)
    # The population rate behind the sample: the fit lands near it, not on it.
    assert np.exp(intercept) == pytest.approx(truth["per_person_rate"] * week, rel=0.15)
    assert week < 1  # holiday and incident weeks pull the average below the working-week rate


def test_decision_against_the_evidence_gets_a_question(lesson) -> None:
    ctx = lesson.context
    expected = flow_lesson.launch_call(ctx)
    wrong = next(o for o in ("promise the full scope", "cut the scope") if o != expected)
    feedback = lesson.check("launch_call", f"{wrong}: the team is great and will manage")
    assert feedback.status == "incorrect" and "?" in feedback.message
    assert lesson.check("launch_call", expected).status == "incorrect"
    argued = lesson.check(
        "launch_call",
        f"{expected}: the forecast gives only a "
        f"{flow_lesson.chance_all_by_launch(ctx):.0%} chance of all items by launch")
    assert argued.status == "correct"


def test_expected_answers_follow_the_seed() -> None:
    answers = {seed: start(LESSON, seed=seed).context for seed in (7, 2024)}
    flows = {seed: flow_lesson.limited_cycle_days(ctx) for seed, ctx in answers.items()}
    assert flows[7] != flows[2024]
    merged = {seed: flow_lesson.merged_rate(ctx) for seed, ctx in answers.items()}
    assert merged[7] != merged[2024]


@pytest.mark.parametrize("answer", [None, "", "seven", float("nan"), -1, 10**400, [1, 2], {"a": 1}])
def test_odd_answers_get_feedback_never_a_traceback(lesson, answer) -> None:
    for name, exercise in lesson.exercises.items():
        feedback = lesson.check(name, answer)
        assert feedback.status in {"incorrect", "not answered", "error"}, name
        assert feedback.message
        assert len(exercise.hints) == 4, "idea, strategy, blanks, worked step"
