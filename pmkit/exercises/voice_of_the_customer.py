"""Exercises for lesson 02_voice_of_the_customer: NPS, pain points, Kano and RICE."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pmkit import customer
from pmkit.display import pct
from pmkit.exercises.engine import Context, Exercise, choice, decision, items, number
from pmkit.exercises.evidence import Evidence, Fact

CHOICES = ("must-be first", "delighters first")
MEMBERS = {True: "members", False: "non-members"}


def answers(ctx: Context) -> pd.DataFrame:
    """NPS answers with the customer's membership as a readable label."""

    def build() -> pd.DataFrame:
        customers = ctx.load("customers")[["customer_id", "is_member"]]
        frame = ctx.load("nps").merge(customers, on="customer_id", how="left")
        return frame.assign(membership=frame["is_member"].map(MEMBERS))

    return ctx.cached("answers", build)


def overall(ctx: Context) -> customer.NPS:
    return ctx.cached("nps", lambda: customer.nps(ctx.load("nps")["score"]))


def nps_score(ctx: Context) -> float:
    return overall(ctx).score


def promoters_only(ctx: Context) -> float:
    return 100 * overall(ctx).promoters / overall(ctx).n


def wide_promoters(ctx: Context) -> float:
    """The slip: counting 7s and 8s as promoters."""
    scores = ctx.load("nps")["score"]
    return 100 * float((scores >= 7).mean() - (scores <= 6).mean())


def mean_score(ctx: Context) -> float:
    return float(ctx.load("nps")["score"].mean())


def nps_margin(ctx: Context) -> float:
    result = overall(ctx)
    return (result.ci[1] - result.ci[0]) / 2


def standard_error(ctx: Context) -> float:
    return overall(ctx).standard_error


def full_width(ctx: Context) -> float:
    result = overall(ctx)
    return result.ci[1] - result.ci[0]


def by_membership(ctx: Context) -> pd.DataFrame:
    return ctx.cached("by_membership", lambda: customer.nps_by_segment(answers(ctx), "membership")
                      .to_frame().set_index("membership"))


def member_gap(ctx: Context) -> float:
    table = by_membership(ctx)
    return float(table.loc["members", "nps"] - table.loc["non-members", "nps"])


def mean_score_gap(ctx: Context) -> float:
    frame = answers(ctx)
    means = frame.groupby("membership")["score"].mean()
    return float(means["members"] - means["non-members"])


def tickets(ctx: Context) -> customer.PainPoints:
    def build() -> customer.PainPoints:
        frame = ctx.load("tickets")
        return customer.rank_themes(frame["topic"], severity=frame["hours_to_resolve"])

    return ctx.cached("tickets", build)


def ticket_top(ctx: Context) -> str:
    return tickets(ctx).top(1)[0]


def _topic_message(topic: str):
    def message(ctx: Context) -> str:
        table = tickets(ctx).to_frame().set_index("theme")
        row = table.loc[topic]
        return (f"'{topic}' is {pct(row['frequency'])} of tickets at {row['severity']:.0f} hours each "
                f"(score {row['score']:.1f}); is there a topic with a higher frequency × hours?")

    return message


def reviews_ranked(ctx: Context) -> customer.PainPoints:
    def build() -> customer.PainPoints:
        reviews = ctx.load("reviews")
        return customer.pain_points(reviews["text"], ratings=reviews["stars"])

    return ctx.cached("reviews_ranked", build)


def top_three(ctx: Context) -> list[str]:
    return reviews_ranked(ctx).top(3)


def survey(ctx: Context) -> customer.KanoSurvey:
    return ctx.cached("kano", lambda: customer.kano_survey(ctx.load("kano")))


def must_be(ctx: Context) -> list[str]:
    table = survey(ctx).to_frame()
    return sorted(table.loc[table["category"] == "must-be", "feature"])


def rice(ctx: Context) -> customer.RiceRanking:
    return ctx.cached("rice", lambda: customer.rice_ranking(ctx.load("backlog"), item="title"))


def rice_top(ctx: Context) -> list[str]:
    return rice(ctx).top(3)


def roadmap_facts(ctx: Context) -> Evidence:
    """Each feature's Kano coefficients; the must-be with the largest 'worse' must be cited."""
    table = survey(ctx).to_frame()
    musts = table[table["category"] == "must-be"].sort_values("worse")
    facts = []
    # Compared with what a missing delighter costs: the most dissatisfaction any attractive
    # feature's absence causes.
    delight = table.loc[table["category"] == "attractive", "worse"]
    versus = float(-delight.min()) if len(delight) else 0.0
    for _, row in table.iterrows():
        essential = not musts.empty and row["feature"] == musts.iloc[0]["feature"]
        facts.append(Fact(str(row["feature"]), float(-row["worse"]), change=False, versus=versus,
                          require="number" if essential else "", also=(float(row["better"]),)))
    if musts.empty:
        top = table.sort_values("better").iloc[-1]
        facts = [replace(f, require="number") if f.name == top["feature"] else f for f in facts]
    # A missing must-be makes customers unhappy whatever else ships, so it goes first
    # whenever the survey finds one.
    call = CHOICES[0] if not musts.empty else CHOICES[1]
    return Evidence(call, tuple(facts), rule="a must-be missing dissatisfies whatever else ships: "
                    "it goes first when the survey finds one", given=(float(len(table)),))


def roadmap_call(ctx: Context) -> str:
    return roadmap_facts(ctx).call


