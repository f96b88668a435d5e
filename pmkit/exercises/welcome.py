"""Exercises for lesson 00_welcome: one number, one rate, one decision."""

from __future__ import annotations

from pmkit.exercises.engine import Context, Exercise, decision, ladder, number
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
        hints=ladder(
            "Each row is one order and one column holds what it was worth; the average is the "
            "total of that column divided by the number of orders.",
            'Pick the column with `orders["order_value"]`, then call `.mean()` on it.',
            "average_order = orders[___].___()",
            'average_order = orders["order_value"].mean()',
        ),
        minutes=2,
        level="apply",
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
        hints=ladder(
            "An order is late when it arrives after the day it was promised for; the late share "
            "is the late orders out of all orders.",
            'Compare `orders["actual_days"]` with `orders["promised_days"]` using `>`: that gives '
            "True or False for each order, and `.mean()` of True/False is the share of True.",
            "late_share = (orders[___] ___ orders[___]).mean()",
            'late_share = (orders["actual_days"] > orders["promised_days"]).mean()',
        ),
        minutes=3,
        level="apply",
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
        hints=ladder(
            "A PM weighs how often customers already see the promise broken against the bar the "
            "team agreed: more than one late order in ten is not a promise to advertise.",
            "Look up your `late_share` and compare it with 0.10. Write the call, a colon, then "
            "the late share as a percentage and where it sits against the 10% bar.",
            'promise_call = f"___: {late_share:.1%} of orders arrive later than promised, ___ our '
            'bar of 10%"',
            'call = "fix the promise" if late_share > 0.10 else "advertise the promise"\n'
            'side = "above" if late_share > 0.10 else "below"\n'
            'promise_call = f"{call}: {late_share:.1%} of orders arrive later than promised, '
            '{side} our bar of 10%"',
        ),
        minutes=4,
        level="evaluate",
    ),
]
