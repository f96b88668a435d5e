"""Exercises for lesson 04_working_backwards: find the customer problem, size it, write the PR/FAQ."""

from __future__ import annotations

import math
from typing import Any

from pmkit import customer
from pmkit.display import pct, safe_repr
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, ladder, number
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
CHOICES = ("drop ar try-on", "pilot ar try-on for fashion", "build ar try-on everywhere")
AR_FEATURE = "AR try-on"


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
    if not answer.internal_faq:
        return Verdict(False, "Your evidence holds up. Now add internal_faq={...}: the questions "
                              "colleagues will ask in the review (what it costs, what could go wrong, "
                              "how you will know it worked).")
    return Verdict(True, f"A PR/FAQ that starts from the customer, backed by: {'; '.join(backed)}.")


def fashion_themes(ctx: Context) -> Any:
    """The pain-point table of Fashion reviews: where AR try-on would act."""

    def build() -> Any:
        reviews = ctx.load("reviews")
        fashion = reviews[reviews["category"] == "Fashion"]
        return customer.pain_points(fashion["text"], ratings=fashion["stars"]).to_frame().set_index("theme")

    return ctx.cached("fashion_themes", build)


def kano_row(ctx: Context) -> Any:
    """Lesson 02's Kano survey, the AR try-on row."""

    def build() -> Any:
        survey = customer.kano_survey(ctx.load("kano")).to_frame()
        return survey.set_index("feature").loc[AR_FEATURE]

    return ctx.cached("kano_ar", build)


def ar_kano(ctx: Context) -> str:
    return str(kano_row(ctx)["category"])


def try_on_asks(ctx: Context) -> Any:
    """How many reviews ask for AR try-on (a count and a share of all reviews)."""
    reviews = ctx.load("reviews")
    return ctx.cached("try_on_asks", lambda: customer.pain_points(
        reviews["text"], lexicon=TRY_ON).to_frame().iloc[0])


def decision_facts(ctx: Context) -> Evidence:
    """AR try-on: what Kano says customers would feel, and whose problem it would solve."""
    fashion, kano, asks = fashion_themes(ctx), kano_row(ctx), try_on_asks(ctx)
    sizing = fashion.loc["sizing"]
    top_in_fashion = str(fashion["score"].idxmax())
    # A delighter is never asked for (customers do not miss what they have not seen), so the
    # reviews' silence is no evidence. Pilot where a stated problem (fit) meets a delighter.
    wanted = str(kano["category"]) in ("attractive", "one-dimensional")
    call = CHOICES[1] if wanted and top_in_fashion == "sizing" else CHOICES[0]
    reviews = ctx.load("reviews")
    return Evidence(call, (
        Fact("sizing", float(sizing["frequency"]), change=False, require="number",
             versus=float(fashion.loc["late delivery", "frequency"]),
             synonyms=("sizing complaints", "size", "sizes", "fit", "fits"),
             also=(float(sizing["mentions"]), float(sizing["severity"]))),
        Fact("better coefficient", float(kano["better"]), "number", change=False, require="number",
             synonyms=("kano better", "better score", "satisfaction if present", "delight",
                       "delights", "delighter")),
        Fact("worse coefficient", float(kano["worse"]), "number", change=False,
             synonyms=("kano worse", "worse score", "dissatisfaction if missing")),
        Fact("try-on asks", float(asks["frequency"]), change=False,
             synonyms=("try on", "try-on", "ar", "asks", "asked", "ask"),
             also=(float(asks["mentions"]),)),
    ), rule="a Kano delighter is never asked for: pilot it where a stated problem (sizing in "
            "Fashion) meets it; drop it when Kano finds no delight",
        given=(float(len(reviews)), float((reviews["category"] == "Fashion").sum())))


def decision_call(ctx: Context) -> str:
    return decision_facts(ctx).call


def _drop_question(ctx: Context) -> str:
    kano, sizing = kano_row(ctx), fashion_themes(ctx).loc["sizing", "frequency"]
    return (f"Would a shopper ask for a feature they have never seen? Lesson 02's Kano survey puts "
            f"AR try-on at better {kano['better']:.2f} and worse {kano['worse']:.2f}: what kind of "
            f"feature is that, and what do the {pct(sizing)} of Fashion reviews that complain about "
            "sizing tell you?")


