"""Exercises for lesson 09_ab_testing: size a test, read it, read a null result, decide."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pmkit.exercises.engine import Context, Exercise, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact, launch_evidence

EXPERIMENT = "free_shipping_banner"
WORKED = "checkout_button_colour"  # the worked example; its control rate seeds the A/A tests
GUARDRAILS = ["latency_ms", "unsubscribed", "returned"]
BAR = 0.10  # the team's bar for practical significance: the smallest lift worth shipping
RELATIVE_MDE = BAR  # the tests are sized to see a lift as small as the bar
AA_TESTS = 500
AA_USERS = 6_000
READINGS = ("no effect", "any effect is too small to matter", "not shown either way",
            "a real change")


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


def worked_users(ctx: Context) -> int:
    """Users in the smaller arm of the button test: the size the test really ran at."""
    return int(one_test(ctx, WORKED)["variant"].value_counts().min())


def arm_counts(ctx: Context) -> dict[str, tuple[int, int]]:
    """(buyers, users) per arm."""
    grouped = banner(ctx).groupby("variant")["converted"].agg(["sum", "count"])
    return {arm: (int(grouped.loc[arm, "sum"]), int(grouped.loc[arm, "count"]))
            for arm in ("control", "treatment")}


def banner_result(ctx: Context, alpha: float = 0.05) -> Any:
    from pmkit.experiment import two_proportions

    c, t = arm_counts(ctx)["control"], arm_counts(ctx)["treatment"]
    return ctx.cached(("two_proportions", alpha), lambda: two_proportions(*c, *t, alpha=alpha))


def button_result(ctx: Context) -> Any:
    from pmkit.experiment import two_proportions

    def build() -> Any:
        counts = one_test(ctx, WORKED).groupby("variant")["converted"].agg(["sum", "count"])
        return two_proportions(*counts.loc["control"], *counts.loc["treatment"])

    return ctx.cached("button_result", build)


# --- the warm-up
def recall_input_metric(ctx: Context) -> str:
    return "checkout page load time"


def recall_flattening(ctx: Context) -> str:
    return "cohort B"


# --- the banner
def primary_metric(ctx: Context) -> str:
    return "conversion"


def baseline_rate(ctx: Context) -> float:
    buyers, users = arm_counts(ctx)["control"]
    return buyers / users


def pooled_rate(ctx: Context) -> float:
    """The slip: averaging over both arms, so the treatment leaks into the baseline."""
    return float(banner(ctx)["converted"].mean())


def treatment_rate(ctx: Context) -> float:
    buyers, users = arm_counts(ctx)["treatment"]
    return buyers / users


def _size(ctx: Context, base: float, **options: Any) -> float:
    from pmkit.experiment import sample_size

    return float(sample_size(base, RELATIVE_MDE, **{"relative": True, **options}).per_arm)


def users_needed(ctx: Context) -> float:
    return _size(ctx, baseline_rate(ctx))


def users_needed_total(ctx: Context) -> float:
    return 2 * users_needed(ctx)


def users_needed_absolute(ctx: Context) -> float:
    """The slip: reading '10%' as ten percentage points."""
    return _size(ctx, baseline_rate(ctx), relative=False)


def users_needed_one_sided(ctx: Context) -> float:
    return _size(ctx, baseline_rate(ctx), alternative="larger")


def users_needed_pooled_baseline(ctx: Context) -> float:
    """The slip: sizing on both arms' rate, which the change itself has raised."""
    return _size(ctx, pooled_rate(ctx))


def users_needed_button_baseline(ctx: Context) -> float:
    """The slip: sizing on the worked example's baseline, not the banner's."""
    return _size(ctx, worked_baseline(ctx))


def absolute_lift(ctx: Context) -> float:
    return banner_result(ctx).difference


def relative_lift(ctx: Context) -> float:
    return banner_result(ctx).relative_lift


def cuped_lift(ctx: Context) -> float:
    """The slip: analyze's CUPED-adjusted difference where the plain one is asked."""
    return report(ctx).primary.difference


