"""Exercises for lesson 14_lifetime_value: NPV, churn, survival, lifetime value, payback.

The lesson's economics (margin rate, acquisition cost, discount rate) are parameters of
the notebook; it copies them into ``lesson.context.params`` so the checks use the same
numbers as the learner.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmkit import longterm as lt
from pmkit.exercises.engine import Context, Exercise, decision, number
from pmkit.exercises.evidence import Evidence, Fact

#: The numbers Basketly's finance team uses unless the notebook's parameters say otherwise.
DEFAULTS: dict[str, float] = {
    "margin_rate": 0.12,           # contribution margin on member orders
    "acquisition_cost": 60.0,      # USD spent to win one member
    "annual_discount_rate": 0.10,  # Basketly's cost of money per year
}
#: Months of member value the lesson counts.
HORIZON = 36
#: The lesson's first example: warehouse robots, thousand USD per year, year 0 = today.
ROBOTS = (-500.0, 90.0, 120.0, 140.0, 140.0, 140.0, 140.0)
#: The discount rate the first exercise asks about.
ROBOTS_RATE = 0.15


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def monthly_rate(ctx: Context) -> float:
    """The annual discount rate as the equivalent monthly rate."""
    return (1 + param(ctx, "annual_discount_rate")) ** (1 / 12) - 1


# ------------------------------------------------------------------ robots ---


def robots_npv(ctx: Context) -> float:
    return lt.npv(ROBOTS_RATE, ROBOTS)


def robots_npv_outlay_discounted(ctx: Context) -> float:
    """The spreadsheet slip: discounting today's outlay as if it came a year later."""
    return lt.npv(ROBOTS_RATE, [0.0, *ROBOTS])


def robots_total(ctx: Context) -> float:
    return float(sum(ROBOTS))


# -------------------------------------------------------------- membership ---


def _members(ctx: Context) -> pd.DataFrame:
    return ctx.load("membership")


def fee_rise_month(membership: pd.DataFrame) -> pd.Timestamp:
    """The first calendar month in which members paid the highest fee."""
    month = membership["cohort"].dt.to_period("M") + membership["tenure_month"]
    return month[membership["fee"] == membership["fee"].max()].min().to_timestamp()


def margin_per_month(ctx: Context) -> float:
    """Order margin per member-month, each cohort-month weighted by its members."""
    m = _members(ctx)
    revenue = (m["orders_per_member"] * m["avg_order_value"] * m["members"]).sum() / m["members"].sum()
    return float(revenue * param(ctx, "margin_rate"))


def first_month_churn(ctx: Context) -> float:
    first = _members(ctx).query("tenure_month == 0")
    return float(first["churned"].sum() / first["members"].sum())


def first_month_churn_unweighted(ctx: Context) -> float:
    first = _members(ctx).query("tenure_month == 0")
    return float((first["churned"] / first["members"]).mean())


def first_month_retention(ctx: Context) -> float:
    return 1 - first_month_churn(ctx)


def _curve_of(table: pd.DataFrame) -> lt.SurvivalCurve:
    return lt.kaplan_meier("duration", "observed", weights="weight",
                           data=lt.cohort_lifetimes(table))


def survival(ctx: Context) -> lt.SurvivalCurve:
    return ctx.cached("km_all", lambda: _curve_of(_members(ctx)))


def _after_fee_rise(ctx: Context) -> pd.DataFrame:
    m = _members(ctx)
    return m[m["cohort"] >= fee_rise_month(m)]


def survival_12_after_rise(ctx: Context) -> float:
    curve = ctx.cached("km_after", lambda: _curve_of(_after_fee_rise(ctx)))
    return float(curve.at(12)[0])


def survival_12_all_cohorts(ctx: Context) -> float:
    return float(survival(ctx).at(12)[0])


def survival_12_ignoring_censoring(ctx: Context) -> float:
    """The tempting slip: members at month 12 over every member who ever joined."""
    m = _after_fee_rise(ctx)
    return float(m.loc[m["tenure_month"] == 12, "members"].sum()
                 / m.loc[m["tenure_month"] == 0, "members"].sum())


def _survival_by_month(ctx: Context) -> np.ndarray:
    return survival(ctx).at(np.arange(1, HORIZON + 1))


