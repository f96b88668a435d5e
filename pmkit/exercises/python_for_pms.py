"""Exercises for lesson 01_python_for_pms: just enough pandas to answer a PM's questions.

Dana needs three numbers for Monday's review: how often the worst region breaks the delivery
promise, how many orders that is, and one sentence she can paste into the review. Each exercise
practises one move (a table's size, a filter, a group, ``.loc``, an f-string, a pmkit result)
on Basketly's own ``orders``, ``customers`` and ``nps`` tables.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from pmkit.display import safe_repr
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact, numbers

REGIONS = ("North", "South", "East", "West", "Central")
EXAMPLE_REGION = "North"  # the worked example's region (never an exercise's answer)
ASKED_REGION = "South"  # the filter exercise's region
FOCUS_REGION = "West"  # the region Dana reports on
NPS_YEAR = 2025  # the exercise's survey year; the worked example reads 2023
# Amara's rule of thumb: a region holding over one and a half times its share of the orders
# among the late ones is where a fix reaches most late orders per unit of effort.
FOCUS_FACTOR = 1.5
FIX_OPTIONS = ("fix the worst region first", "spread the fix evenly")


# ------------------------------------------------------------------- data ---


def orders_with_region(ctx: Context) -> pd.DataFrame:
    """Orders with each customer's region and a True/False ``late`` column, as the lesson builds them."""
    def build() -> pd.DataFrame:
        orders = ctx.load("orders").merge(ctx.load("customers")[["customer_id", "region"]],
                                          on="customer_id")
        orders["late"] = orders["actual_days"] > orders["promised_days"]
        return orders

    return ctx.cached("orders_with_region", build)


def _in(ctx: Context, region: str) -> pd.DataFrame:
    orders = orders_with_region(ctx)
    return orders[orders["region"] == region]


def customer_count(ctx: Context) -> int:
    return len(ctx.load("customers"))


def region_late_share(ctx: Context, region: str) -> float:
    return float(_in(ctx, region)["late"].mean())


def south_late_share(ctx: Context) -> float:
    return region_late_share(ctx, ASKED_REGION)


def south_at_or_after(ctx: Context) -> float:
    """The slip: counting an order that arrived exactly on the promised day as late."""
    south = _in(ctx, ASKED_REGION)
    return float((south["actual_days"] >= south["promised_days"]).mean())


def overall_late_share(ctx: Context) -> float:
    return float(orders_with_region(ctx)["late"].mean())


def late_by_region(ctx: Context) -> pd.Series:
    return orders_with_region(ctx).groupby("region")["late"].mean()


def worst_region(ctx: Context) -> str:
    return str(late_by_region(ctx).idxmax())


def west_late_orders(ctx: Context) -> int:
    return int(_in(ctx, FOCUS_REGION)["late"].sum())


def west_late_share(ctx: Context) -> float:
    return region_late_share(ctx, FOCUS_REGION)


def west_part_of_late(ctx: Context) -> float:
    """The West's part of all late orders: late West orders over late orders anywhere."""
    return west_late_orders(ctx) / float(orders_with_region(ctx)["late"].sum())


def west_part_of_orders(ctx: Context) -> float:
    return len(_in(ctx, FOCUS_REGION)) / len(orders_with_region(ctx))


def west_late_over_all_orders(ctx: Context) -> float:
    return west_late_orders(ctx) / len(orders_with_region(ctx))


