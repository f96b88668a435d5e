"""Lesson 17 under papermill and on its own: other seeds and assumptions still grade right, the
memo's call follows each seed's evidence, every targeted mistake is true, the reveal reveals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmkit import datasets
from pmkit.exercises import capstone as cap
from pmkit.exercises.engine import Context, start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "solutions" / "17_capstone.ipynb"
CALLS = {42: "pilot further", 7: "launch", 2024: "fix first"}


@pytest.mark.parametrize(
    "parameters",
    [{"seed": 7}, {"seed": 2024, "margin_rate": 0.30, "credit": 4.0}],
    ids=["seed-7", "seed-2024-other-assumptions"],
)
def test_master_passes_every_check_with_other_inputs(tmp_path: Path, parameters: dict) -> None:
    statuses = run_notebook(MASTER, tmp_path, **parameters)
    assert statuses == dict.fromkeys(start("17_capstone").exercises, "correct")


@pytest.mark.parametrize("seed", sorted(CALLS))
def test_the_memo_call_follows_each_seeds_evidence(seed: int) -> None:
    ctx = Context("17_capstone", seed)
    report = cap.pilot_report(ctx)
    p, bar = report.primary, cap.breakeven_lift(ctx)
    assert cap.memo_call(ctx) == CALLS[seed]
    if CALLS[seed] == "fix first":
        # The easy rule says launch: the pilot is significant and the lift positive.
        assert p.p_value < 0.05 and p.ci[0] > 0 and p.relative_lift < bar
        assert cap.guarantee_value(ctx) < 0
        assert cap.breakeven_lift(ctx, west_fixed=True) < bar
    elif CALLS[seed] == "pilot further":
        # The easy rule says "no effect, do not launch": the interval also holds the bar.
        assert p.p_value > 0.05 and p.ci[0] < 0 < p.ci[1] and p.relative_ci[1] > bar
        pilot = cap.pilot_rows(ctx)
        assert cap.users_per_arm(ctx) > (pilot["variant"] == "control").sum()
    else:
        assert p.ci[0] > 0 and p.relative_lift >= bar and cap.guarantee_value(ctx) > 0


def test_a_bigger_credit_moves_the_bar_and_the_call() -> None:
    cheap, dear = Context("17_capstone", 7, credit=2.0), Context("17_capstone", 7, credit=20.0)
    assert cap.breakeven_lift(dear) == pytest.approx(10 * cap.breakeven_lift(cheap))
    assert cap.memo_call(cheap) == "launch" and cap.memo_call(dear) == "fix first"


def test_the_late_month_share_follows_the_order_book_and_the_cohorts() -> None:
    for seed in CALLS:
        ctx = Context("17_capstone", seed)
        orders = datasets.load("orders", seed=seed)
        late = (orders["actual_days"] > orders["promised_days"])[orders["is_member"]].mean()
        table = datasets.load("membership", seed=seed)
        per_month = table["orders"].sum() / table["members"].sum()
        assert cap.late_month_share(ctx) == pytest.approx(1 - np.exp(-per_month * late))
        assert cap.late_month_share(ctx, west_fixed=True) < cap.late_month_share(ctx)


def test_the_reveal_shows_the_population_truth_not_the_sample_estimate() -> None:
    for seed in CALLS:
        ctx = Context("17_capstone", seed)
        truth = datasets.truth("experiments", seed=seed)["on_time_guarantee"]
        estimate = cap.pilot_report(ctx).primary.relative_lift
        assert truth["true_order_lift"] != pytest.approx(estimate, abs=1e-3)
        late = datasets.truth("orders", seed=seed)["late_probability_by_region"]
        others = np.mean([v for k, v in late.items() if k != "West"])
        assert late["West"] / others != pytest.approx(cap.west_late_ratio(ctx), abs=1e-3)


def test_the_pilot_rows_leave_every_other_experiment_unchanged() -> None:
    from pmkit.datasets._build import Build
    from pmkit.datasets.experiment import make_experiments

    table = datasets.load("experiments", seed=7)
    alone, _ = make_experiments(Build(7, 1))["experiments"]
    others = table[table["experiment"] != "on_time_guarantee"].reset_index(drop=True)
    assert others.equals(alone.astype({"experiment": str, "variant": str}).reset_index(drop=True))
    from pmkit.datasets.experiment import GUARANTEE_USERS

    assert (table["experiment"] == "on_time_guarantee").sum() == GUARANTEE_USERS


# ------------------------------------------- targeted mistakes, and their near misses ---

NUMERIC_MISTAKES = [
    ("recall_churn", cap._first_month_churn_unweighted, "pool them"),
    ("recall_churn", cap._second_month_churn, "tenure month 1"),
    ("west_late_ratio", cap._west_over_all, "the West's own included"),
    ("west_late_ratio", cap._west_minus_rest, "difference in points"),
    ("west_late_ratio", cap._west_count_ratio, "compare rates"),
    ("west_voice_share", cap._voice_share_everyone, "every region's reviews"),
    ("late_month_share", cap._late_rate_alone, "share of orders that are late"),
    ("late_month_share", cap._expected_late_orders, "expected number of late orders"),
    ("late_month_share", cap._binomial_share, "Poisson count"),
    ("late_month_share", cap._unweighted_share, "averages orders_per_member"),
    ("breakeven_lift", cap._breakeven_no_shipping, "free shipping"),
    ("breakeven_lift", cap._breakeven_on_late_rate, "per late member-month"),
    ("breakeven_west_fixed", cap.breakeven_lift, "today's break-even lift"),
    ("guarantee_value", cap._value_without_credits, "not the credits"),
    ("guarantee_value", cap._value_not_a_difference, "subtract today's value"),
    ("users_per_arm", lambda ctx: 2 * cap.users_per_arm(ctx), "both arms together"),
    ("users_per_arm", lambda ctx: cap._sized_on(ctx, "both"), "mixes both arms"),
    ("users_per_arm", lambda ctx: cap._sized_on(ctx, "west"), "West-fixed bar"),
]


@pytest.mark.parametrize("seed", [42, 2024])
@pytest.mark.parametrize(("name", "wrong", "says"), NUMERIC_MISTAKES,
                         ids=[f"{n}-{s.split()[0]}" for n, _, s in NUMERIC_MISTAKES])
def test_each_numeric_mistake_is_named_and_a_near_miss_is_not(name, wrong, says, seed: int) -> None:
    lesson = start("17_capstone", seed=seed)
    value = wrong(lesson.context)
    assert not np.isclose(value, lesson.answer(name), rtol=1e-3)
    assert says in lesson.check(name, value).message
    near = lesson.check(name, value * 1.04)
    assert says not in near.message and not near.passed


CHOICE_MISTAKES = [
    ("recall_interval", "no effect", "never shows 'no effect'", "rose"),
    ("recall_first_check", "primary metric", "compares different people", "guardrails"),
    ("recall_first_check", "guardrails", "after you trust the split", "novelty check"),
    ("recall_first_check", "novelty check", "Novelty matters", "primary metric"),
    ("tool_voice", "customer.nps", "how many would recommend", "experiment.sample_size"),
    ("tool_voice", "customer.kano_survey", "Kano sorts", "customer.nps"),
    ("tool_cohorts", "metrics.session_funnel", "A funnel follows", "agile.forecast_when"),
    ("tool_sizing", "experiment.analyze", "has not started", "longterm.npv"),
    ("tool_sizing", "experiment.srm_check", "audits a split", "experiment.analyze"),
    ("tool_forecast", "agile.littles_law", "Little's law", "metrics.funnel"),
    ("tool_forecast", "agile.wsjf", "cost of delay", "agile.littles_law"),
    ("tool_value", "longterm.irr", "IRR is the rate", "customer.nps"),
]


@pytest.mark.parametrize(("name", "picked", "says", "other"), CHOICE_MISTAKES,
                         ids=[f"{n}-{p}" for n, p, _, _ in CHOICE_MISTAKES])
def test_each_choice_mistake_is_named_and_another_wrong_choice_is_not(name, picked, says, other) -> None:
    lesson = start("17_capstone", seed=42)
    assert lesson.answer(name) not in (picked, other)
    assert says in lesson.check(name, picked).message
    assert says not in lesson.check(name, other).message


@pytest.mark.parametrize("seed", sorted(CALLS))
def test_a_wrong_memo_call_gets_the_question_about_its_evidence(seed: int) -> None:
    lesson = start("17_capstone", seed=seed)
    right = lesson.answer("memo")
    wrong = next(c for c in cap.MEMO_CALLS if c != right)
    message = lesson.check("memo", f"{wrong}: the pilot looked good").message
    key = {"fix first": "break-even", "pilot further": "rule out zero", "launch": "what would waiting buy"}
    assert key[right] in message
