"""Exercises for lesson 10_trustworthy_experiments: the traps that sink real test programmes."""

from __future__ import annotations

from typing import Any

from pmkit.exercises.ab_testing import one_test
from pmkit.exercises.engine import Context, Exercise, choice, decision, ladder, number

GUARDRAILS = ["latency_ms", "unsubscribed", "returned"]
# Every numeric outcome the dashboard shows for a test; none is the button test's primary.
DASHBOARD = ["converted", "revenue", "clicks", "page_views", "returned", "latency_ms",
             "unsubscribed"]
PEEKS = 28  # one look a day for four weeks
SIMULATED_TESTS = 2000
SIMULATED_USERS = 5_000
SETTLED_WEEK = 3  # from the third week of a user's exposure on, the novelty has worn off
DIAGNOSES = ("late arrivals like the video more", "late arrivals have seen it for fewer days",
             "chance")



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


# --- the warm-up
def recall_next_step(ctx: Context) -> str:
    return "run an A/B test"


def recall_like_for_like(ctx: Context) -> str:
    return "within each traffic source"


# --- novelty
def video(ctx: Context) -> Any:
    return report(ctx, "homepage_video", "clicks", ["latency_ms", "unsubscribed"])


def novelty_diagnosis(ctx: Context) -> str:
    return "late arrivals have seen it for fewer days"


def _exposure_lift(ctx: Context, rows: Any) -> Any:
    from pmkit.experiment import ratio_metric

    per_user = rows.groupby(["user_id", "variant"], as_index=False)[["clicks", "page_views"]].sum()
    a = per_user[per_user["variant"] == "control"]
    b = per_user[per_user["variant"] == "treatment"]
    return ratio_metric(a["clicks"], a["page_views"], b["clicks"], b["page_views"])


def settled(ctx: Context) -> Any:
    exposure = ctx.load("video_exposure")
    return ctx.cached("settled", lambda: _exposure_lift(
        ctx, exposure[exposure["exposure_week"] >= SETTLED_WEEK]))


def settled_lift(ctx: Context) -> float:
    return settled(ctx).relative_lift


def first_week_lift(ctx: Context) -> float:
    exposure = ctx.load("video_exposure")
    return _exposure_lift(ctx, exposure[exposure["exposure_week"] == 1]).relative_lift


def late_arrivals_lift(ctx: Context) -> float:
    return video(ctx).late.relative_lift


def overall_video_lift(ctx: Context) -> float:
    return video(ctx).primary.relative_lift


def week_four_lift(ctx: Context) -> float:
    exposure = ctx.load("video_exposure")
    return _exposure_lift(ctx, exposure[exposure["exposure_week"] == 4]).relative_lift


# --- a ratio metric: clicks per page view, users randomised
def feed(ctx: Context) -> Any:
    return one_test(ctx, "personalised_feed")


def feed_result(ctx: Context) -> Any:
    from pmkit.experiment import ratio_metric

    def build() -> Any:
        f = feed(ctx)
        a, b = f[f["variant"] == "control"], f[f["variant"] == "treatment"]
        return ratio_metric(a["clicks"], a["page_views"], b["clicks"], b["page_views"])

    return ctx.cached("feed", build)


def feed_ci_low(ctx: Context) -> float:
    return feed_result(ctx).ci[0]


def feed_naive_ci_low(ctx: Context) -> float:
    """The slip: every page view treated as an independent trial (a per-page-view z-test)."""
    from pmkit.experiment import two_proportions

    f = feed(ctx)
    sums = f.groupby("variant")[["clicks", "page_views"]].sum()
    return two_proportions(*sums.loc["control"], *sums.loc["treatment"]).ci[0]


def feed_relative_ci_low(ctx: Context) -> float:
    return feed_result(ctx).relative_ci[0]


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


def cuped_pooled_theta(ctx: Context) -> float:
    """The slip: theta estimated over all users at once, not within each arm."""
    from pmkit.experiment import cuped

    test = one_test(ctx, "one_click_upsell")
    return cuped(test["revenue"], test["pre_revenue"]).variance_reduction