def fix_first_evidence(ctx: Context) -> Evidence:
    """Where the delivery fix should start: the worst region's part of the late orders against
    its part of all orders (and how often its orders, and the next region's, are late)."""
    shares = late_by_region(ctx)
    worst = FOCUS_REGION  # the region Dana reports on (the worst on every seed the course uses)
    runner_up = shares.drop(worst).idxmax()
    orders = orders_with_region(ctx)
    in_worst = orders["region"] == worst
    part_late = float(orders.loc[in_worst, "late"].sum() / orders["late"].sum())
    part_orders = float(in_worst.mean())
    call = FIX_OPTIONS[0] if part_late > FOCUS_FACTOR * part_orders else FIX_OPTIONS[1]
    return Evidence(call, (
        Fact("part of late orders", part_late, change=False, require="number", versus=part_orders,
             synonyms=("of late orders", "of the late orders", "of all late orders", "late orders",
                       "of all the late orders")),
        Fact("part of orders", part_orders, change=False, require="number",
             synonyms=("of orders", "of all orders", "of the orders", "of its orders",
                       "of all the orders", "orders placed")),
        Fact("concentration", part_late / part_orders, "multiple", change=False,
             synonyms=("its share", "its fair share", "its part", "its share of orders",
                       "its share of the orders")),
        Fact("late share", float(shares[worst]), change=False,
             synonyms=(f"of {worst.lower()} orders", f"{worst.lower()} orders", "late share",
                       "arrive late", "arrived late", "are late", "were late")),
        Fact("next worst late share", float(shares[runner_up]), change=False,
             synonyms=("next worst", "next worst region", "second worst", "runner up",
                       f"in the {runner_up.lower()}")),
    ), rule=(f"{worst} holds {part_late:.1%} of late orders with {part_orders:.1%} of orders: "
             f"{'over' if call == FIX_OPTIONS[0] else 'not over'} {FOCUS_FACTOR} times its share, "
             f"so {call}"), given=(FOCUS_FACTOR,))


def fix_first_call(ctx: Context) -> str:
    return fix_first_evidence(ctx).call


def _spread_question(ctx: Context) -> str:
    ev = fix_first_evidence(ctx)
    late, share = ev.facts[0].estimate, ev.facts[1].estimate
    return (f"One region holds {late:.0%} of the late orders with {share:.0%} of the orders: would "
            "an even spread of the team's weeks reach the orders that are late?")


def _focus_question(ctx: Context) -> str:
    ev = fix_first_evidence(ctx)
    late, share = ev.facts[0].estimate, ev.facts[1].estimate
    return (f"The West holds {late:.0%} of the late orders with {share:.0%} of the orders: "
            "is that more than its fair share by the team's rule?")


def year_nps(ctx: Context, year: int) -> Any:
    from pmkit import customer

    def build() -> Any:
        survey = ctx.load("nps")
        return customer.nps(survey.loc[survey["date"].dt.year == year, "score"])

    return ctx.cached(("nps", year), build)


def nps_low(ctx: Context) -> float:
    return float(year_nps(ctx, NPS_YEAR).ci[0])


# ---------------------------------------------------------------- graders ---


def _as_series(answer: Any) -> pd.Series:
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        answer = answer.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        raise TypeError(f"got {type(answer).__name__}")
    return answer


def _series_close(answer: pd.Series, wanted: pd.Series) -> bool:
    if sorted(map(str, answer.index)) != sorted(map(str, wanted.index)):
        return False
    given = answer.rename(index=str).reindex([str(i) for i in wanted.index])
    try:
        values = given.to_numpy(dtype=float)
    except (TypeError, ValueError):
        return False
    return all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12) for a, b in zip(values, wanted, strict=True))


def _before(grader: Any, first: Any) -> Any:
    """``grader``, with ``first(answer, ctx)`` given the first word on shapes of answer
    that are no number at all (a pair, a column): it returns a message, or None to go on."""
    def grade(answer: Any, expected: Any, ctx: Context) -> Verdict:
        message = first(answer, ctx)
        return Verdict(False, message) if message else grader(answer, expected, ctx)

    grade.mistakes = (*getattr(grader, "mistakes", ()), *getattr(first, "mistakes", ()))  # type: ignore[attr-defined]
    return grade


def _pair(what: str, pick: str) -> Any:
    def first(answer: Any, ctx: Context) -> str | None:
        if isinstance(answer, tuple) and len(answer) == 2:
            return f"That is the pair {what}; this exercise wants one number from it: {pick}."
        return None

    first.mistakes = (f"the whole pair {what} instead of one of its numbers",)  # type: ignore[attr-defined]
    return first


def _column(summary: str) -> Any:
    def first(answer: Any, ctx: Context) -> str | None:
        if isinstance(answer, pd.Series | pd.DataFrame) and len(answer) > 1:
            if isinstance(answer, pd.Series) and answer.dtype == bool:
                return f"That is a whole column of True/False, one per order: summarise it with {summary}."
            if isinstance(answer, pd.Series) and len(answer) <= 10:
                return (f"That is {len(answer)} values, one per group; read the one you need with "
                        ".loc[label], or filter the rows before you summarise.")
            return (f"That is a table of {len(answer):,} rows; this exercise wants one number: pick "
                    f"the column and summarise it with {summary}.")
        return None

    first.mistakes = ("a column or table where one number is asked",)  # type: ignore[attr-defined]
    return first