def cuped_relative_lift(ctx: Context) -> float:
    return report(ctx).primary.relative_lift


def relative_lift_wrong_base(ctx: Context) -> float:
    """The slip: dividing by the treatment rate instead of the control rate."""
    return absolute_lift(ctx) / treatment_rate(ctx)


def ci_low(ctx: Context) -> float:
    return banner_result(ctx).ci[0]


def ci_low_90(ctx: Context) -> float:
    return banner_result(ctx, alpha=0.10).ci[0]


def ci_high(ctx: Context) -> float:
    return banner_result(ctx).ci[1]


def ci_low_relative(ctx: Context) -> float:
    return banner_result(ctx).relative_ci[0]


# --- A/A tests
def aa_run(ctx: Context) -> Any:
    from pmkit.experiment import aa_simulation

    seed = 0 if ctx.seed is None else ctx.seed
    return ctx.cached("aa", lambda: aa_simulation(experiments=AA_TESTS, n_per_arm=AA_USERS,
                                                  baseline=worked_baseline(ctx), seed=seed))


def aa_false_winners(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.05).sum())


def aa_false_winner_share(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.05).mean())


def aa_false_winner_percent(ctx: Context) -> float:
    return 100 * aa_false_winner_share(ctx)


def aa_false_winners_strict(ctx: Context) -> float:
    return float((aa_run(ctx).p_values < 0.01).sum())


# --- the button's null result: interval, power, minimum detectable effect
def _power(ctx: Context, **options: Any) -> float:
    from pmkit.experiment import power_of_test

    settings = {"baseline": worked_baseline(ctx), "mde": BAR, "relative": True, **options}
    return power_of_test(settings.pop("baseline"), settings.pop("mde"), worked_users(ctx),
                         **settings).power


def button_power(ctx: Context) -> float:
    return _power(ctx)


def button_miss_rate(ctx: Context) -> float:
    """The slip: the chance of missing the lift (1 - power)."""
    return 1 - button_power(ctx)


def button_power_absolute(ctx: Context) -> float:
    """The slip: a 10-point change, not a 10% one."""
    return _power(ctx, relative=False)


def button_power_banner_baseline(ctx: Context) -> float:
    return _power(ctx, baseline=baseline_rate(ctx))


def _mde(ctx: Context) -> Any:
    from pmkit.experiment import minimum_detectable_effect

    return minimum_detectable_effect(worked_baseline(ctx), worked_users(ctx))


def button_mde(ctx: Context) -> float:
    return _mde(ctx).mde


def button_mde_relative(ctx: Context) -> float:
    return _mde(ctx).relative_mde


def button_reading(ctx: Context) -> str:
    low, high = button_result(ctx).ci
    return "not shown either way" if low <= 0 <= high else "a real change"


def _no_effect_message(ctx: Context) -> str:
    low, high = button_result(ctx).relative_ci
    return (f"The interval for the relative change runs from {low:+.0%} to {high:+.0%}: a drop of "
            f"{-low:.0%} fits these data as well as no change does. An interval that includes zero "
            "does not show zero.")


def _too_small_message(ctx: Context) -> str:
    return (f"The test had only {button_power(ctx):.0%} power to see a lift as large as the team's "
            f"10% bar, and the smallest lift it could reliably see is {button_mde_relative(ctx):.0%}. A lift "
            "worth having could easily hide in this result: a null result says what the test could "
            "not see, not that effects are small.")


def _real_change_message(ctx: Context) -> str:
    low, high = button_result(ctx).ci
    return (f"The interval runs from {100 * low:+.2f} to {100 * high:+.2f} points and includes zero: "
            "the data do not show which way conversion moved.")


# --- the decision
def report(ctx: Context) -> Any:
    from pmkit.experiment import analyze

    def build() -> Any:
        return analyze(banner(ctx), "converted", GUARDRAILS)

    return ctx.cached("report", build)


