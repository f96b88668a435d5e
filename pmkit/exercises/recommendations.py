"""Exercises for lesson 07_recommendations: similarity, popularity bias, hit rate and a decision."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pmkit.exercises.engine import Context, Exercise, choice, decision, items, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

#: Products on the "customers who bought this also bought" shelf.
SHELF = 5
#: How many best-sellers count as "the best-sellers" in the popularity diagnosis.
TOP = 10
#: Shared buyers a pair needs before its lift is read (fewer is noise).
MIN_SHARED = 20
SHELF_OPTIONS = ("run an A/B test", "launch the shelf", "keep best-sellers")


# ------------------------------------------------------------------ warm-up ---

def conversion(ctx: Context) -> float:
    return float(ctx.load("sessions")["purchase"].mean())


def conversion_from_views(ctx: Context) -> float:
    """The slip: purchases per session that viewed a product, not per session."""
    sessions = ctx.load("sessions")
    return float(sessions["purchase"].sum() / sessions["product_view"].sum())


DOCUMENTS = ("press release and FAQ", "technical design", "A/B test plan", "business case")


# ------------------------------------------------------------------ the data ---

def train(ctx: Context) -> pd.DataFrame:
    purchases = ctx.load("purchases")
    return purchases[purchases["split"] == "train"]


def similarity(ctx: Context) -> Any:
    from pmkit.recommend import item_similarity_table

    return ctx.cached("similarity", lambda: item_similarity_table(
        train(ctx), products=ctx.load("products")))


def buyers(ctx: Context) -> pd.Series:
    return ctx.cached("buyers", lambda: train(ctx).groupby("product_id")["customer_id"].nunique())


def best_seller(ctx: Context) -> int:
    """The product with the most train buyers (lowest id on a tie)."""
    return int(buyers(ctx).sort_index().idxmax())


def neighbour(ctx: Context) -> int:
    return int(similarity(ctx).similar(best_seller(ctx), k=1).items[0])


def _buyers(ctx: Context, product: int) -> set[int]:
    frame = train(ctx)
    return set(frame.loc[frame["product_id"] == product, "customer_id"])


def cosine_pair(ctx: Context) -> float:
    a, b = _buyers(ctx, best_seller(ctx)), _buyers(ctx, neighbour(ctx))
    return len(a & b) / math.sqrt(len(a) * len(b))


def jaccard_pair(ctx: Context) -> float:
    a, b = _buyers(ctx, best_seller(ctx)), _buyers(ctx, neighbour(ctx))
    return len(a & b) / len(a | b)


def shared_buyers(ctx: Context) -> float:
    return float(len(_buyers(ctx, best_seller(ctx)) & _buyers(ctx, neighbour(ctx))))


def customers(ctx: Context) -> int:
    return int(train(ctx)["customer_id"].nunique())


def pair_lift(ctx: Context) -> float:
    a, b = _buyers(ctx, best_seller(ctx)), _buyers(ctx, neighbour(ctx))
    return len(a & b) * customers(ctx) / (len(a) * len(b))


def pair_lift_without_base(ctx: Context) -> float:
    """The slip: P(B | A) alone, the share of A's buyers who bought B, without dividing by P(B)."""
    a, b = _buyers(ctx, best_seller(ctx)), _buyers(ctx, neighbour(ctx))
    return len(a & b) / len(a)


def top_sellers(ctx: Context) -> list[int]:
    ranked = buyers(ctx).sort_values(ascending=False, kind="stable")
    return [int(p) for p in ranked.index[:TOP]]


def popular_pages(ctx: Context) -> float:
    """The share of product pages whose first cosine pick is one of the ten best-sellers."""
    def build() -> float:
        first = similarity(ctx).to_frame(k=1)
        return float(first["neighbour"].isin(top_sellers(ctx)).mean())

    return ctx.cached("popular_pages", build)


def popular_slots(ctx: Context) -> float:
    """The slip: every slot of the five-product shelf, not the first pick."""
    return float(similarity(ctx).to_frame(k=SHELF)["neighbour"].isin(top_sellers(ctx)).mean())


def example_basket(ctx: Context) -> list[int]:
    """The train history of the first test customer who bought at least three products."""
    rows = train(ctx)
    counts = rows.groupby("customer_id").size()  # not .apply(list): a Python call per customer
    tested = ctx.load("purchases").query("split == 'test'")["customer_id"].unique()
    first = counts[(counts >= 3) & counts.index.isin(tested)].index[0]
    return [int(p) for p in rows.loc[rows["customer_id"] == first, "product_id"]]


def basket_picks(ctx: Context) -> list[int]:
    return [int(p) for p in similarity(ctx).recommend(example_basket(ctx), k=3).items]