def grade_by_region(answer: Any, expected: Any, ctx: Context) -> Verdict:
    """A Series of late shares indexed by region; names the usual slips of a first groupby."""
    if isinstance(answer, pd.DataFrame) and "late" in answer.columns and answer.shape[1] > 1:
        return Verdict(False, "That averages every column; pick the late column before the mean: "
                              "orders.groupby(\"region\")[\"late\"].mean().")
    try:
        given = _as_series(answer)
    except TypeError:
        return Verdict(False, f"Got {safe_repr(answer, 40)}; this exercise wants the Series that "
                              "`orders.groupby(...)[...].mean()` returns: one share per region.")
    if _series_close(given, expected):
        worst = expected.idxmax()
        return Verdict(True, f"Yes: one share per region, from {expected.min():.1%} to "
                             f"{expected.max():.1%} ({worst}).")
    orders = orders_with_region(ctx)
    grouped = orders.groupby("region")
    if _series_close(given, grouped["late"].sum()):
        return Verdict(False, "Those are counts of late orders: .sum() adds up the Trues. "
                              "The share is their average, .mean().")
    if _series_close(given, grouped.size()) or _series_close(given, grouped["late"].size()):
        return Verdict(False, "Those are numbers of orders per region (.size()); the share of late "
                              "ones is .mean() of the late column.")
    if _series_close(given, expected * 100):
        return Verdict(False, "Those look like percentages; keep the shares as fractions (0.25, "
                              "not 25): .mean() already gives fractions.")
    regions = {str(r) for r in expected.index}
    labels = {str(r) for r in given.index}
    if labels != regions:
        customers = ctx.load("customers")
        for column in ("segment", "channel", "is_member", "promised_days", "items"):
            table = orders if column in orders else customers
            if column in table and labels == {str(v) for v in table[column].unique()}:
                return Verdict(False, f"Your groups are the values of {column!r}, not regions: "
                                      "group by 'region'.")
        return Verdict(False, f"Your index is {', '.join(sorted(labels))[:80]}; it should be the "
                              f"regions: {', '.join(sorted(regions))}.")
    return Verdict(False, "One share per region, but not the late share: average the 'late' column "
                          "within each region.")


grade_by_region.mistakes = (  # type: ignore[attr-defined]
    ".sum() (counts of late orders) instead of .mean()",
    ".size() (orders per region) instead of the mean of late",
    "percentages instead of fractions",
    "grouping by another column than region",
)


def _region_message(region: str):
    def message(ctx: Context) -> str:
        shares = late_by_region(ctx)
        if region == shares.idxmin():
            return f"{region} is the most punctual region, not the worst: look for the highest share."
        return (f"{region} is late on {shares[region]:.1%} of orders; another region is later more "
                "often. Sort the shares with .sort_values() and read the top.")
    return message


def _shown_share(n: Any) -> tuple[float, float] | None:
    """A share as written: (value as a fraction, half the last digit) for '22.0%' or '0.22'."""
    if n.unit == "%":
        return n.value / 100, 0.5 * 10 ** (-n.decimals) / 100
    if n.unit == "" and 0 < abs(n.value) < 1:
        return n.value, 0.5 * 10 ** (-n.decimals)
    return None


def _cites(sentence: str, target: float) -> bool:
    for n in numbers(sentence):
        shown = _shown_share(n)
        if shown and abs(shown[0] - target) <= shown[1] + 1e-12 and len(n.text.strip("%+-. 0")) >= 2:
            return True
    return False