def basket(ctx: Context) -> Any:
    """Spend per buyer (basket size), treatment against control: a ratio with users as the unit."""
    from pmkit.experiment import ratio_metric

    def build() -> Any:
        b = banner(ctx)
        c, t = b[b["variant"] == "control"], b[b["variant"] == "treatment"]
        return ratio_metric(c["revenue"], c["converted"], t["revenue"], t["converted"],
                            metric="spend per buyer")

    return ctx.cached("basket", build)


def launch_facts(ctx: Context) -> Evidence:
    """The banner test's evidence; the team's bar for practical significance is a 10% lift.

    Basket size (spend per buyer) is evidence a learner may cite, not an essential: the bar
    already prices what the banner gives away.
    """
    plain = banner_result(ctx)
    ev = launch_evidence(report(ctx), bar=BAR,
                         also=(plain.difference, *plain.ci, plain.relative_lift, baseline_rate(ctx),
                               treatment_rate(ctx)))
    spend = basket(ctx)
    size = Fact("spend per buyer", float(spend.difference), "usd", ci=tuple(map(float, spend.ci)),
                relative=float(spend.relative_lift), relative_ci=tuple(map(float, spend.relative_ci)),
                p_value=float(spend.p_value), synonyms=("basket size", "basket", "order value"))
    return Evidence(ev.call, (*ev.facts, size), ev.rule, ev.given)


def launch_call(ctx: Context) -> str:
    return launch_facts(ctx).call


def _ship_question(ctx: Context) -> str:
    r = report(ctx)
    if r.harmed_guardrails:
        return (f"The banner helped conversion, but {', '.join(r.harmed_guardrails)} got worse. "
                "Would you ship a change that hurts a guardrail you promised to protect?")
    low, high = r.primary.ci
    if low > 0:
        return (f"Conversion rose {r.primary.relative_lift:+.1%}: significant, but is it above the "
                "10% bar the team set for paying for the free shipping? p < 0.05 says the lift is "
                "real, not that it is big enough.")
    return (f"The 95% interval for the change in conversion runs from {100 * low:+.2f} to "
            f"{100 * high:+.2f} points. Can you promise the banner helps if zero is inside it?")


def _no_ship_question(ctx: Context) -> str:
    r = report(ctx)
    if r.primary.ci[0] > 0 and not r.harmed_guardrails:
        return (f"Conversion rose {r.primary.relative_lift:+.1%} and its interval is clear of zero: "
                "the banner does something real. Is dropping it better than finding a cheaper "
                "version that clears the bar?")
    return (f"Conversion moved {100 * r.primary.difference:+.2f} points with p = "
            f"{r.primary.p_value:.2g}. What more evidence would you need, and what does waiting "
            "cost the customers who would have bought?")


def _iterate_question(ctx: Context) -> str:
    r = report(ctx)
    if r.harmed_guardrails:
        return ("Which guardrail got worse? Name it, then say whether you ship as is, "
                "fix and retest, or drop the idea.")
    if r.primary.ci[0] <= 0:
        return ("The interval for conversion includes zero: there is no win to build on yet. "
                "What would iterating improve?")
    return (f"Conversion rose {r.primary.relative_lift:+.1%}, above the 10% bar, and no guardrail "
            "got worse. What would another round buy?")


LAUNCH_ANSWER = '''\
def moved(c):
    scale, unit = (100, " points") if c.is_rate else (1, "")
    lo, hi = (scale * v for v in c.ci)
    word = "rose" if lo > 0 else "fell" if hi < 0 else "not shown either way"
    return f"{c.metric} {word} ({scale * c.difference:+.2f}{unit}, 95% CI {lo:+.2f} to {hi:+.2f})"
p = report.primary
wins = p.ci[0] > 0
if report.harmed_guardrails:
    call = "iterate" if wins else "don't ship"
elif not wins:
    call = "don't ship"
else:
    call = "ship" if p.relative_lift >= 0.10 else "iterate"
launch_call = (f"{call}: conversion moved {p.relative_lift:+.1%} ({100 * p.difference:+.2f} points, "
               f"95% CI {100 * p.ci[0]:+.2f} to {100 * p.ci[1]:+.2f}) against our 10% bar; "
               + "; ".join(moved(g) for g in report.guardrails))'''


