"""Tests for pmkit.recommend: brute-force references, statsmodels, ground truth, bad input."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmkit import recommend as r
from tests.fuzzing import call_with_hostile_arguments, summary_is_text


def _purchases(seed: int = 1, customers: int = 150, products: int = 25, per: int = 5):
    """Random who-bought-what with two taste groups, so similarity has something to find."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(1, customers + 1):
        group = rng.integers(0, 2)
        pool = np.arange(group, products, 2) + 1  # odd or even product ids
        for p in rng.choice(pool, size=int(rng.integers(1, per + 1))):
            rows.append((c, int(p)))
    return pd.DataFrame(rows, columns=["customer_id", "product_id"])


def _dense(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    customers = np.unique(frame.customer_id)
    items = np.unique(frame.product_id)
    x = np.zeros((customers.size, items.size))
    x[np.searchsorted(customers, frame.customer_id), np.searchsorted(items, frame.product_id)] = 1
    return customers, items, x


# --------------------------------------------------------------------------- similarity


def test_cosine_matches_scipy_distance():
    from scipy.spatial.distance import cdist

    frame = _purchases()
    sim = r.item_similarity_table(frame)
    _, items, x = _dense(frame)
    expected = 1 - cdist(x.T, x.T, "cosine")
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(sim.matrix.toarray(), expected, atol=1e-12)
    np.testing.assert_array_equal(sim.items, items)
    assert sim.popularity.tolist() == x.sum(axis=0).astype(int).tolist()
    assert sim.purchases == int(x.sum())
    assert sim.density == pytest.approx(x.mean())


def test_repeat_purchases_count_once():
    once = r.item_similarity([1, 1, 2], ["a", "b", "a"])
    twice = r.item_similarity([1, 1, 1, 2, 2], ["a", "b", "b", "a", "a"])
    np.testing.assert_allclose(once.matrix.toarray(), twice.matrix.toarray())


def _brute_force_top(x: np.ndarray, sim: np.ndarray, basket: list[int], k: int) -> list[int]:
    popularity = x.sum(axis=0)
    scores = sim[basket].sum(axis=0)
    order = sorted(range(sim.shape[0]), key=lambda j: (-scores[j], -popularity[j], j))
    return [j for j in order if j not in basket][:k]


@given(st.lists(st.integers(0, 24), min_size=1, max_size=4, unique=True), st.integers(1, 8))
@settings(max_examples=60, deadline=None)
def test_basket_recommendations_match_a_brute_force_ranking(basket, k):
    frame = _purchases()
    sim = r.item_similarity_table(frame)
    _, items, x = _dense(frame)
    basket = [b for b in basket if b < items.size] or [0]
    top = _brute_force_top(x, sim.matrix.toarray(), basket, k)
    result = r.recommend(sim, [int(items[b]) for b in basket], k=k)
    assert list(result.items) == [int(items[j]) for j in top]
    assert not set(result.items) & {int(items[b]) for b in basket}
    assert list(result.scores) == sorted(result.scores, reverse=True)


def test_similar_items_finds_the_taste_group():
    frame = _purchases()
    sim = r.item_similarity_table(frame)
    picks = r.similar_items(sim, 1, k=5)
    assert all(p % 2 == 1 for p in picks.items)  # odd products go with odd products
    assert picks.to_frame().index.tolist() == [1, 2, 3, 4, 5]


def test_neighbour_table_agrees_with_similar_items():
    frame = _purchases()
    sim = r.item_similarity_table(frame)
    table = sim.to_frame(k=4)
    assert len(table) == 4 * sim.products
    for item, group in table.groupby("item"):
        picks = sim.similar(int(item), k=4)
        assert list(group["neighbour"]) == list(picks.items)
        assert list(group["similarity"]) == pytest.approx(list(picks.scores))


def test_a_basket_holding_everything_gets_a_clear_error():
    sim = r.item_similarity([1, 1, 2], ["a", "b", "a"])
    with pytest.raises(ValueError, match="every product"):
        sim.recommend(["a", "b"])


def test_no_signal_falls_back_to_best_sellers():
    sim = r.item_similarity([1, 2, 2, 3, 3, 4], ["solo", "a", "b", "a", "c", "a"])
    picks = sim.recommend(["solo"], k=2)
    assert picks.items == ("a", "b")  # 'a' has 3 buyers; 'b' and 'c' tie, lower id first
    assert picks.scores == (0.0, 0.0)
    assert "best-sellers" in picks.summary()


def test_popular_items_counts_buyers_not_purchases():
    picks = r.popular_items([1, 1, 1, 2, 3], ["a", "a", "a", "b", "b"], k=2)
    assert picks.items == ("b", "a")
    assert picks.scores == (2.0, 1.0)


def test_names_label_the_picks():
    frame = _purchases()
    products = pd.DataFrame({"product_id": range(1, 26), "name": [f"P{i}" for i in range(1, 26)]})
    picks = r.item_similarity_table(frame, products=products).similar(2, k=1)
    assert picks.names == (f"P{picks.items[0]}",)
    assert picks.top_item == picks.names[0]


def test_shared_buyers_and_lift_match_a_brute_force_count():
    frame = _purchases(seed=3)
    customers, items, x = _dense(frame)
    sim = r.item_similarity_table(frame)
    item = int(items[4])
    both = x[:, 4] @ x
    assert sim.shared(item).tolist() == both.astype(int).tolist()
    buyers = x.sum(axis=0)
    lift = both * customers.size / (buyers[4] * buyers)
    picks = sim.lift(item, k=3, min_shared=2)
    allowed = [(lift[j], -j) for j in range(items.size) if j != 4 and both[j] >= 2]
    expected = sorted(allowed, reverse=True)[:3]
    assert list(picks.scores) == pytest.approx([v for v, _ in expected])
    assert picks.method == "lift"


def test_lift_leaves_out_pairs_with_too_few_shared_buyers():
    sim = r.item_similarity([1, 1, 2, 2, 3], ["a", "b", "a", "b", "c"])
    assert sim.lift("a", k=2, min_shared=1).items == ("b",)
    assert sim.lift("a", k=2, min_shared=3).items == ()
    with pytest.raises(ValueError, match="min_shared"):
        sim.lift("a", min_shared=0)


# --------------------------------------------------------------------------- evaluation


def _split(frame: pd.DataFrame, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return frame.drop_duplicates().assign(split=np.where(rng.random(len(frame.drop_duplicates()))
                                                          < 0.25, "test", "train"))


def _brute_force_hits(frame: pd.DataFrame, k: int) -> tuple[list[int], list[int]]:
    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    sim = r.item_similarity_table(train)
    customers, items, x = _dense(train)
    s = sim.matrix.toarray()
    model, baseline = [], []
    for c in sorted(set(test.customer_id) & set(customers)):
        row = int(np.searchsorted(customers, c))
        basket = list(np.flatnonzero(x[row]))
        new = set(test.product_id[test.customer_id == c]) - set(items[basket])
        new &= set(items)
        if not new:
            continue
        top = _brute_force_top(x, s, basket, k)
        model.append(int(bool(new & set(items[top]))))
        best = _brute_force_top(x, np.zeros_like(s), basket, k)
        baseline.append(int(bool(new & set(items[best]))))
    return model, baseline


@pytest.mark.parametrize(("seed", "k"), [(1, 1), (2, 3), (3, 10)])
def test_hit_rate_matches_a_customer_by_customer_loop(seed, k):
    frame = _split(_purchases(seed), seed)
    result = r.evaluate_table(frame, k=k)
    model, baseline = _brute_force_hits(frame, k)
    assert result.customers == len(model)
    assert result.hit_rate == pytest.approx(np.mean(model), abs=1e-12)
    assert result.baseline_hit_rate == pytest.approx(np.mean(baseline), abs=1e-12)
    for smaller in range(1, k + 1):
        m_k, b_k = _brute_force_hits(frame, smaller)
        assert result.at(smaller) == pytest.approx((np.mean(m_k), np.mean(b_k)), abs=1e-12)


def test_paired_test_matches_statsmodels_mcnemar():
    from statsmodels.stats.contingency_tables import mcnemar

    frame = _split(_purchases(4, customers=400), 4)
    result = r.evaluate_table(frame, k=2)
    hm, hb = result.model_ranks <= 2, result.baseline_ranks <= 2
    table = [[int((hm & hb).sum()), int((hm & ~hb).sum())],
             [int((~hm & hb).sum()), int((~hm & ~hb).sum())]]
    assert (result.only_model, result.only_baseline) == (table[0][1], table[1][0])
    assert result.p_value == pytest.approx(mcnemar(table, exact=True).pvalue, abs=1e-6)


@given(st.integers(0, 60), st.integers(0, 60))
@settings(max_examples=60, deadline=None)
def test_exact_mcnemar_property(b, c):
    from statsmodels.stats.contingency_tables import mcnemar

    expected = mcnemar([[5, b], [c, 5]], exact=True).pvalue if b + c else 1.0
    assert r._mcnemar_exact(b, c) == pytest.approx(expected, abs=1e-6)


def test_evaluate_skips_customers_who_cannot_be_scored():
    train_c = [1, 1, 2, 2, 3, 3]
    train_i = ["a", "b", "a", "b", "c", "d"]
    # Customer 9 has no history, 'z' was never bought in train, customer 3 only re-buys.
    result = r.evaluate(train_c, train_i, [1, 9, 2, 3], ["c", "a", "z", "c"], k=1)
    assert result.customers == 1
    with pytest.raises(ValueError, match="repeats a train purchase"):
        r.evaluate(train_c, train_i, [3], ["c"], k=1)
    with pytest.raises(ValueError, match="no test purchase"):
        r.evaluate(train_c, train_i, [9], ["a"], k=1)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: r.item_similarity([1, 2], [1]), ValueError, "lengths differ"),
        (lambda: r.item_similarity([1, 2], [5, 5]), ValueError, "two different products"),
        (lambda: r.item_similarity([1, 2], [1.5, 2]), ValueError, "fractional"),
        (lambda: r.item_similarity([1, None], [1, 2]), TypeError, "ids"),
        (lambda: r.item_similarity([1, "b"], [1, 2]), TypeError, "mixes"),
        (lambda: r.item_similarity([1, 2], [1, float("nan")]), ValueError, "missing"),
        (lambda: r.item_similarity("12", [1, 2]), TypeError, "list of ids"),
        (lambda: r.item_similarity([], []), ValueError, "empty"),
        (lambda: r.item_similarity([1, 2], [1, 2]).similar(7), ValueError, "never bought"),
        (lambda: r.item_similarity([1, 2], [1, 2]).similar(1, k=2), ValueError, "at most 1"),
        (lambda: r.item_similarity([1, 2], [1, 2]).similar(1, k=0), ValueError, "at least 1"),
        (lambda: r.item_similarity([1, 2], [1, 2]).recommend([]), ValueError, "empty"),
        (lambda: r.item_similarity([1, 2], [1, 2]).recommend(1), TypeError, "basket"),
        (lambda: r.similar_items("sim", 1), TypeError, "item_similarity"),
        (lambda: r.evaluate([1], [1], ["a"], ["b"]), TypeError, "same kind"),
        (lambda: r.evaluate_table(pd.DataFrame({"customer_id": [1]}), 3), ValueError,
         r"'product_id', 'split'.*columns present: customer_id"),
        (lambda: r.evaluate_table(pd.DataFrame({"customer_id": [1], "product_id": [1],
                                                "split": ["dev"]})), ValueError, "'train' or 'test'"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- results render


def _results():
    frame = _split(_purchases())
    sim = r.item_similarity_table(frame)
    return [sim, sim.similar(1, k=3), sim.recommend([1, 3], k=4), r.popular_items([1, 2], [1, 2], 2),
            r.evaluate_table(frame, k=5)]


@pytest.mark.parametrize("result", _results(), ids=lambda x: type(x).__name__)
def test_results_render(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert result.summary().endswith(".")
    assert result.title() in result._repr_html_()
    ax = result.plot()
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(result.to_frame()) > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.k = 3
    plt.close("all")


# --------------------------------------------------------------------------- ground truth


@pytest.fixture(scope="module")
def purchases():
    ds = pytest.importorskip("pmkit.datasets")
    return ds.load("purchases"), ds.truth("purchases")


def test_item_to_item_beats_best_sellers_on_held_out_purchases(purchases):
    frame, _ = purchases
    for k in (1, 10):
        result = r.evaluate_table(frame, k=k)
        assert result.hit_rate > result.baseline_hit_rate
        assert result.p_value < 1e-6
        assert result.only_model > result.only_baseline


def test_neighbours_rediscover_the_hidden_taste_clusters(purchases):
    frame, truth = purchases
    cluster = {int(p): c for p, c in truth["cluster_of_product"].items()}
    sim = r.item_similarity_table(frame[frame.split == "train"])
    pairs = sim.to_frame(k=5)
    same = np.mean([cluster[a] == cluster[b] for a, b in zip(pairs.item, pairs.neighbour,
                                                             strict=True)])
    sizes = pd.Series(cluster).value_counts(normalize=True)
    chance = float((sizes**2).sum())  # two random products share a cluster this often
    assert same > 3 * chance


def test_product_names_say_which_taste_cluster_they_serve():
    ds = pytest.importorskip("pmkit.datasets")
    from pmkit.datasets.recommend import _CLUSTER_NOUNS

    products = ds.load("products")
    cluster = {int(p): c for p, c in ds.truth("products")["cluster_of_product"].items()}
    for pid, name, category in products[["product_id", "name", "category"]].itertuples(index=False):
        nouns = _CLUSTER_NOUNS[cluster[int(pid)]][category]
        assert any(f" {noun}" in name for noun in nouns), (name, cluster[int(pid)], category)


# --------------------------------------------------------------------------- robustness

ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**70),
    st.just(10**400), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(), st.none(), st.text(max_size=2)), max_size=5),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=3),
    st.just(pd.DataFrame({"a": [1, 2]})), st.just(pd.DataFrame()), st.just([[1, 2], [3, 4]]),
    st.just(np.array([np.nan, 1.0])), st.just(np.array([2**63], dtype=np.uint64)),
    st.just([10**400, 1]), st.just([1, 2, 3]), st.just(["a", "b"]),
)