def _worst_must_be(ctx: Context) -> str:
    table = survey(ctx).to_frame()
    musts = table[table["category"] == "must-be"].sort_values("worse")
    if musts.empty:
        return "No feature is a must-be here, so which customer would miss it?"
    row = musts.iloc[0]
    return (f"Without {row['feature']}, {pct(-row['worse'], 0)} of respondents would be dissatisfied. "
            "Would a delighter win those customers back?")


EXERCISES = [
    Exercise(
        name="nps_score",
        question="Basketly's Net Promoter Score, in points from -100 to 100.",
        expected=nps_score,
        grade=number(rel_tol=1e-6, abs_tol=1e-6, unit=" points", mistakes=[
            (promoters_only, "That is the share of promoters; subtract the share of detractors (0-6)."),
            (wide_promoters, "Promoters answer 9 or 10; 7 and 8 are passives and count for nothing."),
            (mean_score, "That is the average answer; NPS is % promoters minus % detractors."),
        ]),
        hints=(
            "Promoters answer 9-10, detractors 0-6; NPS = % promoters − % detractors.",
            "`customer.nps(scores)` returns a result whose `.score` is in points.",
            "nps_score = customer.nps(nps['score']).score",
        ),
        minutes=2,
    ),
    Exercise(
        name="nps_margin",
        question="The margin of error of that NPS: half the width of its 95% confidence interval, "
                 "in points.",
        expected=nps_margin,
        grade=number(rel_tol=1e-4, unit=" points", mistakes=[
            (standard_error, "That is one standard error; a 95% margin is about 1.96 of them."),
            (full_width, "That is the full width of the interval; the margin is half of it."),
        ]),
        hints=(
            "The result of `customer.nps` carries `ci`, a (low, high) pair.",
            "Half the distance between the two ends is the margin.",
            "low, high = result.ci; nps_margin = (high - low) / 2",
        ),
        minutes=3,
    ),
    Exercise(
        name="member_gap",
        question="NPS of Basketly Plus members minus NPS of non-members, in points.",
        expected=member_gap,
        grade=number(rel_tol=1e-4, unit=" points", mistakes=[
            (mean_score_gap, "That is the gap in average answers; compare the two groups' NPS."),
        ]),
        hints=(
            "`answers` has a `membership` column; `customer.nps_by_segment` scores each group.",
            "Set the table's index to `membership`, then subtract one row's `nps` from the other.",
            "t = customer.nps_by_segment(answers, 'membership').to_frame().set_index('membership'); "
            "member_gap = t.loc['members', 'nps'] - t.loc['non-members', 'nps']",
        ),
        minutes=4,
    ),
    Exercise(
        name="ticket_top",
        question="The ticket topic with the highest frequency × average hours to resolve (its name).",
        expected=ticket_top,
        grade=choice(["where is my order", "damaged item", "refund", "wrong item", "account", "payment"],
                     mistakes={t: _topic_message(t) for t in
                               ("where is my order", "damaged item", "refund", "wrong item",
                                "account", "payment")}),
        hints=(
            "Tickets already carry a topic, so no lexicon is needed: `customer.rank_themes`.",
            "Use `hours_to_resolve` as the severity: an hour a customer waits is the cost.",
            "ticket_top = customer.rank_themes(tickets['topic'], severity=tickets['hours_to_resolve'])"
            ".top(1)[0]",
        ),
        minutes=3,
    ),
    Exercise(
        name="top_three",
        question="The three review themes ranked highest by frequency × stars lost, best first (a list).",
        expected=top_three,
        grade=items(ordered=True),
        hints=(
            "Lesson 04 did this: `customer.pain_points(texts, ratings=stars)`.",
            "The result has a `top(k)` method.",
            "top_three = customer.pain_points(reviews['text'], ratings=reviews['stars']).top(3)",
        ),
        minutes=2,
    ),
    Exercise(
        name="must_be",
        question="The features the Kano survey classifies as must-be (a list, any order).",
        expected=must_be,
        grade=items(ordered=False),
        hints=(
            "`customer.kano_survey(kano)` gives each feature its most common category.",
            "Filter its table to the rows whose `category` is 'must-be'.",
            "t = customer.kano_survey(kano).to_frame(); must_be = list(t.loc[t['category'] == "
            "'must-be', 'feature'])",
        ),
        minutes=3,
    ),
    Exercise(
        name="rice_top",
        question="The three backlog items (titles) with the highest RICE score, best first (a list).",
        expected=rice_top,
        grade=items(ordered=True),
        hints=(
            "RICE = reach × impact × confidence / effort.",
            "`customer.rice_ranking(backlog, item='title')` ranks the backlog.",
            "rice_top = customer.rice_ranking(backlog, item='title').top(3)",
        ),
        minutes=3,
    ),
    Exercise(
        name="roadmap_call",
        question=f"'{CHOICES[0]}' or '{CHOICES[1]}' for next quarter, then a colon and your evidence.",
        expected=roadmap_call,
        grade=decision(
            CHOICES, roadmap_facts,
            questions={CHOICES[1]: _worst_must_be,
                       CHOICES[0]: "The survey finds no must-be feature: what would you be fixing?"},
        ),
        hints=(
            "A must-be is invisible when present and infuriating when missing.",
            "Which features did the survey classify as must-be, and how many respondents would be "
            "dissatisfied without each (the `worse` coefficient)?",
            "Write the call, a colon, then the feature and its number: f\"<call>: without <feature> "
            "{-worse:.0%} of respondents would be dissatisfied; ...\"",
        ),
        minutes=3,
    ),
]
