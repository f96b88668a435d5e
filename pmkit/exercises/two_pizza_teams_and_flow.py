"""Exercises for lesson 13_two_pizza_teams_and_flow: team size, flow and forecasts.

The scenario constants below are imported by the lesson, so the story and the
checker always talk about the same team, backlog and dates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit import agile
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, items, ladder, number
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
WIP_LIMIT = 3

#: The team the head of product would fold the small team into.
MERGE_INTO = "Platform"
#: A worked example's smaller backlog: the first milestone of the launch.
MILESTONE_ITEMS = 12

#: The Express checkout backlog in slices: cost of delay (USD a week lost while it is not live)
#: and the weeks the team needs to build it.
SLICES = {
    "saved-basket one-tap pay": (6_000.0, 6.0),
    "address autofill": (2_500.0, 1.0),
    "wallet payments": (4_500.0, 2.5),
    "order-again button": (1_400.0, 0.5),
    "guest checkout": (3_000.0, 2.0),
}

#: Warm-up: an A/B test's result (lesson 09) and a peeking habit (lesson 10).
TEST_ESTIMATE, TEST_CI = 0.003, (-0.004, 0.010)
INTERVAL_OPTIONS = ("the change had no effect", "the effect is not shown either way",
                    "the change raised conversion")
PEEKING_OPTIONS = ("about 5% of the time", "well above 5% of the time", "less than 5% of the time")


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


def teams(ctx: Context) -> pd.DataFrame:
    """People and average items a week, per team."""
    table = ctx.load("throughput")
    return table.groupby("team").agg(people=("team_size", "first"), items=("items_done", "mean"))


def per_person(ctx: Context) -> pd.Series:
    """Average items finished per person per week, by team."""
    t = teams(ctx)
    return t["items"] / t["people"]


def flow(ctx: Context) -> agile.Flow:
    return ctx.cached("flow", lambda: agile.flow_from_items(
        ctx.load("work_items"), window=FLOW_WINDOW, team=FLOW_TEAM))


# ------------------------------------------------------------------ warm-up


def _no_effect(ctx: Context) -> str:
    return (f"The interval runs from {100 * TEST_CI[0]:+.1f} to {100 * TEST_CI[1]:+.1f} points: it "
            "includes zero, but also lifts that would matter. It shows the test could not tell, "
            "not that nothing happened.")


def _raised(ctx: Context) -> str:
    return ("The estimate is positive, but the interval includes zero and drops: the data cannot "
            "say which way conversion moved.")


# ------------------------------------------------------------------ expected answers


def most_per_person(ctx: Context) -> str:
    return str(per_person(ctx).idxmax())


def most_in_total(ctx: Context) -> str:
    return str(ctx.load("throughput").groupby("team")["items_done"].mean().idxmax())


def _total_not_per_person(ctx: Context) -> str:
    return (f"{most_in_total(ctx)} finishes the most items in total, but it also has the most "
            "people; divide each team's weekly average by its team_size first.")


def merged_size(ctx: Context) -> int:
    t = teams(ctx)
    return int(t.loc[TEAM, "people"] + t.loc[MERGE_INTO, "people"])


def size_fit(ctx: Context) -> tuple[float, float]:
    """(slope, intercept) of log(items per person) against people − 1, over the six teams."""
    t = teams(ctx)
    slope, intercept = np.polyfit(t["people"] - 1, np.log(per_person(ctx)), 1)
    return float(slope), float(intercept)


def merged_rate(ctx: Context) -> float:
    """Items a week a merged team would finish, from the fitted fall in output per person."""
    slope, intercept = size_fit(ctx)
    n = merged_size(ctx)
    return float(n * np.exp(intercept + slope * (n - 1)))


def merged_rate_no_decline(ctx: Context) -> float:
    return float(per_person(ctx)[TEAM] * merged_size(ctx))


def merged_rate_big_team_pace(ctx: Context) -> float:
    return float(per_person(ctx)[MERGE_INTO] * merged_size(ctx))


def apart_rate(ctx: Context) -> float:
    t = teams(ctx)
    return float(t.loc[TEAM, "items"] + t.loc[MERGE_INTO, "items"])


def merger_facts(ctx: Context) -> Evidence:
    """The merged team's predicted output against the two teams apart, and the conversations."""
    merged, apart = merged_rate(ctx), apart_rate(ctx)
    t = teams(ctx)
    small, big = int(t.loc[TEAM, "people"]), int(t.loc[MERGE_INTO, "people"])
    n = merged_size(ctx)
    # More people look faster than the big team alone; the comparison that matters is with
    # both teams as they are.
    call = "keep the teams apart" if merged < apart else "merge the teams"
    return Evidence(call, (
        Fact("merged team", merged, "number", change=False, require="number", versus=apart,
             synonyms=("merged", "one team", "merger", "one merged team"),
             also=(float(t.loc[MERGE_INTO, "items"]),)),
        Fact("teams apart", apart, "number", change=False, require="number",
             synonyms=("apart", "two teams", "kept apart", "separate teams", "both teams")),
        Fact("conversations", agile.communication_paths(n), "count", change=False,
             synonyms=("conversations", "communication paths", "paths"),
             also=(agile.communication_paths(small) + agile.communication_paths(big),
                   agile.communication_paths(small), agile.communication_paths(big))),
    ), rule="merge only if the merged team is predicted to finish more than both teams apart",
        given=(float(n), float(small), float(big)))


