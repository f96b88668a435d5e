"""Lessons 14 and 15: other seeds under papermill, and the checkers' targeted messages.

Lesson 12's tests live with module 3's in tests/test_lessons_experiment.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pmkit.exercises import lifetime_value as ltv_lesson
from pmkit.exercises import membership_and_flywheel as plus_lesson
from pmkit.exercises import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["14_lifetime_value", "15_membership_and_flywheel"]


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(tmp_path: Path, name: str, seed: int) -> None:
    statuses = run_notebook(ROOT / "solutions" / f"{name}.ipynb", tmp_path, seed=seed)
    assert statuses == dict.fromkeys(start(name).exercises, "correct")


def _says(feedback, *words: str) -> bool:
    return feedback.status == "incorrect" and all(w in feedback.message for w in words)


# ------------------------------------------------------------------ lesson 14 --


@pytest.fixture(scope="module")
def value():
    return start("14_lifetime_value", seed=7)


def test_lifetime_value_common_slips_get_targeted_messages(value) -> None:
    ctx = value.context
    assert _says(value.check("robots_npv", ltv_lesson.robots_npv_outlay_discounted(ctx)),
                 "first cash flow")
    assert _says(value.check("first_month_churn", ltv_lesson.first_month_churn_unweighted(ctx)),
                 "pool")
    assert _says(value.check("survival_after_fee_rise",
                             ltv_lesson.survival_12_ignoring_censoring(ctx)), "Kaplan")
    assert _says(value.check("member_ltv", ltv_lesson.member_ltv_undiscounted(ctx)), "discount")
    assert _says(value.check("member_ltv", ltv_lesson.member_ltv_constant_retention(ctx)),
                 "first-month")
    assert _says(value.check("payback_months", ltv_lesson.payback_undiscounted(ctx)), "discount")


def test_ignoring_censoring_understates_survival(value) -> None:
    ctx = value.context
    assert ltv_lesson.survival_12_ignoring_censoring(ctx) < ltv_lesson.survival_12_after_rise(ctx)


def test_lesson_parameters_change_the_expected_answers() -> None:
    cheap = start("14_lifetime_value", seed=7)
    costly = start("14_lifetime_value", seed=7)
    costly.context.params.update(acquisition_cost=400.0)
    assert ltv_lesson.acquisition_call(cheap.context) == "keep acquiring"
    assert ltv_lesson.acquisition_call(costly.context) == "cut acquisition"
    assert _says(costly.check("acquisition_call", "keep acquiring: the lifetime value is big"), "?")
    assert math.isinf(ltv_lesson.payback_months(costly.context))


# ------------------------------------------------------------------ lesson 15 --


@pytest.fixture(scope="module")
def plus():
    return start("15_membership_and_flywheel", seed=7)


def test_membership_common_slips_get_targeted_messages(plus) -> None:
    ctx = plus.context
    assert _says(plus.check("order_uplift", plus_lesson.order_ratio(ctx)), "minus 1")
    assert _says(plus.check("monthly_value", plus_lesson.monthly_value_extra_shipping_only(ctx)),
                 "every order")
    assert _says(plus.check("monthly_value", plus_lesson.monthly_value_without_fee(ctx)), "fee")
    assert _says(plus.check("ltv_change", plus_lesson.ltv_change_no_churn(ctx)), "churn")


def test_break_even_fee_really_breaks_even(plus) -> None:
    ctx = plus.context
    fee = plus_lesson.break_even_fee(ctx)
    assert 0 < fee < plus_lesson.current_fee(ctx)
    assert plus_lesson._case(ctx, fee=fee).ltv_change == pytest.approx(0.0, abs=1e-9)


def test_judging_the_flywheel_by_its_first_month_gets_a_question(plus) -> None:
    assert plus_lesson.price_call(plus.context) == "cut prices"
    feedback = plus.check("price_call", "hold prices: profit falls the month we cut")
    assert _says(feedback, "first month", "?")
