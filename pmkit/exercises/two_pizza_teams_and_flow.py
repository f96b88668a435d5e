"""Exercises for lesson 13_two_pizza_teams_and_flow: team size, flow and forecasts.

The scenario constants below are imported by the lesson, so the story and the
checker always talk about the same team, backlog and dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmkit import agile
from pmkit.exercises.engine import Context, Exercise, choice, decision, number
from pmkit.exercises.evidence import Evidence, Fact

#: The team whose launch the lesson plans, and its remaining backlog.
TEAM = "Checkout"
BACKLOG_ITEMS = 30
PLAN_START = "2026-01-05"  # the Monday after the delivery history ends
LAUNCH_DATE = "2026-03-30"
CONFIDENCE = 0.85

#: The team whose flow the lesson measures, the window it is measured over, and a WIP limit.
FLOW_TEAM = "Platform"
FLOW_WINDOW = ("2024-03-04", "2025-11-30")  # ends weeks before the data, so open items don't skew it
WIP_LIMIT = 4

#: The backlog cut into three slices of ten items, most valuable first (USD a week once live).
SLICE_ITEMS = (10, 10, 10)
SLICE_VALUE = (6_000.0, 2_500.0, 1_500.0)
VALUE_HORIZON_WEEKS = 26


# ------------------------------------------------------------------ shared numbers


def history(ctx: Context) -> np.ndarray:
    return ctx.cached("history", lambda: agile.team_throughput(ctx.load("throughput"), TEAM))


def launch_weeks() -> int:
    return agile.weeks_between(PLAN_START, LAUNCH_DATE)


def when(ctx: Context) -> agile.WhenForecast:
    return ctx.cached("when", lambda: agile.forecast_when(
        history(ctx), BACKLOG_ITEMS, seed=ctx.seed or 0, start=PLAN_START))


def how_many(ctx: Context) -> agile.HowManyForecast:
    return ctx.cached("how_many", lambda: agile.forecast_how_many(
        history(ctx), launch_weeks(), seed=ctx.seed or 0))


def per_person(ctx: Context) -> pd.Series:
    """Average items finished per person per week, by team."""
    table = ctx.load("throughput")
    totals = table.groupby("team").agg(items=("items_done", "mean"), size=("team_size", "first"))
    return totals["items"] / totals["size"]


def flow(ctx: Context) -> agile.Flow:
    return ctx.cached("flow", lambda: agile.flow_from_items(
        ctx.load("work_items"), window=FLOW_WINDOW, team=FLOW_TEAM))


def slices(ctx: Context) -> agile.IncrementalDelivery:
    pace = float(history(ctx).mean())
    return agile.incremental_delivery(
        SLICE_VALUE, [items / pace for items in SLICE_ITEMS], VALUE_HORIZON_WEEKS)


# ------------------------------------------------------------------ expected answers


def most_per_person(ctx: Context) -> str:
    return str(per_person(ctx).idxmax())


def most_in_total(ctx: Context) -> str:
    return str(ctx.load("throughput").groupby("team")["items_done"].mean().idxmax())


def _total_not_per_person(ctx: Context) -> str:
    return (f"{most_in_total(ctx)} finishes the most items in total, but it also has the most "
            "people; divide each team's weekly average by its team_size first.")


def limited_cycle_days(ctx: Context) -> float:
    return agile.littles_law(wip=WIP_LIMIT, throughput=flow(ctx).throughput).cycle_time * 7


def limited_cycle_weeks(ctx: Context) -> float:
    return limited_cycle_days(ctx) / 7


def current_cycle_days(ctx: Context) -> float:
    return flow(ctx).cycle_time * 7


def wip_times_throughput(ctx: Context) -> float:
    return WIP_LIMIT * flow(ctx).throughput


def promise_weeks(ctx: Context) -> int:
    return when(ctx).weeks_for(CONFIDENCE)


def optimistic_weeks(ctx: Context) -> int:
    """Reading the wrong end: the week only 15% of futures beat."""
    return when(ctx).weeks_for(1 - CONFIDENCE)


def coin_flip_weeks(ctx: Context) -> int:
    return when(ctx).weeks_for(0.5)


def average_pace_weeks(ctx: Context) -> float:
    return BACKLOG_ITEMS / float(history(ctx).mean())


def promise_items(ctx: Context) -> float:
    return how_many(ctx).items_for(CONFIDENCE)


def optimistic_items(ctx: Context) -> float:
    return how_many(ctx).items_for(1 - CONFIDENCE)


def coin_flip_items(ctx: Context) -> float:
    return how_many(ctx).items_for(0.5)


def average_pace_items(ctx: Context) -> float:
    return float(history(ctx).mean()) * launch_weeks()


def chance_all_by_launch(ctx: Context) -> float:
    return how_many(ctx).chance_of_at_least(BACKLOG_ITEMS)


def launch_facts(ctx: Context) -> Evidence:
    """The forecast: the chance of finishing everything, and what is 85% sure."""
    chance = chance_all_by_launch(ctx)
    # A launch promise should be one the team keeps in at least 85% of futures.
    call = "promise the full scope" if chance >= CONFIDENCE else "cut the scope"
    return Evidence(call, (
        Fact("chance of finishing", chance, change=False, require="number", versus=CONFIDENCE,
             synonyms=("futures", "simulated futures", "chance", "odds", "probability",
                       "finish all", "finish every")),
        Fact("items we are sure of", promise_items(ctx), "count", change=False,
             synonyms=("sure of", "confident of", "items"), also=(coin_flip_items(ctx),)),
    ), rule=f"promise only what holds in at least {CONFIDENCE:.0%} of simulated futures",
        given=(100 * CONFIDENCE, CONFIDENCE, float(BACKLOG_ITEMS)))


def launch_call(ctx: Context) -> str:
    return launch_facts(ctx).call


def slice_plan(ctx: Context) -> agile.IncrementalDelivery:
    """The worked example: slices built most valuable first, each shipped when done."""
    return slices(ctx)


def reversed_slices(ctx: Context) -> agile.IncrementalDelivery:
    pace = float(history(ctx).mean())
    return agile.incremental_delivery(
        SLICE_VALUE[::-1], [items / pace for items in SLICE_ITEMS[::-1]], VALUE_HORIZON_WEEKS)


def order_gain(ctx: Context) -> float:
    return slices(ctx).incremental_value - reversed_slices(ctx).incremental_value


def slices_vs_big_bang(ctx: Context) -> float:
    result = slices(ctx)
    return result.incremental_value - result.big_bang_value


def reversed_vs_big_bang(ctx: Context) -> float:
    result = reversed_slices(ctx)
    return result.incremental_value - result.big_bang_value


def reversed_total(ctx: Context) -> float:
    return reversed_slices(ctx).incremental_value


EXERCISES = [
    Exercise(
        name="per_person_team",
        question="The team that finishes the most items per person per week (its name).",
        expected=most_per_person,
        grade=choice(
            ["Checkout", "Search", "Catalogue", "Payments", "Logistics", "Platform"],
            mistakes={team: _total_not_per_person for team in ("Platform", "Logistics", "Payments")},
        ),
        hints=(
            "Each row of `throughput` is one team-week; `team_size` is constant within a team.",
            "Group by team: mean of `items_done`, divided by the team's `team_size`.",
            "per_person = throughput.groupby('team')['items_done'].mean() / "
            "throughput.groupby('team')['team_size'].first(); per_person_team = per_person.idxmax()",
        ),
        minutes=4,
    ),
    Exercise(
        name="limited_cycle_days",
        question=f"Average cycle time in days if {FLOW_TEAM} held {WIP_LIMIT} items in progress "
                 "at today's throughput.",
        expected=limited_cycle_days,
        grade=number(rel_tol=1e-3, unit=" days", mistakes=[
            (limited_cycle_weeks, "That is in weeks; the question asks for days (x 7)."),
            (current_cycle_days, "That is today's cycle time; use the WIP limit as the new WIP."),
            (wip_times_throughput, "Little's law divides: cycle time = WIP / throughput."),
        ]),
        hints=(
            "Little's law: average cycle time = average WIP / throughput.",
            "`flow.throughput` is in items per week, so WIP_LIMIT / flow.throughput is in weeks.",
            "limited_cycle_days = agile.littles_law(wip=WIP_LIMIT, "
            "throughput=flow.throughput).cycle_time * 7",
        ),
        minutes=4,
    ),
    Exercise(
        name="promise_weeks",
        question=f"The number of weeks within which you are {CONFIDENCE:.0%} sure all "
                 f"{BACKLOG_ITEMS} items are done.",
        expected=promise_weeks,
        grade=number(rel_tol=1e-9, unit=" weeks", mistakes=[
            (optimistic_weeks, f"That is the date only {1 - CONFIDENCE:.0%} of futures beat: the "
                               "optimistic end. Being 85% sure means only 15% finish later."),
            (coin_flip_weeks, "That is the median: a coin flip, not an 85% promise."),
            (average_pace_weeks, "Dividing by the average pace gives a coin-flip date at best; "
                                 "use the forecast's weeks_for(0.85)."),
        ]),
        hints=(
            "Forecast from the team's history with `agile.forecast_when(history, BACKLOG_ITEMS, "
            "seed=seed, start=PLAN_START)`.",
            "More confidence means a later date: read the upper end of the distribution.",
            "promise_weeks = agile.forecast_when(history, BACKLOG_ITEMS, seed=seed, "
            "start=PLAN_START).weeks_for(0.85)",
        ),
        minutes=4,
    ),
    Exercise(
        name="promise_items",
        question=f"The number of items you are {CONFIDENCE:.0%} sure of finishing by {LAUNCH_DATE}.",
        expected=promise_items,
        grade=number(rel_tol=1e-9, unit=" items", mistakes=[
            (optimistic_items, "That many items arrive in only 15% of futures: the optimistic end. "
                               "85% sure of at least X means only 15% deliver fewer."),
            (coin_flip_items, "That is the median: a coin flip, not an 85% promise."),
            (average_pace_items, "Average pace x weeks is a coin flip at best; use items_for(0.85)."),
        ]),
        hints=(
            "Turn the launch date into weeks with `agile.weeks_between(PLAN_START, LAUNCH_DATE)`.",
            "More confidence means fewer items promised: read the lower end of the distribution.",
            "promise_items = agile.forecast_how_many(history, agile.weeks_between(PLAN_START, "
            "LAUNCH_DATE), seed=seed).items_for(0.85)",
        ),
        minutes=4,
    ),
    Exercise(
        name="launch_call",
        question="'promise the full scope' or 'cut the scope', then a colon and your evidence.",
        expected=launch_call,
        grade=decision(
            ["promise the full scope", "cut the scope"], launch_facts,
            questions={
                "promise the full scope": lambda ctx: (
                    f"Only {chance_all_by_launch(ctx):.0%} of simulated futures finish all "
                    f"{BACKLOG_ITEMS} items by launch. Would you stake a marketing campaign on "
                    "odds like that?"),
                "cut the scope": lambda ctx: (
                    f"{chance_all_by_launch(ctx):.0%} of simulated futures finish all "
                    f"{BACKLOG_ITEMS} items by launch. What would cutting scope buy the customer?"),
            },
        ),
        hints=(
            "What would a launch promise need to be true in most futures, not just on average? "
            f"The team promises only what holds in at least {CONFIDENCE:.0%} of them.",
            "Compare `how_many.chance_of_at_least(BACKLOG_ITEMS)` with 0.85, or compare "
            "`how_many.items_for(0.85)` with BACKLOG_ITEMS.",
            "Write the call, a colon, then the forecast's numbers: f\"<call>: {chance_all:.0%} of "
            "simulated futures finish all 30 items by launch; we are 85% sure of <items>\".",
        ),
        minutes=4,
    ),
    Exercise(
        name="order_gain",
        question=f"Extra value (USD) earned by week {VALUE_HORIZON_WEEKS} by building the most "
                 "valuable slice first rather than last (slices shipped as they are done).",
        expected=order_gain,
        grade=number(rel_tol=1e-3, unit=" USD", mistakes=[
            (slices_vs_big_bang, "That compares slices with one big release; this question "
                                 "compares two orders of the same slices."),
            (reversed_vs_big_bang, "That is what the reversed order gains over one big release; "
                                   "compare it with the most-valuable-first plan instead."),
            (reversed_total, "That is the total of the reversed order; subtract it from the "
                             "most-valuable-first total."),
        ]),
        hints=(
            "Reverse both lists together: the values and the build weeks of each slice.",
            "`agile.incremental_delivery(SLICE_VALUE[::-1], build_weeks[::-1], "
            "VALUE_HORIZON_WEEKS).incremental_value` is the reversed plan's total.",
            "order_gain = plan.incremental_value - agile.incremental_delivery(SLICE_VALUE[::-1], "
            "build_weeks[::-1], VALUE_HORIZON_WEEKS).incremental_value",
        ),
        minutes=4,
    ),
]
