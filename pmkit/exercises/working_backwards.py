"""Exercises for lesson 04_working_backwards: find the customer problem, size it, write the PR/FAQ."""

from __future__ import annotations

import math
from typing import Any

from pmkit import customer
from pmkit.display import pct, safe_repr
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, number
from pmkit.exercises.evidence import Evidence, Fact

#: A teammate's first draft, answering a competitor rather than a customer.
#: It names no number in its evidence, so the builder turns it down.
AR_DRAFT = {
    "headline": "Basketly launches AR try-on for clothes and furniture",
    "customer": "Shoppers browsing fashion and home products on their phones",
    "problem": "Shoppers cannot see how a sofa fits their room or a jacket fits them.",
    "benefit": "See the product in your room, or on you, before you buy.",
    "evidence": "Our biggest competitor launched AR try-on last month and the press loved it.",
    "experience": "Tap 'Try it' on a product page and point your camera at the room or the mirror.",
    "quotes": [("Basketly's head of product", "This puts us level with the competition.")],
    "faq": {"Which products support AR try-on?": "Furniture and fashion first."},
}
#: Words a review would use to ask for AR try-on.
TRY_ON = {"try-on": ("try-on", "try on", "augmented reality", "ar", "see it in my room")}
CHOICES = ("fix deliveries", "build ar try-on")


def themes(ctx: Context) -> customer.PainPoints:
    def build() -> customer.PainPoints:
        reviews = ctx.load("reviews")
        return customer.pain_points(reviews["text"], ratings=reviews["stars"])

    return ctx.cached("themes", build)


def table(ctx: Context) -> Any:
    return themes(ctx).to_frame().set_index("theme")


def top_problem(ctx: Context) -> str:
    return themes(ctx).top(1)[0]


def top_share(ctx: Context) -> float:
    return float(table(ctx).loc[top_problem(ctx), "frequency"])


def top_mentions(ctx: Context) -> float:
    return float(table(ctx).loc[top_problem(ctx), "mentions"])


def top_share_among_unhappy(ctx: Context) -> float:
    """The slip: the share among 1- and 2-star reviews only."""
    reviews = ctx.load("reviews")
    hits = customer.theme_matrix(reviews["text"])[top_problem(ctx)].to_numpy()
    unhappy = (reviews["stars"] <= 2).to_numpy()
    return float(hits[unhappy].mean())


def stars_lost(ctx: Context) -> float:
    return float(table(ctx).loc[top_problem(ctx), "severity"])


def _top_stars(ctx: Context) -> float:
    reviews = ctx.load("reviews")
    hits = customer.theme_matrix(reviews["text"])[top_problem(ctx)].to_numpy()
    return float(reviews["stars"].to_numpy()[hits].mean())


def stars_lost_vs_everyone(ctx: Context) -> float:
    """The slip: comparing with all reviews, complaints included."""
    return float(ctx.load("reviews")["stars"].mean()) - _top_stars(ctx)


def stars_lost_vs_five(ctx: Context) -> float:
    """The slip: comparing with a perfect score nobody gets."""
    return 5.0 - _top_stars(ctx)


def late_orders(ctx: Context) -> float:
    orders = ctx.load("orders")
    return float((orders["actual_days"] > orders["promised_days"]).mean())


def late_orders_or_on_the_day(ctx: Context) -> float:
    orders = ctx.load("orders")
    return float((orders["actual_days"] >= orders["promised_days"]).mean())


def missing_answer(ctx: Context) -> str:
    """The customer question the AR draft leaves unanswered (what the builder rejects)."""
    for part in customer.FIVE_QUESTIONS:
        text = AR_DRAFT.get(part, "")
        if not str(text).strip() or (part == "evidence" and not customer.cited_numbers(text)):
            return part
    raise ValueError("the AR draft answers every question")  # pragma: no cover


def facts(ctx: Context) -> dict[str, tuple[float, float]]:
    """The numbers a PR/FAQ about the top problem can cite: value and how close counts."""
    reviews = ctx.load("reviews")
    return {
        f"{pct(top_share(ctx))} of reviews mention {top_problem(ctx)}": (top_share(ctx), 0.0051),
        f"those reviews lose {stars_lost(ctx):.1f} stars": (stars_lost(ctx), 0.051),
        f"{pct(late_orders(ctx))} of orders arrive late": (late_orders(ctx), 0.0051),
        f"{len(reviews):,} reviews read": (float(len(reviews)), 0.51),
        f"{top_mentions(ctx):,.0f} reviews mention it": (top_mentions(ctx), 0.51),
    }