def grade_sentence(answer: Any, expected: Any, ctx: Context) -> Verdict:
    """A one-sentence message, graded on its number: it must cite the West's late share."""
    if not isinstance(answer, str):
        return Verdict(False, f"Got {safe_repr(answer, 40)}; build a sentence (a string), e.g. "
                              "f\"{share:.1%} of West orders arrived late\".")
    words = re.findall(r"[A-Za-z]+", answer)
    if len(words) < 4:
        return Verdict(False, "Write a sentence a reader understands without the notebook: the "
                              "number, what it measures and which region (four words or more).")
    if not numbers(answer):
        return Verdict(False, "Your sentence has no number in it: put the share inside the braces "
                              "of an f-string, f\"{share:.1%} ...\".")
    if not re.search(rf"\b{FOCUS_REGION}\b", answer, re.I):
        return Verdict(False, f"Say which region the number is about: the sentence should name the "
                              f"{FOCUS_REGION}.")
    target = float(expected)
    if _cites(answer, target):
        return Verdict(True, f"Yes: the number in your sentence matches the data ({target:.1%}).")
    for n in numbers(answer):
        if n.unit == "%" and abs(n.value - target) <= 0.5 * 10 ** (-n.decimals) + 1e-12:
            return Verdict(False, f"{n.text} is the fraction with a percent sign glued on: "
                                  "{share:.1%} multiplies by 100 for you; {share:.1f}% does not.")
    wrong = [(overall_late_share(ctx), "the late share of every region together"),
             (south_late_share(ctx), "the South's late share"),
             (west_part_of_late(ctx), "the West's part of all late orders")]
    for value, what in wrong:
        if _cites(answer, value):
            return Verdict(False, f"That number is {what}; Dana's sentence is about how often a West "
                                  "order is late.")
    count = west_late_orders(ctx)
    if any(n.unit == "" and n.value == count for n in numbers(answer)):
        return Verdict(False, f"{count:,} is how many West orders were late; the sentence should say "
                              "how often: the share of West orders, with :.1%.")
    cited = ", ".join(n.text for n in numbers(answer))
    return Verdict(False, f"{cited} does not match the West's late share in the data: compute the "
                          "share first and put the variable in the braces, not a typed number.")


grade_sentence.mistakes = (  # type: ignore[attr-defined]
    "a fraction printed with a percent sign ({share:.1f}%)",
    "the overall late share instead of the West's",
    "the South's late share",
    "the West's part of all late orders",
    "the count of late West orders instead of their share",
    "no number, or no region named",
)


# -------------------------------------------------------------- exercises ---

def _other_regions() -> list[tuple[Any, str]]:
    return [((lambda ctx, r=r: region_late_share(ctx, r)),
             f"That is the {r} late share: keep only the rows where region == \"{ASKED_REGION}\".")
            for r in REGIONS if r != ASKED_REGION]


