"""Item-to-item recommendations: "customers who bought X also bought Y".

The method, in three lines:

1. Write purchases as a customers x products table of 1s (bought) and 0s.
2. Two products are similar when the same customers bought both: the cosine of
   their columns, ``buyers of both / sqrt(buyers of X * buyers of Y)``.
3. For a basket, add up each product's similarity to the items in it and show
   the highest scorers the customer does not already have.

``evaluate`` checks the idea honestly: build the similarity on the ``train``
purchases, then ask how often a customer's held-out ``test`` purchase appears in
their top k (hit rate at k), against the simplest rival, "show the best-sellers".

scipy is imported inside the functions that need it, so ``import pmkit.recommend``
stays light.

>>> sim = item_similarity([1, 1, 2, 2, 3], ["tent", "stove", "tent", "stove", "tent"])
>>> sim.similar("tent", k=1).items
('stove',)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmkit import _validate
from pmkit.display import BAD, GOOD, NEUTRAL, PALETTE, new_axes, pct, safe_repr
from pmkit.results import Result

__all__ = [
    "HitRate",
    "ItemSimilarity",
    "Recommendations",
    "evaluate",
    "evaluate_table",
    "item_similarity",
    "item_similarity_table",
    "popular_items",
    "recommend",
    "similar_items",
]

#: Customers scored at once in ``evaluate``: bounds memory at (chunk x products) floats.
_CHUNK = 2048


# --------------------------------------------------------------------------- inputs


def _ids(values: Any, name: str) -> np.ndarray:
    """Customer or product identifiers: a non-empty 1-D list of ints or strings, no gaps."""
    if isinstance(values, str | bytes) or values is None or isinstance(values, numbers.Number):
        raise TypeError(f"{name} should be a list of ids, got {safe_repr(values)}")
    if isinstance(values, Mapping | set | frozenset) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} should be an ordered list of ids, got {type(values).__name__}")
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} should be a list of ids, got a DataFrame; pick one column")
    try:
        # Plain lists go through object dtype so [1, "a"] is caught, not silently made text.
        arr = np.asarray(values, dtype=object if isinstance(values, list | tuple) else None)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} should be a list of ids ({exc})") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} should be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if arr.dtype.kind in "iu":
        return _small_ints(arr.astype(np.int64) if arr.dtype.kind == "i" else arr, name)
    if arr.dtype.kind == "U":
        return arr
    if arr.dtype.kind == "f":
        if not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
            raise ValueError(f"{name} contains missing or fractional values, which are not ids")
        return _small_ints(arr, name)
    if arr.dtype.kind != "O":
        raise TypeError(f"{name} should hold ids (whole numbers or text), got dtype {arr.dtype}")
    kinds = {_id_kind(value, name) for value in arr.tolist()}
    if len(kinds) > 1:
        raise TypeError(f"{name} mixes numbers and text; use one kind of id")
    if kinds == {int}:
        return _small_ints(np.array([int(v) for v in arr.tolist()], dtype=object), name)
    return arr.astype(str)


def _small_ints(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.size and max(abs(int(arr.max())), abs(int(arr.min()))) >= 2**62:
        raise ValueError(f"{name} holds an id too large to store")
    return arr.astype(np.int64)


def _id_kind(value: Any, name: str) -> type:
    """``int`` or ``str`` for one id; anything else is an error."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{name} should hold ids (whole numbers or text), got {safe_repr(value)}")
    if isinstance(value, str):
        return str
    if isinstance(value, numbers.Integral):
        return int
    if isinstance(value, numbers.Real):
        if math.isfinite(value) and float(value).is_integer():
            return int
        raise ValueError(f"{name} contains {value!r}, which is not an id (missing or fractional)")
    raise TypeError(f"{name} should hold ids (whole numbers or text), got {safe_repr(value)}")