def merger_call(ctx: Context) -> str:
    return merger_facts(ctx).call


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


def _order(key: Any) -> list[str]:
    return sorted(SLICES, key=key)


def wsjf_order(ctx: Context) -> list[str]:
    """Cost of delay per week of work, highest first (Smith's rule)."""
    return _order(lambda s: -SLICES[s][0] / SLICES[s][1])


def value_order(ctx: Context) -> list[str]:
    return _order(lambda s: -SLICES[s][0])


def shortest_order(ctx: Context) -> list[str]:
    return _order(lambda s: SLICES[s][1])


_in_order = items(ordered=True)


def _grade_order(answer: Any, expected: Any, ctx: Context) -> Verdict:
    given = list(answer) if isinstance(answer, list | tuple) else answer
    if isinstance(given, list) and [str(g) for g in given] != list(expected):
        if [str(g) for g in given] == value_order(ctx):
            return Verdict(False, "That orders the slices by value alone: the biggest one then "
                                  "holds every other slice back for its whole build. Divide each "
                                  "cost of delay by the slice's weeks of work first.")
        if [str(g) for g in given] == shortest_order(ctx):
            return Verdict(False, "That is shortest job first: it ignores how much each week of "
                                  "waiting costs. Divide each cost of delay by its weeks of work.")
    return _in_order(answer, expected, ctx)


_grade_order.mistakes = ("ordering by value alone", "ordering by size alone")  # type: ignore[attr-defined]