def member_ltv(ctx: Context) -> float:
    return lt.ltv_from_survival(margin_per_month(ctx), _survival_by_month(ctx), monthly_rate(ctx))


def member_ltv_undiscounted(ctx: Context) -> float:
    return lt.ltv_from_survival(margin_per_month(ctx), _survival_by_month(ctx), 0.0)


def member_ltv_annual_rate_monthly(ctx: Context) -> float:
    return lt.ltv_from_survival(margin_per_month(ctx), _survival_by_month(ctx),
                                param(ctx, "annual_discount_rate"))


def member_ltv_constant_retention(ctx: Context) -> float:
    return lt.ltv(margin_per_month(ctx), first_month_retention(ctx), monthly_rate(ctx),
                  periods=HORIZON)


def member_cash_flows(ctx: Context) -> list[float]:
    """Acquisition cost at t = 0, then the expected margin of each month completed."""
    return [-param(ctx, "acquisition_cost"), *(margin_per_month(ctx) * _survival_by_month(ctx))]


def payback_months(ctx: Context) -> float:
    return lt.payback_period(member_cash_flows(ctx), monthly_rate(ctx))


def payback_undiscounted(ctx: Context) -> float:
    return lt.payback_period(member_cash_flows(ctx))


def acquisition_facts(ctx: Context) -> Evidence:
    """What a member is worth over the horizon against what one costs, and the payback."""
    ltv, cost = member_ltv(ctx), param(ctx, "acquisition_cost")
    call = "keep acquiring" if ltv > cost else "cut acquisition"
    return Evidence(call, (
        Fact("member value", ltv, "usd", change=False, require="number", versus=cost,
             synonyms=("ltv", "lifetime value", "member worth", "worth", "discounted margin"),
             also=(member_ltv_undiscounted(ctx),)),
        Fact("acquisition cost", cost, "usd", change=False, require="number",
             synonyms=("cost", "costs", "acquisition", "to win one", "cac")),
        Fact("payback", payback_months(ctx), "months", change=False,
             synonyms=("pays back", "repays", "payback", "paid back", "pay back", "breaks even"),
             also=(payback_undiscounted(ctx),)),
    ), rule="keep acquiring while a member's discounted value exceeds the cost of winning one",
        given=(float(HORIZON),))


def acquisition_call(ctx: Context) -> str:
    return acquisition_facts(ctx).call


def _cut_question(ctx: Context) -> str:
    return (f"Each member costs {param(ctx, 'acquisition_cost'):.0f} USD and returns "
            f"{member_ltv(ctx):.0f} USD of discounted margin over {HORIZON} months, paying back in "
            f"about {payback_months(ctx):.0f} months. Which report are you optimising for: this "
            "quarter's, or the next three years'?")


def _keep_question(ctx: Context) -> str:
    return (f"A member returns only {member_ltv(ctx):.0f} USD over {HORIZON} months against an "
            f"acquisition cost of {param(ctx, 'acquisition_cost'):.0f} USD. What would have to "
            "change before more spending creates value?")