def _backed(cited: tuple[float, ...], value: float, tolerance: float) -> bool:
    # A share may be cited as a fraction (0.09) or a percentage (9%); stars and counts as is.
    candidates = (value, 100 * value) if value < 1 else (value,)
    scaled = (tolerance, 100 * tolerance) if value < 1 else (tolerance,)
    return any(math.isclose(c, v, abs_tol=t) for c in cited for v, t in zip(candidates, scaled, strict=True))


def grade_prfaq(answer: Any, expected: Any, ctx: Context) -> Verdict:
    if not isinstance(answer, customer.PRFAQ):
        return Verdict(False, f"Got {safe_repr(answer, 40)}; build the document with "
                              "customer.prfaq(headline=..., customer=..., ...), which checks every part.")
    theme = top_problem(ctx)
    about = f"{answer.headline} {answer.problem} {answer.benefit} {answer.evidence}"
    if theme not in about.lower() and theme not in customer.find_themes(about):
        return Verdict(False, f"Your PR/FAQ should solve the top pain point, {theme}: name it in the "
                              "headline, the problem, the benefit or the evidence.")
    cited = customer.cited_numbers(answer.evidence)
    backed = [claim for claim, (value, tol) in facts(ctx).items() if _backed(cited, value, tol)]
    if len(backed) < 2:
        listed = "; ".join(facts(ctx))
        shown = ", ".join(f"{c:g}" for c in cited) or "none"
        return Verdict(False, f"Your evidence cites {shown}, and {len(backed)} of those match the data. "
                              f"Back the claim with at least two numbers from the data, e.g.: {listed}.")
    return Verdict(True, f"A PR/FAQ that starts from the customer, backed by: {'; '.join(backed)}.")


def decision_facts(ctx: Context) -> Evidence:
    """How many reviews mention late delivery against how many ask for AR try-on."""
    reviews = ctx.load("reviews")
    asks = customer.pain_points(reviews["text"], lexicon=TRY_ON).to_frame()
    late = table(ctx).loc["late delivery"]
    call = CHOICES[0] if late["frequency"] > asks["frequency"].iloc[0] else CHOICES[1]
    return Evidence(call, (
        Fact("late delivery", float(late["frequency"]), change=False, require="number",
             versus=float(asks["frequency"].iloc[0]),
             synonyms=("late deliveries", "late", "delivery", "deliveries"),
             also=(float(late["mentions"]), float(late["severity"]), late_orders(ctx))),
        Fact("try-on asks", float(asks["frequency"].iloc[0]), change=False,
             synonyms=("try on", "try-on", "ar", "augmented reality"),
             also=(float(asks["mentions"].iloc[0]),)),
        Fact("stars lost", float(late["severity"]), "number", change=False,
             synonyms=("stars", "star")),
    ), rule="work backwards from the need customers state most: compare the shares of reviews",
        given=(float(len(reviews)),))


def decision_call(ctx: Context) -> str:
    return decision_facts(ctx).call


def _try_on_asks(ctx: Context) -> int:
    reviews = ctx.load("reviews")
    return int(customer.pain_points(reviews["text"], lexicon=TRY_ON).to_frame()["mentions"].iloc[0])


def _theme_message(theme: str):
    def message(ctx: Context) -> str:
        row, top = table(ctx).loc[theme], table(ctx).loc[top_problem(ctx)]
        return (f"{theme} is in {pct(row['frequency'])} of reviews and costs {row['severity']:.1f} stars "
                f"(score {row['score']:.3f}); another theme scores {top['score']:.3f}. "
                "Rank by frequency × stars lost.")

    return message


