"""Exercises for lesson 10_trustworthy_experiments: the traps that sink real test programmes."""

from __future__ import annotations

from typing import Any

from pmkit.exercises.ab_testing import one_test
from pmkit.exercises.engine import Context, Exercise, decision, number

GUARDRAILS = ["latency_ms", "unsubscribed", "returned"]
# Every numeric outcome the dashboard shows for a test; none is the button test's primary.
DASHBOARD = ["converted", "revenue", "clicks", "page_views", "returned", "latency_ms",
             "unsubscribed"]
PEEKS = 28  # one look a day for four weeks
SIMULATED_TESTS = 2000
SIMULATED_USERS = 5_000



def report(ctx: Context, name: str, metric: str, guardrails: list[str] | None = None) -> Any:
    from pmkit.experiment import analyze

    return ctx.cached(("report", name, metric), lambda: analyze(
        one_test(ctx, name), metric, GUARDRAILS if guardrails is None else guardrails))


# --- sample-ratio mismatch
def srm_result(ctx: Context) -> Any:
    from pmkit.experiment import srm_check

    counts = one_test(ctx, "recommended_for_you")["variant"].value_counts().sort_index()
    return srm_check(counts)


def srm_p_value(ctx: Context) -> float:
    return srm_result(ctx).p_value


def revenue_p_value(ctx: Context) -> float:
    """The slip: the p-value of the metric, not of the split."""
    return report(ctx, "recommended_for_you", "revenue").primary.p_value


# --- peeking
def control_rate(ctx: Context, name: str = "checkout_button_colour") -> float:
    test = one_test(ctx, name)
    return float(test.loc[test["variant"] == "control", "converted"].mean())


def simulation(ctx: Context) -> Any:
    from pmkit.experiment import peeking_simulation

    seed = 0 if ctx.seed is None else ctx.seed
    return ctx.cached("peeking", lambda: peeking_simulation(
        experiments=SIMULATED_TESTS, n_per_arm=SIMULATED_USERS, looks=PEEKS,
        baseline=control_rate(ctx), seed=seed))


def peeking_rate(ctx: Context) -> float:
    return simulation(ctx).false_positive_rate_peeking


def one_look_rate(ctx: Context) -> float:
    return simulation(ctx).false_positive_rate_one_look


def sequential_rate(ctx: Context) -> float:
    return simulation(ctx).false_positive_rate_sequential


# --- many metrics
def slices(ctx: Context) -> dict[str, float]:
    """p-value of every dashboard metric in every week of arrival: the dashboard's tiles."""
    from pmkit.experiment import compare_means

    def build() -> dict[str, float]:
        test = one_test(ctx, "checkout_button_colour")
        week = (test["day"] - 1) // 7 + 1
        p_values = {}
        for w, users in test.groupby(week):
            control = users[users["variant"] == "control"]
            treatment = users[users["variant"] == "treatment"]
            for m in DASHBOARD:
                p_values[f"{m}, week {w}"] = compare_means(control[m], treatment[m]).p_value
        return p_values

    return ctx.cached("slices", build)


def raw_winners(ctx: Context) -> float:
    return float(sum(p < 0.05 for p in slices(ctx).values()))


def holm_winners(ctx: Context) -> float:
    from pmkit.experiment import adjust_p_values

    return float(sum(adjust_p_values(slices(ctx), method="holm").reject))


def strict_winners(ctx: Context) -> float:
    return float(sum(p < 0.01 for p in slices(ctx).values()))


# --- novelty
def video(ctx: Context) -> Any:
    return report(ctx, "homepage_video", "clicks", ["latency_ms", "unsubscribed"])


def late_lift(ctx: Context) -> float:
    return video(ctx).late.relative_lift


def early_lift(ctx: Context) -> float:
    return video(ctx).early.relative_lift


def overall_video_lift(ctx: Context) -> float:
    return video(ctx).primary.relative_lift


# --- a guardrail that loses
def upsell(ctx: Context) -> Any:
    return report(ctx, "one_click_upsell", "revenue")


def upsell_facts(ctx: Context) -> Any:
    from pmkit.exercises.evidence import launch_evidence

    return launch_evidence(upsell(ctx))


def upsell_call(ctx: Context) -> str:
    return upsell_facts(ctx).call


def _upsell_ship_question(ctx: Context) -> str:
    r = upsell(ctx)
    harmed = [g for g in r.guardrails if g.metric in r.harmed_guardrails]
    if not harmed:
        return "Look at the primary metric again: is its interval clear of zero?"
    g = harmed[0]
    return (f"{g.metric} moved {g.relative_lift:+.0%} (p = {g.p_value:.2g}). Who pays for those "
            "returns, and what do customers who send things back think of Basketly next time?")


def _upsell_drop_question(ctx: Context) -> str:
    r = upsell(ctx)
    if r.primary.significant and r.primary.difference > 0:
        return (f"Revenue per user rose {r.primary.relative_lift:+.0%}. Is the idea bad, or is one "
                "side effect fixable? What would you change before the next test?")
    return "Which number tells you the idea is worth another try?"


def _upsell_iterate_question(ctx: Context) -> str:
    return ("What exactly would you change, and which number would you watch in the next test? "
            "Name the evidence.")


