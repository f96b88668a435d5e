"""Exercises for lesson 02_voice_of_the_customer: NPS and its margins, who answers, Kano, RICE."""

from __future__ import annotations

import math
import re

import pandas as pd

from pmkit import customer
from pmkit.display import pct
from pmkit.exercises.engine import Context, Exercise, choice, decision, items, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

CHOICES = ("loudest request first", "RICE leader first")
MEMBERS = {True: "members", False: "non-members"}
REGIONS = ("Central", "East", "North", "South", "West")
BIAS = ("overstates", "understates", "about right")
TIE = 0.75  # within a quarter of the leader: closer than one step of the impact scale, a tie
Z95 = 1.959963984540054


# ------------------------------------------------------------------ warm-up ---

def _orders(ctx: Context) -> pd.DataFrame:
    return ctx.load("orders")


def _late(ctx: Context) -> pd.Series:
    orders = _orders(ctx)
    return orders["actual_days"] > orders["promised_days"]


def member_late_share(ctx: Context) -> float:
    """Lesson 00's late share, for the orders Basketly Plus members placed."""
    return float(_late(ctx)[_orders(ctx)["is_member"]].mean())


def all_late_share(ctx: Context) -> float:
    return float(_late(ctx).mean())


def non_member_late_share(ctx: Context) -> float:
    return float(_late(ctx)[~_orders(ctx)["is_member"]].mean())


def member_late_share_at_or_after(ctx: Context) -> float:
    orders = _orders(ctx)
    return float((orders["actual_days"] >= orders["promised_days"])[orders["is_member"]].mean())


# ---------------------------------------------------------------------- NPS ---

def answers(ctx: Context) -> pd.DataFrame:
    """NPS answers with the customer's membership (as a label), region and segment."""

    def build() -> pd.DataFrame:
        customers = ctx.load("customers")[["customer_id", "is_member", "region", "segment"]]
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


def change_margin(ctx: Context) -> float:
    """The 95% margin of the difference between two independent surveys of this size.

    The variances of the two scores add: 1.96 × √(se² + se²), about √2 times one margin.
    """
    se = overall(ctx).standard_error
    return Z95 * math.hypot(se, se)


def margins_added(ctx: Context) -> float:
    """The slip: adding the two surveys' margins instead of their variances."""
    return 2 * nps_margin(ctx)


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


def _region_shares(ctx: Context) -> pd.DataFrame:
    """Each region's share of the detractors and of all respondents."""

    def build() -> pd.DataFrame:
        frame = answers(ctx)
        detractors = frame[frame["score"] <= customer.DETRACTOR_MAX]
        return pd.DataFrame({
            "detractors": detractors["region"].value_counts(normalize=True),
            "respondents": frame["region"].value_counts(normalize=True),
            "count": detractors["region"].value_counts(),
        }).reindex(list(REGIONS)).fillna(0.0)

    return ctx.cached("region_shares", build)


def detractor_region(ctx: Context) -> str:
    """The region whose share of the detractors most exceeds its share of the respondents."""
    shares = _region_shares(ctx)
    return str((shares["detractors"] - shares["respondents"]).idxmax())


def _region_message(region: str):
    def message(ctx: Context) -> str:
        shares = _region_shares(ctx)
        row = shares.loc[region]
        most = str(shares["count"].idxmax())
        said = (f"{region} supplies {pct(row['detractors'])} of the detractors and "
                f"{pct(row['respondents'])} of the respondents")
        if region == most:
            return (f"{said}. It has the most detractors because it has many respondents: the "
                    "question is which region is over-represented among detractors.")
        side = "more than" if row["detractors"] > row["respondents"] else "no more than"
        return f"{said}: {side} its share. Which region's gap between the two is largest?"

    return message


def respondent_bias(ctx: Context) -> str:
    """Whether the respondents' NPS overstates the invited population's (from the truth)."""
    truth = ctx.truth("nps")
    gap = truth["nps"] - truth["population_nps"]
    return "about right" if abs(gap) < nps_margin(ctx) else "overstates" if gap > 0 else "understates"


# --------------------------------------------------------------- tickets ---

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


# ------------------------------------------------------------------ Kano ---

def survey(ctx: Context) -> customer.KanoSurvey:
    return ctx.cached("kano", lambda: customer.kano_survey(ctx.load("kano")))


def must_be(ctx: Context) -> list[str]:
    table = survey(ctx).to_frame()
    return sorted(table.loc[table["category"] == "must-be", "feature"])