EXERCISES = [
    Exercise(
        name="top_problem",
        question="The theme with the highest frequency × stars lost, as its name (a string).",
        expected=top_problem,
        grade=choice(list(customer.LEXICON), mistakes={t: _theme_message(t) for t in customer.LEXICON}),
        hints=(
            "`themes.to_frame()` lists every theme with its score, highest first.",
            "The score is frequency × severity, and the table is already sorted by it.",
            "top_problem = themes.top(1)[0]",
        ),
        minutes=2,
    ),
    Exercise(
        name="top_share",
        question="The share of all reviews that mention the top problem, as a fraction.",
        expected=top_share,
        grade=number(rel_tol=1e-4, mistakes=[
            (top_mentions, "That is a count of reviews; divide by the number of reviews."),
            (top_share_among_unhappy, "That is the share among 1- and 2-star reviews only; "
                                      "the PR/FAQ needs the share of all reviews."),
        ]),
        hints=(
            "The `frequency` column of `themes.to_frame()` is exactly this share.",
            "Select the row of the top problem, then its `frequency`.",
            "top_share = themes.to_frame().set_index('theme').loc[top_problem, 'frequency']",
        ),
        minutes=3,
    ),
    Exercise(
        name="stars_lost",
        question="How many stars a review mentioning the top problem loses, against reviews "
                 "with no complaint (a number of stars).",
        expected=stars_lost,
        grade=number(rel_tol=1e-4, unit=" stars", mistakes=[
            (stars_lost_vs_everyone, "You compared with every review, complaints included; compare "
                                     "with reviews that mention no theme at all."),
            (stars_lost_vs_five, "You compared with a perfect 5 stars; compare with what reviews "
                                 "without any complaint actually give."),
        ]),
        hints=(
            "The baseline is the average rating of reviews that mention no theme.",
            "`pain_points(..., ratings=...)` reports exactly this as the `severity` column.",
            "stars_lost = themes.to_frame().set_index('theme').loc[top_problem, 'severity']",
        ),
        minutes=3,
    ),
    Exercise(
        name="late_orders",
        question="The share of all orders delivered later than promised, as a fraction.",
        expected=late_orders,
        grade=number(rel_tol=1e-4, mistakes=[
            (late_orders_or_on_the_day, "Arriving on the promised day is on time: use > not >=."),
        ]),
        hints=(
            "Reviews are opinions; orders record what happened. Compare `actual_days` with "
            "`promised_days`.",
            "The mean of a True/False column is the share of True.",
            "late_orders = (orders['actual_days'] > orders['promised_days']).mean()",
        ),
        minutes=2,
    ),
    Exercise(
        name="missing_answer",
        question="Which part of the AR draft fails its customer question: 'customer', 'problem', "
                 "'benefit', 'evidence' or 'experience'?",
        expected=missing_answer,
        grade=choice(list(customer.FIVE_QUESTIONS), mistakes={
            "customer": "The draft does name a customer: shoppers browsing fashion and home products.",
            "problem": "The draft states a problem; whether customers have it is another question.",
            "benefit": "The draft names one benefit: seeing the product before buying.",
            "experience": "The draft describes the experience: tap 'Try it', point the camera.",
        }),
        hints=(
            "Run `customer.prfaq(**draft)` and read the error.",
            "Which of the five questions can only be answered with data from customers?",
            "missing_answer = 'evidence'  # a competitor's launch says nothing about our customers",
        ),
        minutes=2,
    ),
    Exercise(
        name="my_prfaq",
        question="A PR/FAQ built with customer.prfaq(...) that solves the top problem and cites at "
                 "least two numbers from the data in its evidence.",
        expected=lambda ctx: sorted(facts(ctx)),
        grade=grade_prfaq,
        hints=(
            "Start from the customer: who suffers from the top problem, and what would a fix "
            "give them?",
            "Build the evidence sentence with an f-string from your `top_share`, `stars_lost` and "
            "`late_orders`, so the numbers come from the data.",
            "evidence = f\"{top_share:.1%} of {len(reviews):,} reviews mention it; they give "
            "{stars_lost:.1f} fewer stars.\" then customer.prfaq(..., evidence=evidence, ...)",
        ),
        minutes=10,
    ),
    Exercise(
        name="which_prfaq",
        question=f"Which PR/FAQ goes to the leadership meeting: '{CHOICES[0]}' or '{CHOICES[1]}'? "
                 "Then a colon and your evidence.",
        expected=decision_call,
        grade=decision(
            CHOICES, decision_facts,
            questions={
                CHOICES[1]: lambda ctx: (
                    f"How many of the {len(ctx.load('reviews')):,} reviews ask for AR try-on? "
                    f"{_try_on_asks(ctx)}. And {pct(table(ctx).loc['late delivery', 'frequency'])} "
                    "mention late delivery. Whose need are you working backwards from?"),
                CHOICES[0]: lambda ctx: (
                    "More reviews ask for AR try-on than mention late deliveries: which customer "
                    "need does the data point to?"),
            },
        ),
        hints=(
            "Working backwards starts from the customer: which need do the reviews state most often?",
            "Which share of reviews mentions late delivery, and how many ask for AR try-on?",
            "Write the call, a colon, then both numbers with what they count: f\"<call>: "
            "{top_share:.1%} of reviews mention late delivery; <n> ask for AR try-on\"",
        ),
        minutes=3,
    ),
]
