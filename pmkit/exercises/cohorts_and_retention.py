"""Exercises for lesson 06_cohorts_and_retention: triangles, curves and a fee decision."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pmkit.exercises.engine import Context, Exercise, choice, decision, number
from pmkit.exercises.evidence import Evidence, Fact

#: Month of the pooled curves the lesson compares at.
YEAR = 12


def customer_cohorts(ctx: Context) -> Any:
    from pmkit.metrics import cohort_table

    return ctx.cached("customer_cohorts", lambda: cohort_table(
        ctx.load("orders"), date="order_date", signups=ctx.load("customers")))


def second_month(ctx: Context) -> float:
    return customer_cohorts(ctx).curve().rates[1]


def second_month_unweighted(ctx: Context) -> float:
    """The slip: averaging cohort rates as if every cohort were the same size."""
    return float(np.nanmean(customer_cohorts(ctx).rates[:, 1]))


def first_month(ctx: Context) -> float:
    return customer_cohorts(ctx).curve().rates[0]


def flattens_at(ctx: Context) -> float:
    return float(customer_cohorts(ctx).curve().flattens_at)


def segment_year_retention(ctx: Context) -> dict[str, float]:
    from pmkit.metrics import cohort_table

    def build() -> dict[str, float]:
        customers, orders = ctx.load("customers"), ctx.load("orders")
        out = {}
        for segment, members in customers.groupby("segment"):
            mine = orders[orders["customer_id"].isin(members["customer_id"])]
            table = cohort_table(mine, date="order_date", signups=members)
            out[str(segment)] = table.curve().rates[YEAR]
        return out

    return ctx.cached("segment_year", build)


def best_segment(ctx: Context) -> str:
    rates = segment_year_retention(ctx)
    return max(rates, key=rates.get)


def member_cohorts(ctx: Context) -> Any:
    from pmkit.metrics import cohort_table_from_counts

    return ctx.cached("member_cohorts", lambda: cohort_table_from_counts(ctx.load("membership")))


def member_year(ctx: Context) -> float:
    return member_cohorts(ctx).curve().rates[YEAR]


def member_year_early(ctx: Context) -> float:
    """The slip: reading month 12 one period early (rates[11]; the curve starts at period 0)."""
    return member_cohorts(ctx).curve().rates[YEAR - 1]


def member_year_as_churned(ctx: Context) -> float:
    return 1 - member_year(ctx)


def fee_month(ctx: Context) -> str:
    """The first cohort that joined at the new fee, read from the fee column (public)."""
    counts = ctx.load("membership")
    joining = counts[counts["tenure_month"] == 0]
    raised = joining.loc[joining["fee"] > joining["fee"].min(), "cohort"]
    if raised.empty:
        raise ValueError("the membership fee never changed in this data")
    return f"{raised.min():%Y-%m}"


def fee_comparison(ctx: Context) -> Any:
    from pmkit.metrics import compare_retention

    def build() -> Any:
        table, cut = member_cohorts(ctx), fee_month(ctx)
        old = table.curve([c for c in table.cohorts if c < cut], label="joined at the old fee")
        new = table.curve([c for c in table.cohorts if c >= cut], label="joined at the new fee")
        return compare_retention(old, new, YEAR)

    return ctx.cached("fee_comparison", build)


def fee_difference(ctx: Context) -> float:
    return fee_comparison(ctx).difference


def fee_interval(ctx: Context) -> tuple[float, float]:
    """The 95% interval of the month-12 difference, from the z-test's own standard error."""
    r = fee_comparison(ctx)
    se = abs(r.difference / r.z) if r.z else math.nan
    return (r.difference - 1.959964 * se, r.difference + 1.959964 * se)


def fee_facts(ctx: Context) -> Evidence:
    """Month-12 retention at the new fee against the old, with its interval."""
    r = fee_comparison(ctx)
    # Reverse the rise only on evidence that it costs members: a retention drop at
    # month 12 that is larger than noise. A null is not "no effect": the interval says
    # how large a drop the data still allows.
    call = "reverse the fee rise" if r.significant and r.difference < 0 else "keep the new fee"
    return Evidence(call, (
        Fact("month-12 retention", r.difference, ci=fee_interval(ctx), p_value=r.p_value,
             require="interval",
             synonyms=("retention", "month 12 retention", "retention at month 12", "kept",
                       "difference", "retained"),
             also=(r.rate_a, r.rate_b)),
    ), rule="reverse only on a month-12 drop larger than noise; a null is read as its interval, "
            "not as 'no effect'", given=(float(YEAR),))


def fee_call(ctx: Context) -> str:
    return fee_facts(ctx).call


