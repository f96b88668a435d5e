"""Lessons 12, 14 and 15: other seeds under papermill, and the checkers' targeted messages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pmkit.exercises import lifetime_value as ltv_lesson
from pmkit.exercises import membership_and_flywheel as plus_lesson
from pmkit.exercises import portfolio_of_bets as bets_lesson
from pmkit.exercises import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["12_portfolio_of_bets", "14_lifetime_value", "15_membership_and_flywheel"]


@pytest.mark.parametrize("seed", [7, 2024])
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(tmp_path: Path, name: str, seed: int) -> None:
    statuses = run_notebook(ROOT / "solutions" / f"{name}.ipynb", tmp_path, seed=seed)
    assert statuses == dict.fromkeys(start(name).exercises, "correct")


def _says(feedback, *words: str) -> bool:
    return feedback.status == "incorrect" and all(w in feedback.message for w in words)


# ------------------------------------------------------------------ lesson 12 --


@pytest.fixture(scope="module")
def bets():
    return start("12_portfolio_of_bets", seed=7)


def test_bets_common_slips_get_targeted_messages(bets) -> None:
    ctx = bets.context
    assert _says(bets.check("portfolio_ev", bets_lesson.portfolio_ev_with_medians(ctx)), "median")
    assert _says(bets.check("portfolio_ev", bets_lesson.portfolio_ev_without_cost(ctx)), "cost")
    assert _says(bets.check("chance_all_fail", bets_lesson.average_failure_rate(ctx)), "multiply")
    assert bets.check("chance_all_fail", bets_lesson.chance_all_fail(ctx)).status == "correct"


def test_best_bet_names_the_tempting_wrong_bets(bets) -> None:
    table = bets.context.load("bets")
    likeliest = table.loc[table["p_success"].idxmax(), "name"]
    best = bets_lesson.best_bet(bets.context)
    assert bets.check("best_bet", best.upper()).status == "correct"
    if likeliest != best:
        assert _says(bets.check("best_bet", likeliest), "most likely")
    assert _says(bets.check("best_bet", "Teleporter"), "not one of the bets")
    assert bets.check("best_bet", 3).status == "incorrect"


def test_bets_chances_match_an_independent_simulation(bets) -> None:
    import numpy as np

    table = bets.context.load("bets")
    rng = np.random.default_rng(0)
    draws = 40_000
    works = rng.random((draws, len(table))) < table["p_success"].to_numpy()
    payoff = table["payoff_median"].to_numpy() * np.exp(
        table["payoff_sigma"].to_numpy() * rng.standard_normal((draws, len(table))))
    payoff /= 1.1 ** table["years_to_payoff"].to_numpy()
    big = (works & (payoff >= 10 * table["cost"].to_numpy())).any(axis=1).mean()
    assert bets_lesson.chance_big_win(bets.context) == pytest.approx(big, abs=0.015)
    loss = ((works * payoff).sum(axis=1) < table["cost"].sum()).mean()
    assert bets_lesson.chance_of_loss(bets.context) == pytest.approx(loss, abs=0.015)


def test_funding_decision_against_the_evidence_gets_a_question(bets) -> None:
    expected = bets_lesson.funding_call(bets.context)
    wrong = next(o for o in ("fund the portfolio", "fund the safe bets") if o != expected)
    assert _says(bets.check("funding_call", f"{wrong}: it feels right to me"), "?")
    assert bets.check("funding_call", expected).status == "incorrect"  # no reason given
    assert bets.check("funding_call", f"{expected}: the expected value is higher, though most "
                                      "bets fail").status == "incorrect"  # no number
    everything, safe = bets_lesson._portfolio(bets.context), bets_lesson._safe(bets.context)
    argued = (f"{expected}: the portfolio is worth {everything.expected_value:.0f} million on average "
              f"against {safe.expected_value:.0f} million for the safe bets, though most bets fail")
    assert bets.check("funding_call", argued).status == "correct"


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