def decayed(ctx: Context) -> list[str]:
    """Features attractive in the 2023 wave of the Kano survey and no longer attractive now."""
    then = customer.kano_survey(ctx.load("kano_2023")).to_frame().set_index("feature")["category"]
    now = survey(ctx).to_frame().set_index("feature")["category"]
    return sorted(then[(then == "attractive") & (now.reindex(then.index) != "attractive")].index)


def still_attractive(ctx: Context) -> list[str]:
    """The slip: the features attractive in both waves (kept the wrong side of the filter)."""
    then = customer.kano_survey(ctx.load("kano_2023")).to_frame().set_index("feature")["category"]
    now = survey(ctx).to_frame().set_index("feature")["category"]
    return sorted(then[(then == "attractive") & (now.reindex(then.index) == "attractive")].index)


def _decay_grade(answer, expected, ctx: Context):
    """items() with one targeted message: the features that are still delighters."""
    verdict = items(ordered=False)(answer, expected, ctx)
    if not verdict.correct and isinstance(answer, list | tuple) and sorted(map(str, answer)) == \
            still_attractive(ctx):
        return type(verdict)(False, "Those are still delighters today. Which of 2023's delighters "
                                    "are not attractive any more?")
    return verdict


_decay_grade.mistakes = ("listing the features that are still attractive",)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ RICE ---

def rice(ctx: Context) -> customer.RiceRanking:
    return ctx.cached("rice", lambda: customer.rice_ranking(ctx.load("backlog"), item="title"))


def rice_top(ctx: Context) -> list[str]:
    return rice(ctx).top(3)


def _rice_rows(ctx: Context) -> tuple[pd.Series, pd.Series]:
    """(the most requested item, the RICE leader) as rows of the RICE table with requests."""
    backlog = ctx.load("backlog").set_index("title")
    table = rice(ctx).to_frame().set_index("title")
    table["requests"] = backlog["requests"]
    loud = table.loc[backlog["requests"].idxmax()]
    return loud, table.iloc[0]


def _item_fact(row: pd.Series, *, versus: float | None = None) -> Fact:
    title = str(row.name)
    # The evidence reader matches names as words joined by spaces or hyphens, so "Product Q&A"
    # would never be seen in a learner's text; its words up to the "&" are found instead.
    head = re.split(r"[^A-Za-z0-9' -]", title)[0].strip()
    return Fact(title, float(row["rice"]), "number", change=False, require="number", versus=versus,
                synonyms=(title.lower(), *((head.lower(),) if head and head != title else ())),
                also=tuple(float(row[c]) for c in ("reach", "impact", "confidence", "effort")))


def roadmap_facts(ctx: Context) -> Evidence:
    """The loudest request against the RICE leader: requests, both scores and their parts."""
    loud, leader = _rice_rows(ctx)
    ratio = float(loud["rice"] / leader["rice"])
    # RICE multiplies four rough estimates; impact alone moves in steps that double (0.5, 1,
    # 2), so scores within a quarter of each other are a tie, and only then may the louder
    # demand decide. Anywhere else the loudest request is just the loudest.
    call = CHOICES[0] if ratio >= TIE else CHOICES[1]
    facts = (
        Fact("requests", float(loud["requests"]), "count", change=False, require="number",
             synonyms=("requested", "request", "asked for", "asks", "mentions")),
        _item_fact(loud, versus=float(leader["rice"])),
        _item_fact(leader),
    )
    verdict = ("within a quarter of it, a tie at RICE's precision, so the demand breaks it"
               if call == CHOICES[0] else "more than a quarter below it, so the RICE leader goes first")
    rule = (f"{loud.name} is asked for most ({int(loud['requests']):,} requests) and scores "
            f"{loud['rice']:,.0f} on RICE, {ratio:.0%} of {leader.name}'s {leader['rice']:,.0f}: "
            f"{verdict}")
    return Evidence(call, facts, rule=rule, given=(75.0, 0.75, 25.0, 0.25))


def roadmap_call(ctx: Context) -> str:
    return roadmap_facts(ctx).call


def _loudest_question(ctx: Context) -> str:
    loud, leader = _rice_rows(ctx)
    return (f"{loud.name} has the most requests ({int(loud['requests']):,}), but its RICE score is "
            f"{loud['rice']:,.0f} against {leader['rice']:,.0f} for {leader.name}. What does the "
            "loudness tell you about reach, impact or effort that the score leaves out?")