_FRAME = _split(_purchases(customers=60))
_SIM = r.item_similarity_table(_FRAME)
_HITS = r.evaluate_table(_FRAME, k=3)
VALID_CALLS = {
    "item_similarity": (r.item_similarity, [[1, 1, 2], [1, 2, 2]], {"names": {1: "x"}}),
    "item_similarity_table": (r.item_similarity_table, [_FRAME],
                              {"customer": "customer_id", "item": "product_id", "products": None}),
    "similar_items": (r.similar_items, [_SIM, 1, 3], {}),
    "recommend": (r.recommend, [_SIM, [1, 3], 3], {}),
    "popular_items": (r.popular_items, [[1, 2], [1, 2], 2], {}),
    "evaluate": (r.evaluate, [[1, 1, 2, 2], [1, 2, 1, 3], [1], [3]], {"k": 1}),
    "evaluate_table": (r.evaluate_table, [_FRAME, 3],
                       {"customer": "customer_id", "item": "product_id", "split": "split"}),
}


def test_every_public_function_is_fuzzed():
    public = {n for n in r.__all__ if not isinstance(getattr(r, n), type)}
    assert public == set(VALID_CALLS)


@pytest.mark.parametrize("name", sorted(VALID_CALLS))
@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_only_clear_errors_escape(name, data):
    function, args, kwargs = VALID_CALLS[name]
    call_with_hostile_arguments(data, function, args, kwargs, ANYTHING, check=summary_is_text)


@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_fuzz_methods(data):
    target, method = data.draw(st.sampled_from([(_SIM, "similar"), (_SIM, "recommend"),
                                                 (_SIM, "to_frame"), (_SIM, "shared"),
                                                 (_SIM, "lift"), (_HITS, "at")]))
    value = data.draw(ANYTHING)
    try:
        result = getattr(target, method)(value)
    except (ValueError, TypeError) as exc:
        assert str(exc).strip()
    else:
        assert result is not None


def test_import_is_light():
    code = ("import pmkit.recommend, sys; heavy = {'scipy', 'matplotlib', 'ipywidgets'} & "
            "{name.split('.')[0] for name in sys.modules}; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
