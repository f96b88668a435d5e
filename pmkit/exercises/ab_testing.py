"""Exercises for lesson 09_ab_testing: size a test, read it, feel a false positive, decide."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmkit.exercises.engine import Context, Exercise, decision, number
from pmkit.exercises.evidence import Evidence, launch_evidence

EXPERIMENT = "free_shipping_banner"
WORKED = "checkout_button_colour"  # the worked example; its control rate seeds the A/A tests
GUARDRAILS = ["latency_ms", "unsubscribed", "returned"]
RELATIVE_MDE = 0.10  # the smallest lift the team said was worth building for
AA_TESTS = 500
AA_USERS = 6_000


def one_test(ctx: Context, name: str) -> pd.DataFrame:
    """One experiment from the experiments table: one row per user."""

    def build() -> pd.DataFrame:
        table = ctx.load("experiments")
        return table[table["experiment"] == name].reset_index(drop=True)

    return ctx.cached(("test", name), build)


def banner(ctx: Context) -> pd.DataFrame:
    return one_test(ctx, EXPERIMENT)


def worked_baseline(ctx: Context) -> float:
    colour = one_test(ctx, WORKED)
    return float(colour.loc[colour["variant"] == "control", "converted"].mean())


def arm_counts(ctx: Context) -> dict[str, tuple[int, int]]:
    """(buyers, users) per arm."""
    grouped = banner(ctx).groupby("variant")["converted"].agg(["sum", "count"])
    return {arm: (int(grouped.loc[arm, "sum"]), int(grouped.loc[arm, "count"]))
            for arm in ("control", "treatment")}


def banner_result(ctx: Context, alpha: float = 0.05) -> Any:
    from pmkit.experiment import two_proportions

    c, t = arm_counts(ctx)["control"], arm_counts(ctx)["treatment"]
    return ctx.cached(("two_proportions", alpha), lambda: two_proportions(*c, *t, alpha=alpha))


def baseline_rate(ctx: Context) -> float:
    buyers, users = arm_counts(ctx)["control"]
    return buyers / users


def pooled_rate(ctx: Context) -> float:
    """The slip: averaging over both arms, so the treatment leaks into the baseline."""
    return float(banner(ctx)["converted"].mean())


def treatment_rate(ctx: Context) -> float:
    buyers, users = arm_counts(ctx)["treatment"]
    return buyers / users


def users_needed(ctx: Context) -> float:
    from pmkit.experiment import sample_size

    return float(sample_size(baseline_rate(ctx), RELATIVE_MDE, relative=True).per_arm)


def users_needed_total(ctx: Context) -> float:
    return 2 * users_needed(ctx)


def users_needed_absolute(ctx: Context) -> float:
    """The slip: reading '10%' as ten percentage points."""
    from pmkit.experiment import sample_size

    return float(sample_size(baseline_rate(ctx), RELATIVE_MDE).per_arm)


def users_needed_one_sided(ctx: Context) -> float:
    from pmkit.experiment import sample_size

    return float(sample_size(baseline_rate(ctx), RELATIVE_MDE, relative=True,
                             alternative="larger").per_arm)


def absolute_lift(ctx: Context) -> float:
    return banner_result(ctx).difference


def relative_lift(ctx: Context) -> float:
    return banner_result(ctx).relative_lift


def cuped_lift(ctx: Context) -> float:
    """The slip: analyze's CUPED-adjusted difference where the plain one is asked."""
    return report(ctx).primary.difference


def cuped_relative_lift(ctx: Context) -> float:
    return report(ctx).primary.relative_lift


def aa_false_winner_percent(ctx: Context) -> float:
    return 100 * aa_false_winner_share(ctx)


def relative_lift_wrong_base(ctx: Context) -> float:
    """The slip: dividing by the treatment rate instead of the control rate."""
    return absolute_lift(ctx) / treatment_rate(ctx)


def ci_low(ctx: Context) -> float:
    return banner_result(ctx).ci[0]


def ci_low_90(ctx: Context) -> float:
    return banner_result(ctx, alpha=0.10).ci[0]


