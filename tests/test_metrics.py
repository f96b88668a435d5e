"""Tests for pmkit.metrics: reference values, invariants, ground truth and bad input."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmkit import metrics as m
from tests.fuzzing import call_with_hostile_arguments, summary_is_text

# --------------------------------------------------------------------------- funnels


def test_funnel_rates_and_biggest_drop():
    f = m.funnel([1000, 400, 100, 80, 60], ["visit", "view", "cart", "checkout", "buy"])
    assert f.step_conversion == pytest.approx((0.4, 0.25, 0.8, 0.75))
    assert f.drop_off == pytest.approx((0.6, 0.75, 0.2, 0.25))
    assert f.overall_conversion == pytest.approx(0.06)
    assert f.biggest_drop == "cart"
    frame = f.to_frame()
    assert frame.loc["cart", "from_previous"] == pytest.approx(0.25)
    assert frame.loc["buy", "from_start"] == pytest.approx(0.06)
    assert math.isnan(frame.loc["visit", "from_previous"])
    assert "6.0%" in f.summary() and "'cart'" in f.summary()


@given(st.integers(1, 10**6), st.lists(st.floats(0.01, 1.0), min_size=1, max_size=6))
@settings(max_examples=80, deadline=None)
def test_funnel_invariants(entered, kept):
    counts = [entered]
    for share in kept:
        counts.append(max(1, int(counts[-1] * share)))  # never above the step before
    f = m.funnel(counts)
    assert math.prod(f.step_conversion) == pytest.approx(f.overall_conversion, rel=1e-9)
    assert all(c + d == pytest.approx(1) for c, d in zip(f.step_conversion, f.drop_off,
                                                         strict=True))
    worst = f.steps.index(f.biggest_drop) - 1
    assert f.step_conversion[worst] == min(f.step_conversion)


def test_funnel_default_step_names():
    assert m.funnel([10, 5]).steps == ("step 1", "step 2")


@pytest.mark.parametrize(
    ("counts", "steps", "message"),
    [
        ([10, 12], None, "more people"),
        ([0, 0], None, "nobody entered"),
        ([10, 0, 0], None, "nobody reached"),
        ([10, -1], None, ">= 0"),
        ([10, 2.5], None, "whole numbers"),
        ([10, float("nan")], None, "missing"),
        ([10], None, "at least 2"),
        ([10, 5], ["a"], "1 names but there are 2"),
        ([10, 5], ["a", "a"], "repeat"),
    ],
)
def test_funnel_rejects_bad_counts(counts, steps, message):
    with pytest.raises(ValueError, match=message):
        m.funnel(counts, steps)


def test_funnel_rejects_wrong_types():
    with pytest.raises(TypeError):
        m.funnel("1000, 400")
    with pytest.raises(TypeError):
        m.funnel([10, 5], "ab")


def _sessions(n: int = 2000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    visit = np.ones(n, dtype=bool)
    view = rng.random(n) < 0.6
    cart = rng.random(n) < 0.4  # deliberately not nested: some carts without a view
    buy = cart & (rng.random(n) < 0.5)
    return pd.DataFrame({
        "device": rng.choice(["desktop", "mobile"], n), "visit": visit,
        "product_view": view, "add_to_cart": cart, "purchase": buy,
    })


def test_session_funnel_counts_only_sessions_through_every_earlier_step():
    s = _sessions()
    steps = ["visit", "product_view", "add_to_cart", "purchase"]
    f = m.session_funnel(s, steps)
    assert f.counts == (
        len(s), int(s.product_view.sum()), int((s.product_view & s.add_to_cart).sum()),
        int((s.product_view & s.add_to_cart & s.purchase).sum()),
    )


def test_session_funnel_accepts_zero_one_columns():
    s = _sessions().astype({"purchase": int})
    assert m.session_funnel(s, ["visit", "purchase"]).completed == int(s.purchase.sum())


def test_session_funnel_names_the_missing_column():
    s = _sessions()
    with pytest.raises(ValueError, match=r"'checkout'.*columns present: device, visit"):
        m.session_funnel(s)


def test_session_funnel_rejects_text_flags_and_gaps():
    s = _sessions()
    with pytest.raises(TypeError, match="True/False"):
        m.session_funnel(s.assign(purchase="yes"), ["visit", "purchase"])
    with pytest.raises(ValueError, match="missing value"):
        m.session_funnel(s.assign(purchase=np.nan), ["visit", "purchase"])
    with pytest.raises(ValueError, match="no rows"):
        m.session_funnel(s.iloc[:0], ["visit", "purchase"])


def test_funnel_by_matches_a_groupby():
    s = _sessions()
    steps = ["visit", "product_view", "add_to_cart", "purchase"]
    comparison = m.funnel_by(s, "device", steps)
    for device, group in s.groupby("device"):
        assert comparison[device].counts == m.session_funnel(group, steps).counts
    frame = comparison.to_frame()
    assert list(frame.index) == ["desktop", "mobile"]
    rates = {d: comparison[d].overall_conversion for d in comparison.segments}
    assert comparison.worst_segment == min(rates, key=rates.get)
    assert comparison.best_segment == max(rates, key=rates.get)
    with pytest.raises(KeyError, match="segments"):
        comparison["tablet"]


def test_funnel_by_needs_two_segments():
    s = _sessions().assign(device="desktop")
    with pytest.raises(ValueError, match="single segment"):
        m.funnel_by(s, "device", ["visit", "purchase"])
    with pytest.raises(ValueError, match="'region'"):
        m.funnel_by(s, "region", ["visit", "purchase"])


# --------------------------------------------------------------------------- retention


def test_retention_curve_rates_and_flattening():
    c = m.retention_curve([1000, 500, 350, 300, 290, 285, 282])
    assert c.rates == pytest.approx((1, 0.5, 0.35, 0.3, 0.29, 0.285, 0.282))
    assert c.flattens_at == 3  # 350 -> 300 loses 14%, every later step under 10%
    assert c.final_rate == pytest.approx(0.282)
    assert "flattens from period 3" in c.summary()


def test_one_noisy_late_period_does_not_erase_a_plateau():
    c = m.retention_curve([1000, 400, 300, 290, 285, 280, 240])
    assert c.flattens_at == 2


def test_a_cohort_that_dies_out_has_not_flattened():
    assert m.retention_curve([100, 10, 0, 0, 0]).flattens_at is None


def test_retention_curve_that_keeps_falling_has_not_flattened():
    c = m.retention_curve([1000, 700, 490, 343, 240])
    assert c.flattens_at is None
    assert "not flattened" in c.summary()


def test_retention_curve_with_cohort_size():
    c = m.retention_curve([40, 30, 28], cohort_size=100)
    assert c.rates == pytest.approx((0.4, 0.3, 0.28))
    with pytest.raises(ValueError, match="more than the cohort size"):
        m.retention_curve([40, 30], cohort_size=35)
    with pytest.raises(ValueError, match="cohort is empty"):
        m.retention_curve([0, 0])
    with pytest.raises(ValueError, match="tolerance"):
        m.retention_curve([10, 5, 4], tolerance=1.5)


def _orders(seed: int = 5, customers: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cid in range(1, customers + 1):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))
        for _ in range(int(rng.integers(1, 6))):
            rows.append((cid, start + pd.Timedelta(days=int(rng.exponential(90)))))
    frame = pd.DataFrame(rows, columns=["customer_id", "date"])
    return frame[frame.date <= "2024-12-31"]


def _brute_force_triangle(orders: pd.DataFrame) -> dict[tuple[str, int], float]:
    month = orders.date.dt.year * 12 + orders.date.dt.month - 1
    first = month.groupby(orders.customer_id).transform("min")
    last = int(month.max())
    out = {}
    for cohort in sorted(first.unique()):
        members = set(orders.customer_id[first == cohort])
        for age in range(last - cohort + 1):
            active = set(orders.customer_id[(first == cohort) & (month == cohort + age)])
            label = f"{cohort // 12}-{cohort % 12 + 1:02d}"
            out[(label, age)] = len(active) / len(members)
    return out


def test_cohort_table_matches_a_brute_force_count():
    orders = _orders()
    table = m.cohort_table(orders)
    frame = table.to_frame()
    expected = _brute_force_triangle(orders)
    for (cohort, age), rate in expected.items():
        assert frame.loc[cohort, age] == pytest.approx(rate, abs=1e-12)
    observed = frame.drop(columns="size").notna().sum().sum()
    assert observed == len(expected)  # every other cell is NaN: not yet observed
    assert table.customers == orders.customer_id.nunique()


def test_cohort_curve_pools_only_observed_cohorts():
    orders = _orders()
    table = m.cohort_table(orders)
    curve = table.curve()
    active, sizes = table.active, np.array(table.sizes)
    for age, rate in enumerate(curve.rates):
        seen = active[:, age] >= 0
        assert rate == pytest.approx(active[seen, age].sum() / sizes[seen].sum())
    one = table.curve([table.cohorts[0]])
    assert one.rates == pytest.approx(tuple(table.rates[0]))
    with pytest.raises(ValueError, match="unknown cohort"):
        table.curve(["1999-01"])


def test_cohort_table_with_signups_counts_customers_who_never_ordered():
    orders = pd.DataFrame({"customer_id": [1, 1, 2],
                           "date": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-02-10"])})
    signups = pd.DataFrame({"customer_id": [1, 2, 3],
                            "signup_date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"])})
    table = m.cohort_table(orders, signups=signups)
    assert table.sizes == (3,)
    assert table.rates[0] == pytest.approx([1 / 3, 2 / 3])
    with pytest.raises(ValueError, match="not in signups"):
        m.cohort_table(orders, signups=signups.iloc[:1])
    with pytest.raises(ValueError, match="repeated"):
        m.cohort_table(orders, signups=pd.concat([signups, signups]))


def test_cohort_table_from_counts_matches_the_event_version():
    orders = _orders()
    table = m.cohort_table(orders)
    rows = [(c, a, int(n)) for c, line in zip(table.cohorts, table.active, strict=True)
            for a, n in enumerate(line) if n >= 0]
    counts = pd.DataFrame(rows, columns=["cohort", "tenure_month", "members"])
    again = m.cohort_table_from_counts(counts)
    assert again.cohorts == table.cohorts and again.sizes == table.sizes
    np.testing.assert_array_equal(again.active, table.active)
    assert again.curve().rates == table.curve().rates


def test_cohort_table_from_counts_bad_input():
    good = pd.DataFrame({"cohort": ["a", "a", "b"], "tenure_month": [0, 1, 0],
                         "members": [10, 8, 5]})
    with pytest.raises(ValueError, match="same cohort and tenure_month"):
        m.cohort_table_from_counts(pd.concat([good, good]))
    with pytest.raises(ValueError, match="no row at tenure_month 0"):
        m.cohort_table_from_counts(good.iloc[1:])
    with pytest.raises(ValueError, match="more members later"):
        m.cohort_table_from_counts(good.assign(members=[10, 11, 5]))
    with pytest.raises(ValueError, match="whole numbers"):
        m.cohort_table_from_counts(good.assign(members=[10, 8.5, 5]))
    with pytest.raises(ValueError, match=r"'members'.*columns present: cohort, tenure_month"):
        m.cohort_table_from_counts(good.drop(columns="members"))


def test_compare_retention_uses_each_periods_own_denominator():
    # Two cohorts: only the older one is observed at period 2.
    counts = pd.DataFrame({"cohort": ["a", "a", "a", "b", "b"], "tenure_month": [0, 1, 2, 0, 1],
                           "members": [100, 60, 50, 300, 150]})
    curve = m.cohort_table_from_counts(counts).curve()
    assert curve.observed == (400, 400, 100) and curve.active == (400, 210, 50)
    other = m.retention_curve([100, 50, 40])
    from statsmodels.stats.proportion import proportions_ztest

    z, p = proportions_ztest([40, 50], [100, 100])
    result = m.compare_retention(curve, other, 2)
    assert result.z == pytest.approx(z, abs=1e-6) and result.p_value == pytest.approx(p, abs=1e-6)


def test_cohort_table_weekly_periods():
    orders = pd.DataFrame({"customer_id": [1, 1, 2],
                           "date": pd.to_datetime(["2025-01-06", "2025-01-14", "2025-01-08"])})
    table = m.cohort_table(orders, period="week")
    assert table.cohorts == ("2025-01-06",)
    assert table.rates[0] == pytest.approx([1.0, 0.5])


def test_cohort_table_bad_input():
    orders = _orders()
    with pytest.raises(ValueError, match=r"'order_date'.*columns present: customer_id, date"):
        m.cohort_table(orders, date="order_date")
    with pytest.raises(ValueError, match="period should be one of"):
        m.cohort_table(orders, period="quarter")
    with pytest.raises(ValueError, match="dates"):
        m.cohort_table(orders.assign(date="not a date"))
    with pytest.raises(ValueError, match="missing date"):
        m.cohort_table(orders.assign(date=pd.NaT))


def test_compare_retention_matches_statsmodels_ztest():
    from statsmodels.stats.proportion import proportions_ztest

    before = m.retention_curve([1200, 500, 380, 330], label="spring")
    after = m.retention_curve([900, 420, 340, 310], label="summer")
    result = m.compare_retention(before, after, period=3)
    z, p = proportions_ztest([310, 330], [900, 1200])
    assert result.z == pytest.approx(z, abs=1e-6)
    assert result.p_value == pytest.approx(p, abs=1e-6)
    assert result.labels == ("spring", "summer")
    assert result.significant == (p < 0.05)
    assert list(result.to_frame().columns) == ["spring", "summer", "difference"]


@given(st.integers(1, 400), st.integers(1, 400), st.data())
@settings(max_examples=40, deadline=None)
def test_compare_retention_ztest_property(n_a, n_b, data):
    from statsmodels.stats.proportion import proportions_ztest

    x_a, x_b = data.draw(st.integers(0, n_a)), data.draw(st.integers(0, n_b))
    result = m.compare_retention(m.retention_curve([n_a, x_a]), m.retention_curve([n_b, x_b]), 1)
    if 0 < x_a + x_b < n_a + n_b:
        z, p = proportions_ztest([x_b, x_a], [n_b, n_a])
        assert result.z == pytest.approx(z, abs=1e-6)
        assert result.p_value == pytest.approx(p, abs=1e-6)
    else:  # everyone or no one retained in both: no evidence of a difference
        assert result.p_value == 1.0


def test_compare_retention_bad_input():
    a = m.retention_curve([100, 50])
    with pytest.raises(TypeError, match="RetentionCurve"):
        m.compare_retention([100, 50], a, 1)
    with pytest.raises(ValueError, match="at most 1"):
        m.compare_retention(a, a, 2)
    with pytest.raises(ValueError, match="alpha"):
        m.compare_retention(a, a, 1, alpha=1.0)


# --------------------------------------------------------------------------- metric trees


def _shapley_by_orderings(before, after):
    """Textbook Shapley: average marginal effect over every order of applying the changes."""
    n = len(before)
    parts = np.zeros(n)
    orders = list(itertools.permutations(range(n)))
    for order in orders:
        values = list(before)
        for i in order:
            old = math.prod(values)
            values[i] = after[i]
            parts[i] += math.prod(values) - old
    return parts / len(orders)


@given(st.lists(st.tuples(st.floats(0.01, 1e4), st.floats(0.01, 1e4)), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_decomposition_parts_add_up_and_match_textbook_shapley(pairs):
    before, after = [p[0] for p in pairs], [p[1] for p in pairs]
    for method in ("shapley", "log"):
        d = m.decompose_change(before, after, method=method)
        assert sum(d.contributions) == pytest.approx(d.change, rel=1e-9, abs=1e-9 * abs(d.output_before))
    d = m.decompose_change(before, after)
    expected = _shapley_by_orderings(before, after)
    assert d.contributions == pytest.approx(tuple(expected), rel=1e-9, abs=1e-9 * abs(d.output_before))


def test_two_driver_shapley_is_the_midpoint_rule():
    d = m.decompose_change([100, 0.05], [120, 0.04], ["visitors", "conversion"])
    # Each driver's change valued at the average of the other driver before and after.
    assert d.contributions[0] == pytest.approx(20 * (0.05 + 0.04) / 2)
    assert d.contributions[1] == pytest.approx(-0.01 * (100 + 120) / 2)


def test_log_method_is_the_logarithmic_mean_split():
    before, after = [1000, 0.03, 50.0], [1100, 0.027, 52.0]
    d = m.decompose_change(before, after, ["visitors", "conversion", "order_value"], method="log")
    y0, y1 = math.prod(before), math.prod(after)
    log_mean = (y1 - y0) / math.log(y1 / y0)
    for part, b, a in zip(d.contributions, before, after, strict=True):
        assert part == pytest.approx(log_mean * math.log(a / b), rel=1e-9)
    assert d.main_driver == "conversion"


def test_unchanged_driver_gets_nothing_and_single_change_gets_everything():
    for method in ("shapley", "log"):
        d = m.decompose_change({"visitors": 100, "conversion": 0.1, "aov": 50},
                               {"visitors": 100, "conversion": 0.09, "aov": 50}, method=method,
                               output="revenue")
        assert d.contributions[0] == pytest.approx(0, abs=1e-9)
        assert d.contributions[2] == pytest.approx(0, abs=1e-9)
        assert d.contributions[1] == pytest.approx(-50)
        assert d.relative_change == pytest.approx(-0.1)
        assert d.shares == pytest.approx((0, 1, 0), abs=1e-9)
    assert d.summary().startswith("Revenue fell 10.0%")


def test_decomposition_orders_dict_drivers_and_checks_names():
    d = m.decompose_change({"a": 2, "b": 3}, {"b": 6, "a": 2})
    assert d.drivers == ("a", "b") and d.after == (2.0, 6.0)
    d = m.decompose_change({"a": 2, "b": 3}, {"a": 2, "b": 6}, ["b", "a"])
    assert d.drivers == ("b", "a") and d.before == (3.0, 2.0)
    with pytest.raises(ValueError, match="different drivers"):
        m.decompose_change({"a": 2}, {"b": 2})
    with pytest.raises(ValueError, match="do not match"):
        m.decompose_change({"a": 2, "b": 3}, {"a": 2, "b": 6}, ["a", "c"])


def test_no_change_has_undefined_shares():
    d = m.decompose_change([2, 3], [3, 2])
    assert d.change == 0
    assert all(math.isnan(s) for s in d.shares)
    assert "held steady" in d.summary()


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "error", "message"),
    [
        ([1, 2], [1, 2, 3], {}, ValueError, "lengths differ"),
        ([0, 2], [1, 2], {}, ValueError, "0 before the change"),
        ([1, -2], [1, 2], {"method": "log"}, ValueError, "above 0"),
        ([1, 2], [1, float("inf")], {}, ValueError, "infinite"),
        ([1, 2], [1, 2], {"method": "average"}, ValueError, "one of"),
        ([1e300, 1e300], [1, 2], {}, ValueError, "overflows"),
        ([1] * 13, [2] * 13, {}, ValueError, "at most 12"),
        ("12", [1, 2], {}, TypeError, "sequence"),
        ([1, 2], [1, 2], {"output": 3}, TypeError, "name"),
    ],
)
def test_decomposition_bad_input(before, after, kwargs, error, message):
    with pytest.raises(error, match=message):
        m.decompose_change(before, after, **kwargs)


# --------------------------------------------------------------------------- Simpson's paradox

# Treatment success counts for small and large kidney stones, from the well-known 1986 study.
KIDNEY = dict(successes_a=[81, 192], trials_a=[87, 263], successes_b=[234, 55], trials_b=[270, 80])


def test_kidney_stones_are_a_simpsons_paradox():
    r = m.compare_segments(**KIDNEY, segments=["small", "large"], labels=["open", "keyhole"])
    assert r.rates_a == pytest.approx((81 / 87, 192 / 263))
    assert r.overall_a == pytest.approx(273 / 350)
    assert r.overall_b == pytest.approx(289 / 350)
    assert r.paradox
    mix = np.array([87 + 270, 263 + 80]) / 700
    assert r.adjusted_a == pytest.approx(mix @ [81 / 87, 192 / 263])
    assert r.adjusted_b == pytest.approx(mix @ [234 / 270, 55 / 80])
    assert r.adjusted_a > r.adjusted_b  # at the same mix, the segment verdict returns
    assert "Simpson's paradox" in r.summary()
    frame = r.to_frame()
    assert frame["mix_open"].sum() == pytest.approx(1)


def test_no_paradox_when_segments_agree_with_overall():
    r = m.compare_segments([10, 20], [100, 100], [15, 25], [100, 100])
    assert not r.paradox
    assert "higher in 2 of 2 segments" in r.summary()


@given(st.lists(st.tuples(st.integers(1, 200), st.integers(1, 200)), min_size=1, max_size=4),
       st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_paradox_flag_matches_its_definition(trials, data):
    ta, tb = [t[0] for t in trials], [t[1] for t in trials]
    sa = [data.draw(st.integers(0, n)) for n in ta]
    sb = [data.draw(st.integers(0, n)) for n in tb]
    r = m.compare_segments(sa, ta, sb, tb)
    signs = {np.sign(b / nb - a / na) for a, na, b, nb in zip(sa, ta, sb, tb, strict=True)}
    overall = np.sign(sum(sb) / sum(tb) - sum(sa) / sum(ta))
    expected = len(ta) > 1 and len(signs) == 1 and 0 not in signs and overall == -signs.pop()
    assert r.paradox == expected
    assert min(r.rates_a) - 1e-12 <= r.adjusted_a <= max(r.rates_a) + 1e-12


def test_compare_segments_table_matches_the_counts():
    rng = np.random.default_rng(11)
    n = 3000
    frame = pd.DataFrame({"period": rng.choice(["before", "after"], n),
                          "source": rng.choice(["search", "social"], n),
                          "purchase": rng.random(n) < 0.1})
    r = m.compare_segments_table(frame, "period", "source", "purchase", labels=["before", "after"])
    for label, successes, trials in (("before", r.successes_a, r.trials_a),
                                     ("after", r.successes_b, r.trials_b)):
        part = frame[frame.period == label]
        assert trials == tuple(part.groupby("source").size().loc[["search", "social"]])
        assert successes == tuple(part.groupby("source").purchase.sum().loc[["search", "social"]])


def test_compare_segments_bad_input():
    with pytest.raises(ValueError, match="exceeds trials_a"):
        m.compare_segments([5], [4], [1], [2])
    with pytest.raises(ValueError, match="trials_b is 0"):
        m.compare_segments([1], [4], [0], [0])
    with pytest.raises(ValueError, match="lengths differ"):
        m.compare_segments([1, 2], [4, 4], [1], [2])
    frame = pd.DataFrame({"g": ["A", "B", "C"], "s": ["x"] * 3, "y": [True, False, True]})
    with pytest.raises(ValueError, match="3 groups"):
        m.compare_segments_table(frame, "g", "s", "y")
    with pytest.raises(ValueError, match="no rows with g = 'D'"):
        m.compare_segments_table(frame, "g", "s", "y", labels=["A", "D"])
    with pytest.raises(ValueError, match=r"'outcome'.*columns present: g, s, y"):
        m.compare_segments_table(frame, "g", "s", "outcome")
    sparse_frame = pd.DataFrame({"g": ["A", "B", "B"], "s": ["x", "x", "y"], "y": [True] * 3})
    with pytest.raises(ValueError, match="no rows for g = 'A' in s = 'y'"):
        m.compare_segments_table(sparse_frame, "g", "s", "y")


# --------------------------------------------------------------------------- results render


def _all_results():
    f = m.funnel([100, 50, 10], ["a", "b", "c"])
    s = _sessions()
    table = m.cohort_table(_orders())
    curve = m.retention_curve([100, 60, 50, 48, 47])
    return [
        f, m.funnel_by(s, "device", ["visit", "add_to_cart", "purchase"]), curve, table,
        m.compare_retention(curve, m.retention_curve([100, 70, 60, 58, 57]), 4),
        m.decompose_change([10, 0.1, 5], [11, 0.08, 5], ["visitors", "conversion", "aov"]),
        m.compare_segments(**KIDNEY),
    ]


@pytest.mark.parametrize("result", _all_results(), ids=lambda r: type(r).__name__)
def test_results_render_as_cards_plots_and_tables(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = result.summary()
    assert isinstance(summary, str) and summary.endswith(".") and len(summary) < 400
    html = result._repr_html_()
    assert result.title() in html and "0x" not in repr(result)
    ax = result.plot()
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert isinstance(result.to_frame(), pd.DataFrame) and len(result.to_frame()) > 0
    with pytest.raises(dataclasses_frozen_error()):
        result.summary_text = "changed"  # frozen: results cannot be edited after the fact
    plt.close("all")


def dataclasses_frozen_error():
    import dataclasses

    return dataclasses.FrozenInstanceError


# --------------------------------------------------------------------------- ground truth


@pytest.fixture(scope="module")
def sessions():
    ds = pytest.importorskip("pmkit.datasets")
    return ds.load("sessions"), ds.truth("sessions")


def _with_period(frame: pd.DataFrame, truth: dict) -> pd.DataFrame:
    after = frame["date"] >= pd.Timestamp(truth["redesign_date"])
    return frame.assign(period=np.where(after, "after", "before"))


def test_sessions_hide_a_simpsons_paradox_across_sources(sessions):
    frame, truth = sessions
    r = m.compare_segments_table(_with_period(frame, truth), "period", "source", "purchase",
                                 labels=["before", "after"])
    assert r.paradox
    assert r.overall_b < r.overall_a
    assert all(b > a for a, b in zip(r.rates_a, r.rates_b, strict=True))
    for seg, a, b, na, nb in zip(r.segments, r.rates_a, r.rates_b, r.trials_a, r.trials_b,
                                 strict=True):
        true = truth["conversion_by_source"][seg]
        assert abs(a - true["before"]) < 4 * math.sqrt(true["before"] / na)
        assert abs(b - true["after"]) < 4 * math.sqrt(true["after"] / nb)


def test_sessions_funnel_recovers_the_true_overall_conversion(sessions):
    frame, truth = sessions
    periods = _with_period(frame, truth)
    for label in ("before", "after"):
        f = m.session_funnel(periods[periods.period == label])
        true = truth["conversion_overall"][label]
        assert abs(f.overall_conversion - true) < 4 * math.sqrt(true / f.entered)
    by_source = m.funnel_by(frame, "source")
    assert by_source.worst_segment == "social"  # the low-intent campaign traffic


def test_customer_cohorts_flatten():
    ds = pytest.importorskip("pmkit.datasets")
    orders = ds.load("orders")
    table = m.cohort_table(orders, date="order_date", signups=ds.load("customers"))
    curve = table.curve()
    assert curve.flattens_at is not None and curve.flattens_at <= 12
    assert curve.rates[1] > curve.final_rate > 0
    # Past the plateau, a year of months costs far less than the first two months did.
    assert curve.rates[12] / curve.rates[24] < curve.rates[0] / curve.rates[2]


def test_membership_churn_hazard_and_the_fee_rise():
    ds = pytest.importorskip("pmkit.datasets")
    counts, truth = ds.load("membership"), ds.truth("membership")
    table = m.cohort_table_from_counts(counts)
    curve = table.curve(tolerance=0.05)
    hazard = 1 - np.array(curve.rates[1:]) / np.array(curve.rates[:-1])
    true = np.array(truth["hazard_by_tenure"][: hazard.size])
    # Tolerance from the sampling error: members at risk at each tenure (pooled over cohorts).
    at_risk = counts.groupby("tenure_month")["members"].sum().to_numpy()[: hazard.size]
    se = np.sqrt(true * (1 - true) / at_risk)
    assert (np.abs(hazard[:12] - true[:12]) < 4 * se[:12]).all()
    assert curve.flattens_at is not None
    fee_month = truth["fee_change"]["month"]
    before = table.curve([c for c in table.cohorts if c < fee_month])
    after = table.curve([c for c in table.cohorts if c >= fee_month])
    # The fee rise did not change churn (the truth uses one hazard curve for everyone).
    assert not m.compare_retention(before, after, 12, alpha=0.001).significant


# --------------------------------------------------------------------------- robustness

ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63, max_value=2**70),
    st.just(10**400), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(), st.none(), st.text(max_size=2)), max_size=5),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=3),
    st.just(pd.DataFrame({"a": [1, 2]})), st.just(pd.DataFrame()), st.just([[1, 2], [3, 4]]),
    st.just(np.array([np.nan, 1.0])), st.just(["visit", "visit"]), st.just([10**400, 1]),
)


def _valid_calls():
    s = _sessions()
    orders = _orders(customers=40)
    curve = m.retention_curve([100, 60, 50])
    return {
        "funnel": (m.funnel, [[100, 50, 10], ["a", "b", "c"]], {}),
        "session_funnel": (m.session_funnel, [s, ["visit", "purchase"]], {}),
        "funnel_by": (m.funnel_by, [s, "device", ["visit", "purchase"]], {}),
        "retention_curve": (m.retention_curve, [[100, 60, 50], 100],
                            {"tolerance": 0.1, "label": "x"}),
        "cohort_table": (m.cohort_table, [orders], {"customer": "customer_id", "date": "date",
                                                    "period": "month"}),
        "cohort_table_from_counts": (
            m.cohort_table_from_counts,
            [pd.DataFrame({"cohort": ["a", "a"], "tenure_month": [0, 1], "members": [5, 4]})],
            {"cohort": "cohort", "age": "tenure_month", "active": "members", "period": "month"}),
        "compare_retention": (m.compare_retention, [curve, curve, 1], {"alpha": 0.05}),
        "decompose_change": (m.decompose_change, [[1, 2], [2, 2], ["a", "b"]],
                             {"output": "y", "method": "shapley"}),
        "compare_segments": (m.compare_segments, [[1, 2], [4, 4], [2, 1], [4, 4], ["x", "y"]],
                             {"labels": ["A", "B"]}),
        "compare_segments_table": (
            m.compare_segments_table,
            [s.assign(g=np.where(s.index % 2 == 0, "A", "B")), "g", "device", "purchase"], {}),
    }


VALID_CALLS = _valid_calls()


def test_every_public_function_is_fuzzed():
    public = {name for name in m.__all__ if callable(getattr(m, name))
              and not isinstance(getattr(m, name), type)}
    assert public == set(VALID_CALLS)


@pytest.mark.parametrize("name", sorted(VALID_CALLS))
@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_only_clear_errors_escape(name, data):
    function, args, kwargs = VALID_CALLS[name]
    call_with_hostile_arguments(data, function, args, kwargs, ANYTHING, check=summary_is_text)


_TABLE = m.cohort_table(_orders(customers=40))
_FUNNELS = m.funnel_by(_sessions(), "device", ["visit", "purchase"])


@given(value=ANYTHING, other=ANYTHING)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_result_methods(value, other):
    calls = [lambda: _TABLE.curve(value), lambda: _TABLE.curve(tolerance=value),
             lambda: _TABLE.curve(label=value), lambda: _TABLE.curve(value, tolerance=other)]
    for call in calls:
        try:
            result = call()
        except (ValueError, TypeError) as exc:
            assert str(exc).strip()
        else:
            assert isinstance(result.summary(), str)
    try:
        _FUNNELS[value]
    except KeyError as exc:
        assert "segments" in str(exc)
    except TypeError as exc:
        assert "should be a name" in str(exc)


def test_import_is_light():
    code = ("import pmkit.metrics, sys; heavy = {'scipy', 'matplotlib', 'ipywidgets'} & "
            "{name.split('.')[0] for name in sys.modules}; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