def _reverse_question(ctx: Context) -> str:
    r = fee_comparison(ctx)
    return (f"Members who joined at the new fee kept {100 * r.difference:+.1f} points at month "
            f"{YEAR} (p = {r.p_value:.2f}). What evidence says the rise drove members away?")


def _keep_question(ctx: Context) -> str:
    r = fee_comparison(ctx)
    return (f"Month-{YEAR} retention moved {100 * r.difference:+.1f} points after the rise, and "
            f"the test says that is more than noise. Would you keep a price that costs members?")


EXERCISES = [
    Exercise(
        name="second_month",
        question="The share of all customers active in their second month (period 1 of the "
                 "pooled curve), as a fraction.",
        expected=second_month,
        grade=number(rel_tol=1e-3, mistakes=[
            (second_month_unweighted, "You averaged the cohorts' rates, so a cohort of 50 counts "
                                      "as much as one of 500. Pool the customers: use the "
                                      "curve of all cohorts."),
            (first_month, "That is period 0, the signup month itself. The second month is "
                          "period 1."),
        ]),
        hints=(
            "`cohorts.curve()` pools every cohort observed at each age into one curve.",
            "Its `rates` start at period 0; the second month is index 1.",
            "second_month = cohorts.curve().rates[1]",
        ),
        minutes=3,
    ),
    Exercise(
        name="flattens_at",
        question="The period from which the pooled customer curve flattens (a whole number).",
        expected=flattens_at,
        grade=number(rel_tol=0, abs_tol=1e-9),
        hints=(
            "A retention curve object knows where it flattens.",
            "Look at `curve.flattens_at` (the default tolerance keeps 90% per period).",
            "flattens_at = cohorts.curve().flattens_at",
        ),
        minutes=2,
    ),
    Exercise(
        name="best_segment",
        question="Which marketing segment keeps the largest share of customers active in month "
                 f"{YEAR}: 'bargain', 'family', 'professional' or 'enthusiast'?",
        expected=best_segment,
        grade=choice(["bargain", "family", "professional", "enthusiast"], mistakes={
            "bargain": "Bargain hunters are the largest segment, not the most loyal: compare "
                       "month-12 rates, not sizes.",
        }),
        hints=(
            "Build a cohort table per segment: filter `customers` and `orders` to one segment.",
            f"Compare `table.curve().rates[{YEAR}]` across segments.",
            "for seg, members in customers.groupby('segment'): "
            "mine = orders[orders['customer_id'].isin(members['customer_id'])]; "
            f"print(seg, metrics.cohort_table(mine, date='order_date', signups=members)"
            f".curve().rates[{YEAR}])",
        ),
        minutes=5,
    ),
    Exercise(
        name="member_year",
        question=f"The share of Basketly Plus members still members at month {YEAR} "
                 "(pooled over all cohorts), as a fraction.",
        expected=member_year,
        grade=number(rel_tol=1e-3, mistakes=[
            (member_year_as_churned, "That is the share who left; the question asks who stayed."),
            (member_year_early, f"That is month {YEAR - 1}: the curve starts at period 0, so month "
                                f"{YEAR} is rates[{YEAR}]."),
        ]),
        hints=(
            "`members` is the triangle built from the membership table.",
            f"Its pooled curve's `rates[{YEAR}]`.",
            f"member_year = members.curve().rates[{YEAR}]",
        ),
        minutes=2,
    ),
    Exercise(
        name="fee_difference",
        question=f"Month-{YEAR} retention of members who joined at the new fee minus those who "
                 "joined at the old fee, as a fraction.",
        expected=fee_difference,
        grade=number(rel_tol=1e-3, abs_tol=1e-6),
        hints=(
            "`fee_test` compares the two pooled curves.",
            "Its `difference` is new minus old.",
            "fee_difference = fee_test.difference",
        ),
        minutes=2,
    ),
    Exercise(
        name="fee_call",
        question="'keep the new fee' or 'reverse the fee rise', then a colon and your evidence.",
        expected=fee_call,
        grade=decision(
            ["keep the new fee", "reverse the fee rise"], fee_facts,
            questions={"reverse the fee rise": _reverse_question, "keep the new fee": _keep_question},
        ),
        hints=(
            "A difference only counts as evidence if it is larger than chance would produce.",
            "Read `fee_test.difference` and `fee_test.p_value`; then the interval: how large a drop "
            "does the data still allow? (difference ± 1.96 × difference / z)",
            "Write the call, a colon, then the difference with its interval, and say what is not "
            "shown: f\"<call>: month-12 retention moved {100 * fee_test.difference:+.1f} points "
            "(95% CI ... to ... points), a drop is not shown but not ruled out\"",
        ),
        minutes=4,
    ),
]