def ci_high(ctx: Context) -> float:
    return banner_result(ctx).ci[1]


def aa_run(ctx: Context) -> Any:
    from pmkit.experiment import aa_simulation

    seed = 0 if ctx.seed is None else ctx.seed
    return ctx.cached("aa", lambda: aa_simulation(experiments=AA_TESTS, n_per_arm=AA_USERS,
                                                  baseline=worked_baseline(ctx), seed=seed))


def aa_false_winners(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.05).sum())


def aa_false_winner_share(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.05).mean())


def aa_false_winners_strict(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.01).sum())


def report(ctx: Context) -> Any:
    from pmkit.experiment import analyze

    def build() -> Any:
        return analyze(banner(ctx), "converted", GUARDRAILS)

    return ctx.cached("report", build)


def launch_facts(ctx: Context) -> Evidence:
    """The banner test's evidence; the team's bar is a 10% relative lift."""
    plain = banner_result(ctx)
    return launch_evidence(report(ctx), bar=RELATIVE_MDE,
                           also=(plain.difference, *plain.ci, plain.relative_lift, baseline_rate(ctx),
                                 treatment_rate(ctx)))


def launch_call(ctx: Context) -> str:
    return launch_facts(ctx).call


def _ship_question(ctx: Context) -> str:
    r = report(ctx)
    if r.harmed_guardrails:
        return (f"The banner helped conversion, but {', '.join(r.harmed_guardrails)} got worse. "
                "Would you ship a change that hurts a guardrail you promised to protect?")
    low, high = r.primary.ci
    return (f"The 95% interval for the change in conversion runs from {100 * low:+.2f} to "
            f"{100 * high:+.2f} points. Can you promise the banner helps if zero is inside it?")


def _no_ship_question(ctx: Context) -> str:
    r = report(ctx)
    return (f"Conversion moved {100 * r.primary.difference:+.2f} points with p = "
            f"{r.primary.p_value:.2g}, and no guardrail got worse. What more evidence would you "
            "need, and what does waiting cost the customers who would have bought?")


def _iterate_question(ctx: Context) -> str:
    r = report(ctx)
    if r.harmed_guardrails:
        return ("Which guardrail got worse? Name it, then say whether you ship as is, "
                "fix and retest, or drop the idea.")
    return ("Nothing is harmed here, so what exactly would you change before the next test? "
            "'Iterate' needs a reason in the evidence.")



