"""Exercises for lesson 05_metrics_that_matter: inputs and outputs, a metric tree, a Simpson's
trap, a confounded pre/post change, a north star and its guardrails."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit import customer
from pmkit.datasets.metrics import REDESIGNED  # public: which platforms got the new checkout
from pmkit.display import safe_repr
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

DRIVERS = ("visitors", "conversion", "order_value")


def launch_date(ctx: Context) -> pd.Timestamp:
    """The day the new checkout shipped (public knowledge; its effect is not)."""
    return pd.Timestamp(ctx.truth("sessions")["redesign_date"])


def sessions(ctx: Context) -> pd.DataFrame:
    """Sessions with a ``period`` column: 'before' or 'after' the launch."""

    def build() -> pd.DataFrame:
        frame = ctx.load("sessions")
        after = frame["date"] >= launch_date(ctx)
        return frame.assign(period=np.where(after, "after", "before"))

    return ctx.cached("sessions_with_period", build)


def drivers(ctx: Context) -> dict[str, dict[str, float]]:
    """Visitors, conversion and order value before and after the launch."""

    def build() -> dict[str, dict[str, float]]:
        frame = sessions(ctx)
        orders = ctx.load("orders")
        start, end = frame["date"].min(), frame["date"].max()
        out = {}
        for label, in_period in (("before", orders["order_date"] < launch_date(ctx)),
                                 ("after", orders["order_date"] >= launch_date(ctx))):
            window = orders[in_period & orders["order_date"].between(start, end)]
            part = frame[frame["period"] == label]
            out[label] = {"visitors": float(len(part)),
                          "conversion": float(part["purchase"].mean()),
                          "order_value": float(window["order_value"].mean())}
        return out

    return ctx.cached("drivers", build)


def decomposition(ctx: Context) -> Any:
    from pmkit.metrics import decompose_change

    d = drivers(ctx)
    return ctx.cached("decomposition", lambda: decompose_change(
        d["before"], d["after"], list(DRIVERS), output="revenue"))


def conversion_change(ctx: Context) -> float:
    d = drivers(ctx)
    return d["after"]["conversion"] / d["before"]["conversion"] - 1


def conversion_points(ctx: Context) -> float:
    d = drivers(ctx)
    return d["after"]["conversion"] - d["before"]["conversion"]


def conversion_change_wrong_base(ctx: Context) -> float:
    d = drivers(ctx)
    return d["before"]["conversion"] / d["after"]["conversion"] - 1


def main_driver(ctx: Context) -> str:
    return decomposition(ctx).main_driver


def _completion(ctx: Context, label: str) -> float:
    part = sessions(ctx)
    part = part[part["period"] == label]
    reached = part["checkout"]
    return float((part["purchase"] & reached).sum() / reached.sum())


def checkout_completion_after(ctx: Context) -> float:
    return _completion(ctx, "after")


def checkout_completion_before(ctx: Context) -> float:
    return _completion(ctx, "before")


def purchase_per_session_after(ctx: Context) -> float:
    frame = sessions(ctx)
    return float(frame.loc[frame["period"] == "after", "purchase"].mean())


def segment_comparison(ctx: Context) -> Any:
    from pmkit.metrics import compare_segments_table

    return ctx.cached("by_source", lambda: compare_segments_table(
        sessions(ctx), "period", "source", "purchase", labels=["before", "after"]))


def adjusted_change(ctx: Context) -> float:
    r = segment_comparison(ctx)
    return r.adjusted_b - r.adjusted_a


def raw_change(ctx: Context) -> float:
    r = segment_comparison(ctx)
    return r.overall_b - r.overall_a


# ------------------------------------------------------------------ warm-up


def _q1_2025(orders: pd.DataFrame) -> pd.DataFrame:
    return orders[orders["order_date"].between("2025-01-01", "2025-03-31")]


def late_q1(ctx: Context) -> float:
    q1 = _q1_2025(ctx.load("orders"))
    return float((q1["actual_days"] > q1["promised_days"]).mean())


def late_all(ctx: Context) -> float:
    orders = ctx.load("orders")
    return float((orders["actual_days"] > orders["promised_days"]).mean())


def late_q1_or_on_the_day(ctx: Context) -> float:
    q1 = _q1_2025(ctx.load("orders"))
    return float((q1["actual_days"] >= q1["promised_days"]).mean())


def _nps_margins(ctx: Context) -> tuple[float, float]:
    answers = ctx.load("nps")
    year = answers["date"].dt.year
    last = int(year.max())
    out = []
    for y in (last - 1, last):
        r = customer.nps(answers.loc[year == y, "score"])
        out.append((r.ci[1] - r.ci[0]) / 2)
    return out[0], out[1]


def nps_gap_margin(ctx: Context) -> float:
    a, b = _nps_margins(ctx)
    return float(np.hypot(a, b))


# --------------------------------------------------------- inputs and outputs

def _menu_grader(menu: dict[str, str], menu_name: str, missing: str):
    """Grade a list picked from ``menu``, which maps each name to '' (it belongs) or why not."""

    def grade(answer: Any, expected: Any, ctx: Context) -> Verdict:
        if isinstance(answer, str) or not isinstance(answer, list | tuple | set):
            return Verdict(False, f"Got {safe_repr(answer, 40)}; answer with a list of names from "
                                  f"`{menu_name}`.")
        given = [str(a).strip().lower() for a in answer]
        unknown = [g for g in given if g not in menu]
        if unknown:
            return Verdict(False, f"{unknown[0]!r} is not on the list; copy names from `{menu_name}`.")
        wrong = [g for g in given if menu[g]]
        if wrong:
            return Verdict(False, menu[wrong[0]])
        if [e for e in expected if e not in given]:
            return Verdict(False, missing)
        return Verdict(True, f"Yes: {', '.join(expected)}.")

    return grade


def _output(name: str) -> str:
    return (f"{name} is an output: it adds up what many teams (and the market) did, so no single "
            "team moves it directly.")


#: Metrics on Jonas's weekly dashboard: '' for an input the checkout team moves itself.
METRIC_MENU = {
    "checkout completion": "",
    "checkout page load time": "",
    "payment methods offered": "",
    "revenue": _output("revenue"),
    "orders per week": _output("orders per week"),
    "active customers": _output("active customers"),
}


def input_metrics(ctx: Context) -> list[str]:
    return [m for m, why_not in METRIC_MENU.items() if not why_not]


grade_inputs = _menu_grader(METRIC_MENU, "metric_menu", "Some inputs are missing: which other "
                            "numbers could the checkout team change this week by itself?")


# ------------------------------------------------------- the pre/post change


def checkouts(ctx: Context) -> pd.DataFrame:
    """Sessions that reached checkout: their ``purchase`` flag is checkout completion."""
    return ctx.cached("checkouts", lambda: sessions(ctx)[sessions(ctx)["checkout"]])


def web_change(ctx: Context) -> Any:
    from pmkit.metrics import rate_change

    frame = checkouts(ctx)
    return ctx.cached("web_change", lambda: rate_change(
        frame[frame["device"].isin(REDESIGNED)], "purchase", "period"))


def did(ctx: Context) -> Any:
    from pmkit.metrics import difference_in_differences

    return ctx.cached("did", lambda: difference_in_differences(
        checkouts(ctx), "purchase", "period", "device", treated=list(REDESIGNED)))


def web_change_low(ctx: Context) -> float:
    return float(web_change(ctx).ci[0])


def web_change_point(ctx: Context) -> float:
    return float(web_change(ctx).difference)


def web_change_high(ctx: Context) -> float:
    return float(web_change(ctx).ci[1])


def redesign_effect(ctx: Context) -> float:
    return float(did(ctx).estimate)


def tablet_change(ctx: Context) -> float:
    return float(did(ctx).control.difference)


def all_devices_change(ctx: Context) -> float:
    from pmkit.metrics import rate_change

    return float(rate_change(checkouts(ctx), "purchase", "period").difference)


# ------------------------------------------------------ north star, guardrails

NORTH_STAR_OPTIONS = {
    "sessions per week": "A campaign can buy sessions without any customer being better off: "
                         "it counts visits, not value.",
    "revenue per week": "Revenue is the result the business reports, and price rises or "
                        "discounts move it without customers getting more of what they came for.",
    "weekly customers who complete a purchase": "",
    "app downloads": "A download says someone was curious once; it says nothing about whether "
                     "they found what they needed.",
}
NORTH_STAR = "weekly customers who complete a purchase"
#: For the checkout team's push on completion: '' for what must not get worse, else why not.
GUARDRAIL_MENU = {
    "payment errors": "",
    "returns": "",
    "checkout support contacts": "",
    "checkout completion": "checkout completion: that is the metric the team is pushing (its "
                           "primary metric), not a guardrail that protects it.",
    "sessions per day": "sessions per day: the checkout cannot change how many people visit; a "
                        "guardrail is something your change could harm.",
    "social media followers": "social media followers: nothing the checkout does moves them; a "
                              "guardrail is something your change could harm.",
}


def guardrails(ctx: Context) -> list[str]:
    return [g for g, why_not in GUARDRAIL_MENU.items() if not why_not]


grade_guardrails = _menu_grader(GUARDRAIL_MENU, "guardrail_menu", "Some guardrails are missing: "
                                "what else could a faster checkout make worse for customers?")


# ------------------------------------------------------------------ decision

CALLS = ("keep the redesign", "roll back the redesign", "run an a/b test")


def redesign_facts(ctx: Context) -> Evidence:
    """The redesign against the tablet app that never got it, and the pre/post rise."""
    d, web = did(ctx), web_change(ctx)
    # What 1 April did to the web, minus what it did to tablets (same promotion, same campaign,
    # old checkout): only that difference is the redesign's, and only its interval can say so.
    low, high = d.ci
    call = CALLS[0] if low > 0 else CALLS[1] if high < 0 else CALLS[2]
    return Evidence(call, (
        Fact("redesign effect", d.estimate, ci=d.ci, require="interval",
             synonyms=("difference in differences", "diff in diff", "redesign's effect",
                       "against the tablet app", "against tablets", "effect")),
        Fact("web checkout completion", web.difference, ci=web.ci,
             synonyms=("web completion", "web", "pre/post", "before and after", "after launch",
                       "headline rise"),
             also=(web.before, web.after)),
        Fact("tablet checkout completion", d.control.difference, ci=d.control.ci, require="number",
             synonyms=("tablet", "tablets", "tablet app", "old checkout"),
             also=(d.control.before, d.control.after)),
    ), rule="a pre/post rise is not the redesign's when a promotion shipped the same day: subtract "
            "the change on the tablet app, which kept the old checkout; keep or roll back only "
            "when that difference's interval excludes zero, else test it")


def redesign_call(ctx: Context) -> str:
    return redesign_facts(ctx).call


def _keep_question(ctx: Context) -> str:
    d = did(ctx)
    return (f"Completion rose on the web, but it also moved {100 * d.control.difference:+.1f} points "
            f"on tablets, which never got the redesign. The difference is "
            f"{100 * d.estimate:+.1f} points, 95% CI {100 * d.ci[0]:+.1f} to {100 * d.ci[1]:+.1f}: "
            "does that show the redesign worked?")


def _roll_back_question(ctx: Context) -> str:
    d = did(ctx)
    return (f"The redesign's effect is {100 * d.estimate:+.1f} points, 95% CI {100 * d.ci[0]:+.1f} to "
            f"{100 * d.ci[1]:+.1f}: does that show harm?")


def _test_question(ctx: Context) -> str:
    d = did(ctx)
    return (f"The redesign's effect has an interval of {100 * d.ci[0]:+.1f} to {100 * d.ci[1]:+.1f} "
            "points, clear of zero: what would a test tell you that this does not?")


EXERCISES = [
    Exercise(
        name="late_q1",
        question="Lesson 00 recall: the share of orders placed from 1 January to 31 March 2025 "
                 "that arrived later than promised, as a fraction.",
        expected=late_q1,
        grade=number(rel_tol=1e-4, mistakes=[
            (late_all, "That is the late share of every order; keep only orders placed from "
                       "1 January to 31 March 2025 first."),
            (late_q1_or_on_the_day, "Arriving on the promised day is on time: use > not >=."),
        ]),
        hints=ladder(
            "Late means delivered after the promised day; the share is late orders over all "
            "orders of that quarter.",
            "Filter `orders` with `order_date.between(...)`, then compare `actual_days` with "
            "`promised_days` and take the `.mean()` of the True/False column.",
            "q1 = orders[orders['order_date'].between(___, ___)]\n"
            "late_q1 = (q1['actual_days'] > q1[___]).mean()",
            "q1 = orders[orders['order_date'].between('2025-01-01', '2025-03-31')]\n"
            "late_q1 = (q1['actual_days'] > q1['promised_days']).mean()",
        ),
        minutes=2, level="remember", recalls="00",
    ),
    Exercise(
        name="nps_gap_margin",
        question="Lesson 02 recall: the 95% margin of error of the change in NPS between the two "
                 "most recent years in `nps` (in NPS points).",
        expected=nps_gap_margin,
        grade=number(rel_tol=2e-3, unit=" points", mistakes=[
            (lambda ctx: _nps_margins(ctx)[1], "That is one survey's margin. A change between two "
                                               "surveys carries the noise of both."),
            (lambda ctx: _nps_margins(ctx)[0], "That is one survey's margin. A change between two "
                                               "surveys carries the noise of both."),
            (lambda ctx: sum(_nps_margins(ctx)), "Margins add in squares, not straight: the square "
                                                 "root of the sum of the squared margins."),
        ]),
        hints=ladder(
            "Each survey has its own margin of error; the change between them is noisier than "
            "either, by about the square root of two when the surveys are the same size.",
            "Run `customer.nps` on each year's scores; a margin is half its interval, "
            "`(ci[1] - ci[0]) / 2`; combine the two as the square root of the sum of squares.",
            "last = nps['date'].dt.year.max()\n"
            "a = customer.nps(nps.loc[nps['date'].dt.year == last - 1, 'score'])\n"
            "b = customer.nps(nps.loc[nps['date'].dt.year == last, 'score'])\n"
            "nps_gap_margin = (((a.ci[1] - a.ci[0]) / 2) ** 2 + (___) ** 2) ** 0.5",
            "last = nps['date'].dt.year.max()\n"
            "a = customer.nps(nps.loc[nps['date'].dt.year == last - 1, 'score'])\n"
            "b = customer.nps(nps.loc[nps['date'].dt.year == last, 'score'])\n"
            "nps_gap_margin = (((a.ci[1] - a.ci[0]) / 2) ** 2 + ((b.ci[1] - b.ci[0]) / 2) ** 2) ** 0.5",
        ),
        minutes=3, level="understand", recalls="02",
    ),
    Exercise(
        name="input_metrics",
        question="From `metric_menu`, the list of input metrics the checkout team controls.",
        expected=input_metrics,
        grade=grade_inputs,
        hints=ladder(
            "An input is something one team can change this week by its own work; an output adds "
            "up what many teams and the market did.",
            "Go through `metric_menu` and ask of each: could Ren's team move it alone, without "
            "marketing, pricing or delivery?",
            "input_metrics = [___, 'checkout page load time', ___]",
            "input_metrics = ['checkout completion', 'checkout page load time', 'payment methods offered']",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="main_driver",
        question="Which driver moved revenue most: 'visitors', 'conversion' or 'order_value'?",
        expected=main_driver,
        grade=choice(DRIVERS, mistakes={
            "visitors": "Compare the size of the visitors contribution with the other two in "
                        "`tree.to_frame()`: the largest in size, ignoring its sign, wins.",
            "order_value": "Order value moved, but compare the size of its contribution with the "
                           "other two.",
            "conversion": "Compare the contributions in `tree.to_frame()` again, ignoring their sign.",
        }),
        hints=ladder(
            "The tree's parts add up exactly to the change in revenue; the driver with the "
            "largest part, up or down, moved it most.",
            "Read the `contribution` column of `tree.to_frame()` and take the largest in size "
            "with `.abs().idxmax()`.",
            "main_driver = tree.to_frame().set_index(___)['contribution'].abs().idxmax()",
            "main_driver = tree.main_driver",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="conversion_change",
        question="The relative change in conversion (purchases per session), after the launch "
                 "against before, as a fraction (-0.1 means a 10% fall).",
        expected=conversion_change,
        grade=number(rel_tol=1e-3, mistakes=[
            (conversion_points, "That is the change in percentage points. The question asks for "
                                "the relative change: divide by the 'before' conversion."),
            (conversion_change_wrong_base, "You divided by the 'after' value. A change is measured "
                                           "against where you started: before."),
        ]),
        hints=ladder(
            "A relative change compares the new level with where you started: after over "
            "before, minus one.",
            "Conversion is the share of sessions with `purchase` True: group by `period` and "
            "take the mean, then divide.",
            "c = sessions.groupby('period')['purchase'].mean()\n"
            "conversion_change = c[___] / c[___] - 1",
            "c = sessions.groupby('period')['purchase'].mean()\n"
            "conversion_change = c['after'] / c['before'] - 1",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="checkout_completion",
        question="After the launch, the share of sessions that reached checkout and then "
                 "purchased (a fraction).",
        expected=checkout_completion_after,
        grade=number(rel_tol=1e-3, mistakes=[
            (checkout_completion_before, "That is the rate before the launch; filter to 'after'."),
            (purchase_per_session_after, "That divides by every session. Checkout completion "
                                         "divides by the sessions that reached checkout."),
        ]),
        hints=ladder(
            "The checkout can only act on people who reached it: they are the denominator.",
            "Keep the sessions with `period == 'after'`, then divide the count of purchases by "
            "the count of checkouts (`.sum()` of a True/False column counts the True).",
            "after = sessions[sessions['period'] == ___]\n"
            "checkout_completion = after['purchase'].sum() / after[___].sum()",
            "after = sessions[sessions['period'] == 'after']\n"
            "checkout_completion = after['purchase'].sum() / after['checkout'].sum()",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="adjusted_change",
        question="The change in conversion after the launch at an unchanged traffic mix "
                 "(mix-adjusted after minus mix-adjusted before, a fraction).",
        expected=adjusted_change,
        grade=number(rel_tol=1e-3, mistakes=[
            (raw_change, "That is the raw change, which blends the checkout's effect with the "
                         "shift in traffic sources. Use the mix-adjusted rates."),
        ]),
        hints=ladder(
            "Like for like: weight both periods' source rates by one shared traffic mix, so a "
            "change in who arrived cannot move the comparison.",
            "`by_source.adjusted_a` (before) and `by_source.adjusted_b` (after) are those rates; "
            "subtract before from after.",
            "adjusted_change = by_source.___ - by_source.___",
            "adjusted_change = by_source.adjusted_b - by_source.adjusted_a",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="web_change_low",
        question="The lower end of the 95% interval of the change in web checkout completion, "
                 "after against before (a fraction).",
        expected=web_change_low,
        grade=number(rel_tol=2e-3, mistakes=[
            (web_change_point, "That is the point estimate. The interval's lower end is the "
                               "smallest change the data still allow."),
            (web_change_high, "That is the upper end; the question asks for the lower one."),
            (all_devices_change, "That is the change on every device; keep the web (desktop and "
                                 "mobile), which got the new checkout."),
        ]),
        hints=ladder(
            "A change measured on a sample is uncertain; its interval is the range of changes "
            "the data are consistent with, and its lower end is the most pessimistic of them.",
            "Keep the web rows of `checkouts` (device desktop or mobile) and run "
            "`metrics.rate_change(..., 'purchase', 'period')`; its `ci` holds (low, high).",
            "web = checkouts[checkouts['device'].isin([___, ___])]\n"
            "web_change_low = metrics.rate_change(web, 'purchase', 'period').ci[___]",
            "web = checkouts[checkouts['device'].isin(['desktop', 'mobile'])]\n"
            "web_change_low = metrics.rate_change(web, 'purchase', 'period').ci[0]",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="redesign_effect",
        question="The redesign's own effect on checkout completion: the web's change minus the "
                 "tablet app's change, after against before (a fraction).",
        expected=redesign_effect,
        grade=number(rel_tol=2e-3, mistakes=[
            (web_change_point, "That is the web's pre/post change, which includes the free-delivery "
                               "promotion. Tablets got the promotion but not the redesign: subtract "
                               "their change."),
            (tablet_change, "That is the tablet app's change: what 1 April did without the "
                            "redesign. Subtract it from the web's change."),
            (all_devices_change, "That is every device together. Split the web (redesigned) from "
                                 "the tablet app (old checkout) and take the difference."),
        ]),
        hints=ladder(
            "Everything else that started on 1 April (the promotion, the campaign) reached tablets "
            "too; only the redesign did not. What tablets did is what the web would have done "
            "without the redesign.",
            "Compute the pre/post change on the web and on tablets, then subtract; "
            "`metrics.difference_in_differences(checkouts, 'purchase', 'period', 'device', "
            "treated=[...])` does both and gives the interval.",
            "effect = metrics.difference_in_differences(checkouts, 'purchase', 'period', 'device',\n"
            "                                           treated=[___, ___])\n"
            "redesign_effect = effect.___",
            "effect = metrics.difference_in_differences(checkouts, 'purchase', 'period', 'device',\n"
            "                                           treated=['desktop', 'mobile'])\n"
            "redesign_effect = effect.estimate",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="north_star",
        question="Basketly's goal: shoppers find what they need and come back for more. The best "
                 "north star from `north_star_options`.",
        expected=lambda ctx: NORTH_STAR,
        grade=choice(list(NORTH_STAR_OPTIONS), mistakes={
            k: v for k, v in NORTH_STAR_OPTIONS.items() if v}),
        hints=ladder(
            "A north star counts value customers get, and moves only when they get it: it should "
            "be hard to raise by buying traffic or by charging more.",
            "For each option in `north_star_options`, ask: could a campaign, a price change or a "
            "one-off download raise it while no customer is better off?",
            "north_star = ___  # one of north_star_options, as a string",
            "north_star = 'weekly customers who complete a purchase'",
        ),
        minutes=2, level="evaluate",
    ),
    Exercise(
        name="guardrails",
        question="From `guardrail_menu`, the list of guardrails for the checkout team's push on "
                 "checkout completion.",
        expected=guardrails,
        grade=grade_guardrails,
        hints=ladder(
            "A guardrail is a metric your change could make worse while your main number "
            "improves: ask how a checkout that converts more could hurt customers.",
            "Drop the metric being pushed and anything the checkout cannot touch; keep what a "
            "rushed payment or a hidden fee would harm.",
            "guardrails = ['payment errors', ___, ___]",
            "guardrails = ['payment errors', 'returns', 'checkout support contacts']",
        ),
        minutes=3, level="analyse",
    ),
    Exercise(
        name="redesign_call",
        question=f"'{CALLS[0]}', '{CALLS[1]}' or '{CALLS[2]}', then a colon and your evidence.",
        expected=redesign_call,
        grade=decision(list(CALLS), redesign_facts, questions={
            CALLS[0]: _keep_question, CALLS[1]: _roll_back_question, CALLS[2]: _test_question}),
        hints=ladder(
            "A rise after a launch is the launch plus everything else that changed that day. "
            "Weigh the part only the redesign explains, and whether its interval rules out zero.",
            "Cite the web's pre/post change, the tablet app's change over the same days and the "
            "difference between them with its interval (`effect.ci`).",
            "redesign_call = (f\"___: web checkout completion rose {100 * web_rise.difference:+.1f} "
            "points, but the tablet app moved {100 * ___:+.1f} points; redesign effect "
            "{100 * ___:+.1f} points, 95% CI ...\")",
            "effect = metrics.difference_in_differences(checkouts, 'purchase', 'period', 'device',\n"
            "                                           treated=['desktop', 'mobile'])\n"
            "low, high = effect.ci\n"
            "call = ('keep the redesign' if low > 0 else 'roll back the redesign' if high < 0\n"
            "        else 'run an a/b test')\n"
            "redesign_call = (f\"{call}: web checkout completion moved {100 * web_rise.difference:+.1f} "
            "points, but the tablet app, which kept the old checkout, moved "
            "{100 * effect.control.difference:+.1f} points; the redesign effect is "
            "{100 * effect.estimate:+.1f} points (95% CI {100 * low:+.1f} to {100 * high:+.1f})\")",
        ),
        minutes=6, level="evaluate",
    ),
]
