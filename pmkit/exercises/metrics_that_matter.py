"""Exercises for lesson 05_metrics_that_matter: a metric tree, a funnel, a Simpson's trap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit.exercises.engine import Context, Exercise, choice, decision, number
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


def social_share_after(ctx: Context) -> float:
    frame = sessions(ctx)
    return float((frame.loc[frame["period"] == "after", "source"] == "social").mean())


def social_share_before(ctx: Context) -> float:
    frame = sessions(ctx)
    return float((frame.loc[frame["period"] == "before", "source"] == "social").mean())


def social_share_of_all(ctx: Context) -> float:
    frame = sessions(ctx)
    return float((frame["source"] == "social").mean())


def adjusted_change(ctx: Context) -> float:
    r = segment_comparison(ctx)
    return r.adjusted_b - r.adjusted_a


def raw_change(ctx: Context) -> float:
    r = segment_comparison(ctx)
    return r.overall_b - r.overall_a


def redesign_facts(ctx: Context) -> Evidence:
    """Conversion like for like, the headline, and the traffic mix that moved."""
    r = segment_comparison(ctx)
    # At an unchanged traffic mix, did the new checkout convert better? That, not the
    # headline, is what the checkout team controls.
    call = "keep the redesign" if adjusted_change(ctx) > 0 else "roll back the redesign"
    return Evidence(call, (
        Fact("mix-adjusted conversion", adjusted_change(ctx), require="number",
             synonyms=("unchanged traffic mix", "unchanged mix", "same mix", "like for like",
                       "adjusted", "mix adjusted", "within each source", "within sources",
                       "within every source"),
             also=(r.adjusted_a, r.adjusted_b)),
        Fact("headline conversion", raw_change(ctx),
             synonyms=("headline", "overall", "raw", "overall conversion", "headline conversion"),
             also=(r.overall_a, r.overall_b)),
        Fact("social traffic", social_share_after(ctx) - social_share_before(ctx),
             synonyms=("social", "social share", "social visitors", "social sessions"),
             also=(social_share_before(ctx), social_share_after(ctx))),
    ), rule="judge the checkout like for like (at an unchanged traffic mix), not by the headline")


def redesign_call(ctx: Context) -> str:
    return redesign_facts(ctx).call


def _roll_back_question(ctx: Context) -> str:
    r = segment_comparison(ctx)
    wins = sum(b > a for a, b in zip(r.rates_a, r.rates_b, strict=True))
    return (f"Conversion rose in {wins} of {len(r.segments)} traffic sources after the launch. "
            f"If the checkout were to blame, why would it help most sources? What else changed "
            f"between the periods: look at where the visitors came from.")


def _keep_question(ctx: Context) -> str:
    return (f"At an unchanged traffic mix, conversion moved by {100 * adjusted_change(ctx):+.2f} "
            f"points after the launch. Would you keep a change that does worse like for like?")


EXERCISES = [
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
        hints=(
            "Conversion is the share of sessions with `purchase` True; compute it for each period.",
            "Relative change = after / before - 1.",
            "c = sessions.groupby('period')['purchase'].mean(); "
            "conversion_change = c['after'] / c['before'] - 1",
        ),
        minutes=3,
    ),
    Exercise(
        name="main_driver",
        question="Which driver moved revenue most: 'visitors', 'conversion' or 'order_value'?",
        expected=main_driver,
        grade=choice(DRIVERS, mistakes={
            "visitors": "Look at the visitors bar in the waterfall: how big is it next to the others?",
            "order_value": "Order value moved, but compare the size of its contribution with the "
                           "other bars.",
            "conversion": "Compare the contributions in `tree.to_frame()` again.",
        }),
        hints=(
            "The decomposition's contributions add up to the change in revenue; the largest in "
            "size (ignoring sign) is the main driver.",
            "`tree.to_frame()['contribution']` lists them; `tree.main_driver` names the winner.",
            "main_driver = tree.main_driver",
        ),
        minutes=2,
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
        hints=(
            "The new checkout can only affect sessions that reached checkout: that is the "
            "denominator.",
            "Filter to `period == 'after'`, then divide purchases by checkouts.",
            "after = sessions[sessions['period'] == 'after']; "
            "checkout_completion = after['purchase'].sum() / after['checkout'].sum()",
        ),
        minutes=3,
    ),
    Exercise(
        name="social_share",
        question="The share of after-launch sessions that came from social media (a fraction).",
        expected=social_share_after,
        grade=number(rel_tol=1e-3, mistakes=[
            (social_share_before, "That is the share before the launch; filter to 'after'."),
            (social_share_of_all, "That covers both periods; filter to 'after'."),
        ]),
        hints=(
            "The `source` column says where each session came from.",
            "Comparing a column with 'social' gives True/False; its mean is the share.",
            "after = sessions[sessions['period'] == 'after']; "
            "social_share = (after['source'] == 'social').mean()",
        ),
        minutes=2,
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
        hints=(
            "`by_source` holds `adjusted_a` (before) and `adjusted_b` (after): both periods' "
            "source rates weighted by one shared mix.",
            "after minus before.",
            "adjusted_change = by_source.adjusted_b - by_source.adjusted_a",
        ),
        minutes=2,
    ),
    Exercise(
        name="redesign_call",
        question="'keep the redesign' or 'roll back the redesign', then a colon and your evidence.",
        expected=redesign_call,
        grade=decision(
            ["keep the redesign", "roll back the redesign"], redesign_facts,
            questions={"roll back the redesign": _roll_back_question,
                       "keep the redesign": _keep_question},
        ),
        hints=(
            "The headline fell, but the checkout team controls the checkout, not the traffic mix.",
            "Compare `by_source.adjusted_a` and `by_source.adjusted_b`: which way did conversion "
            "move at an unchanged mix?",
            "Write the call, a colon, then the like-for-like change with its number and what moved "
            "the headline: f\"<call>: at an unchanged traffic mix conversion moved "
            "{100 * moved:+.2f} points; social traffic ...\"",
        ),
        minutes=4,
    ),
]
