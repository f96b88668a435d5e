"""Exercises for lesson 00_welcome: one number, one rate, one decision."""

from __future__ import annotations

from pmkit.exercises.engine import Context, Exercise, decision, number


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


def promise_decision(ctx: Context) -> str:
    # A promise that is broken more often than one order in ten needs fixing
    # before it is advertised more widely.
    return "fix the promise" if late_share(ctx) > 0.10 else "advertise the promise"


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
        question="'fix the promise' or 'advertise the promise', then a colon and your reason.",
        expected=promise_decision,
        grade=decision(
            ["fix the promise", "advertise the promise"],
            questions={
                "advertise the promise": lambda ctx: (
                    f"Would you advertise a promise that {late_share(ctx):.0%} of customers "
                    "already see broken? What happens to trust when more people rely on it?"),
                "fix the promise": lambda ctx: (
                    f"With only {late_share(ctx):.0%} of orders late, is the promise really the "
                    "customer's problem? What would customers gain from hearing about it?"),
            },
            evidence=("late", "percent", "share", "broken", "promise", "orders"),
        ),
        hints=(
            "The bar set in the lesson: more than one late order in ten means the promise is not "
            "yet one customers can rely on.",
            "Compare your `late_share` with 0.10.",
            "Write e.g. \"fix the promise: 14% of orders arrive late, so customers can't rely on it yet\" "
            "using your own number.",
        ),
        minutes=3,
    ),
]