def _k(k: Any, limit: int) -> int:
    k = _validate.count(k, "k", minimum=1)
    if k > limit:
        raise ValueError(f"k should be at most {limit} (the number of products that can be shown)")
    return k


def _sparse_purchases(customers: np.ndarray, items: np.ndarray, item_ids: np.ndarray) -> Any:
    """Binary customers x products matrix (CSR); repeat purchases count once."""
    from scipy import sparse

    customer_ids, rows = np.unique(customers, return_inverse=True)
    cols = np.searchsorted(item_ids, items)
    data = np.ones(rows.size, dtype=np.float64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(customer_ids.size, item_ids.size))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return customer_ids, matrix


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, repr=False)
class Recommendations(Result):
    """The top products for an item or a basket, best first, with their scores."""

    basis: tuple[Any, ...] = field(compare=False)
    items: tuple[Any, ...] = field(compare=False)
    scores: tuple[float, ...] = field(compare=False)
    names: tuple[str, ...] = field(compare=False)
    method: str
    top_item: str
    basis_names: tuple[str, ...] = field(default=(), compare=False)

    def _label(self, item: Any, name: str) -> str:
        return name if name == str(item) else f"{name} ({item})"

    def summary(self) -> str:
        shown = self.basis_names or tuple(map(str, self.basis))
        basis = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
        if not self.items:
            return f"No products left to recommend for {basis}."
        head = f"For {basis}, the top {len(self.items)} {self.method} picks start with {self.top_item}"
        if self.scores[0] == 0:
            return head + ": no co-purchase signal, so these are the best-sellers."
        return head + f" (score {self.scores[0]:.3f})."

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"item": list(self.items), "name": list(self.names), "score": list(self.scores)},
            index=pd.RangeIndex(1, len(self.items) + 1, name="rank"),
        )

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        y = np.arange(len(self.items))[::-1]
        ax.barh(y, self.scores, color=PALETTE[0])
        ax.set_yticks(y, [self._label(i, n) for i, n in zip(self.items, self.names, strict=True)])
        ax.set_xlabel("similarity score" if self.method == "similar-item" else "score")
        ax.set_ylabel("recommended product")
        ax.set_title(f"Top pick: {self.top_item}")
        return ax