def _everywhere_question(ctx: Context) -> str:
    fashion = fashion_themes(ctx)
    return (f"Whose problem does AR try-on solve? Sizing is {pct(fashion.loc['sizing', 'frequency'])} "
            "of Fashion reviews and no other category has it: would you build and pay for it "
            "everywhere before a pilot shows it cuts fit complaints?")


def delivery_draft(reviews: Any, orders: Any) -> customer.PRFAQ:
    """Dana's first draft of the late-delivery PR/FAQ, with the gaps a review should find.

    Its numbers come from the data; three of its answers cite none.
    """
    late = float((orders["actual_days"] > orders["promised_days"]).mean())
    found = customer.pain_points(reviews["text"], ratings=reviews["stars"]).to_frame().set_index("theme")
    row = found.loc["late delivery"]
    return customer.prfaq(
        headline="Basketly delivers on the day it promised",
        customer="Shoppers who plan their day around a Basketly delivery",
        problem=f"{late:.1%} of orders arrive after the promised day.",
        benefit="The promised day is a day you can plan around.",
        evidence=f"{int(row['mentions']):,} of {len(reviews):,} reviews mention late delivery and "
                 f"give {row['severity']:.1f} fewer stars than reviews with no complaint.",
        experience="Checkout shows a day we keep; if a parcel will slip, you hear it first.",
        quotes=[("A shopper in the West since 2023", "I took a day off for a parcel that never came.")],
        faq={"What if my order is late anyway?": "We refund the delivery fee without being asked.",
             "Does it cost more?": f"No: the average order keeps its fee of "
                                   f"{orders['shipping_fee'].mean():.2f} USD."},
        internal_faq={"What will it cost us?": "Some refunds, and a buffer in the promise.",
                      "How will we know it worked?": f"The late share falls from {late:.1%} "
                                                     "within two quarters.",
                      "What could go wrong?": "Longer promises could cost us orders."},
    )


def uncited_faq(ctx: Context) -> list[str]:
    draft = delivery_draft(ctx.load("reviews"), ctx.load("orders"))
    return [q for q, a in (*draft.faq, *draft.internal_faq) if not customer.cited_numbers(a)]


def grade_uncited(answer: Any, expected: Any, ctx: Context) -> Verdict:
    if isinstance(answer, str) or not isinstance(answer, list | tuple):
        return Verdict(False, f"Got {safe_repr(answer, 40)}; answer with a list of the FAQ questions, "
                              "each written exactly as in the draft.")
    draft = delivery_draft(ctx.load("reviews"), ctx.load("orders"))
    given, wanted = [str(a) for a in answer], list(expected)
    if sorted(given) == sorted(wanted):
        return Verdict(True, f"Yes: {len(wanted)} answers would not survive the review as written.")
    cited = [q for q in given if q in dict((*draft.faq, *draft.internal_faq)) and q not in wanted]
    if cited:
        return Verdict(False, f"{cited[0]!r} is answered with a number; list only the answers that "
                              "cite none.")
    unknown = [q for q in given if q not in dict((*draft.faq, *draft.internal_faq))]
    if unknown:
        return Verdict(False, f"{unknown[0]!r} is not a question of the draft: copy the questions "
                              "exactly (draft.faq and draft.internal_faq hold them).")
    external = {q for q, _ in draft.faq}
    if given and set(given) <= external:
        return Verdict(False, "You read the customer FAQ only. The internal FAQ is where a review "
                              "asks for numbers most: what it costs and what could go wrong.")
    return Verdict(False, f"{len(set(wanted) - set(given))} question(s) with no number in the "
                          "answer are missing.")


def _theme_message(theme: str):
    def message(ctx: Context) -> str:
        row, top = table(ctx).loc[theme], table(ctx).loc[top_problem(ctx)]
        return (f"{theme} is in {pct(row['frequency'])} of reviews and costs {row['severity']:.1f} stars "
                f"(score {row['score']:.3f}); another theme scores {top['score']:.3f}. "
                "Rank by frequency × stars lost.")

    return message