EXERCISES = [
    Exercise(
        name="baseline_rate",
        question="The control arm's conversion rate in the banner test, as a fraction.",
        expected=baseline_rate,
        grade=number(rel_tol=1e-6, mistakes=[
            (pooled_rate, "That averages both arms, so the treatment leaks into the baseline: "
                          "use the control users only."),
            (treatment_rate, "That is the treatment arm; the baseline is what happens without "
                             "the change, in control."),
        ]),
        hints=(
            "Filter `banner` to the rows whose `variant` is 'control'.",
            "`converted` is 1 for a user who bought and 0 otherwise; its mean is the rate.",
            "baseline = banner.loc[banner['variant'] == 'control', 'converted'].mean()",
        ),
        minutes=3,
    ),
    Exercise(
        name="users_needed",
        question="Users per arm needed to detect a 10% relative lift on that baseline, at "
                 "alpha = 0.05 with 80% power (two-sided).",
        expected=users_needed,
        grade=number(rel_tol=1e-6, mistakes=[
            (users_needed_total, "That is both arms together; the question asks per arm."),
            (users_needed_absolute, "That reads 10% as ten percentage points (a rate going from "
                                    "10% to 20%). Ask for a *relative* change: relative=True."),
            (users_needed_one_sided, "That is a one-sided test; the team wants to catch harm "
                                     "as well as gains, so keep it two-sided."),
        ], unit=" users"),
        hints=(
            "`pmkit.experiment.sample_size(baseline, mde, ...)` returns a card; its `per_arm` "
            "field is the answer.",
            "A 10% relative lift is mde=0.10 with relative=True.",
            "users_needed = sample_size(baseline, 0.10, relative=True).per_arm",
        ),
        minutes=4,
    ),
    Exercise(
        name="absolute_lift",
        question="Treatment conversion minus control conversion, as a fraction (0.01 = one "
                 "percentage point).",
        expected=absolute_lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (relative_lift, "That is the relative lift (a share of the baseline); this one "
                            "wants the plain difference in rates."),
            (cuped_lift, "That is analyze's CUPED-adjusted difference; this one wants the plain "
                         "difference of the two conversion rates (two_proportions)."),
        ]),
        hints=(
            "Count buyers and users per arm, or call `two_proportions`.",
            "two_proportions(conversions_a, n_a, conversions_b, n_b) with A = control, "
            "B = treatment; its `difference` field is B minus A.",
            "absolute_lift = result.difference",
        ),
        minutes=3,
    ),
    Exercise(
        name="relative_lift",
        question="The relative lift: the difference as a share of the control rate.",
        expected=relative_lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (absolute_lift, "That is the absolute difference; divide it by the control rate."),
            (relative_lift_wrong_base, "You divided by the treatment rate; the lift is measured "
                                       "against control, where you started."),
            (cuped_relative_lift, "That is analyze's CUPED-adjusted lift; this one wants the plain "
                                  "relative lift from two_proportions."),
        ]),
        hints=(
            "Relative lift = (treatment rate - control rate) / control rate.",
            "`two_proportions` reports it as `relative_lift`, with a delta-method interval.",
            "relative_lift = result.relative_lift",
        ),
        minutes=2,
    ),
    Exercise(
        name="ci_low",
        question="The lower end of the 95% confidence interval for the absolute difference.",
        expected=ci_low,
        grade=number(rel_tol=1e-6, mistakes=[
            (ci_low_90, "That is a 90% interval (alpha = 0.10); the team decides at 95%."),
            (ci_high, "That is the upper end; the lower end is the smaller number."),
        ]),
        hints=(
            "The interval is reported as a pair (low, high).",
            "`result.ci` holds it for the absolute difference; `result.relative_ci` for the "
            "relative lift.",
            "ci_low = result.ci[0]",
        ),
        minutes=2,
    ),
    Exercise(
        name="aa_false_winners",
        question=f"Of the {AA_TESTS} simulated A/A tests, how many came out 'significant' at "
                 "alpha = 0.05 (p < 0.05)?",
        expected=aa_false_winners,
        grade=number(rel_tol=0, abs_tol=0.5, mistakes=[
            (aa_false_winner_share, "That is the share; the question asks how many tests."),
            (aa_false_winner_percent, "That is the percentage of tests; the question asks how many."),
            (aa_false_winners_strict, "That counts p < 0.01; the threshold here is 0.05."),
        ], unit=" tests"),
        hints=(
            "`aa.p_values` holds one p-value per simulated test.",
            "Compare them with 0.05 and count the True values.",
            "aa_false_winners = int((aa.p_values < 0.05).sum())",
        ),
        minutes=2,
    ),
    Exercise(
        name="launch_call",
        question="'ship', 'iterate' or \"don't ship\", then a colon and your evidence naming the "
                 "evidence (primary metric, interval, guardrails).",
        expected=launch_call,
        grade=decision(["ship", "iterate", "don't ship"], launch_facts, questions={
            "ship": _ship_question,
            "don't ship": _no_ship_question,
            "iterate": _iterate_question,
        }),
        hints=(
            "Start with the primary metric: how big is the lift, is its interval clear of zero, "
            "and does it clear the team's bar (a 10% relative lift)?",
            "Then every guardrail: which got worse, and which could not be cleared (its interval "
            "still includes harm)? Say which way each moved, or that it is not shown.",
            "Write the call, a colon, then the evidence with numbers: f\"<call>: conversion "
            "{report.primary.relative_lift:+.0%} (95% CI {100 * report.primary.ci[0]:+.1f} to "
            "{100 * report.primary.ci[1]:+.1f} points) against our 10% bar; guardrails: ...\"",
        ),
        minutes=4,
    ),
]