UPSELL_ANSWER = '''\
def moved(c):
    lo, hi = c.ci
    word = "rose" if lo > 0 else "fell" if hi < 0 else "not shown either way"
    scale, unit = (100, " points") if c.is_rate else (1, "")
    return (f"{c.metric} {word} ({scale * c.difference:+.2f}{unit}, "
            f"95% CI {scale * lo:+.2f} to {scale * hi:+.2f})")
r = upsell_report
wins = r.primary.ci[0] > 0
if r.harmed_guardrails:
    call = "iterate" if wins else "don't ship"
else:
    call = "ship" if wins else "don't ship"
upsell_call = (f"{call}: revenue per user moved {r.primary.relative_lift:+.0%} (95% CI "
               f"{r.primary.ci[0]:+.2f} to {r.primary.ci[1]:+.2f} USD); "
               + "; ".join(moved(g) for g in r.guardrails))'''


EXERCISES = [
    Exercise(
        name="recall_next_step",
        question="Item-to-item recommendations found held-out purchases more often than "
                 "best-sellers in an offline test. What comes next: 'ship them', 'run an A/B "
                 "test' or 'keep best-sellers'?",
        expected=recall_next_step,
        grade=choice(["ship them", "run an A/B test", "keep best-sellers"], mistakes={
            "ship them": "An offline hit rate replays past purchases; it cannot see what "
                         "customers would do differently with the new shelf. Only a controlled "
                         "test shows that.",
            "keep best-sellers": "The offline evidence favours the new recommender; dropping it "
                                 "untested throws that away. How would you find out for sure?",
        }),
        hints=ladder(
            "An offline evaluation tells you what would have matched past behaviour, not what "
            "customers do when the page changes.",
            "Which option measures customers' response to the change itself, with a control "
            "group? Answer with the option's text.",
            'recall_next_step = "run an ___ test"',
            'recall_next_step = "run an A/B test"',
        ),
        minutes=1, level="understand", recalls="07",
    ),
    Exercise(
        name="recall_like_for_like",
        question="Conversion rose after a launch, but the share of visitors from social media "
                 "changed at the same time. Which comparison says whether the launch helped: "
                 "'overall before and after', 'within each traffic source' or 'social media "
                 "only'?",
        expected=recall_like_for_like,
        grade=choice(["overall before and after", "within each traffic source",
                      "social media only"], mistakes={
            "overall before and after": "A change in the mix of traffic moves the overall rate "
                                        "even if no source changed: compare like for like.",
            "social media only": "One source is one slice; a launch can help some sources and "
                                 "not others. Compare every source, like for like.",
        }),
        hints=ladder(
            "When the mix of visitors shifts, the overall average moves even if nothing changed "
            "for anyone (Simpson's paradox).",
            "Pick the comparison that holds the traffic mix fixed. Answer with the option's text.",
            'recall_like_for_like = "within each ___ ___"',
            'recall_like_for_like = "within each traffic source"',
        ),
        minutes=1, level="understand", recalls="05",
    ),
    Exercise(
        name="srm_p_value",
        question="The p-value of the sample-ratio check for recommended_for_you (planned "
                 "50/50 split).",
        expected=srm_p_value,
        grade=number(rel_tol=1e-6, abs_tol=1e-15, mistakes=[
            (revenue_p_value, "That is the p-value of revenue, the metric. The trust gate tests "
                              "the split of users between the arms."),
        ]),
        hints=ladder(
            "If assignment works, each arm gets about half the users; the check asks how "
            "surprising the observed split would be if it did.",
            "Count users per arm with `value_counts()` on the `variant` column of `rfy`, then "
            "pass the counts to `experiment.srm_check` and read its `p_value`.",
            'srm_p_value = experiment.srm_check(rfy["___"].value_counts()).___',
            'srm_p_value = experiment.srm_check(rfy["variant"].value_counts()).p_value',
        ),
        minutes=3, level="apply",
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
        hints=ladder(
            "Every look is another chance for noise to cross the line, so stopping at the first "
            "crossing finds false winners far more often than one look would.",
            "The simulation's card `sim` holds three rates: one look, peeking and the sequential "
            "test. The peeking one is `false_positive_rate_peeking`.",
            "peeking_rate = sim.___",
            "peeking_rate = sim.false_positive_rate_peeking",
        ),
        minutes=2, level="apply",
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
        hints=ladder(
            "Each tile is its own test, and each can light up by chance: count how many did.",
            "`tiles` maps each tile's name to its p-value; count the values below 0.05 with "
            "`sum(...)` over a comparison.",
            "raw_winners = sum(p < ___ for p in tiles.values())",
            "raw_winners = sum(p < 0.05 for p in tiles.values())",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="novelty_diagnosis",
        question="In the homepage-video test, users who arrived late show a bigger lift in clicks "
                 "than users who arrived early. Why? 'late arrivals like the video more', 'late "
                 "arrivals have seen it for fewer days' or 'chance'.",
        expected=novelty_diagnosis,
        grade=choice(DIAGNOSES, mistakes={
            "late arrivals like the video more": (
                "Arrival day sorts users by how long they were exposed as well as by who they "
                "are. A user who arrived on day 25 saw the video for four days, all of them "
                "new; one who arrived on day 1 also had weeks of it being old news."),
            "chance": (
                "The gap between early and late arrivals is far larger than noise would make. "
                "Think about how many days each group had the video in front of them."),
        }),
        hints=ladder(
            "Novelty wears off with each day a user has seen the change, not with the calendar: "
            "what differs between someone who arrived on day 1 and someone who arrived on day 25?",
            "Count the days each group could see the video before the test ended, and ask which "
            "of those days were still new to them.",
            'novelty_diagnosis = "late arrivals have seen it for ___ days"',
            'novelty_diagnosis = "late arrivals have seen it for fewer days"',
        ),
        minutes=4, level="analyse",
    ),
    Exercise(
        name="settled_lift",
        question=f"The relative lift in clicks per page view from week {SETTLED_WEEK} of each "
                 "user's exposure on (video_exposure rows with exposure_week >= "
                 f"{SETTLED_WEEK}), users as the unit.",
        expected=settled_lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (first_week_lift, "That is week 1 of exposure, when the video is still new. The "
                              "question asks what is left once it is not."),
            (overall_video_lift, "That is the lift over the whole test, which mixes every user's "
                                 "novel first days with the rest."),
            (late_arrivals_lift, "That is analyze's late arrivals: users sorted by calendar day, "
                                 "whose days were mostly new ones. Sort by exposure instead."),
            (week_four_lift, "That is week 4 only; the question pools every week from week "
                             f"{SETTLED_WEEK} on."),
        ]),
        hints=ladder(
            "A lasting effect is the one still there after users have lived with the change for "
            "a while: measure the lift only on their later weeks of exposure.",
            f"Keep the rows of `exposure` with `exposure_week` of {SETTLED_WEEK} or more, sum "
            "`clicks` and `page_views` per user and variant (`groupby`), then compare the arms "
            "with `experiment.ratio_metric(clicks_a, views_a, clicks_b, views_b)` and read "
            "`relative_lift`.",
            'later = exposure[exposure["exposure_week"] >= ___]\n'
            'per_user = (later.groupby(["user_id", "variant"], as_index=False)\n'
            '            [["clicks", "page_views"]].sum())\n'
            'a = per_user[per_user["variant"] == "control"]\n'
            'b = per_user[per_user["variant"] == "treatment"]\n'
            'settled_lift = experiment.ratio_metric(a["clicks"], a["page_views"],\n'
            '                                       b[___], b[___]).relative_lift',
            f'later = exposure[exposure["exposure_week"] >= {SETTLED_WEEK}]\n'
            'per_user = (later.groupby(["user_id", "variant"], as_index=False)\n'
            '            [["clicks", "page_views"]].sum())\n'
            'a = per_user[per_user["variant"] == "control"]\n'
            'b = per_user[per_user["variant"] == "treatment"]\n'
            'settled_lift = experiment.ratio_metric(a["clicks"], a["page_views"],\n'
            '                                       b["clicks"], b["page_views"]).relative_lift',
        ),
        minutes=5, level="apply",
    ),
    Exercise(
        name="feed_ci_low",
        question="For personalised_feed, the lower end of the 95% interval for the difference in "
                 "clicks per page view (treatment minus control, a fraction), with users as the "
                 "unit (the delta method).",
        expected=feed_ci_low,
        grade=number(rel_tol=1e-6, mistakes=[
            (feed_naive_ci_low, "That interval treats every page view as an independent trial "
                                "(two_proportions on the summed clicks and views). Users were "
                                "randomised, and one user's page views move together: use "
                                "ratio_metric, which works per user."),
            (feed_relative_ci_low, "That is the lower end for the relative lift; this one wants "
                                   "the difference in clicks per page view (`ci`)."),
        ]),
        hints=ladder(
            "Users, not page views, were randomised, so the noise in clicks per page view must "
            "be measured user by user: a heavy clicker's many views are not many independent "
            "trials.",
            "Split `feed` into control and treatment, then call "
            "`experiment.ratio_metric(clicks_a, views_a, clicks_b, views_b)` with the `clicks` "
            "and `page_views` columns; its `ci` is the pair (low, high).",
            'a, b = feed[feed["variant"] == "control"], feed[feed["variant"] == "treatment"]\n'
            'feed_ci_low = experiment.ratio_metric(a["clicks"], a[___],\n'
            '                                      b["clicks"], b[___]).ci[0]',
            'a, b = feed[feed["variant"] == "control"], feed[feed["variant"] == "treatment"]\n'
            'feed_ci_low = experiment.ratio_metric(a["clicks"], a["page_views"],\n'
            '                                      b["clicks"], b["page_views"]).ci[0]',
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="upsell_call",
        question="'ship', 'iterate' or \"don't ship\" for the one-click upsell, then a colon and "
                 "your evidence: revenue with its interval and every guardrail with its number "
                 "or 'not shown'.",
        expected=upsell_call,
        grade=decision(["ship", "iterate", "don't ship"], upsell_facts, questions={
            "ship": _upsell_ship_question,
            "don't ship": _upsell_drop_question,
            "iterate": _upsell_iterate_question,
        }),
        hints=ladder(
            "A PM weighs the win against what it costs elsewhere: is revenue's gain real, and did "
            "any guardrail get clearly worse? A harmed guardrail is a cost someone else pays.",
            "On `upsell_report`: `primary` holds revenue's change (`relative_lift`, `ci`), "
            "`guardrails` each guardrail's change and interval, `harmed_guardrails` those that "
            "got significantly worse.",
            'upsell_call = (f"___: revenue per user moved {upsell_report.primary.relative_lift:+.0%} '
            '(95% CI ___ to ___ USD); returns ___; latency ___; unsubscribes ___")',
            UPSELL_ANSWER,
        ),
        minutes=6, level="evaluate",
    ),
    Exercise(
        name="variance_reduction",
        question="With CUPED on the upsell test (revenue adjusted by pre_revenue, theta "
                 "estimated within arms), the share of revenue's variance removed.",
        expected=variance_reduction,
        grade=number(rel_tol=1e-6, mistakes=[
            (correlation_only, "That is the correlation; the variance falls by its square."),
            (cuped_pooled_theta, "That estimates theta over all users at once; pass "
                                 "treatment=... so theta is estimated within each arm."),
        ]),
        hints=ladder(
            "Spend before the test predicts spend during it; subtracting the predictable part "
            "leaves less noise, and the share removed is the square of their correlation.",
            "`experiment.cuped(y, x, treatment=...)` takes revenue, pre_revenue and a True/False "
            "treatment flag per user; its card reports `variance_reduction`.",
            'cut = experiment.cuped(upsell_users["revenue"], upsell_users[___],\n'
            '                       treatment=upsell_users["variant"] == ___)\n'
            "variance_reduction = cut.variance_reduction",
            'cut = experiment.cuped(upsell_users["revenue"], upsell_users["pre_revenue"],\n'
            '                       treatment=upsell_users["variant"] == "treatment")\n'
            "variance_reduction = cut.variance_reduction",
        ),
        minutes=4, level="apply",
    ),
]