EXERCISES = [
    Exercise(
        name="late_orders",
        question="Lesson 00 recall: the share of all orders delivered later than promised, as a "
                 "fraction.",
        expected=late_orders,
        grade=number(rel_tol=1e-4, mistakes=[
            (late_orders_or_on_the_day, "Arriving on the promised day is on time: use > not >=."),
        ]),
        hints=ladder(
            "An order is late when it arrives after the day it was promised; the share of late "
            "orders is the count of late ones over all orders.",
            "Compare `orders['actual_days']` with `orders['promised_days']` to get True/False per "
            "order; the `.mean()` of True/False is the share of True.",
            "late_orders = (orders[___] > orders[___]).mean()",
            "late_orders = (orders['actual_days'] > orders['promised_days']).mean()",
        ),
        minutes=2, level="remember", recalls="00",
    ),
    Exercise(
        name="ar_kano",
        question="Lesson 02 recall: the Kano category of 'AR try-on' in the `kano` survey.",
        expected=ar_kano,
        grade=choice(list(customer.KANO_CATEGORIES.values()), mistakes={
            "must-be": "A must-be feature makes customers angry when it is missing. Check its "
                       "worse coefficient: do shoppers miss AR try-on?",
            "one-dimensional": "One-dimensional features please more the more you have, and hurt "
                               "when missing. Compare AR try-on's better and worse coefficients.",
            "indifferent": "Indifferent features move neither way; AR try-on's better coefficient "
                           "says something else.",
        }),
        hints=ladder(
            "Kano asks how a customer feels with a feature and without it; the most common "
            "answer pattern names the feature's category.",
            "Run lesson 02's `customer.kano_survey(kano)`, then ask the result for one feature's "
            "category with `.category(...)`.",
            "ar_kano = customer.kano_survey(___).category(___)",
            "ar_kano = customer.kano_survey(kano).category('AR try-on')",
        ),
        minutes=2, level="understand", recalls="02",
    ),
    Exercise(
        name="top_problem",
        question="Across all reviews, the theme with the highest frequency × stars lost, as its "
                 "name (a string).",
        expected=top_problem,
        grade=choice(list(customer.LEXICON), mistakes={t: _theme_message(t) for t in customer.LEXICON}),
        hints=ladder(
            "A problem matters by how many customers have it and how much it hurts each of them: "
            "rank themes by both at once.",
            "Run `customer.pain_points` on every review, as the worked example did on Fashion; "
            "`.top(1)` lists the highest-scoring theme.",
            "top_problem = customer.pain_points(reviews[___], ratings=reviews[___]).top(1)[0]",
            "top_problem = customer.pain_points(reviews['text'], ratings=reviews['stars']).top(1)[0]",
        ),
        minutes=2, level="apply",
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
        hints=ladder(
            "How common a problem is: the reviews that mention it over all reviews, happy or not.",
            "The `frequency` column of the pain-point table is that share; pick the top "
            "problem's row with `.set_index('theme').loc[...]`.",
            "top_share = customer.pain_points(reviews['text'], ratings=reviews['stars'])"
            ".to_frame().set_index('theme').loc[___, ___]",
            "top_share = customer.pain_points(reviews['text'], ratings=reviews['stars'])"
            ".to_frame().set_index('theme').loc[top_problem, 'frequency']",
        ),
        minutes=3, level="apply",
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
        hints=ladder(
            "How much it hurts: the rating of reviews with the problem against the rating of "
            "reviews with no complaint at all.",
            "`pain_points(..., ratings=...)` reports exactly this in its `severity` column.",
            "stars_lost = customer.pain_points(reviews['text'], ratings=reviews['stars'])"
            ".to_frame().set_index('theme').loc[top_problem, ___]",
            "stars_lost = customer.pain_points(reviews['text'], ratings=reviews['stars'])"
            ".to_frame().set_index('theme').loc[top_problem, 'severity']",
        ),
        minutes=3, level="apply",
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
        hints=ladder(
            "Four of the five questions can be answered from a desk; one can only be answered "
            "with what customers said or did.",
            "Read the builder's message under the draft, and the draft's own evidence line: does "
            "it say anything about Basketly's customers?",
            "missing_answer = ___  # the part whose answer needs data from customers",
            "missing_answer = 'evidence'",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="uncited_faq",
        question="Review Dana's draft: the list of its FAQ questions, customer and internal, "
                 "whose answers cite no number.",
        expected=uncited_faq,
        grade=grade_uncited,
        hints=ladder(
            "A review reads every answer and asks: how do you know, and how much? An answer with "
            "no number cannot be checked later. Read the internal questions too.",
            "Loop over the (question, answer) pairs in `review_draft.faq` and "
            "`review_draft.internal_faq`; `customer.cited_numbers(answer)` is empty when an "
            "answer cites nothing.",
            "uncited_faq = [q for q, a in (*review_draft.faq, *review_draft.internal_faq) "
            "if not customer.cited_numbers(___)]",
            "uncited_faq = [q for q, a in (*review_draft.faq, *review_draft.internal_faq) "
            "if not customer.cited_numbers(a)]",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="my_prfaq",
        question="A PR/FAQ built with customer.prfaq(...) that solves the top problem, cites at "
                 "least two numbers from the data in its evidence and has an internal FAQ.",
        expected=lambda ctx: sorted(facts(ctx)),
        grade=grade_prfaq,
        hints=ladder(
            "Start from the customer: who suffers from the top problem, and what would a fix give "
            "them? Then answer what colleagues will ask: cost, risk, how you will know.",
            "Fill each part of `customer.prfaq(...)`; build the evidence with an f-string from "
            "`top_share`, `stars_lost` and `late_orders`, and give `internal_faq` at least one "
            "question.",
            "my_prfaq = customer.prfaq(\n"
            "    headline='Orders arrive on the day we promise',\n"
            "    customer='Shoppers who plan around a delivery', problem='Orders arrive late.',\n"
            "    benefit='A day you can plan around.',\n"
            "    evidence=f'{___:.1%} of reviews mention {top_problem}; they give {___:.1f} fewer stars.',\n"
            "    experience='Checkout shows a day we keep.',\n"
            "    quotes=[('A shopper in the West since 2023', 'Finally.')],\n"
            "    faq={'What if it is still late?': 'The fee comes back.'},\n"
            "    internal_faq={'What will it cost?': f'Refunds on {___:.1%} of orders at first.'})",
            "my_prfaq = customer.prfaq(\n"
            "    headline='Orders arrive on the day we promise',\n"
            "    customer='Shoppers who plan around a delivery', problem='Orders arrive late.',\n"
            "    benefit='A day you can plan around.',\n"
            "    evidence=f'{top_share:.1%} of reviews mention {top_problem}; '\n"
            "             f'they give {stars_lost:.1f} fewer stars.',\n"
            "    experience='Checkout shows a day we keep.',\n"
            "    quotes=[('A shopper in the West since 2023', 'Finally.')],\n"
            "    faq={'What if it is still late?': 'The fee comes back.'},\n"
            "    internal_faq={'What will it cost?': f'Refunds on {late_orders:.1%} of orders at first.'})",
        ),
        minutes=10, level="create",
    ),
    Exercise(
        name="ar_try_on_call",
        question=f"AR try-on: '{CHOICES[0]}', '{CHOICES[1]}' or '{CHOICES[2]}'? Then a colon and "
                 "your evidence.",
        expected=decision_call,
        grade=decision(CHOICES, decision_facts, questions={
            CHOICES[0]: _drop_question, CHOICES[2]: _everywhere_question,
            CHOICES[1]: lambda ctx: ("Kano finds no delight in AR try-on here, or fit is not what "
                                     "Fashion shoppers complain about most: what would a pilot "
                                     "test?"),
        }),
        hints=ladder(
            "Silence in reviews is weak evidence for a feature customers have never seen: a "
            "delighter is never asked for. Weigh what shoppers would feel with it (Kano) and "
            "which stated problem it would solve (sizing in Fashion).",
            "Look up AR try-on's `better` and `worse` in `survey.to_frame()`, and the sizing "
            "`frequency` in `fashion_themes` next to late delivery's.",
            "ar_try_on_call = (f\"___: Kano better coefficient {___:.2f}, worse coefficient "
            "{___:.2f}; sizing is {___:.1%} of Fashion reviews\")",
            "ar = survey.to_frame().set_index('feature').loc['AR try-on']\n"
            "sizing = fashion_themes.loc['sizing', 'frequency']\n"
            "call = ('pilot ar try-on for fashion' if ar['category'] in ('attractive', 'one-dimensional')\n"
            "        and fashion_themes['score'].idxmax() == 'sizing' else 'drop ar try-on')\n"
            "ar_try_on_call = (f\"{call}: Kano better coefficient {ar['better']:.2f}, worse coefficient "
            "{ar['worse']:.2f}; sizing is {sizing:.1%} of Fashion reviews, above late delivery at "
            "{fashion_themes.loc['late delivery', 'frequency']:.1%}\")",
        ),
        minutes=6, level="evaluate",
    ),
]