EXERCISES = [
    Exercise(
        name="recall_input_metric",
        question="Basketly's quarterly revenue is an output metric. Which of these is an input "
                 "metric the checkout team controls: 'quarterly revenue', 'checkout page load "
                 "time' or 'market share'?",
        expected=recall_input_metric,
        grade=choice(["quarterly revenue", "checkout page load time", "market share"], mistakes={
            "quarterly revenue": "That is the output itself: the team reports it, but no release "
                                 "moves it directly.",
            "market share": "Market share is an output too, moved by competitors as much as by "
                            "Basketly. Which option could the team change with one release?",
        }),
        hints=ladder(
            "An input metric is one the team's own work moves this week; an output is the result "
            "it reports at the end of the quarter.",
            "Ask of each option: could the checkout team change it with a release? Answer with "
            "the option's text, in quotes.",
            'recall_input_metric = "___"',
            'recall_input_metric = "checkout page load time"',
        ),
        minutes=1, level="understand", recalls="05",
    ),
    Exercise(
        name="recall_flattening",
        question="Two cohorts lose the same share of customers in their first month. Cohort A's "
                 "retention curve keeps falling every month; cohort B's flattens from month 4. "
                 "Which builds a lasting customer base: 'cohort A', 'cohort B' or 'both the same'?",
        expected=recall_flattening,
        grade=choice(["cohort A", "cohort B", "both the same"], mistakes={
            "cohort A": "A curve that keeps falling loses everyone in the end, however good the "
                        "first month looks.",
            "both the same": "The first month is the same; what happens after it is not. Which "
                             "curve stops losing customers?",
        }),
        hints=ladder(
            "A product grows when some customers stay for good: the retention curve stops falling.",
            "Picture both curves after month 4: which one still holds customers a year later?",
            'recall_flattening = "cohort ___"',
            'recall_flattening = "cohort B"',
        ),
        minutes=1, level="understand", recalls="06",
    ),
    Exercise(
        name="primary_metric",
        question="Sam's hypothesis: showing shoppers how close their basket is to free delivery "
                 "makes more of them buy. Which primary metric fits the change: 'banner views', "
                 "'conversion' or 'unsubscribes'?",
        expected=primary_metric,
        grade=choice(["banner views", "conversion", "unsubscribes"], mistakes={
            "banner views": "Views say people saw the banner, not that it changed what they did. "
                            "The hypothesis is about buying.",
            "unsubscribes": "Unsubscribes is a guardrail: it must not get worse, but the change is "
                            "not meant to move it.",
        }),
        hints=ladder(
            "The primary metric is the outcome the hypothesis promises to move, measured for "
            "every user in the test.",
            "Read the hypothesis again: which word says what should change? Answer with the "
            "option's text.",
            'primary_metric = "___"',
            'primary_metric = "conversion"',
        ),
        minutes=1, level="understand",
    ),
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
        hints=ladder(
            "The baseline is what happens without the change: the share of control users who "
            "bought.",
            "Keep the rows of `banner` whose `variant` is 'control', take the `converted` column "
            "(1 = bought, 0 = not) and its `.mean()`.",
            'baseline_rate = banner.loc[banner["variant"] == ___, "converted"].___()',
            'baseline_rate = banner.loc[banner["variant"] == "control", "converted"].mean()',
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="users_needed",
        question="Users per arm needed to detect a 10% relative lift on that baseline, at "
                 "alpha = 0.05 with 80% power (two-sided).",
        expected=users_needed,
        grade=number(rel_tol=1e-6, mistakes=[
            (users_needed_total, "That is both arms together; the question asks per arm."),
            (users_needed_absolute, "That reads 10% as ten percentage points (a rate going from "
                                    "15% to 25%). Ask for a relative change: relative=True."),
            (users_needed_one_sided, "That is a one-sided test; the team wants to catch harm "
                                     "as well as gains, so keep it two-sided."),
            (users_needed_pooled_baseline, "That sizes on both arms' conversion rate, which the "
                                           "banner itself has raised: size on the control rate."),
            (users_needed_button_baseline, "That is the checkout-button test's baseline; size the "
                                           "banner test on the banner's control rate."),
        ], unit=" users"),
        hints=ladder(
            "A smaller lift hides in more noise, so it needs more users: the size follows from the "
            "baseline, the smallest lift worth seeing, alpha and power.",
            "`experiment.sample_size(baseline, mde, relative=True)` returns a card; a 10% relative "
            "lift is mde=0.10, and the card's `per_arm` field is the answer.",
            "users_needed = experiment.sample_size(___, ___, relative=True).per_arm",
            "users_needed = experiment.sample_size(baseline_rate, 0.10, relative=True).per_arm",
        ),
        minutes=4, level="apply",
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
        hints=ladder(
            "The lift is how much more often treatment users bought than control users: one rate "
            "minus the other, treatment first.",
            "Count buyers (`sum`) and users (`count`) per arm with `groupby`, then call "
            "`experiment.two_proportions(buyers_control, users_control, buyers_treatment, "
            "users_treatment)`; its `difference` field is treatment minus control.",
            'arms = banner.groupby("variant")["converted"].agg(["sum", "count"])\n'
            'result = experiment.two_proportions(arms.loc["control", "sum"], arms.loc[___, "count"],\n'
            '                                    arms.loc["treatment", "sum"], arms.loc[___, "count"])\n'
            "absolute_lift = result.___",
            'arms = banner.groupby("variant")["converted"].agg(["sum", "count"])\n'
            'result = experiment.two_proportions(\n'
            '    arms.loc["control", "sum"], arms.loc["control", "count"],\n'
            '    arms.loc["treatment", "sum"], arms.loc["treatment", "count"])\n'
            "absolute_lift = result.difference",
        ),
        minutes=4, level="apply",
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
                                  "relative lift of the two conversion rates."),
        ]),
        hints=ladder(
            "A relative lift says how big the change is next to where you started: the difference "
            "divided by the control rate.",
            "You already have both numbers: `absolute_lift` and `baseline_rate` (the control rate).",
            "relative_lift = ___ / ___",
            "relative_lift = absolute_lift / baseline_rate",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="ci_low",
        question="The lower end of the 95% confidence interval for the absolute difference.",
        expected=ci_low,
        grade=number(rel_tol=1e-6, mistakes=[
            (ci_low_90, "That is a 90% interval (alpha = 0.10); the team decides at 95%."),
            (ci_high, "That is the upper end; the lower end is the smaller number."),
            (ci_low_relative, "That is the lower end for the relative lift; this one wants the "
                              "absolute difference (`ci`, not `relative_ci`)."),
        ]),
        hints=ladder(
            "The interval is the range of true lifts the data are consistent with; its lower end "
            "is the most pessimistic reading.",
            "`two_proportions` returns a card whose `ci` field is the pair (low, high) for the "
            "absolute difference; take the first.",
            'arms = banner.groupby("variant")["converted"].agg(["sum", "count"])\n'
            'ci_low = experiment.two_proportions(*arms.loc["control"], *arms.loc["treatment"]).ci[___]',
            'arms = banner.groupby("variant")["converted"].agg(["sum", "count"])\n'
            'ci_low = experiment.two_proportions(*arms.loc["control"], *arms.loc["treatment"]).ci[0]',
        ),
        minutes=2, level="apply",
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
        hints=ladder(
            "With nothing to find, every significant result is a false alarm: count them.",
            "`aa.p_values` holds one p-value per simulated test; compare it with 0.05 and `.sum()` "
            "the True values.",
            "aa_false_winners = int((aa.p_values < ___).sum())",
            "aa_false_winners = int((aa.p_values < 0.05).sum())",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="button_power",
        question="The power the checkout-button test had, with the users it ran on, to detect a "
                 "10% relative lift on its baseline (alpha = 0.05, two-sided).",
        expected=button_power,
        grade=number(rel_tol=1e-4, mistakes=[
            (button_miss_rate, "That is the chance the test misses a real 10% lift (1 - power); "
                               "the question asks the chance it finds it."),
            (button_power_absolute, "That is the power for a ten-point change; the bar is a 10% "
                                    "relative lift: relative=True."),
            (button_power_banner_baseline, "That uses the banner's baseline; this is the button "
                                           "test, with `colour_base`."),
        ]),
        hints=ladder(
            "Power is the chance that a test of this size finds a real effect of the size that "
            "matters; a test that ran short of users has less of it.",
            "`experiment.power_of_test(baseline, mde, n, relative=True)` takes the button's "
            "baseline `colour_base`, the 10% lift and the users per arm it ran with, "
            "`per_arm_ran`; read its `power` field.",
            "button_power = experiment.power_of_test(___, 0.10, ___, relative=True).power",
            "button_power = experiment.power_of_test(colour_base, 0.10, per_arm_ran, relative=True).power",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="button_mde",
        question="The smallest change in conversion the button test could detect with 80% power, "
                 "given the users it ran on (its minimum detectable effect, in percentage points "
                 "as a fraction: 0.01 is one point).",
        expected=button_mde,
        grade=number(rel_tol=1e-4, mistakes=[
            (button_mde_relative, "That is the MDE relative to the baseline (`relative_mde`); the "
                                  "question asks the change in points: `mde`."),
        ]),
        hints=ladder(
            "Turn sizing around: with the users the test had, how big must a change be before the "
            "test would usually see it?",
            "`experiment.minimum_detectable_effect(baseline, n)` answers it for `colour_base` and "
            "`per_arm_ran`; its `mde` field is the change in points, `relative_mde` the same "
            "change as a share of the baseline.",
            "button_mde = experiment.minimum_detectable_effect(___, ___).mde",
            "button_mde = experiment.minimum_detectable_effect(colour_base, per_arm_ran).mde",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="button_reading",
        question="What may Ren tell the weekly review about the button? 'no effect', 'any effect "
                 "is too small to matter', 'not shown either way' or 'a real change'.",
        expected=button_reading,
        grade=choice(READINGS, mistakes={
            "no effect": _no_effect_message,
            "any effect is too small to matter": _too_small_message,
            "a real change": _real_change_message,
        }),
        hints=ladder(
            "A null result is a range of effects plus the chance the test had of seeing one: read "
            "both before saying what it shows.",
            "Look at the interval of the relative change on `colour_result` (`relative_ci`), then "
            "at `button_power` and `button_mde`: does the range include lifts and drops bigger "
            "than the bar?",
            'button_reading = "___ ___ either way"',
            'low, high = colour_result.ci\n'
            'button_reading = "not shown either way" if low <= 0 <= high else "a real change"',
        ),
        minutes=4, level="analyse",
    ),
    Exercise(
        name="launch_call",
        question="'ship', 'iterate' or \"don't ship\" for the banner, then a colon and your "
                 "evidence: conversion with its interval against the team's 10% bar, and every "
                 "guardrail with its direction.",
        expected=launch_call,
        grade=decision(["ship", "iterate", "don't ship"], launch_facts, questions={
            "ship": _ship_question,
            "don't ship": _no_ship_question,
            "iterate": _iterate_question,
        }),
        hints=ladder(
            "A PM weighs three things: is the lift real (its interval clear of zero), is it big "
            "enough to pay for itself (the team's bar for practical significance), and did "
            "anything it must not harm get worse?",
            "On `report`: `report.primary` holds the lift (`relative_lift`, `ci`), "
            "`report.guardrails` each guardrail's change and interval, `report.harmed_guardrails` "
            "those that got significantly worse. Compare the relative lift with 0.10.",
            'launch_call = (f"___: conversion moved {report.primary.relative_lift:+.1%} (95% CI '
            '{100 * report.primary.ci[0]:+.2f} to {100 * report.primary.ci[1]:+.2f} points) '
            'against our ___% bar; latency ___, unsubscribes ___, returns ___")',
            LAUNCH_ANSWER,
        ),
        minutes=6, level="evaluate",
    ),
]