EXERCISES = [
    Exercise(
        name="n_customers",
        question="How many customers Basketly has: the number of rows of `customers` (a whole number).",
        expected=customer_count,
        grade=_before(number(rel_tol=0, abs_tol=0.5, mistakes=[
            (lambda ctx: ctx.load("customers").shape[1], "That is the number of columns; a table's "
             "shape is (rows, columns) and rows come first."),
            (lambda ctx: len(ctx.load("orders")), "That counts orders; the question is about the "
             "customers table."),
        ]), _pair("(rows, columns)", "the rows come first, [0], or use len(...)")),
        hints=ladder(
            "Each customer is one row of the customers table, so counting customers is counting rows.",
            "`len(table)` counts rows; `table.shape` gives (rows, columns).",
            "n_customers = len(___)",
            "n_customers = len(customers)",
        ),
        minutes=2,
        level="remember",
    ),
    Exercise(
        name="south_late_share",
        question="The share of South orders delivered later than promised, as a fraction between 0 and 1.",
        expected=south_late_share,
        grade=_before(number(rel_tol=1e-4, mistakes=[
            (south_at_or_after, "Arriving exactly on the promised day is on time: late means "
             "actual_days > promised_days, not >=."),
            (overall_late_share, "That is the late share of every region: keep only the South's "
             "rows first."),
            *_other_regions(),
        ]), _column(".mean()")),
        hints=ladder(
            "Keep only the orders from the South, then ask what fraction of those arrived late. "
            "An average of yes/no answers is the share of yeses.",
            "Filter with `orders[orders[\"region\"] == \"South\"]`, then take the `.mean()` of its "
            "`late` column (True counts as 1, False as 0).",
            "south = orders[orders[\"region\"] == ___]\nsouth_late_share = south[___].mean()",
            "south = orders[orders[\"region\"] == \"South\"]\nsouth_late_share = south[\"late\"].mean()",
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="late_by_region",
        question="The late share of every region at once: a Series indexed by region (one groupby).",
        expected=late_by_region,
        grade=grade_by_region,
        hints=ladder(
            "Do the South calculation for every region at once: split the orders by region and "
            "average the late flag inside each group.",
            "`orders.groupby(\"region\")` splits the rows; pick the `late` column and call `.mean()` "
            "(not `.sum()`, which counts).",
            "late_by_region = orders.groupby(___)[___].mean()",
            "late_by_region = orders.groupby(\"region\")[\"late\"].mean()",
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="worst_region",
        question="Which region breaks the promise most often? One of: " + ", ".join(REGIONS) + ".",
        expected=worst_region,
        grade=choice(REGIONS, mistakes={r: _region_message(r) for r in REGIONS}),
        hints=ladder(
            "The worst region is the one whose share of late orders is highest, whatever its size.",
            "Sort your `late_by_region` with `.sort_values(ascending=False)` and read the first "
            "label, or ask for `.idxmax()`.",
            "worst_region = late_by_region.___()",
            "worst_region = orders.groupby(\"region\")[\"late\"].mean().idxmax()",
        ),
        minutes=2,
        level="understand",
    ),
    Exercise(
        name="west_late_orders",
        question="How many West orders arrived late (a count of orders)?",
        expected=west_late_orders,
        grade=_before(number(rel_tol=0, abs_tol=0.5, mistakes=[
            (west_late_share, "That is a share; the question asks how many orders: add up the Trues "
             "with .sum()."),
            (lambda ctx: len(_in(ctx, FOCUS_REGION)), "That counts every West order, late or not: sum "
             "the late column instead of counting rows."),
            (lambda ctx: int(orders_with_region(ctx)["late"].sum()), "That is every late order in "
             "every region; keep only the West's rows."),
        ]), _column(".sum()")),
        hints=ladder(
            "Keep the West's rows, look only at whether each was late, and count the yeses.",
            "`orders.loc[mask, \"late\"]` picks the rows where the mask is True and one column; "
            "`.sum()` counts the Trues.",
            "west_late_orders = orders.loc[orders[\"region\"] == ___, ___].sum()",
            "west_late_orders = orders.loc[orders[\"region\"] == \"West\", \"late\"].sum()",
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="review_line",
        question="One sentence for Monday's review, built with an f-string, that states how often West "
                 "orders arrive late (the number must be the data's).",
        expected=west_late_share,
        grade=grade_sentence,
        hints=ladder(
            "A review sentence says the number, what it measures and where: a reader should not "
            "need the notebook to understand it.",
            "Compute the West's late share into a variable, then write an f-string with it in braces: "
            "`:.1%` shows a fraction as a percentage with one decimal.",
            "west_share = orders.loc[orders[\"region\"] == \"West\", \"late\"].mean()\n"
            "review_line = f\"{west_share:___} of ___ orders arrived later than promised\"",
            "west_share = orders.loc[orders[\"region\"] == \"West\", \"late\"].mean()\n"
            "review_line = f\"{west_share:.1%} of West orders arrived later than promised\"",
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="bug_reading",
        question="What does Kai's line really compute? 'A' the West's late share, 'B' late West orders "
                 "as a share of all orders, 'C' the West's part of all late orders.",
        expected=lambda ctx: "B",
        grade=choice(("A", "B", "C"), mistakes={
            "A": "The numerator is right (late West orders), but look at the denominator: len(orders) "
                 "counts every order in every region, not the West's.",
            "C": "The West's part of the late orders would divide by the number of late orders; "
                 "len(orders) counts all orders, late or not.",
        }),
        hints=ladder(
            "A share is a count over a count: read the top and the bottom of the division separately "
            "and say in words which orders each one counts.",
            "The top, `orders.loc[west, \"late\"].sum()`, counts late West orders; ask what "
            "`len(orders)` counts.",
            "bug_reading = \"___\"  # A, B or C: what does len(orders) count?",
            "bug_reading = \"B\"",
        ),
        minutes=3,
        level="analyse",
    ),
    Exercise(
        name="west_part_of_late",
        question="Of all the late orders Basketly delivered, what fraction were in the West?",
        expected=west_part_of_late,
        grade=number(rel_tol=1e-4, mistakes=[
            (west_late_share, "That is how often a West order is late; the question turns it round: "
             "of the late orders, how many are the West's? Divide by all late orders."),
            (west_part_of_orders, "That is the West's part of all orders, late or not; count only "
             "the late ones, top and bottom."),
            (west_late_over_all_orders, "You divided by every order; divide by the late orders only."),
        ]),
        hints=ladder(
            "To see whether one region drives the problem, compare its part of the late orders with "
            "its part of all orders: late West orders over late orders everywhere.",
            "Count the late West orders with `.loc[mask, \"late\"].sum()`, count all late orders with "
            "`orders[\"late\"].sum()`, and divide.",
            "late_west = orders.loc[orders[\"region\"] == \"West\", ___].sum()\n"
            "west_part_of_late = late_west / orders[___].sum()",
            "late_west = orders.loc[orders[\"region\"] == \"West\", \"late\"].sum()\n"
            "west_part_of_late = late_west / orders[\"late\"].sum()",
        ),
        minutes=4,
        level="analyse",
    ),
    Exercise(
        name="fix_first",
        question="'fix the worst region first' or 'spread the fix evenly', a colon, then your evidence: "
                 "the worst region's part of the late orders and its part of all orders.",
        expected=fix_first_call,
        grade=decision(FIX_OPTIONS, fix_first_evidence, questions={
            FIX_OPTIONS[1]: _spread_question, FIX_OPTIONS[0]: _focus_question}),
        hints=ladder(
            "A fix does most good where the problem is concentrated: weigh how much of the lateness "
            "one region carries against how much of the business it is.",
            "You need two numbers: the West's part of the late orders (your last exercise) and its "
            "part of all orders, `orders_per_region.loc[\"West\"] / len(orders)`. The team's rule: "
            "more than 1.5 times its part of the orders means start there.",
            "part_orders = orders_per_region.loc[\"West\"] / len(orders)\n"
            "fix_first = (f\"___: the West holds {___:.1%} of late orders \"\n"
            "             f\"but only {___:.1%} of all orders\")",
            "west = orders[\"region\"] == \"West\"\n"
            "part_late = orders.loc[west, \"late\"].sum() / orders[\"late\"].sum()\n"
            "part_orders = orders_per_region.loc[\"West\"] / len(orders)\n"
            "call = (\"fix the worst region first\" if part_late > 1.5 * part_orders\n"
            "        else \"spread the fix evenly\")\n"
            "fix_first = (f\"{call}: the West holds {part_late:.1%} of late orders \"\n"
            "             f\"but only {part_orders:.1%} of all orders\")",
        ),
        minutes=4,
        level="evaluate",
    ),
    Exercise(
        name="nps_low",
        question=f"The lower end of the 95% interval of the NPS of {NPS_YEAR}'s survey answers "
                 "(a number of points).",
        expected=nps_low,
        grade=_before(number(rel_tol=1e-4, mistakes=[
            (lambda ctx: year_nps(ctx, NPS_YEAR).ci[1], "That is the upper end: .ci holds (low, high), "
             "so the low end is .ci[0]."),
            (lambda ctx: year_nps(ctx, NPS_YEAR).score, "That is the score itself; the question asks "
             "for the low end of its interval, .ci[0]."),
            (lambda ctx: year_nps(ctx, 2023).ci[0], "That is 2023's interval, the worked example's; "
             f"filter the survey to {NPS_YEAR} first."),
            (lambda ctx: __import__("pmkit").customer.nps(ctx.load("nps")["score"]).ci[0],
             f"That is the interval of every answer; keep only {NPS_YEAR}'s first."),
        ]), _pair("(low, high)", "the low end is [0]")),
        hints=ladder(
            "A survey score comes with a range of plausible values; the low end says how bad the "
            "score could really be.",
            f"Filter the survey to {NPS_YEAR} with `.dt.year`, pass its `score` column to "
            "`customer.nps`, and read the result's `ci` field: a pair (low, high).",
            "result = customer.nps(survey.loc[survey[\"date\"].dt.year == ___, \"score\"])\n"
            "nps_low = result.ci[___]",
            f"result = customer.nps(survey.loc[survey[\"date\"].dt.year == {NPS_YEAR}, \"score\"])\n"
            "nps_low = result.ci[0]",
        ),
        minutes=3,
        level="understand",
    ),
]
