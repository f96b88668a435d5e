"""Exercises for lesson 07_recommendations: similarity, a basket, hit rate and a decision."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pmkit.exercises.engine import Context, Exercise, decision, items, number
from pmkit.exercises.evidence import Evidence, Fact

#: Products on the "customers who bought this also bought" shelf.
SHELF = 5


def train(ctx: Context) -> pd.DataFrame:
    purchases = ctx.load("purchases")
    return purchases[purchases["split"] == "train"]


def similarity(ctx: Context) -> Any:
    from pmkit.recommend import item_similarity_table

    return ctx.cached("similarity", lambda: item_similarity_table(
        train(ctx), products=ctx.load("products")))


def best_seller(ctx: Context) -> int:
    """The product with the most train buyers (lowest id on a tie)."""
    buyers = train(ctx).groupby("product_id")["customer_id"].nunique()
    return int(buyers.sort_index().idxmax())


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
    """Offline hit rates of the model and of best-sellers on a five-product shelf."""
    result = evaluation(ctx)
    model, baseline = result.at(SHELF)
    # An offline win earns a live test, not a launch: only customers can show that the
    # shelf helps them.
    call = "run an A/B test" if model > baseline and result.p_value < 0.05 else "keep best-sellers"
    return Evidence(call, (
        Fact("model hit rate", model, change=False, require="number", p_value=result.p_value,
             versus=baseline,
             synonyms=("item to item", "item-to-item", "hit rate", "model", "recommendations"),
             also=(result.hit_rate,)),
        Fact("best-seller hit rate", baseline, change=False, require="number",
             synonyms=("best sellers", "best-sellers", "best seller", "baseline", "popularity")),
        Fact("lift", lift(ctx), "multiple", change=False, synonyms=("times",),
             also=(lift(ctx) - 1, model - baseline)),
    ), rule="an offline win over the simple baseline earns a live test, not a launch",
        given=(float(SHELF), 20.0))


def shelf_call(ctx: Context) -> str:
    return shelf_facts(ctx).call


def _keep_question(ctx: Context) -> str:
    model, baseline = evaluation(ctx).at(SHELF)
    return (f"Item-to-item put a held-out purchase on a {SHELF}-product shelf for {model:.0%} of "
            f"customers against {baseline:.0%} for best-sellers. What would it take to convince "
            "you it deserves a live test?")


def _test_question(ctx: Context) -> str:
    model, baseline = evaluation(ctx).at(SHELF)
    return (f"Offline, item-to-item found {model:.0%} against {baseline:.0%} for best-sellers. "
            "Why spend customers' attention testing a model that does not beat the simple one?")


EXERCISES = [
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
        hints=(
            "Make a set of the customers who bought each product in `train`.",
            "Shared buyers: `len(a & b)`; then divide by `math.sqrt(len(a) * len(b))`.",
            "a = set(train.loc[train['product_id'] == best_seller, 'customer_id']); "
            "b = set(train.loc[train['product_id'] == neighbour, 'customer_id']); "
            "cosine_pair = len(a & b) / math.sqrt(len(a) * len(b))",
        ),
        minutes=4,
    ),
    Exercise(
        name="basket_picks",
        question="The product ids of the top 3 recommendations for `basket`, best first "
                 "(a list).",
        expected=basket_picks,
        grade=items(ordered=True),
        hints=(
            "`sim.recommend(basket, k=...)` adds up each product's similarity to the basket.",
            "Its `.items` holds the product ids, best first.",
            "basket_picks = list(sim.recommend(basket, k=3).items)",
        ),
        minutes=2,
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
        hints=(
            "`evaluation` was run for every k up to 20.",
            f"`evaluation.at({SHELF})` returns (item-to-item, best-sellers).",
            f"hit_rate = evaluation.at({SHELF})[0]",
        ),
        minutes=2,
    ),
    Exercise(
        name="lift",
        question=f"How many times as often item-to-item finds a held-out purchase as "
                 f"best-sellers do, on a shelf of {SHELF} (a ratio).",
        expected=lift,
        grade=number(rel_tol=1e-6, mistakes=[
            (lift_as_difference, "That is the difference; the question asks for the ratio."),
        ]),
        hints=(
            "Lift is a ratio: model divided by baseline.",
            f"Both come from `evaluation.at({SHELF})`.",
            f"model, baseline = evaluation.at({SHELF}); lift = model / baseline",
        ),
        minutes=2,
    ),
    Exercise(
        name="shelf_coverage",
        question=f"The share of the catalogue that appears on at least one product's "
                 f"'also bought' shelf of {SHELF} (a fraction).",
        expected=shelf_coverage,
        grade=number(rel_tol=1e-6),
        hints=(
            f"`sim.to_frame(k={SHELF})` lists every product's {SHELF} nearest neighbours.",
            "Count the distinct neighbours and divide by the number of products.",
            f"shelf_coverage = sim.to_frame(k={SHELF})['neighbour'].nunique() / sim.products",
        ),
        minutes=3,
    ),
    Exercise(
        name="shelf_call",
        question="'run an A/B test' or 'keep best-sellers', then a colon and your evidence.",
        expected=shelf_call,
        grade=decision(
            ["run an A/B test", "keep best-sellers"], shelf_facts,
            questions={"keep best-sellers": _keep_question, "run an A/B test": _test_question},
        ),
        hints=(
            "An offline win is evidence that the model finds what customers buy later; it does "
            "not yet show that customers buy more because of the shelf.",
            "Compare the two hit rates and the paired test's p-value in `evaluation`.",
            "Write the call, a colon, then both hit rates: f\"<call>: offline the hit rate at 5 is "
            "{model:.0%} against {baseline:.0%} for best-sellers; ...\"",
        ),
        minutes=4,
    ),
]