EXERCISES = [
    Exercise(
        name="interval_reading",
        question=f"An A/B test moved conversion by {100 * TEST_ESTIMATE:+.1f} points, 95% CI "
                 f"{100 * TEST_CI[0]:+.1f} to {100 * TEST_CI[1]:+.1f}. Which reading is right?",
        expected=lambda ctx: INTERVAL_OPTIONS[1],
        grade=choice(INTERVAL_OPTIONS, mistakes={INTERVAL_OPTIONS[0]: _no_effect,
                                                 INTERVAL_OPTIONS[2]: _raised}),
        hints=ladder(
            "An interval is the range of effects the data cannot rule out; when it includes zero "
            "and also changes that would matter, the test has not decided either way.",
            "Look at both ends of `TEST_CI`: one is below zero, one above. Which option says "
            "the test could not tell?",
            'interval_reading = "the effect is ___ either way"',
            'interval_reading = "the effect is not shown either way"',
        ),
        minutes=2, level="understand", recalls="09",
    ),
    Exercise(
        name="peeking_rate",
        question="A team checks an A/B test every day for a month and stops the first day p < 0.05. "
                 "If nothing really changed, how often does it declare a winner?",
        expected=lambda ctx: PEEKING_OPTIONS[1],
        grade=choice(PEEKING_OPTIONS, mistakes={
            PEEKING_OPTIONS[0]: "5% is the error rate of ONE look at the end. Every extra look is "
                                "another chance for noise to cross the line, and the team stops "
                                "at the first crossing.",
            PEEKING_OPTIONS[2]: "Looking more often can only add chances to stop on noise, never "
                                "remove them."}),
        hints=ladder(
            "Each look at a test that has not changed is another draw that can cross the "
            "threshold by chance; stopping at the first crossing keeps all those chances.",
            "Compare one look at the end (5% false winners by design) with thirty looks, any one "
            "of which can end the test.",
            'peeking_rate = "___ 5% of the time"',
            'peeking_rate = "well above 5% of the time"',
        ),
        minutes=2, level="understand", recalls="10",
    ),
    Exercise(
        name="per_person_team",
        question="The team that finishes the most items per person per week (its name).",
        expected=most_per_person,
        grade=choice(
            ["Checkout", "Search", "Catalogue", "Payments", "Logistics", "Platform"],
            mistakes={team: _total_not_per_person for team in ("Platform", "Logistics", "Payments")},
        ),
        hints=ladder(
            "A bigger team finishes more in total; to compare how productive each person is, "
            "divide a team's output by its headcount.",
            "In the `teams` table, divide `items_per_week` by `people`, then take `.idxmax()` "
            "to get the team's name.",
            'per_person_team = (teams["___"] / teams["___"]).idxmax()',
            'per_person_team = (teams["items_per_week"] / teams["people"]).idxmax()',
        ),
        minutes=3,
    ),
    Exercise(
        name="merged_rate",
        question=f"Items a week a merged team ({TEAM} + {MERGE_INTO}) would finish, predicted from "
                 "how output per person falls with team size across the six teams.",
        expected=merged_rate,
        grade=number(rel_tol=2e-3, unit=" items", mistakes=[
            (merged_rate_no_decline, f"That assumes every person keeps {TEAM}'s pace; output per "
                                     "person falls as teams grow, so fit the decline first."),
            (merged_rate_big_team_pace, f"That uses {MERGE_INTO}'s pace per person; a team of 18 is "
                                        "bigger still, so its people are slower again: "
                                        "extrapolate the fitted decline."),
            (apart_rate, "That is what the two teams finish apart; the question asks what one "
                         "merged team would finish."),
        ]),
        hints=ladder(
            "Each extra person adds conversations, so output per person falls as a team grows; "
            "measure how fast it falls across the six teams, then extend that pattern to a team "
            "of the merged size.",
            "Fit a straight line through log(items per person) against people − 1 with "
            "`np.polyfit(x, y, 1)`, which returns the slope and intercept. The merged team's per-"
            "person output is `np.exp(intercept + slope * (n - 1))`; multiply by n.",
            'per_person = teams["items_per_week"] / teams["people"]\n'
            'slope, intercept = np.polyfit(teams["people"] - 1, np.log(___), 1)\n'
            'n = merged_people\n'
            'merged_rate = n * np.exp(___ + ___ * (n - 1))',
            'per_person = teams["items_per_week"] / teams["people"]\n'
            'slope, intercept = np.polyfit(teams["people"] - 1, np.log(per_person), 1)\n'
            'n = merged_people\n'
            'merged_rate = n * np.exp(intercept + slope * (n - 1))',
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="merger_call",
        question="'merge the teams' or 'keep the teams apart', then a colon and your evidence.",
        expected=merger_call,
        grade=decision(
            ["merge the teams", "keep the teams apart"], merger_facts,
            questions={
                "merge the teams": lambda ctx: (
                    f"Counting heads, {merged_size(ctx)} people look faster, but the fitted "
                    f"team-size curve predicts {merged_rate(ctx):.1f} items a week against "
                    f"{apart_rate(ctx):.1f} for the two teams as they are. Which comparison does "
                    "the launch depend on?"),
                "keep the teams apart": lambda ctx: (
                    f"The merged team is predicted to finish {merged_rate(ctx):.1f} items a week "
                    f"against {apart_rate(ctx):.1f} apart: what would keeping them apart cost?"),
            },
        ),
        hints=ladder(
            "More people look faster, but the question is whether one merged team beats the two "
            "teams it replaces, once every newcomer needs time to learn and every pair needs "
            "keeping informed.",
            "Compare `merged_rate` with the two teams' weekly items added up (`teams` table); "
            "add the conversations: `agile.communication_paths(n)` merged and apart.",
            'apart = teams.loc[TEAM, "items_per_week"] + teams.loc[MERGE_INTO, "items_per_week"]\n'
            'call = "keep the teams apart" if ___ < ___ else "merge the teams"\n'
            'merger_call = f"{call}: one merged team would finish {___:.1f} items a week, the two '
            'teams apart {___:.1f}"',
            'apart = teams.loc[TEAM, "items_per_week"] + teams.loc[MERGE_INTO, "items_per_week"]\n'
            'call = "keep the teams apart" if merged_rate < apart else "merge the teams"\n'
            'merger_call = (f"{call}: one merged team would finish {merged_rate:.1f} items a week, "\n'
            '               f"the two teams apart {apart:.1f}")',
        ),
        minutes=5, level="evaluate",
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
        hints=ladder(
            "With the same pace of finishing, fewer items open at once means each one waits less: "
            "cycle time is work in progress divided by throughput.",
            "`agile.littles_law(wip=..., throughput=flow.throughput)` solves for the cycle time "
            "in weeks; multiply by 7 for days.",
            'limited = agile.littles_law(wip=___, throughput=flow.throughput)\n'
            'limited_cycle_days = limited.cycle_time * ___',
            'limited = agile.littles_law(wip=WIP_LIMIT, throughput=flow.throughput)\n'
            'limited_cycle_days = limited.cycle_time * 7',
        ),
        minutes=3,
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
        hints=ladder(
            "A promise you keep 85 times in 100 sits late in the spread of possible finishing "
            "weeks: only 15% of futures may finish after it.",
            "Forecast the whole backlog as the worked example did for the milestone, with "
            "`BACKLOG_ITEMS` instead of `MILESTONE_ITEMS`, then read `.weeks_for(0.85)`.",
            'promise_weeks = agile.forecast_when(history, ___, seed=seed, start=PLAN_START).weeks_for(___)',
            'promise_weeks = agile.forecast_when(history, BACKLOG_ITEMS, seed=seed, '
            'start=PLAN_START).weeks_for(0.85)',
        ),
        minutes=3,
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
        hints=ladder(
            "With the date fixed, the promise is a number of items, and a safe one sits low in "
            "the spread: 85% of futures deliver at least that many.",
            "`agile.forecast_how_many(history, launch_weeks, seed=seed)` simulates the weeks up "
            "to launch; read `.items_for(0.85)`.",
            'promise_items = agile.forecast_how_many(history, ___, seed=seed).items_for(___)',
            'promise_items = agile.forecast_how_many(history, launch_weeks, seed=seed).items_for(0.85)',
        ),
        minutes=3,
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
        hints=ladder(
            "A launch promise has to hold in most futures, not on average: the team promises "
            "only what happens in at least 85% of them.",
            "Compare `how_many.chance_of_at_least(BACKLOG_ITEMS)` with 0.85, and quote "
            "`how_many.items_for(0.85)`, the scope that is safe.",
            'call = "promise the full scope" if chance_all >= ___ else "cut the scope"\n'
            'launch_call = f"{call}: only {___:.0%} of simulated futures finish all 30 items by launch"',
            'call = "promise the full scope" if chance_all >= 0.85 else "cut the scope"\n'
            'launch_call = (f"{call}: {chance_all:.0%} of simulated futures finish all "\n'
            '               f"{BACKLOG_ITEMS} items by launch; we are 85% sure of "\n'
            '               f"{how_many.items_for(0.85)} items")',
        ),
        minutes=4, level="evaluate",
    ),
    Exercise(
        name="wsjf_order",
        question="The slices of SLICES in the order that loses the least value to waiting "
                 "(weighted shortest job first), as a list of names.",
        expected=wsjf_order,
        grade=_grade_order,
        hints=ladder(
            "Every week a slice is not live costs its cost of delay, and a slice also makes "
            "everything behind it wait: do first what saves the most value per week of work.",
            "For each slice divide its cost of delay by its weeks, then sort the names from the "
            "highest ratio down (`sorted(SLICES, key=...)`, or `agile.wsjf(...).to_frame()`).",
            'wsjf_order = sorted(SLICES, key=lambda name: -SLICES[name][___] / SLICES[name][___])',
            'wsjf_order = sorted(SLICES, key=lambda name: -SLICES[name][0] / SLICES[name][1])',
        ),
        minutes=4,
    ),
]
