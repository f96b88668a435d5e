"""Exercises for lesson 15_membership_and_flywheel: member economics, payback and the flywheel.

The notebook copies its parameters (margin rate, sign-up cost, discount rate, price cut)
into ``lesson.context.params`` so the checks use the learner's numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmkit import longterm as lt
from pmkit.exercises.engine import Context, Exercise, decision, number
from pmkit.exercises.evidence import Evidence, Fact

DEFAULTS: dict[str, float] = {
    "order_margin_rate": 0.25,     # margin on an order before shipping
    "signup_cost": 15.0,           # USD: the free trial month and the welcome voucher
    "annual_discount_rate": 0.10,  # Basketly's cost of money per year
    "price_cut": 0.05,             # the flywheel experiment's price cut
}
#: Months of membership value the lesson counts, and periods the flywheel runs.
HORIZON = 36


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def monthly_rate(ctx: Context) -> float:
    return (1 + param(ctx, "annual_discount_rate")) ** (1 / 12) - 1


# ------------------------------------------------------ inputs from the data ---


def member_inputs(table: pd.DataFrame, order_margin_rate: float) -> dict[str, float]:
    """Per-order and per-month averages, each cohort-month weighted by its members."""
    w = table["members"]
    orders = table["orders_per_member"] * w
    return {
        "baseline_orders": float((table["baseline_orders"] * w).sum() / w.sum()),
        "uplift": float(orders.sum() / (table["baseline_orders"] * w).sum() - 1),
        "margin_per_order": float((table["avg_order_value"] * orders).sum() / orders.sum()
                                  * order_margin_rate),
        "shipping_per_order": float((table["shipping_cost"] * orders).sum() / orders.sum()),
    }


def churn_by_tenure(table: pd.DataFrame) -> list[float]:
    """Monthly churn by tenure from the Kaplan–Meier curve of the cohorts in ``table``."""
    curve = lt.kaplan_meier("duration", "observed", weights="weight",
                            data=lt.cohort_lifetimes(table))
    return curve.churn().tolist()


def _members(ctx: Context) -> pd.DataFrame:
    return ctx.load("membership")


def _inputs(ctx: Context) -> dict[str, float]:
    return ctx.cached("inputs", lambda: member_inputs(_members(ctx), param(ctx, "order_margin_rate")))


def current_fee(ctx: Context) -> float:
    return float(_members(ctx)["fee"].max())


def order_uplift(ctx: Context) -> float:
    return _inputs(ctx)["uplift"]


def order_ratio(ctx: Context) -> float:
    return order_uplift(ctx) + 1


def order_uplift_unweighted(ctx: Context) -> float:
    m = _members(ctx)
    return float((m["orders_per_member"] / m["baseline_orders"]).mean() - 1)


def _case(ctx: Context, **changes: Any) -> lt.MembershipCase:
    x = _inputs(ctx)
    args: dict[str, Any] = {
        "fee": current_fee(ctx), "orders": x["baseline_orders"], "uplift": x["uplift"],
        "margin": x["margin_per_order"], "shipping_cost": x["shipping_per_order"],
        "churn": ctx.cached("churn", lambda: churn_by_tenure(_members(ctx))),
        "discount_rate": monthly_rate(ctx), "signup_cost": param(ctx, "signup_cost"),
        "months": HORIZON,
    }
    args.update(changes)
    return lt.membership_case(**args)


def monthly_value(ctx: Context) -> float:
    return _case(ctx).monthly_value


def monthly_value_extra_shipping_only(ctx: Context) -> float:
    """The slip: charging shipping only on the extra orders, not on all member orders."""
    x = _inputs(ctx)
    return (current_fee(ctx) + x["margin_per_order"] * x["baseline_orders"] * x["uplift"]
            - x["shipping_per_order"] * x["baseline_orders"] * x["uplift"])


def monthly_value_without_fee(ctx: Context) -> float:
    return monthly_value(ctx) - current_fee(ctx)


def ltv_change(ctx: Context) -> float:
    return _case(ctx).ltv_change


def ltv_change_undiscounted(ctx: Context) -> float:
    return _case(ctx, discount_rate=0.0).ltv_change


def ltv_change_no_churn(ctx: Context) -> float:
    return _case(ctx, churn=0.0).ltv_change


def payback_months(ctx: Context) -> float:
    return _case(ctx).payback_months


def payback_undiscounted(ctx: Context) -> float:
    return _case(ctx, discount_rate=0.0).payback_months


def break_even_fee(ctx: Context) -> float:
    return _case(ctx).break_even_fee


def flywheel_run(ctx: Context) -> lt.FlywheelRun:
    return ctx.cached("flywheel", lambda: lt.flywheel(param(ctx, "price_cut"), HORIZON))


def flywheel_breakeven(ctx: Context) -> float:
    return flywheel_run(ctx).breakeven_period


def price_facts(ctx: Context) -> Evidence:
    """The flywheel run: the first dip, when it is earned back, the end state."""
    run = flywheel_run(ctx)
    call = "cut prices" if run.total_gain > 0 else "hold prices"
    return Evidence(call, (
        Fact("first-period profit", run.first_period_profit_change, require="number",
             synonyms=("profit dips", "dip", "dips", "first month", "first period", "profit"),
             better="up"),
        Fact("breakeven period", run.breakeven_period, "number", change=False,
             synonyms=("period", "breakeven", "break even", "earns back", "earned back",
                       "earns the dip back")),
        Fact("customers", run.customers_multiple, "multiple", change=False,
             synonyms=("customer base", "the customers")),
        Fact("total gain", run.total_gain, "number",
             synonyms=("cumulative profit", "total", "overall gain", "total profit")),
    ), rule="judge the cut by cumulative profit over the run, not by its first period",
        given=(float(HORIZON),))


def price_call(ctx: Context) -> str:
    return price_facts(ctx).call


def _hold_question(ctx: Context) -> str:
    run = flywheel_run(ctx)
    return (f"Profit dips {-run.first_period_profit_change:.0%} in the first month, but the "
            f"simulation earns the dip back by period {run.breakeven_period:.0f} and ends "
            f"{run.customers_multiple:.2f}× the customers. Are you judging the flywheel by its "
            "first month?")


def _cut_question(ctx: Context) -> str:
    run = flywheel_run(ctx)
    return (f"Over {run.periods} periods the cut leaves profit {run.total_gain:+.2f} against "
            "standing still. What would have to be true of customers or sellers for it to pay?")


EXERCISES = [
    Exercise(
        name="order_uplift",
        question="How much more members order than matched non-members, as a fraction "
                 "(0.3 = 30% more), weighting each cohort-month by its members.",
        expected=order_uplift,
        grade=number(rel_tol=1e-4, mistakes=[
            (order_ratio, "That is the ratio of the two order rates; the uplift is the ratio minus 1."),
            (order_uplift_unweighted, "That averages each row's ratio, so a cohort-month with a "
                                      "handful of members counts as much as a big one. Weight by "
                                      "`members`."),
        ]),
        hints=(
            "Total member orders: orders_per_member × members, summed. Do the same with "
            "baseline_orders for what those members would have ordered anyway.",
            "Divide the two totals and subtract 1.",
            "w = membership.members; order_uplift = (membership.orders_per_member * w).sum() / "
            "(membership.baseline_orders * w).sum() - 1",
        ),
        minutes=3,
    ),
    Exercise(
        name="monthly_value",
        question="Value of one member in one month at the current fee, in USD: fee + margin on "
                 "the extra orders − free shipping on all member orders.",
        expected=monthly_value,
        grade=number(rel_tol=1e-4, unit=" USD", mistakes=[
            (monthly_value_extra_shipping_only,
             "You charged shipping only on the extra orders. Members get free shipping on every "
             "order, including those they would have placed anyway."),
            (monthly_value_without_fee, "You left out the fee members pay each month."),
        ]),
        hints=(
            "Orders a member places: baseline × (1 + uplift). Basketly pays shipping on all of them.",
            "The margin gain comes only from the extra orders: baseline × uplift.",
            "monthly_value = fee + margin_per_order * baseline * uplift - shipping_per_order * "
            "baseline * (1 + uplift)",
        ),
        minutes=4,
    ),
    Exercise(
        name="ltv_change",
        question="Value one new member adds over 36 months at the current fee, in USD: run "
                 "lt.membership_case with the churn curve, the monthly rate and the sign-up cost.",
        expected=ltv_change,
        grade=number(rel_tol=1e-3, unit=" USD", mistakes=[
            (ltv_change_undiscounted, "That is undiscounted; pass `discount_rate=monthly_rate`."),
            (ltv_change_no_churn, "That assumes nobody ever cancels; pass the churn by tenure."),
        ]),
        hints=(
            "The worked example ran membership_case at the old fee; change the fee.",
            "Keep every other input: baseline orders, uplift, margin and shipping per order, "
            "`churn`, `monthly_rate`, `signup_cost`, 36 months.",
            "ltv_change = lt.membership_case(current_fee, baseline, uplift, margin_per_order, "
            "shipping_per_order, churn, monthly_rate, signup_cost=signup_cost, months=36).ltv_change",
        ),
        minutes=3,
    ),
    Exercise(
        name="payback_months",
        question="Months until a new member at the current fee repays the sign-up cost "
                 "(discounted).",
        expected=payback_months,
        grade=number(rel_tol=1e-3, unit=" months", mistakes=[
            (payback_undiscounted, "That payback ignores discounting; keep `monthly_rate`."),
        ]),
        hints=(
            "The result of membership_case has the answer as a field.",
            "Look at `.payback_months` of the case you built in the previous exercise.",
            "payback_months = lt.membership_case(...same inputs...).payback_months",
        ),
        minutes=2,
    ),
    Exercise(
        name="break_even_fee",
        question="The lowest monthly fee (USD) at which a new member still adds value over 36 "
                 "months, all else equal.",
        expected=break_even_fee,
        grade=number(rel_tol=1e-3, unit=" USD"),
        hints=(
            "Value is a straight line in the fee: each extra dollar of fee adds the same amount.",
            "membership_case reports `.break_even_fee`; or try fees until `ltv_change` hits zero.",
            "break_even_fee = lt.membership_case(...same inputs...).break_even_fee",
        ),
        minutes=3,
    ),
    Exercise(
        name="flywheel_breakeven",
        question="In the flywheel simulation with the lesson's price cut, the period by which "
                 "the cumulative profit gain turns non-negative again.",
        expected=flywheel_breakeven,
        grade=number(rel_tol=1e-9, abs_tol=1e-9, unit=" periods"),
        hints=(
            "Run `lt.flywheel(price_cut, periods=36)` with the default settings.",
            "The result's `.breakeven_period` field, or the first row of `.to_frame()` whose "
            "`cumulative_gain` is at least 0.",
            "flywheel_breakeven = lt.flywheel(price_cut, periods=36).breakeven_period",
        ),
        minutes=3,
    ),
    Exercise(
        name="price_call",
        question="'cut prices' or 'hold prices', then a colon and your evidence.",
        expected=price_call,
        grade=decision(
            ["cut prices", "hold prices"], price_facts,
            questions={"hold prices": _hold_question, "cut prices": _cut_question},
        ),
        hints=(
            "Look past the first month: what happens to cumulative profit by the end of the run?",
            "Compare `first_period_profit_change` with `total_gain` and `breakeven_period`.",
            "Write the call, a colon, then the dip and what follows: f\"<call>: profit dips "
            "{-run.first_period_profit_change:.0%} at first; by period ... the flywheel ...\"",
        ),
        minutes=3,
    ),
]