# --- CUPED
def cuped_result(ctx: Context) -> Any:
    from pmkit.experiment import cuped

    test = one_test(ctx, "one_click_upsell")
    treated = (test["variant"] == "treatment").to_numpy()
    return cuped(test["revenue"], test["pre_revenue"], treatment=treated)


def variance_reduction(ctx: Context) -> float:
    return cuped_result(ctx).variance_reduction


def correlation_only(ctx: Context) -> float:
    return cuped_result(ctx).correlation


EXERCISES = [
    Exercise(
        name="srm_p_value",
        question="The p-value of the sample-ratio check for recommended_for_you (planned "
                 "50/50 split).",
        expected=srm_p_value,
        grade=number(rel_tol=1e-6, abs_tol=1e-15, mistakes=[
            (revenue_p_value, "That is the p-value of revenue, the metric. The trust gate tests "
                              "the split of users between the arms."),
        ]),
        hints=(
            "Count users per arm with `value_counts()` on the `variant` column.",
            "`experiment.srm_check(counts)` tests those counts against an equal split.",
            "srm_p_value = experiment.srm_check(rfy['variant'].value_counts()).p_value",
        ),
        minutes=3,
    ),
    Exercise(
        name="peeking_rate",
        question=f"In the simulation of {SIMULATED_TESTS:,} A/A tests checked once a day for "
                 f"{PEEKS} days, the share of tests someone who stops at the first p < 0.05 "
                 "would declare a winner (a fraction).",
        expected=peeking_rate,
        grade=number(rel_tol=1e-9, mistakes=[
            (one_look_rate, "That is the rate when you look only once, at the end: the "
                            "promise. The question is what peeking does to it."),
            (sequential_rate, "That is the always-valid sequential test, the fix. The question "
                              "asks about naive peeking."),
        ]),
        hints=(
            "The simulation's card names three rates.",
            "The field for stopping at the first significant look is "
            "`false_positive_rate_peeking`.",
            "peeking_rate = sim.false_positive_rate_peeking",
        ),
        minutes=2,
    ),
    Exercise(
        name="raw_winners",
        question="Of the dashboard's tiles for the checkout-button test (every metric in every "
                 "week of arrival), how many show p < 0.05 before any correction?",
        expected=raw_winners,
        grade=number(rel_tol=0, abs_tol=0.5, mistakes=[
            (holm_winners, "That is the count after the Holm correction; the question asks "
                           "how many tiles light up before it."),
            (strict_winners, "That counts p < 0.01; the dashboard's threshold is 0.05."),
        ], unit=" tiles"),
        hints=(
            "`tiles` maps each tile's name to its p-value.",
            "Count the values below 0.05.",
            "raw_winners = sum(p < 0.05 for p in tiles.values())",
        ),
        minutes=3,
    ),
    Exercise(
        name="late_lift",
        question="The relative lift in clicks among the last quarter of users to arrive in the "
                 "homepage_video test (as analyze reports it).",
        expected=late_lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (overall_video_lift, "That is the lift over all users, which mixes the novelty-struck "
                                 "early arrivals with everyone else."),
            (early_lift, "That is the first quarter of arrivals, where novelty is strongest."),
        ]),
        hints=(
            "`analyze` splits users by the day they arrived and reports `early` and `late`.",
            "Both are comparisons with a `relative_lift` field.",
            "late_lift = video_report.late.relative_lift",
        ),
        minutes=3,
    ),
    Exercise(
        name="upsell_call",
        question="'ship', 'iterate' or \"don't ship\" for the one-click upsell, then a colon and "
                 "your evidence: each number with its metric.",
        expected=upsell_call,
        grade=decision(["ship", "iterate", "don't ship"], upsell_facts, questions={
            "ship": _upsell_ship_question,
            "don't ship": _upsell_drop_question,
            "iterate": _upsell_iterate_question,
        }),
        hints=(
            "Read the primary metric first, then every guardrail.",
            "Is revenue's interval clear of zero? Which guardrails moved, which way, and is any "
            "interval clear of zero on the harmful side?",
            "Write the call, a colon, then revenue's lift with its interval and each guardrail "
            "with its number or 'not shown': f\"<call>: revenue {r.primary.relative_lift:+.0%} "
            "(95% CI ...), but returns ...\"",
        ),
        minutes=4,
    ),
    Exercise(
        name="variance_reduction",
        question="With CUPED on the upsell test (revenue adjusted by pre_revenue, theta "
                 "estimated within arms), the share of revenue's variance removed.",
        expected=variance_reduction,
        grade=number(rel_tol=1e-2, mistakes=[
            (correlation_only, "That is the correlation; the variance falls by its square."),
        ]),
        hints=(
            "`experiment.cuped(y, x, treatment=...)` takes the metric, the pre-period value and "
            "a True/False treatment flag per user.",
            "Its card reports `variance_reduction`.",
            "variance_reduction = experiment.cuped(upsell_users['revenue'], "
            "upsell_users['pre_revenue'], treatment=upsell_users['variant'] == 'treatment')"
            ".variance_reduction",
        ),
        minutes=4,
    ),
]
