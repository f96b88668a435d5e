"""How fast is ``pmkit.recommend`` on the course's purchases table, and on a bigger one?

Two comparisons, each between routes that give the same numbers:

- similarity: ``item_similarity`` (sparse) against a dense numpy cosine
  (``X.T @ X`` on the full customers x products matrix);
- evaluation: ``evaluate`` (scores every customer in vectorised chunks) against a
  loop that asks ``ItemSimilarity.recommend`` for each customer in turn, the way
  one would write it by hand.

Run with ``.venv/bin/python benchmarks/bench_recommend.py`` (under a minute).
Goal: ``evaluate`` at least 10x faster than the per-customer loop. It prints
timings and ratios; it is not a test.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from pmkit import datasets
from pmkit.recommend import evaluate, item_similarity

SEED = 20251130
LOOP_CUSTOMERS = 1_500  # the loop is slow; time a sample and scale up


def timed(function, *args, repeats: int = 3):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def dense_cosine(customers: np.ndarray, items: np.ndarray) -> np.ndarray:
    rows = np.unique(customers, return_inverse=True)[1]
    cols = np.unique(items, return_inverse=True)[1]
    x = np.zeros((rows.max() + 1, cols.max() + 1))
    x[rows, cols] = 1.0
    co = x.T @ x
    norms = np.sqrt(np.diag(co))
    cosine = co / np.outer(norms, norms)
    np.fill_diagonal(cosine, 0.0)
    return cosine


def loop_hits(train: pd.DataFrame, test: pd.DataFrame, k: int, limit: int) -> list[bool]:
    sim = item_similarity(train["customer_id"].to_numpy(), train["product_id"].to_numpy())
    history = train.groupby("customer_id")["product_id"].apply(set)
    wanted = test.groupby("customer_id")["product_id"].apply(set)
    hits = []
    for customer, new in wanted.items():
        if customer not in history.index:
            continue
        new = (new - history[customer]) & set(sim.items.tolist())
        if not new:
            continue
        picks = sim.recommend(sorted(history[customer]), k=k).items
        hits.append(bool(new & set(picks)))
        if len(hits) == limit:
            break
    return hits


def bigger(purchases: pd.DataFrame, copies: int, seed: int = SEED) -> pd.DataFrame:
    """The same shopping patterns for ``copies`` times as many customers."""
    rng = np.random.default_rng(seed)
    parts = []
    top = int(purchases["customer_id"].max())
    for copy in range(copies):
        part = purchases.copy()
        part["customer_id"] = part["customer_id"] + copy * top
        parts.append(part.sample(frac=1.0, random_state=int(rng.integers(2**31))))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    base = datasets.load("purchases")
    for label, purchases in (("course table", base), ("10x customers", bigger(base, 10))):
        train = purchases[purchases["split"] == "train"]
        test = purchases[purchases["split"] == "test"]
        c, i = train["customer_id"].to_numpy(), train["product_id"].to_numpy()
        print(f"{label}: {c.size:,} train purchases, {np.unique(c).size:,} customers")

        t_sparse, sim = timed(item_similarity, c, i)
        t_dense, dense = timed(dense_cosine, c, i)
        assert np.allclose(sim.matrix.toarray(), dense)
        print(f"  similarity: sparse {t_sparse:.3f} s, dense numpy {t_dense:.3f} s "
              f"(dense / sparse = {t_dense / t_sparse:.1f}x)")

        args = (c, i, test["customer_id"].to_numpy(), test["product_id"].to_numpy(), 10)
        t_eval, result = timed(evaluate, *args, repeats=2)
        t_loop, hits = timed(loop_hits, train, test, 10, LOOP_CUSTOMERS, repeats=1)
        per_customer = t_loop / len(hits)
        # The loop visits customers in id order, as evaluate does: same customers, same hits.
        assert hits == list(result.model_ranks[: len(hits)] <= 10)
        loop_total = per_customer * result.customers
        print(f"  hit rate at 10 for {result.customers:,} customers: evaluate {t_eval:.2f} s, "
              f"per-customer loop ~{loop_total:.1f} s (measured on {len(hits):,}; "
              f"loop / evaluate = {loop_total / t_eval:.0f}x)")


if __name__ == "__main__":
    main()
