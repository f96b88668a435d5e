"""Exercises for lesson 00_welcome: one number, one rate, one decision."""

from __future__ import annotations

from pmkit.exercises.engine import Context, Exercise, decision, number
from pmkit.exercises.evidence import Evidence, Fact

BAR = 0.10  # the team's bar: more than one late order in ten breaks the promise


def _orders(ctx: Context):
    return ctx.load("orders")


def average_order_value(ctx: Context) -> float:
    return float(_orders(ctx)["order_value"].mean())


def late_share(ctx: Context) -> float:
    orders = _orders(ctx)
    return float((orders["actual_days"] > orders["promised_days"]).mean())


def late_share_wrong_way(ctx: Context) -> float:
    """The tempting slip: counting on-time-or-early as 'late'."""
    return 1.0 - late_share(ctx)


def late_share_at_or_after(ctx: Context) -> float:
    """Another slip: counting orders that arrived exactly on the promised day."""
    orders = _orders(ctx)
    return float((orders["actual_days"] >= orders["promised_days"]).mean())


def promise_evidence(ctx: Context) -> Evidence:
    """The late share against the team's bar: what the promise call is judged on."""
    late = late_share(ctx)
    # A promise that is broken more often than one order in ten needs fixing
    # before it is advertised more widely.
    call = "fix the promise" if late > BAR else "advertise the promise"
    return Evidence(call, (
        Fact("late share", late, change=False, require="number", versus=BAR,
             synonyms=("late", "late orders", "orders late", "arrive late", "arrived late",
                       "delivered late", "later than promised", "broken")),
        Fact("bar", BAR, change=False, synonyms=("one in ten", "threshold", "limit", "target")),
        Fact("average order", average_order_value(ctx), "usd", change=False,
             synonyms=("average order value", "order value", "average basket")),
    ), rule=f"late share {late:.1%} against the bar of {BAR:.0%}: above it, fix before advertising")


def promise_decision(ctx: Context) -> str:
    return promise_evidence(ctx).call


EXERCISES = [
    Exercise(
        name="average_order",
        question="The average order value in USD (a single number).",
        expected=average_order_value,
        grade=number(rel_tol=1e-4, unit=" USD"),
        hints=(
            "Each row of `orders` is one order; the column `order_value` holds what it was worth.",
            "pandas columns have a `.mean()` method.",
            "average_order = orders['order_value'].mean()",
        ),
        minutes=2,
    ),
    Exercise(
        name="late_share",
        question="The share of orders delivered later than promised, as a fraction between 0 and 1.",
        expected=late_share,
        grade=number(rel_tol=1e-4, mistakes=[
            (late_share_wrong_way, "That is the share delivered on time or early: flip the comparison."),
            (late_share_at_or_after, "Arriving exactly on the promised day is on time, not late: "
                                     "use > rather than >=."),
        ]),
        hints=(
            "An order is late when `actual_days` is greater than `promised_days`.",
            "Comparing two columns gives a column of True/False; the mean of it is the share of True.",
            "late_share = (orders['actual_days'] > orders['promised_days']).mean()",
        ),
        minutes=3,
    ),
    Exercise(
        name="promise_call",
        question="'fix the promise' or 'advertise the promise', a colon, then your evidence: "
                 "the number, what it measures, and how it compares with the bar.",
        expected=promise_decision,
        grade=decision(
            ["fix the promise", "advertise the promise"], promise_evidence,
            questions={
                "advertise the promise": lambda ctx: (
                    f"Would you advertise a promise that {late_share(ctx):.0%} of customers "
                    "already see broken? What happens to trust when more people rely on it?"),
                "fix the promise": lambda ctx: (
                    f"With only {late_share(ctx):.0%} of orders late, is the promise really the "
                    "customer's problem? What would customers gain from hearing about it?"),
            },
        ),
        hints=(
            "Which number measures whether customers can rely on the promise? You computed it "
            "two exercises ago.",
            "The lesson's bar: more than one late order in ten (0.10) means the promise is not yet "
            "one customers can rely on. Is your `late_share` above or below it?",
            "Write the call, a colon, then the evidence with its metric and number, e.g. "
            "f\"<call>: {late_share:.1%} of orders arrive later than promised, against a bar of 10%\".",
        ),
        minutes=3,
    ),
]