EXERCISES = [
    Exercise(
        name="robots_npv",
        question="NPV of the robots project at 15% a year, in thousand USD.",
        expected=robots_npv,
        grade=number(rel_tol=1e-4, unit=" thousand USD", mistakes=[
            (robots_npv_outlay_discounted,
             "You discounted the outlay too, as spreadsheet NPV functions do: the first cash flow "
             "is today and is not discounted. pmkit's npv starts at t = 0."),
            (robots_total, "That is the plain sum of the cash flows; discount each year's cash first."),
        ]),
        hints=(
            "Same cash flows as the worked example, only the rate changes.",
            "`lt.npv(rate, cashflows)` treats the first value as today.",
            "robots_npv = lt.npv(0.15, robots)",
        ),
        minutes=2,
    ),
    Exercise(
        name="first_month_churn",
        question="Share of new members who cancel in their first month (tenure month 0), pooled "
                 "over all cohorts, as a fraction.",
        expected=first_month_churn,
        grade=number(rel_tol=1e-4, mistakes=[
            (first_month_churn_unweighted, "That averages each cohort's rate, so small cohorts count "
                                           "as much as big ones: pool the counts instead."),
            (first_month_retention, "That is the share who stayed; churn is the share who left."),
        ]),
        hints=(
            "Keep the rows with `tenure_month == 0`: every cohort's joining month.",
            "Divide the total `churned` by the total `members` of those rows.",
            "first = membership.query('tenure_month == 0'); "
            "first_month_churn = first.churned.sum() / first.members.sum()",
        ),
        minutes=3,
    ),
    Exercise(
        name="survival_after_fee_rise",
        question="Kaplan–Meier share of members who joined at the higher fee (cohorts from the fee "
                 "rise on) still subscribed after 12 months.",
        expected=survival_12_after_rise,
        grade=number(rel_tol=1e-4, mistakes=[
            (survival_12_ignoring_censoring,
             "That divides month-12 members by everyone who joined, but the youngest cohorts "
             "cannot have reached month 12 yet. Kaplan–Meier counts each member only while we "
             "can see them: use lt.kaplan_meier on lt.cohort_lifetimes."),
            (survival_12_all_cohorts, "That is every cohort; keep only those that joined from "
                                      "`fee_rise` on."),
        ]),
        hints=(
            "Filter the cohorts first: `membership[membership.cohort >= fee_rise]`.",
            "Then repeat the worked example on that table: cohort_lifetimes, kaplan_meier, .at(12).",
            "later = membership[membership.cohort >= fee_rise]; survival_after_fee_rise = "
            "lt.kaplan_meier('duration', 'observed', weights='weight', "
            "data=lt.cohort_lifetimes(later)).at(12)[0]",
        ),
        minutes=4,
    ),
    Exercise(
        name="member_ltv",
        question="Lifetime value of one member over 36 months in USD: margin_per_month × S(t) "
                 "discounted at the monthly rate, for t = 1 … 36, using the all-cohort curve.",
        expected=member_ltv,
        grade=number(rel_tol=1e-3, unit=" USD", mistakes=[
            (member_ltv_undiscounted, "That is the undiscounted total: a dollar in month 36 is "
                                      "worth less than a dollar today. Discount at `monthly_rate`."),
            (member_ltv_annual_rate_monthly, "You discounted every month at the annual rate; use "
                                             "`monthly_rate` for monthly cash."),
            (member_ltv_constant_retention, "That assumes every month loses members at the "
                                            "first-month rate; the survival curve flattens later."),
        ]),
        hints=(
            "You need S(1) … S(36) from the Kaplan–Meier curve: `curve.at(np.arange(1, 37))`.",
            "`lt.ltv_from_survival(margin, survival, discount_rate)` does the discounted sum.",
            "member_ltv = lt.ltv_from_survival(margin_per_month, curve.at(np.arange(1, horizon + 1)), "
            "monthly_rate)",
        ),
        minutes=4,
    ),
    Exercise(
        name="payback_months",
        question="Months until one member's discounted margin repays the acquisition cost.",
        expected=payback_months,
        grade=number(rel_tol=1e-3, unit=" months", mistakes=[
            (payback_undiscounted, "That payback ignores discounting; pass `monthly_rate` to "
                                   "`payback_period`."),
        ]),
        hints=(
            "Cash flows: minus the acquisition cost at t = 0, then margin × S(t) for each month.",
            "`lt.payback_period(flows, rate)` finds when the running total turns positive for good.",
            "flows = [-acquisition_cost, *(margin_per_month * curve.at(np.arange(1, horizon + 1)))]; "
            "payback_months = lt.payback_period(flows, monthly_rate)",
        ),
        minutes=3,
    ),
    Exercise(
        name="acquisition_call",
        question="'keep acquiring' or 'cut acquisition', then a colon and your evidence.",
        expected=acquisition_call,
        grade=decision(
            ["keep acquiring", "cut acquisition"], acquisition_facts,
            questions={"cut acquisition": _cut_question, "keep acquiring": _keep_question},
        ),
        hints=(
            "Compare what a member is worth over 36 months with what it costs to win one.",
            "The first quarter loses money either way; what matters is whether, and how fast, "
            "the member repays the cost.",
            "Write the call, a colon, then value against cost: f\"<call>: a member worth "
            "{member_ltv:.0f} USD over 36 months against a {acquisition_cost:.0f} USD cost; "
            "payback in ... months\"",
        ),
        minutes=3,
    ),
]