def evaluation(ctx: Context) -> Any:
    from pmkit.recommend import evaluate_table

    return ctx.cached("evaluation", lambda: evaluate_table(ctx.load("purchases"), k=20))


def hit_rate(ctx: Context) -> float:
    return evaluation(ctx).at(SHELF)[0]


def baseline_hit_rate(ctx: Context) -> float:
    return evaluation(ctx).at(SHELF)[1]


def hit_rate_at_20(ctx: Context) -> float:
    return evaluation(ctx).hit_rate


def lift(ctx: Context) -> float:
    model, baseline = evaluation(ctx).at(SHELF)
    return model / baseline


def lift_as_difference(ctx: Context) -> float:
    model, baseline = evaluation(ctx).at(SHELF)
    return model - baseline


def shelf_coverage(ctx: Context) -> float:
    def build() -> float:
        sim = similarity(ctx)
        return sim.to_frame(k=SHELF)["neighbour"].nunique() / sim.products

    return ctx.cached("coverage", build)


def shelf_facts(ctx: Context) -> Evidence:
    """Offline hit rates of the model and of best-sellers, and how much popularity drives it."""
    result = evaluation(ctx)
    model, baseline = result.at(SHELF)
    # An offline win earns a live test, not a launch: a hit counts a purchase the customer
    # made with no shelf at all, and many hits are best-sellers they would have found anyway.
    call = "run an A/B test" if model > baseline and result.p_value < 0.05 else "keep best-sellers"
    return Evidence(call, (
        Fact("model hit rate", model, change=False, require="number", p_value=result.p_value,
             versus=baseline,
             synonyms=("item to item", "item-to-item", "hit rate", "model", "recommendations"),
             also=(result.hit_rate,)),
        Fact("best-seller hit rate", baseline, change=False, require="number",
             synonyms=("best sellers", "best-sellers", "best seller", "baseline")),
        Fact("popular first picks", popular_pages(ctx), change=False, require="number",
             synonyms=("popularity", "popular", "first pick", "first picks", "pages",
                       "product pages"),
             also=(popular_slots(ctx),)),
        Fact("lift", lift(ctx), "multiple", change=False, synonyms=("times",),
             also=(lift(ctx) - 1, model - baseline)),
        Fact("coverage", shelf_coverage(ctx), change=False, synonyms=("catalogue", "catalog")),
    ), rule="an offline win over the simple baseline earns a live test, not a launch: hit rate "
            "counts purchases made without the shelf, many of them best-sellers",
        given=(float(SHELF), 20.0, float(TOP)))


def shelf_call(ctx: Context) -> str:
    return shelf_facts(ctx).call


def _keep_question(ctx: Context) -> str:
    model, baseline = evaluation(ctx).at(SHELF)
    return (f"Item-to-item put a held-out purchase on a {SHELF}-product shelf for {model:.0%} of "
            f"customers against {baseline:.0%} for best-sellers. What would it take to convince "
            "you it deserves a live test?")


def _launch_question(ctx: Context) -> str:
    return ("Every hit counted here is a purchase the customer made without any shelf, and "
            f"{popular_pages(ctx):.0%} of pages put a best-seller first. What shows that the "
            "shelf makes customers buy more, rather than predicting what they would buy anyway?")


def _test_question(ctx: Context) -> str:
    model, baseline = evaluation(ctx).at(SHELF)
    return (f"Offline, item-to-item found {model:.0%} against {baseline:.0%} for best-sellers. "
            "Why spend customers' attention testing a model that does not beat the simple one?")