@dataclass(frozen=True, repr=False)
class ItemSimilarity(Result):
    """Cosine similarity between products, from who bought what."""

    customers: int
    products: int
    purchases: int
    density: float
    items: np.ndarray = field(compare=False, repr=False)
    matrix: Any = field(compare=False, repr=False)
    popularity: np.ndarray = field(compare=False, repr=False)
    names: Mapping[Any, str] = field(compare=False, repr=False, default_factory=dict)

    def summary(self) -> str:
        best = self._best_neighbour()
        close = float((best >= 0.1).mean())
        return (
            f"{self.products:,} products bought by {self.customers:,} customers "
            f"({pct(self.density, 2)} of the customer-product grid filled). "
            f"{pct(close)} of products have a neighbour with cosine similarity of at least 0.1."
        )

    def _best_neighbour(self) -> np.ndarray:
        return np.asarray(self.matrix.max(axis=1).todense()).ravel()

    def _index(self, item: Any, name: str = "item") -> int:
        if isinstance(item, bool) or not isinstance(item, str | numbers.Integral | np.integer):
            raise TypeError(f"{name} should be a product id, got {safe_repr(item)}")
        if self.items.dtype.kind == "U":
            key: Any = str(item) if isinstance(item, str) else None
        else:
            key = int(item) if not isinstance(item, str) else None
        position = np.searchsorted(self.items, key) if key is not None else self.items.size
        if position >= self.items.size or self.items[position] != key:
            shown = ", ".join(map(str, self.items[:5].tolist()))
            raise ValueError(f"{name} {safe_repr(item)} was never bought; known products include "
                             f"{shown}{' ...' if self.items.size > 5 else ''}")
        return int(position)

    def _name(self, position: int) -> str:
        item = self.items[position].item()
        return str(self.names.get(item, item))

    def _ranked(self, scores: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
        """Top-k positions by score; ties go to the best-seller, then the lower id."""
        order = np.lexsort((np.arange(scores.size), -self.popularity, -scores))
        keep = order[~np.isin(order, exclude)]
        return keep[:k]

    def _result(self, basis: tuple[Any, ...], top: np.ndarray, scores: np.ndarray,
                method: str) -> Recommendations:
        items = tuple(self.items[top].tolist())
        return Recommendations(
            basis=basis, items=items, scores=tuple(float(s) for s in scores[top]),
            names=tuple(self._name(int(p)) for p in top), method=method,
            top_item=self._name(int(top[0])) if top.size else "nothing",
            basis_names=tuple(self._name(self._index(b)) for b in basis),
        )

    def similar(self, item: Any, k: int = 5) -> Recommendations:
        """The k products most often bought by the same customers as ``item``."""
        position = self._index(item)
        k = _k(k, self.products - 1)
        scores = np.asarray(self.matrix[position].todense()).ravel()
        top = self._ranked(scores, np.array([position]), k)
        return self._result((item,), top, scores, "similar-item")

    def recommend(self, basket: Sequence[Any], k: int = 5) -> Recommendations:
        """The k best products to add to ``basket``: summed similarity to its items."""
        if isinstance(basket, str | bytes) or not isinstance(basket, Sequence | np.ndarray | pd.Series):
            raise TypeError(f"basket should be a list of product ids, got {safe_repr(basket)}")
        positions = np.array(sorted({self._index(b, "basket item") for b in list(basket)}),
                             dtype=np.int64)
        if positions.size == 0:
            raise ValueError("basket is empty; use popular_items for a customer with no history")
        if positions.size == self.products:
            raise ValueError("the basket already holds every product; nothing is left to recommend")
        k = _k(k, self.products - positions.size)
        scores = np.asarray(self.matrix[positions].sum(axis=0)).ravel()
        top = self._ranked(scores, positions, k)
        return self._result(tuple(list(basket)), top, scores, "basket")

    def shared(self, item: Any) -> np.ndarray:
        """Customers who bought both ``item`` and each product (in ``items`` order)."""
        position = self._index(item)
        cosine = np.asarray(self.matrix[position].todense()).ravel()
        # cosine = both / sqrt(buyers of item x buyers of other), so both is cosine x that root.
        both = np.rint(cosine * np.sqrt(self.popularity[position] * self.popularity.astype(float)))
        both[position] = self.popularity[position]
        return both.astype(np.int64)

    def lift(self, item: Any, k: int = 5, min_shared: int = 20) -> Recommendations:
        """The k products ``item``'s buyers take most often *relative to everyone*: lift.

        Lift is P(bought other | bought item) / P(bought other), that is
        ``both x customers / (buyers of item x buyers of other)``: 1 means the item's buyers
        take the other product exactly as often as every customer does, so a best-seller that
        everyone buys scores about 1 however many buyers it shares. Pairs with fewer than
        ``min_shared`` shared buyers are left out: a lift from a handful of customers is noise.

        >>> sim = item_similarity([1, 1, 2, 2, 3, 3, 4, 4], ["a", "b", "a", "b", "a", "c", "d", "c"])
        >>> r = sim.lift("b", k=2, min_shared=1)
        >>> r.items, [round(s, 2) for s in r.scores]
        (('a',), [1.33])
        """
        position = self._index(item)
        min_shared = _validate.count(min_shared, "min_shared", minimum=1)
        k = _k(k, self.products - 1)
        both = self.shared(item)
        lift = both * self.customers / (self.popularity[position] * self.popularity.astype(float))
        scores = np.where(both >= min_shared, lift, -np.inf)
        scores[position] = -np.inf
        top = self._ranked(scores, np.array([position]), k)
        top = top[np.isfinite(scores[top])]
        return self._result((item,), top, scores, "lift")

    def to_frame(self, k: int = 3) -> pd.DataFrame:
        """Each product's k nearest neighbours: item, neighbour, similarity."""
        k = _k(k, self.products - 1)
        order_key = np.lexsort((np.arange(self.products), -self.popularity))
        parts = []
        for start in range(0, self.products, _CHUNK):
            stop = min(start + _CHUNK, self.products)
            scores = self.matrix[start:stop].toarray()
            # A product is never its own neighbour.
            scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf
            top = order_key[np.argsort(-scores[:, order_key], axis=1, kind="stable")[:, :k]]
            parts.append(pd.DataFrame({
                "item": np.repeat(self.items[start:stop], k),
                "rank": np.tile(np.arange(1, k + 1), stop - start),
                "neighbour": self.items[top.ravel()],
                "similarity": np.take_along_axis(scores, top, axis=1).ravel(),
            }))
        return pd.concat(parts, ignore_index=True)

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        best = self._best_neighbour()
        ax.hist(best, bins=20, range=(0, 1), color=PALETTE[0])
        ax.set_xlabel("cosine similarity to the closest other product")
        ax.set_ylabel("products")
        ax.set_title(f"Half the products have a neighbour at {np.median(best):.2f} or closer")
        return ax


def item_similarity(customers: Sequence[Any], items: Sequence[Any], *,
                    names: Mapping[Any, str] | None = None) -> ItemSimilarity:
    """Cosine similarity between products from purchase pairs (one per customer and item).

    Repeat purchases count once: the question is *whether* a customer bought both.

    >>> sim = item_similarity([1, 1, 2, 2, 3, 3], [10, 20, 10, 20, 10, 30])
    >>> round(float(sim.matrix[0, 1]), 4)   # products 10 and 20: 2 shared buyers of 3 and 2
    0.8165
    >>> sim.recommend([10], k=2).items
    (20, 30)
    """
    from scipy import sparse

    who = _ids(customers, "customers")
    what = _ids(items, "items")
    _validate.same_length(customers=who, items=what)
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(f"names should map product id to name, got {type(names).__name__}")
    item_ids = np.unique(what)
    if item_ids.size < 2:
        raise ValueError("items: need purchases of at least two different products")
    customer_ids, bought = _sparse_purchases(who, what, item_ids)
    co_bought = (bought.T @ bought).tocsr()
    buyers = co_bought.diagonal()
    scale = sparse.diags(1.0 / np.sqrt(buyers))
    cosine = (scale @ co_bought @ scale).tocsr()
    cosine.setdiag(0.0)
    cosine.eliminate_zeros()
    return ItemSimilarity(
        customers=int(customer_ids.size), products=int(item_ids.size), purchases=int(bought.nnz),
        density=float(bought.nnz / (customer_ids.size * item_ids.size)), items=item_ids,
        matrix=cosine, popularity=buyers.astype(np.int64),
        names={k: str(v) for k, v in (names or {}).items()},
    )


def _table_ids(frame: Any, customer: str, item: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    for name, value in (("customer", customer), ("item", item)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    _validate.columns(frame, [customer, item], what)
    if len(frame) == 0:
        raise ValueError(f"{what} has no rows")
    return _ids(frame[customer].to_numpy(), f"column {customer!r}"), _ids(
        frame[item].to_numpy(), f"column {item!r}")


def _product_names(products: Any, item: str) -> dict[Any, str] | None:
    if products is None:
        return None
    _validate.columns(products, [item, "name"], "products")
    return dict(zip(products[item].tolist(), products["name"].astype(str).tolist(), strict=True))


def item_similarity_table(purchases: pd.DataFrame, *, customer: str = "customer_id",
                          item: str = "product_id", products: pd.DataFrame | None = None
                          ) -> ItemSimilarity:
    """``item_similarity`` from a purchases table; ``products`` (with ``name``) labels the picks.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"customer_id": [1, 1, 2, 2], "product_id": [7, 8, 7, 9]})
    >>> item_similarity_table(p).products
    3
    """
    who, what = _table_ids(purchases, customer, item, "purchases")
    return item_similarity(who, what, names=_product_names(products, item))


def similar_items(similarity: ItemSimilarity, item: Any, k: int = 5) -> Recommendations:
    """Customers who bought ``item`` also bought...: the k most similar products.

    >>> sim = item_similarity([1, 1, 2, 2, 3], ["tent", "stove", "tent", "mat", "tent"])
    >>> similar_items(sim, "stove", k=1).items
    ('tent',)
    """
    if not isinstance(similarity, ItemSimilarity):
        raise TypeError(f"similarity should come from item_similarity, got {type(similarity).__name__}")
    return similarity.similar(item, k)


def recommend(similarity: ItemSimilarity, basket: Sequence[Any], k: int = 5) -> Recommendations:
    """The k products to suggest for a basket (summed similarity to what is in it).

    >>> sim = item_similarity([1, 1, 2, 2, 3, 3], ["a", "b", "a", "c", "b", "c"])
    >>> recommend(sim, ["a"], k=2).items
    ('b', 'c')
    """
    if not isinstance(similarity, ItemSimilarity):
        raise TypeError(f"similarity should come from item_similarity, got {type(similarity).__name__}")
    return similarity.recommend(basket, k)


def popular_items(customers: Sequence[Any], items: Sequence[Any], k: int = 5) -> Recommendations:
    """The baseline: the k products bought by the most customers.

    >>> popular_items([1, 2, 2, 3], ["a", "a", "b", "a"], k=2).items
    ('a', 'b')
    """
    who = _ids(customers, "customers")
    what = _ids(items, "items")
    _validate.same_length(customers=who, items=what)
    pairs = pd.DataFrame({"c": who, "i": what}).drop_duplicates()
    buyers = pairs.groupby("i").size()
    k = _k(k, buyers.size)
    ranked = sorted(buyers.items(), key=lambda pair: (-pair[1], pair[0]))[:k]
    return Recommendations(
        basis=("all customers",), items=tuple(i.item() if hasattr(i, "item") else i for i, _ in ranked),
        scores=tuple(float(n) for _, n in ranked), names=tuple(str(i) for i, _ in ranked),
        method="best-seller", top_item=str(ranked[0][0]), basis_names=("all customers",),
    )


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True, repr=False)
class HitRate(Result):
    """How often a held-out purchase is in the top k: the model against best-sellers."""

    k: int
    customers: int
    hit_rate: float
    baseline_hit_rate: float
    lift: float
    only_model: int
    only_baseline: int
    p_value: float
    model_ranks: np.ndarray = field(compare=False, repr=False)
    baseline_ranks: np.ndarray = field(compare=False, repr=False)

    def _accent(self) -> str:
        return GOOD if self.hit_rate > self.baseline_hit_rate and self.p_value < 0.05 else (
            BAD if self.hit_rate < self.baseline_hit_rate else NEUTRAL)

    def at(self, k: int) -> tuple[float, float]:
        """(model, baseline) hit rate at another k (up to the largest k evaluated)."""
        k = _validate.count(k, "k", minimum=1)
        if k > self.k:
            raise ValueError(f"k should be at most {self.k}, the largest k evaluated")
        return (float((self.model_ranks <= k).mean()), float((self.baseline_ranks <= k).mean()))

    def summary(self) -> str:
        verdict = "better" if self.hit_rate > self.baseline_hit_rate else "no better"
        return (
            f"Item-to-item picks put a held-out purchase in the top {self.k} for "
            f"{pct(self.hit_rate)} of {self.customers:,} customers, against {pct(self.baseline_hit_rate)} "
            f"for best-sellers ({self.lift:.2f}x; paired exact test {_p_text(self.p_value)}): "
            f"{verdict}."
        )

    def to_frame(self) -> pd.DataFrame:
        ks = np.arange(1, self.k + 1)
        return pd.DataFrame(
            {"model": [(self.model_ranks <= k).mean() for k in ks],
             "best_sellers": [(self.baseline_ranks <= k).mean() for k in ks]},
            index=pd.Index(ks, name="k"),
        )

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        frame = self.to_frame()
        ax.plot(frame.index, frame["model"], marker="o", color=PALETTE[0], label="item-to-item")
        ax.plot(frame.index, frame["best_sellers"], marker="s", color=PALETTE[1], label="best-sellers")
        ax.set_ylim(0, max(0.05, float(frame.to_numpy().max()) * 1.15))
        ax.set_xlabel("k (products shown)")
        ax.set_ylabel("hit rate: held-out purchase shown")
        ax.legend(frameon=False)
        ax.set_title(f"Item-to-item finds {self.lift:.1f}x as many purchases at k = {self.k}")
        return ax


def _p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _first_hit(hits: np.ndarray, slots: np.ndarray, k: int) -> np.ndarray:
    """Shelf position (1-based) of each row's first hit; k + 1 when there is none."""
    found = hits.any(axis=1)
    first = hits.argmax(axis=1)
    return np.where(found, slots[np.arange(hits.shape[0]), first], k + 1)


def _model_ranks(bought: Any, held_out: Any, matrix: Any, order_key: np.ndarray,
                 k: int) -> np.ndarray:
    """Where each customer's first held-out purchase lands on the item-to-item shelf."""
    n = bought.shape[0]
    ranks = np.empty(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        scores = (bought[start:stop] @ matrix).toarray()
        scores[bought[start:stop].toarray() > 0] = -np.inf
        # Stable sort on a popularity-ordered copy: ties go to the best-seller.
        top = order_key[np.argsort(-scores[:, order_key], axis=1, kind="stable")[:, :k]]
        hits = np.take_along_axis(held_out[start:stop].toarray() > 0, top, axis=1)
        ranks[start:stop] = _first_hit(hits, np.broadcast_to(np.arange(1, k + 1), hits.shape), k)
    return ranks


def _baseline_ranks(bought: Any, held_out: Any, order_key: np.ndarray, k: int) -> np.ndarray:
    """The same for the best-seller shelf: one ranking for all, minus what each owns."""
    n = bought.shape[0]
    ranks = np.empty(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        owned = bought[start:stop]
        # A customer owning b products finds their k free ones among the first k + b.
        columns = order_key[: k + int(np.diff(owned.indptr).max())]
        free = owned[:, columns].toarray() == 0
        slots = np.cumsum(free, axis=1)  # the shelf position each product would take
        hits = free & (slots <= k) & (held_out[start:stop][:, columns].toarray() > 0)
        ranks[start:stop] = _first_hit(hits, slots, k)
    return ranks


def _mcnemar_exact(only_model: int, only_baseline: int) -> float:
    """Two-sided exact McNemar p-value on the discordant customers."""
    # bdtr is the binomial CDF scipy.stats.binom.cdf calls; scipy.stats itself costs ~1.5 s to import.
    from scipy.special import bdtr

    n = only_model + only_baseline
    if n == 0:
        return 1.0
    return float(min(1.0, 2 * bdtr(min(only_model, only_baseline), n, 0.5)))


def evaluate(train_customers: Sequence[Any], train_items: Sequence[Any],
             test_customers: Sequence[Any], test_items: Sequence[Any], k: int = 10) -> HitRate:
    """Hit rate at k of item-to-item recommendations against best-sellers, on held-out purchases.

    Each test customer with a train history gets recommendations from their train
    purchases (never an item they already bought). A hit means at least one of
    their new test products is in the top k. Customers with no train history or
    nothing new in test are left out, since neither method could score for them.

    >>> train_c = [1, 1, 2, 2, 3, 3, 4]
    >>> train_i = ["a", "b", "a", "b", "c", "d", "c"]
    >>> r = evaluate(train_c, train_i, [4], ["d"], k=1)
    >>> r.hit_rate, r.baseline_hit_rate
    (1.0, 0.0)
    """
    from scipy import sparse

    train_c, train_i = _ids(train_customers, "train_customers"), _ids(train_items, "train_items")
    test_c, test_i = _ids(test_customers, "test_customers"), _ids(test_items, "test_items")
    _validate.same_length(train_customers=train_c, train_items=train_i)
    _validate.same_length(test_customers=test_c, test_items=test_i)
    if train_c.dtype.kind != test_c.dtype.kind or train_i.dtype.kind != test_i.dtype.kind:
        raise TypeError("train and test ids should be the same kind (both numbers or both text)")
    similarity = item_similarity(train_c, train_i)
    k = _k(k, similarity.products)
    known_c = np.isin(test_c, train_c)
    known_i = np.isin(test_i, similarity.items)
    keep = known_c & known_i  # a product nobody bought in train cannot be recommended by anyone
    if not keep.any():
        raise ValueError("no test purchase is by a customer with train history and of a known product")
    customer_ids, bought = _sparse_purchases(train_c, train_i, similarity.items)
    rows = np.searchsorted(customer_ids, test_c[keep])
    cols = np.searchsorted(similarity.items, test_i[keep])
    held_out = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=bought.shape)
    held_out.sum_duplicates()
    held_out = held_out - held_out.multiply(bought)  # re-buys are not discoveries
    held_out.eliminate_zeros()
    users = np.flatnonzero(np.diff(held_out.indptr) > 0)
    if users.size == 0:
        raise ValueError("every test purchase repeats a train purchase; nothing new to predict")
    bought, held_out = bought[users], held_out[users]
    order_key = np.lexsort((np.arange(similarity.products), -similarity.popularity))
    model = _model_ranks(bought, held_out, similarity.matrix, order_key, k)
    baseline = _baseline_ranks(bought, held_out, order_key, k)
    hit_model, hit_base = model <= k, baseline <= k
    only_model = int((hit_model & ~hit_base).sum())
    only_baseline = int((hit_base & ~hit_model).sum())
    rate, base = float(hit_model.mean()), float(hit_base.mean())
    return HitRate(
        k=k, customers=int(users.size), hit_rate=rate, baseline_hit_rate=base,
        lift=rate / base if base > 0 else math.inf, only_model=only_model,
        only_baseline=only_baseline, p_value=_mcnemar_exact(only_model, only_baseline),
        model_ranks=model, baseline_ranks=baseline,
    )


def evaluate_table(purchases: pd.DataFrame, k: int = 10, *, customer: str = "customer_id",
                   item: str = "product_id", split: str = "split") -> HitRate:
    """``evaluate`` from a purchases table whose ``split`` column says train or test.

    >>> import pandas as pd
    >>> p = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                   "product_id": [1, 2, 1, 2, 3, 4, 3, 4],
    ...                   "split": ["train"] * 7 + ["test"]})
    >>> evaluate_table(p, k=1).hit_rate
    1.0
    """
    for name, value in (("customer", customer), ("item", item), ("split", split)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    _validate.columns(purchases, [customer, item, split], "purchases")
    labels = purchases[split]
    unknown = sorted(map(str, pd.unique(labels[~labels.isin(["train", "test"])])))
    if unknown:
        raise ValueError(f"column {split!r} should hold 'train' or 'test', also found {unknown[:3]}")
    train, test = purchases[labels == "train"], purchases[labels == "test"]
    if len(train) == 0 or len(test) == 0:
        raise ValueError(f"purchases needs both 'train' and 'test' rows in column {split!r}")
    train_c, train_i = _table_ids(train, customer, item, "purchases")
    test_c, test_i = _table_ids(test, customer, item, "purchases")
    return evaluate(train_c, train_i, test_c, test_i, k)