def _leader_question(ctx: Context) -> str:
    loud, leader = _rice_rows(ctx)
    return (f"{loud.name} scores {loud['rice']:,.0f}, within a quarter of {leader.name}'s "
            f"{leader['rice']:,.0f}: a tie at RICE's precision. With "
            f"{int(loud['requests']):,} customers asking for it, what breaks the tie?")


# ------------------------------------------------------------- exercises ---

EXERCISES = [
    Exercise(
        name="recall_member_late",
        question="Lesson 00's late share, for the orders placed by Basketly Plus members only "
                 "(a fraction between 0 and 1).",
        expected=member_late_share,
        grade=number(rel_tol=1e-4, mistakes=[
            (all_late_share, "That is the late share of all orders; keep only the members' orders "
                             "(the `is_member` column) before taking the mean."),
            (non_member_late_share, "That is the late share of non-members' orders: keep the rows "
                                    "where `is_member` is True."),
            (member_late_share_at_or_after, "Arriving exactly on the promised day is on time: use > "
                                            "rather than >=."),
        ]),
        hints=ladder(
            "Late means delivered after the promised day. Work out which orders were late, keep "
            "only the members' orders, and take the share that were late.",
            'Compare `orders["actual_days"] > orders["promised_days"]` (True/False per order), '
            'keep the members\' rows with `late[orders["is_member"]]`, then `.mean()`.',
            'late = orders[___] > orders[___]\nrecall_member_late = late[orders[___]].mean()',
            'late = orders["actual_days"] > orders["promised_days"]\n'
            'recall_member_late = late[orders["is_member"]].mean()',
        ),
        minutes=3,
        level="remember",
        recalls="00",
    ),
    Exercise(
        name="recall_typical",
        question="Order values have a long right tail. Which summary says what a typical order "
                 "is worth: 'mean' or 'median'?",
        expected=lambda ctx: "median",
        grade=choice(["mean", "median"], mistakes={
            "mean": "A few very large baskets pull the mean above most orders. Which summary is "
                    "the middle order, whatever the tail does?",
        }),
        hints=ladder(
            "A long right tail means a few orders are far larger than the rest, and they drag "
            "one of the two summaries up with them.",
            "Recall lesson 00's histogram: the dashed line marked the order in the middle. Which "
            "summary is the middle value?",
            'recall_typical = "___"',
            'recall_typical = "median"',
        ),
        minutes=1,
        level="understand",
        recalls="00",
    ),
    Exercise(
        name="nps_score",
        question="Basketly's Net Promoter Score over all answers, in points from -100 to 100.",
        expected=nps_score,
        grade=number(rel_tol=1e-6, abs_tol=1e-6, unit=" points", mistakes=[
            (promoters_only, "That is the share of promoters; subtract the share of detractors (0-6)."),
            (wide_promoters, "Promoters answer 9 or 10; 7 and 8 are passives and count for nothing."),
            (mean_score, "That is the average answer; NPS is % promoters minus % detractors."),
        ]),
        hints=ladder(
            "Promoters answer 9 or 10 and detractors 0 to 6; the score is the percentage of "
            "promoters minus the percentage of detractors.",
            'Do what the worked example did, on every answer: `customer.nps(nps["score"])` '
            "returns a result whose `.score` is in points.",
            'nps_score = customer.nps(nps[___]).___',
            'nps_score = customer.nps(nps["score"]).score',
        ),
        minutes=2,
        level="apply",
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
        hints=ladder(
            "The interval runs from a low to a high score; the margin is how far each end sits "
            "from the middle, which is half the distance between the ends.",
            "The result of `customer.nps` carries `ci`, a (low, high) pair: unpack it with "
            "`low, high = ...`, then halve the difference.",
            'low, high = customer.nps(nps["score"]).___\nnps_margin = (___ - ___) / 2',
            'low, high = customer.nps(nps["score"]).ci\nnps_margin = (high - low) / 2',
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="change_margin",
        question="The 95% margin of error of the change between this survey and a second one of "
                 "the same size and standard error, in points.",
        expected=change_margin,
        grade=number(rel_tol=1e-3, unit=" points", mistakes=[
            (nps_margin, "That is one survey's margin. A change between two surveys carries the "
                         "noise of both: add their variances, then take the square root."),
            (margins_added, "Adding the two margins overstates it: noise partly cancels, so add the "
                            "variances (standard errors squared), then take the square root."),
            (standard_error, "That is one survey's standard error; the change has both surveys' "
                             "noise, and a 95% margin is 1.96 standard errors."),
        ]),
        hints=ladder(
            "Each survey has its own noise, and a change between two surveys carries both; "
            "independent noises add as variances, not as margins.",
            "Take `.standard_error` from `customer.nps`; the change's standard error is the square "
            "root of the two variances added (`** 0.5`); multiply it by 1.96.",
            'se = customer.nps(nps["score"]).___\nchange_margin = 1.96 * (se**2 + ___) ** 0.5',
            'se = customer.nps(nps["score"]).standard_error\n'
            'change_margin = 1.96 * (se**2 + se**2) ** 0.5',
        ),
        minutes=4,
        level="apply",
    ),
    Exercise(
        name="member_gap",
        question="NPS of Basketly Plus members minus NPS of non-members, in points.",
        expected=member_gap,
        grade=number(rel_tol=1e-4, unit=" points", mistakes=[
            (mean_score_gap, "That is the gap in average answers; compare the two groups' NPS."),
        ]),
        hints=ladder(
            "Score each group separately, then subtract the non-members' score from the members'.",
            'Do what the worked example did with `"membership"` in place of `"segment"`; the table '
            "from `to_frame()`, indexed by `membership`, lets `.loc[row, column]` pick each score.",
            't = customer.nps_by_segment(answers, ___).to_frame().set_index(___)\n'
            'member_gap = t.loc["members", "nps"] - t.loc[___, "nps"]',
            't = customer.nps_by_segment(answers, "membership").to_frame().set_index("membership")\n'
            'member_gap = t.loc["members", "nps"] - t.loc["non-members", "nps"]',
        ),
        minutes=4,
        level="apply",
    ),
    Exercise(
        name="detractor_region",
        question="The region whose share of the detractors most exceeds its share of all "
                 "respondents (its name).",
        expected=detractor_region,
        grade=choice(REGIONS, mistakes={r: _region_message(r) for r in REGIONS}),
        hints=ladder(
            "A region with many customers has many detractors simply because it is big. The "
            "region that drives detractors supplies more of them than its share of respondents.",
            'Keep the detractors (`answers["score"] <= 6`); for them and for all answers take '
            '`["region"].value_counts(normalize=True)`; subtract, and `.idxmax()` names the region '
            "with the largest excess.",
            'detractors = answers[answers["score"] <= ___]\n'
            'excess = detractors["region"].value_counts(normalize=True) - '
            'answers[___].value_counts(normalize=True)\n'
            'detractor_region = excess.___()',
            'detractors = answers[answers["score"] <= 6]\n'
            'excess = detractors["region"].value_counts(normalize=True) - '
            'answers["region"].value_counts(normalize=True)\n'
            'detractor_region = excess.idxmax()',
        ),
        minutes=6,
        level="analyse",
    ),
    Exercise(
        name="respondent_bias",
        question="Happier customers answer surveys more often. Compared with the NPS of everyone "
                 "invited, the survey's NPS: 'overstates', 'understates' or 'about right'?",
        expected=respondent_bias,
        grade=choice(BIAS, mistakes={
            "understates": "If happy customers answer more often, are the answers tilted towards "
                           "happy or unhappy customers?",
            "about right": "The margin of error covers the luck of who was invited, not a tilt in "
                           "who chose to answer. Which way does that tilt push the score?",
        }),
        hints=ladder(
            "A survey hears only from those who answer. If the happy answer more often than the "
            "unhappy, the answers hold more promoters than the customers do.",
            "Ask which group is over-represented among the answers, and which way that moves "
            "promoters minus detractors. More data does not fix a tilt.",
            'respondent_bias = "___"',
            'respondent_bias = "overstates"',
        ),
        minutes=2,
        level="understand",
    ),
    Exercise(
        name="ticket_top",
        question="The ticket topic with the highest frequency × average hours to resolve (its name).",
        expected=ticket_top,
        grade=choice(["where is my order", "damaged item", "refund", "wrong item", "account", "payment"],
                     mistakes={t: _topic_message(t) for t in
                               ("where is my order", "damaged item", "refund", "wrong item",
                                "account", "payment")}),
        hints=ladder(
            "A topic costs more when it comes up often and when each case keeps a customer "
            "waiting long; the score multiplies the two.",
            'Tickets carry a topic already, so no word list is needed: `customer.rank_themes` with '
            '`severity=tickets["hours_to_resolve"]`, then `.top(1)` gives a one-item list.',
            'ticket_top = customer.rank_themes(tickets[___], severity=tickets[___]).top(1)[0]',
            'ticket_top = customer.rank_themes(tickets["topic"], '
            'severity=tickets["hours_to_resolve"]).top(1)[0]',
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="must_be",
        question="The features the Kano survey classifies as must-be (a list, any order).",
        expected=must_be,
        grade=items(ordered=False),
        hints=ladder(
            "A must-be is a feature customers expect: its absence angers them, its presence earns "
            "no praise. The survey gives each feature one category; keep those that are must-be.",
            'Compare `kano_table["category"] == "must-be"` (True/False per row), keep the rows '
            'where it is True with `.loc[that, "feature"]`, and make a list with `list(...)`.',
            'must_be = list(kano_table.loc[kano_table[___] == ___, "feature"])',
            'must_be = list(kano_table.loc[kano_table["category"] == "must-be", "feature"])',
        ),
        minutes=4,
        level="apply",
    ),
    Exercise(
        name="decayed",
        question="The features that were attractive in the 2023 Kano survey and are not "
                 "attractive in today's (a list, any order).",
        expected=decayed,
        grade=_decay_grade,
        hints=ladder(
            "A delighter fades as customers get used to it. Compare each feature's category two "
            "years ago with today's and keep those that were delighters then but are not now.",
            'Make one category Series per wave, indexed by feature (`.set_index("feature")'
            '["category"]`); combine two True/False tests with `&` (each in brackets), keep the '
            "rows where both hold, and list their index.",
            'then = customer.kano_survey(kano_2023).to_frame().set_index("feature")["category"]\n'
            'now = kano_table.set_index("feature")["category"]\n'
            'decayed = list(then[(then == ___) & (now ___ "attractive")].index)',
            'then = customer.kano_survey(kano_2023).to_frame().set_index("feature")["category"]\n'
            'now = kano_table.set_index("feature")["category"]\n'
            'decayed = list(then[(then == "attractive") & (now != "attractive")].index)',
        ),
        minutes=5,
        level="analyse",
    ),
    Exercise(
        name="rice_top",
        question="The three backlog items (titles) with the highest RICE score, best first (a list).",
        expected=rice_top,
        grade=items(ordered=True),
        hints=ladder(
            "RICE multiplies how many customers an item reaches, how much it helps each, and how "
            "sure the team is, then divides by the effort; the highest scores go first.",
            '`customer.rice_ranking(backlog, item="title")` scores and ranks every item; its '
            "`.top(3)` lists the three best, best first.",
            'rice_top = customer.rice_ranking(backlog, item=___).top(___)',
            'rice_top = customer.rice_ranking(backlog, item="title").top(3)',
        ),
        minutes=3,
        level="apply",
    ),
    Exercise(
        name="roadmap_call",
        question=f"'{CHOICES[0]}' or '{CHOICES[1]}' for next quarter, then a colon and your "
                 "evidence: the requests, and both items' RICE scores.",
        expected=roadmap_call,
        grade=decision(CHOICES, roadmap_facts,
                       questions={CHOICES[0]: _loudest_question, CHOICES[1]: _leader_question}),
        hints=ladder(
            "Loudness measures how many people spoke up, not how much an item is worth per month "
            "of work. A PM weighs the demand against the score that puts reach, impact, "
            "confidence and effort together. Scores within about a quarter of each other are "
            "a tie, since impact alone moves in steps that double.",
            'Look up the most requested item (`backlog["requests"].idxmax()` on a table indexed by '
            'title), its RICE score and the leader\'s in `ranking.to_frame()`, and compare the two.',
            'rice_table = ranking.to_frame().set_index("title")\n'
            'loud = backlog.set_index("title")["requests"].idxmax()\n'
            'roadmap_call = (f"___: {loud} has {backlog[\'requests\'].max():,} requests and scores '
            '{rice_table.loc[loud, \'rice\']:,.0f}; ___ scores ___")',
            'rice_table = ranking.to_frame().set_index("title")\n'
            'loud = backlog.set_index("title")["requests"].idxmax()\n'
            'leader = rice_table.index[0]\n'
            'ratio = rice_table.loc[loud, "rice"] / rice_table.loc[leader, "rice"]\n'
            'call = "loudest request first" if ratio >= 0.75 else "RICE leader first"\n'
            'roadmap_call = (f"{call}: {loud} has {backlog[\'requests\'].max():,} requests and '
            'scores {rice_table.loc[loud, \'rice\']:,.0f} on RICE; {leader} scores '
            '{rice_table.loc[leader, \'rice\']:,.0f}")',
        ),
        minutes=6,
        level="evaluate",
    ),
]