EXERCISES = [
    Exercise(
        name="conversion_recall",
        question="Warm-up (lesson 05): the share of all `sessions` that ended in a purchase, as a "
                 "fraction.",
        expected=conversion,
        grade=number(rel_tol=1e-4, mistakes=[
            (conversion_from_views, "That divides by sessions that viewed a product; conversion "
                                    "counts every session."),
        ]),
        hints=ladder(
            "Conversion is purchases per session: of all visits, how many ended in a purchase.",
            "The `purchase` column is 1 for a session that bought; its `.mean()` is the share.",
            "conversion_recall = sessions[___].mean()",
            "conversion_recall = sessions['purchase'].mean()",
        ),
        minutes=2, level="remember", recalls="05",
    ),
    Exercise(
        name="first_document",
        question="Warm-up (lesson 04): working backwards starts from which document: "
                 + ", ".join(f"'{d}'" for d in DOCUMENTS) + "?",
        expected=lambda ctx: DOCUMENTS[0],
        grade=choice(list(DOCUMENTS), mistakes={
            "technical design": "A design says how to build it; working backwards first says "
                                "what the customer gets and why it matters to them.",
            "A/B test plan": "A test checks a product that exists; working backwards starts "
                             "before anything is built.",
            "business case": "The business case comes later; working backwards starts from the "
                             "customer, in the words of the launch announcement.",
        }),
        hints=ladder(
            "Working backwards means starting from the customer: write what they will read on "
            "launch day, and the questions they and the team will ask.",
            "Pick the option that is written as if the product had already launched.",
            "first_document = '___'",
            "first_document = 'press release and FAQ'",
        ),
        minutes=1, level="remember", recalls="04",
    ),
    Exercise(
        name="cosine_pair",
        question="The cosine similarity of the best-seller and its nearest neighbour: buyers "
                 "of both / sqrt(buyers of one x buyers of the other).",
        expected=cosine_pair,
        grade=number(rel_tol=1e-6, mistakes=[
            (jaccard_pair, "That is the Jaccard index (both / either). Cosine divides by the "
                           "square root of the product of the two buyer counts."),
            (shared_buyers, "That is the number of shared buyers; now divide it by "
                            "sqrt(buyers of one x buyers of the other)."),
        ]),
        hints=ladder(
            "Two products are close when many of the same customers bought both, scaled so that "
            "products everyone buys do not look close to everything.",
            "Make a Python set of the customers who bought each product in `train` "
            "(`train.loc[train['product_id'] == ..., 'customer_id']`); shared buyers are "
            "`len(a & b)`; divide by `math.sqrt(len(a) * len(b))`.",
            "a = set(train.loc[train['product_id'] == best_seller, 'customer_id'])\n"
            "b = set(train.loc[train['product_id'] == ___, 'customer_id'])\n"
            "cosine_pair = len(a & b) / math.sqrt(len(___) * len(b))",
            "a = set(train.loc[train['product_id'] == best_seller, 'customer_id'])\n"
            "b = set(train.loc[train['product_id'] == neighbour, 'customer_id'])\n"
            "cosine_pair = len(a & b) / math.sqrt(len(a) * len(b))",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="pair_lift",
        question="The lift of the same pair: buyers of both x all customers in `train` / "
                 "(buyers of the best-seller x buyers of the neighbour).",
        expected=pair_lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (pair_lift_without_base, "That is the share of the best-seller's buyers who also "
                                     "bought the neighbour. Lift divides it by the share of all "
                                     "customers who bought the neighbour."),
            (cosine_pair, "That is the cosine similarity; lift multiplies shared buyers by the "
                          "number of customers and divides by both buyer counts."),
        ]),
        hints=ladder(
            "Lift asks how much more often the best-seller's buyers take the neighbour than "
            "customers in general do: 1 means no more often than everyone.",
            "Count all customers with `train['customer_id'].nunique()`; reuse the two buyer "
            "sets; lift = shared x customers / (buyers of one x buyers of the other).",
            "a = set(train.loc[train['product_id'] == best_seller, 'customer_id'])\n"
            "b = set(train.loc[train['product_id'] == neighbour, 'customer_id'])\n"
            "pair_lift = len(a & b) * train['customer_id'].___() / (len(a) * len(___))",
            "a = set(train.loc[train['product_id'] == best_seller, 'customer_id'])\n"
            "b = set(train.loc[train['product_id'] == neighbour, 'customer_id'])\n"
            "pair_lift = len(a & b) * train['customer_id'].nunique() / (len(a) * len(b))",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="popular_pages",
        question=f"The share of product pages whose first cosine pick is one of the {TOP} "
                 "best-sellers (a fraction).",
        expected=popular_pages,
        grade=number(rel_tol=1e-6, mistakes=[
            (popular_slots, f"That counts every slot of the {SHELF}-product shelf; the question "
                            "asks about the first pick of each page."),
        ]),
        hints=ladder(
            "If popularity did not pull on the shelf, a best-seller would be the first pick on "
            "about as many pages as its share of the catalogue; count how often it really is.",
            "`sim.to_frame(k=1)` gives each page's first pick in `neighbour`; `top_ten` holds the "
            "ten best-sellers; `.isin(...)` flags the picks among them and `.mean()` gives the "
            "share.",
            "popular_pages = sim.to_frame(k=___)['neighbour'].isin(___).mean()",
            "popular_pages = sim.to_frame(k=1)['neighbour'].isin(top_ten).mean()",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="basket_picks",
        question="The product ids of the top 3 recommendations for `basket`, best first "
                 "(a list).",
        expected=basket_picks,
        grade=items(ordered=True),
        hints=ladder(
            "For a basket, add up each product's similarity to everything in it and show the "
            "best scorers the customer does not own yet.",
            "`sim.recommend(basket, k=...)` does the adding; its `.items` holds the product ids, "
            "best first; wrap them in `list(...)`.",
            "basket_picks = list(sim.recommend(basket, k=___).items)",
            "basket_picks = list(sim.recommend(basket, k=3).items)",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="hit_rate",
        question=f"The hit rate of item-to-item recommendations on a shelf of {SHELF} "
                 "(a fraction).",
        expected=hit_rate,
        grade=number(rel_tol=1e-6, mistakes=[
            (baseline_hit_rate, "That is the best-sellers' hit rate; `at(k)` returns "
                                "(model, baseline)."),
            (hit_rate_at_20, "That is the hit rate at k = 20; the shelf holds 5."),
        ]),
        hints=ladder(
            "The hit rate at k is the share of customers for whom a shelf of k products would "
            "have shown something they went on to buy.",
            f"`evaluation` was run for every k up to 20; `evaluation.at({SHELF})` returns a pair: "
            "(item-to-item, best-sellers).",
            "hit_rate = evaluation.at(___)[___]",
            f"hit_rate = evaluation.at({SHELF})[0]",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="lift",
        question=f"How many times as often item-to-item finds a held-out purchase as "
                 f"best-sellers do, on a shelf of {SHELF} (a ratio).",
        expected=lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (lift_as_difference, "That is the difference; the question asks for the ratio."),
        ]),
        hints=ladder(
            "How many times as often: divide the model's hit rate by the baseline's.",
            f"Both come from `evaluation.at({SHELF})`: unpack the pair into two names.",
            f"model, baseline = evaluation.at({SHELF})\nlift = ___ / ___",
            f"model, baseline = evaluation.at({SHELF})\nlift = model / baseline",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="shelf_coverage",
        question=f"The share of the catalogue that appears on at least one product's "
                 f"'also bought' shelf of {SHELF} (a fraction).",
        expected=shelf_coverage,
        grade=number(rel_tol=1e-6),
        hints=ladder(
            "Coverage asks how much of the catalogue ever gets shown: every product that "
            "appears on at least one page's shelf counts once.",
            f"`sim.to_frame(k={SHELF})` lists every page's {SHELF} picks in `neighbour`; count "
            "the distinct ones with `.nunique()` and divide by `sim.products`.",
            "shelf_coverage = sim.to_frame(k=___)['neighbour'].___() / sim.products",
            f"shelf_coverage = sim.to_frame(k={SHELF})['neighbour'].nunique() / sim.products",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="test_unit",
        question="Which unit should the live test randomise: 'customer', 'session' or "
                 "'product page'?",
        expected=lambda ctx: "customer",
        grade=choice(["customer", "session", "product page"], mistakes={
            "session": "A customer who visits twice would see both shelves, and what she buys "
                       "on Tuesday depends on what she saw on Monday: sessions of one customer "
                       "are not independent.",
            "product page": "One customer browses many pages, so she would see both shelves "
                            "and her purchases could not be credited to either.",
        }),
        hints=ladder(
            "Randomise the thing whose outcome you measure and that must see only one version: "
            "a person, whose purchases build up across visits and pages.",
            "Ask of each option: could one shopper land in both groups? Could one group's shelf "
            "change what is bought in the other?",
            "test_unit = '___'",
            "test_unit = 'customer'",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="shelf_call",
        question="'run an A/B test', 'launch the shelf' or 'keep best-sellers', then a colon and "
                 "your evidence.",
        expected=shelf_call,
        grade=decision(
            list(SHELF_OPTIONS), shelf_facts,
            questions={"keep best-sellers": _keep_question, "launch the shelf": _launch_question,
                       "run an A/B test": _test_question},
        ),
        hints=ladder(
            "An offline win shows the model predicts what customers buy next; it does not show "
            "that the shelf makes them buy more. Weigh the two hit rates and how much of the "
            "shelf is popularity.",
            f"Look up both hit rates from `evaluation.at({SHELF})`, the paired test's "
            "`evaluation.p_value`, and your `popular_pages`. Beat the baseline clearly: test it "
            "live; otherwise keep best-sellers; a launch needs a live result.",
            f"model, baseline = evaluation.at({SHELF})\n"
            "shelf_call = (f\"___: the hit rate at 5 is {model:.1%} against {baseline:.1%} for "
            "best-sellers; {popular_pages:.1%} of pages put a best-seller first, ___\")",
            f"model, baseline = evaluation.at({SHELF})\n"
            "call = 'run an A/B test' if model > baseline and evaluation.p_value < 0.05 "
            "else 'keep best-sellers'\n"
            "shelf_call = (f\"{call}: the model hit rate at 5 is {model:.1%} against a best-seller "
            "hit rate of {baseline:.1%}; {popular_pages:.1%} of product pages put a best-seller "
            "first, so only a live test shows what the shelf adds\")",
        ),
        minutes=6, level="evaluate",
    ),
]
