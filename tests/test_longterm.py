"""Tests for pmkit.longterm: reference values, hand-worked examples, invariants, bad input."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import optimize

from pmkit import longterm as lt

# ---------------------------------------------------------------------------
# Independent references, written the textbook way (loops, no pmkit code).


def reference_npv(rate: float, flows: list[float]) -> float:
    return sum(c / (1 + rate) ** t for t, c in enumerate(flows))


def reference_irr(flows: list[float], low: float = -0.99, high: float = 10.0) -> float:
    return optimize.brentq(lambda r: reference_npv(r, flows), low, high, xtol=1e-14, rtol=1e-14)


money = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# Property tests run with deadline=None: a loaded CI machine must not turn slowness into failure.


# ---------------------------------------------------------------------------
# NPV, IRR, payback


@given(st.lists(money, min_size=1, max_size=60))
@settings(deadline=None)
def test_npv_at_rate_zero_is_the_plain_sum(flows):
    assert lt.npv(0.0, flows) == pytest.approx(math.fsum(flows), rel=1e-12, abs=1e-6)


@given(st.floats(min_value=-0.5, max_value=2.0), st.lists(money, min_size=1, max_size=40))
@settings(deadline=None)
def test_npv_matches_the_textbook_sum(rate, flows):
    assert lt.npv(rate, flows) == pytest.approx(reference_npv(rate, flows), rel=1e-9, abs=1e-6)


def test_npv_known_values():
    # numpy-financial's documented example: npv(0.281, [-100, 39, 59, 55, 20]) ≈ -0.0085
    assert lt.npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(
        reference_npv(0.281, [-100, 39, 59, 55, 20]), abs=1e-12)
    assert lt.npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0084785, abs=1e-6)
    assert lt.npv(0.1, [-100]) == -100.0  # t = 0 is not discounted
    assert lt.npv(0.1, [0, 110]) == pytest.approx(100.0, abs=1e-12)


@pytest.mark.parametrize("flows", [
    [-100, 39, 59, 55, 20],
    [-100, 60, 60],
    [-1000, 0, 0, 0, 1500],
    [-50, 10, 10, 10, 10, 10, 10, 10],
    [-100, -20, 40, 80, 80],
    [100, -130],           # borrow then repay: IRR is the 30% cost of the loan
    [-5000] + [120] * 60,  # monthly: 60 months of 120 on 5000
])
def test_irr_matches_scipy_root_finding(flows):
    expected = reference_irr(flows)
    assert lt.irr(flows) == pytest.approx(expected, abs=1e-9)
    assert lt.npv(lt.irr(flows), flows) == pytest.approx(0.0, abs=1e-6)


def test_irr_numpy_financial_documented_value():
    assert lt.irr([-100, 39, 59, 55, 20]) == pytest.approx(0.28094842115996066, abs=1e-9)


@given(st.floats(min_value=10, max_value=1e5), st.lists(st.floats(min_value=0.0, max_value=1e5),
                                                         min_size=1, max_size=30))
@settings(deadline=None)
def test_irr_of_conventional_flows_zeroes_npv(outlay, inflows):
    flows = [-outlay, *inflows]
    if sum(inflows) <= 0:
        with pytest.raises(ValueError, match="money in"):
            lt.irr(flows)
        return
    # Returning a thousandth of the outlay means losing 99.9%+: an IRR that close to -100%
    # is not meaningful in floating point, so such cases are left to the error test.
    assume(sum(inflows) >= 1e-3 * outlay)
    rate = lt.irr(flows)
    assert rate > -1
    # NPV is steep near -100%, so judge the root by its relative size.
    assert abs(reference_npv(rate, flows)) <= 1e-6 * (outlay + sum(inflows))


def test_irr_refuses_what_has_no_single_answer():
    with pytest.raises(ValueError, match="several IRRs"):
        lt.irr([-1, 2.3, -1.32])  # 10% and 20% both make NPV zero
    with pytest.raises(ValueError, match="money in"):
        lt.irr([-100, -5])
    with pytest.raises(ValueError, match="at least 2"):
        lt.irr([-100])


def test_payback_textbook_examples():
    assert lt.payback_period([-100, 30, 40, 50]) == pytest.approx(2.6)
    assert lt.payback_period([100, -10]) == 0.0
    assert lt.payback_period([-100, 50]) == math.inf
    assert lt.payback_period([-100, 100]) == 1.0
    assert lt.payback_period([0, -5, -5]) == math.inf  # nothing to pay back: it only loses
    assert lt.payback_period([-100, 150, -100, 100]) == pytest.approx(2.5)  # counted for good
    # Discounted at 10%: 27.27 + 33.06 + 37.57 after three years; 2.07 short,
    # so the 4th year (40 / 1.1^4 = 27.32) pays back 2.07 / 27.32 of the way in.
    flows = [-100, 30, 40, 50, 40]
    d = [c / 1.1**t for t, c in enumerate(flows)]
    expected = 3 + (-(d[0] + d[1] + d[2] + d[3])) / d[4]
    assert lt.payback_period(flows, rate=0.1) == pytest.approx(expected, abs=1e-12)


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=20),
       st.floats(min_value=1, max_value=1e4), st.floats(min_value=0.0, max_value=0.5))
@settings(deadline=None)
def test_discounting_never_shortens_payback(inflows, outlay, rate):
    flows = [-outlay, *inflows]
    assert lt.payback_period(flows, rate) >= lt.payback_period(flows) - 1e-9


def test_investment_case_reads_well():
    case = lt.investment_case([-100, 30, 40, 50], rate=0.08)
    assert case.npv == pytest.approx(reference_npv(0.08, [-100, 30, 40, 50]), abs=1e-12)
    assert case.irr == pytest.approx(reference_irr([-100, 30, 40, 50]), abs=1e-9)
    assert case.payback_period == pytest.approx(2.6)
    assert case.discounted_payback > 2.6
    assert "creates" in case.summary() and "IRR" in case.summary()
    assert "Investment Case" in case._repr_html_()
    table = case.to_frame()
    assert list(table["cumulative"]) == [-100, -70, -30, 20]
    ax = case.plot()
    assert ax.get_xlabel() and ax.get_ylabel() and "NPV" in ax.get_title()
    no_irr = lt.investment_case([-1, 2.3, -1.32], rate=0.15)
    assert math.isnan(no_irr.irr) and "no single IRR" in no_irr.summary()


# ---------------------------------------------------------------------------
# Lifetime value


@given(st.floats(min_value=-1e3, max_value=1e3), st.floats(min_value=0.0, max_value=0.98),
       st.floats(min_value=0.0, max_value=0.2))
@settings(deadline=None)
def test_ltv_closed_form_matches_the_long_sum(margin, retention, rate):
    total = sum(margin * retention**t / (1 + rate) ** t for t in range(1, 3000))
    assert lt.ltv(margin, retention, rate) == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert lt.ltv(margin, retention, rate) == pytest.approx(
        margin * retention / (1 + rate - retention), rel=1e-12, abs=1e-12)


@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=0.2),
       st.integers(min_value=1, max_value=120))
@settings(deadline=None)
def test_finite_horizon_ltv_equals_survival_sum(retention, rate, periods):
    survival = retention ** np.arange(1, periods + 1)
    direct = sum(10 * retention**t / (1 + rate) ** t for t in range(1, periods + 1))
    assert lt.ltv(10, retention, rate, periods=periods) == pytest.approx(direct, rel=1e-9, abs=1e-9)
    assert lt.ltv_from_survival(10, survival, rate) == pytest.approx(direct, rel=1e-9, abs=1e-9)


def test_ltv_edge_cases():
    assert lt.ltv(10, 0.0) == 0.0
    assert lt.ltv(10, 1.0, periods=12) == 120.0
    assert lt.ltv(10, 1.0, 0.01) == pytest.approx(1000.0)
    with pytest.raises(ValueError, match="unlimited"):
        lt.ltv(10, 1.0)
    with pytest.raises(ValueError, match="retention"):
        lt.ltv(10, 1.2)
    with pytest.raises(ValueError, match="never rise"):
        lt.ltv_from_survival(10, [0.5, 0.6])


def test_survival_from_churn():
    assert lt.survival_from_churn([0.5, 0.2, 0.1]).tolist() == pytest.approx([0.5, 0.4, 0.36])
    assert lt.survival_from_churn([0.5], periods=3).tolist() == pytest.approx([0.5, 0.25, 0.125])
    with pytest.raises(ValueError, match="periods"):
        lt.survival_from_churn(0.1)


def test_lifetime_value_result():
    value = lt.lifetime_value(10, 0.8, 0.01, acquisition_cost=25)
    assert value.ltv == pytest.approx(10 * 0.8 / (1.01 - 0.8))
    assert value.expected_lifetime == pytest.approx(4.0)
    running = np.cumsum([10 * 0.8**t / 1.01**t for t in range(1, 10)])
    crossing = int(np.argmax(running >= 25))
    expected = crossing + (25 - running[crossing - 1]) / (running[crossing] - running[crossing - 1])
    assert value.payback_periods == pytest.approx(expected, abs=1e-12)
    assert value.table["cumulative_value"].iloc[-1] >= 0.999 * value.ltv
    assert "worth" in value.summary() and "repays" in value.summary()
    ax = value.plot()
    assert ax.get_ylabel() and "worth" in ax.get_title()
    never = lt.lifetime_value(10, 0.5, acquisition_cost=50)
    assert never.payback_periods == math.inf and "never repays" in never.summary()
    # A payback that needs the far tail is still found.
    slow = lt.lifetime_value(1, 0.99, acquisition_cost=98.9)
    assert math.isfinite(slow.payback_periods)


# ---------------------------------------------------------------------------
# Kaplan–Meier

# Remission times (weeks) of the 6-MP group in the Freireich et al. (1963) leukaemia
# trial, the standard worked example in survival-analysis textbooks; 0 = censored.
SIX_MP = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_kaplan_meier_hand_worked_textbook_example():
    curve = lt.kaplan_meier(SIX_MP, SIX_MP_EVENT)
    events = curve.table[curve.table["churned"] > 0]
    # By hand: at each event time multiply by (n - d) / n.
    steps = [(6, 21, 3), (7, 17, 1), (10, 15, 1), (13, 12, 1), (16, 11, 1), (22, 7, 1), (23, 6, 1)]
    s, greenwood = Fraction(1), Fraction(0)
    for (time, n, d), (_, row) in zip(steps, events.iterrows(), strict=True):
        s *= Fraction(n - d, n)
        greenwood += Fraction(d, n * (n - d))
        assert row["time"] == time and row["at_risk"] == n and row["churned"] == d
        assert row["survival"] == pytest.approx(float(s), abs=1e-12)
        assert row["std_error"] == pytest.approx(float(s) * math.sqrt(greenwood), abs=1e-12)
    # The published table (to 3 and 4 decimals).
    assert events["survival"].round(3).tolist() == [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    assert events["std_error"].round(4).tolist() == [
        0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346]
    assert curve.median_lifetime == 23.0
    assert (curve.customers, curve.churned, curve.censored) == (21, 9, 12)


def random_lifetimes(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    lifetimes = rng.geometric(0.08, n).astype(float)
    follow_up = rng.integers(1, 40, n).astype(float)
    return np.minimum(lifetimes, follow_up), (lifetimes <= follow_up).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_matches_statsmodels(seed):
    from statsmodels.duration.survfunc import SurvfuncRight

    time, status = random_lifetimes(seed)
    ours = lt.kaplan_meier(time, status).table
    ours = ours[ours["churned"] > 0]
    ref = SurvfuncRight(time, status)
    np.testing.assert_allclose(ours["time"], ref.surv_times, atol=0)
    np.testing.assert_allclose(ours["survival"], ref.surv_prob, atol=1e-10)
    np.testing.assert_allclose(ours["at_risk"], ref.n_risk, atol=0)
    np.testing.assert_allclose(ours["churned"], ref.n_events, atol=0)
    last = ref.surv_prob > 0
    np.testing.assert_allclose(ours["std_error"][last], ref.surv_prob_se[last], atol=1e-10)


def test_kaplan_meier_matches_a_direct_product_over_individuals():
    # lifelines is not a dependency; this is the product-limit definition, one person at a time.
    time, status = random_lifetimes(7, n=120)
    curve = lt.kaplan_meier(time, status)
    for t in [0, 1, 3, 5.5, 10, 20, 39]:
        s = 1.0
        for u in sorted(set(time[status == 1])):
            if u > t:
                break
            at_risk = sum(1 for x in time if x >= u)
            died = sum(1 for x, e in zip(time, status, strict=True) if x == u and e == 1)
            s *= 1 - died / at_risk
        assert curve.at(t)[0] == pytest.approx(s, abs=1e-12)


def test_kaplan_meier_bands_follow_their_formulas():
    time, status = random_lifetimes(4)
    z = 1.959963984540054
    curve = lt.kaplan_meier(time, status, alpha=0.05).table
    inside = (curve["survival"] > 0) & (curve["survival"] < 1)
    s = curve["survival"][inside]
    v = (curve["std_error"][inside] / s) ** 2  # Greenwood's sum of d / (n (n - d))
    theta = np.sqrt(v) / np.abs(np.log(s))
    np.testing.assert_allclose(curve["lower"][inside], s ** np.exp(z * theta), atol=1e-12)
    np.testing.assert_allclose(curve["upper"][inside], s ** np.exp(-z * theta), atol=1e-12)
    greenwood = np.cumsum(np.where(curve["churned"] > 0, curve["churned"] / (
        curve["at_risk"] * (curve["at_risk"] - curve["churned"])), 0.0))[inside]
    np.testing.assert_allclose(v, greenwood, rtol=1e-10)
    linear = lt.kaplan_meier(time, status, transform="linear", alpha=0.1).table
    z90 = 1.6448536269514722
    np.testing.assert_allclose(
        linear["lower"], np.clip(linear["survival"] - z90 * linear["std_error"], 0, 1), atol=1e-12)


@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=80))
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_kaplan_meier_invariants(pairs):
    time = [float(t) for t, _ in pairs]
    status = [float(e) for _, e in pairs]
    table = lt.kaplan_meier(time, status).table
    s = table["survival"].to_numpy()
    assert np.all(np.diff(s) <= 1e-15) and s.min() >= 0 and s.max() <= 1
    assert np.all(table["lower"] <= s + 1e-12) and np.all(s <= table["upper"] + 1e-12)
    assert np.all(table["std_error"] >= 0)
    if all(status):
        # Without censoring, KM is the plain share still there.
        for t in set(time):
            assert table.loc[table["time"] == t, "survival"].iloc[0] == pytest.approx(
                np.mean(np.asarray(time) > t))


def test_weights_count_identical_customers():
    time, status = random_lifetimes(5, n=60)
    rows = pd.DataFrame({"t": time, "e": status}).value_counts().reset_index(name="w")
    weighted = lt.kaplan_meier("t", "e", weights="w", data=rows).table
    plain = lt.kaplan_meier(time, status).table
    np.testing.assert_allclose(weighted["survival"], plain["survival"], atol=1e-12)
    np.testing.assert_allclose(weighted["std_error"], plain["std_error"], atol=1e-12)


def test_survival_curve_result():
    curve = lt.kaplan_meier(SIX_MP, SIX_MP_EVENT)
    assert curve.at([0, 6, 6.5, 100]).round(3).tolist() == [1.0, 0.857, 0.857, 0.448]
    assert "half of them have churned by period 23" in curve.summary()
    assert "<table" in curve._repr_html_()
    ax = curve.plot(truth=[0.95, 0.9, 0.85])
    assert ax.get_ylabel() == "share still active" and "23" in ax.get_title()
    assert list(curve.to_frame().columns) == [
        "time", "at_risk", "churned", "censored", "survival", "std_error", "lower", "upper"]
    everyone_stays = lt.kaplan_meier([3, 4], [0, 0])
    assert everyone_stays.median_lifetime == math.inf
    assert "more than half" in everyone_stays.summary()
    everyone_leaves = lt.kaplan_meier([1, 1, 2])
    assert everyone_leaves.table["survival"].iloc[-1] == 0.0
    assert everyone_leaves.table["std_error"].iloc[-1] == 0.0


def test_churn_by_period_rebuilds_the_curve():
    time, status = random_lifetimes(8)
    curve = lt.kaplan_meier(time, status)
    churn = curve.churn()
    assert churn.size == int(time.max())
    np.testing.assert_allclose(np.cumprod(1 - churn), curve.at(np.arange(1, churn.size + 1)),
                               atol=1e-12)
    assert curve.churn(periods=3).size == 3
    assert lt.kaplan_meier([1e12, 5]).churn().size == lt.MAX_PERIODS  # capped, not 10¹² periods
    with pytest.raises(ValueError, match="periods"):
        curve.churn(periods=0)


def test_cohort_lifetimes_feed_kaplan_meier():
    table = pd.DataFrame({
        "cohort": ["2024-01"] * 3 + ["2024-02"] * 2 + ["2024-03"],
        "tenure_month": [0, 1, 2, 0, 1, 0],
        "members": [100, 80, 70, 50, 45, 60],
        "churned": [20, 10, 5, 5, 3, 12],
    })
    lives = lt.cohort_lifetimes(table)
    assert lives["weight"].sum() == 100 + 50 + 60
    curve = lt.kaplan_meier("duration", "observed", weights="weight", data=lives)
    # Pooled hazard by tenure: churned / members over every cohort seen at that tenure.
    hazard = [(20 + 5 + 12) / (100 + 50 + 60), (10 + 3) / (80 + 45), 5 / 70]
    assert curve.at([1, 2, 3]).tolist() == pytest.approx(np.cumprod(1 - np.array(hazard)).tolist())
    with pytest.raises(ValueError, match="grows"):
        lt.cohort_lifetimes(table.assign(members=[100, 95, 70, 50, 45, 60]))
    with pytest.raises(ValueError, match="exceeds"):
        lt.cohort_lifetimes(table.assign(churned=[200, 10, 5, 5, 3, 12]))


# ---------------------------------------------------------------------------
# The one member-value model (lessons 14, 15 and 17)


def reference_member_value(fee, orders, uplift, order_value, ship, survival, margin, annual,
                           months):
    """The model written out as a loop: cash at the end of month k, discounted (1 + i)^(k+1)."""
    i = (1 + annual) ** (1 / 12) - 1
    total = 0.0
    for k in range(months):
        cash = fee + margin * order_value * orders * uplift - ship * orders * (1 + uplift)
        total += survival[k] * cash / (1 + i) ** (k + 1)
    return total


@given(fee=st.floats(0, 30), orders=st.floats(0, 3), uplift=st.floats(-0.5, 2),
       value=st.floats(0, 300), ship=st.floats(0, 10), churn=st.floats(0, 0.5),
       annual=st.floats(0, 0.5), months=st.integers(1, 60))
@settings(deadline=None, max_examples=60)
def test_member_value_matches_the_written_out_sum(fee, orders, uplift, value, ship, churn,
                                                  annual, months):
    survival = [(1 - churn) ** k for k in range(months)]
    got = lt.member_value(fee, orders, uplift, value, ship, survival, margin_rate=0.25,
                          annual_discount_rate=annual, months=months)
    want = reference_member_value(fee, orders, uplift, value, ship, survival, 0.25, annual,
                                  months)
    assert got.value == pytest.approx(want, rel=1e-9, abs=1e-9)
    # The same cash flows through the textbook NPV (numpy-financial's convention: the first
    # flow is today) give the same number once the acquisition cost sits at t = 0.
    flows = [-7.0, *got.table["cash"]]
    assert lt.npv(lt.monthly_rate(annual), flows) == pytest.approx(want - 7.0, rel=1e-9,
                                                                     abs=1e-9)


def test_member_value_by_hand():
    v = lt.member_value(fee=10, baseline_orders=1, uplift=0.5, order_value=40, shipping_cost=4,
                        survival=[1.0, 0.5], annual_discount_rate=0.0, acquisition_cost=5,
                        months=3)
    # One month: 10 + 0.25·40·1·0.5 − 4·1·1.5 = 9; survival 1, 0.5, then 0.25 (churn repeats).
    assert v.monthly_value == 9.0
    assert v.value == pytest.approx(9 * (1 + 0.5 + 0.25))
    assert v.net_value == pytest.approx(v.value - 5)
    assert v.payback_months == pytest.approx(5 / 9)
    assert v.expected_months == pytest.approx(1.75)
    assert "USD" in v.summary() and "9.00" in v.summary()
    assert v.plot() is not None and list(v.to_frame().columns)[:2] == ["month", "still_member"]
    assert "Member Value" in v._repr_html_()


@given(fee=st.floats(1, 30), orders=st.floats(0.05, 3), uplift=st.floats(0, 2),
       value=st.floats(10, 300), churn=st.floats(0.01, 0.3), annual=st.floats(0, 0.3),
       cost=st.floats(0, 200))
@settings(deadline=None, max_examples=60)
def test_member_break_evens_zero_the_net_value(fee, orders, uplift, value, churn, annual, cost):
    survival = [(1 - churn) ** k for k in range(36)]
    v = lt.member_value(fee, orders, uplift, value, 5.8, survival, annual_discount_rate=annual,
                        acquisition_cost=cost)
    at_fee = lt.member_value(max(v.break_even_fee, 0), orders, uplift, value, 5.8, survival,
                             annual_discount_rate=annual, acquisition_cost=cost)
    if v.break_even_fee >= 0:
        assert at_fee.net_value == pytest.approx(0, abs=1e-6 * max(1, abs(v.value)))
    if math.isfinite(v.break_even_uplift) and v.break_even_uplift >= -1:
        at_uplift = lt.member_value(fee, orders, v.break_even_uplift, value, 5.8, survival,
                                    annual_discount_rate=annual, acquisition_cost=cost)
        assert at_uplift.net_value == pytest.approx(0, abs=1e-6 * max(1, abs(v.value)))


def test_member_value_reads_a_kaplan_meier_curve_like_its_list():
    curve = lt.kaplan_meier(SIX_MP, SIX_MP_EVENT)
    as_list = curve.at(np.arange(12, dtype=float))
    a = lt.member_value(12, 0.3, 0.4, 100, 5.8, curve, months=12)
    b = lt.member_value(12, 0.3, 0.4, 100, 5.8, as_list, months=12)
    assert a.value == b.value


def reference_kaplan_meier(durations, observed, times):
    """Kaplan–Meier the lifelines way: one customer at a time, product over event times."""
    out = []
    for t in times:
        s = 1.0
        for u in sorted({d for d, e in zip(durations, observed, strict=True) if e and d <= t}):
            at_risk = sum(1 for d in durations if d >= u)
            events = sum(1 for d, e in zip(durations, observed, strict=True) if e and d == u)
            s *= 1 - events / at_risk
        out.append(s)
    return np.array(out)


def test_member_inputs_survival_is_kaplan_meier_of_the_members():
    from pmkit import datasets

    table = datasets.load("membership")
    customers = datasets.load("customers")
    lives = lt.cohort_lifetimes(table)
    durations = np.repeat(lives["duration"].to_numpy(), lives["weight"].to_numpy())
    observed = np.repeat(lives["observed"].to_numpy(), lives["weight"].to_numpy())
    want = reference_kaplan_meier(list(durations[::7]), list(observed[::7]), range(0, 13))
    got = lt.kaplan_meier(durations[::7], observed[::7]).at(np.arange(13))
    np.testing.assert_allclose(got, want, atol=1e-12)
    x = lt.member_inputs(table)
    full = lt.kaplan_meier("duration", "observed", weights="weight", data=lives)
    np.testing.assert_allclose(x.survival[:30], full.at(np.arange(30)), atol=1e-12)
    # Everyone in the table's first month is a customer who joined that month.
    assert table.loc[table.tenure_month == 0, "members"].sum() <= customers.member_since.notna().sum()


@pytest.mark.parametrize("seed", [None, 7, 2024])
def test_member_value_is_one_number_whoever_computes_it(seed):
    from pmkit import datasets

    table = datasets.load("membership", seed=seed)
    x = lt.member_inputs(table)
    direct = lt.member_value(**x.as_dict(), acquisition_cost=40.0)
    assert lt.member_value_from(table, acquisition_cost=40.0).value == direct.value
    # Incremental orders against the counterfactual, not against all non-members.
    assert x.uplift == pytest.approx(
        table.orders.sum() / (table.baseline_orders * table.members).sum() - 1)
    assert x.fee == table.loc[table.cohort == table.cohort.max(), "fee"].iloc[0]
    truth = datasets.truth("membership", seed=seed)
    at_truth = lt.member_value_from(table, uplift=truth["order_uplift"] - 1,
                                    survival=truth["survival_by_tenure"])
    assert at_truth.value != direct.value
    with pytest.raises(TypeError, match="unknown inputs"):
        lt.member_value_from(table, margin=0.3)


# ---------------------------------------------------------------------------
# Membership, flywheel, bets


def test_membership_case_by_hand():
    case = lt.membership_case(fee=10, orders=2, uplift=0.5, margin=6, shipping_cost=4,
                              churn=0.1, signup_cost=20, months=24)
    per_month = 10 + 6 * 2 * 0.5 - 4 * 2 * 1.5
    assert case.monthly_value == per_month
    assert case.ltv_change == pytest.approx(per_month * (1 - 0.9**24) / 0.1 - 20, abs=1e-12)
    assert case.still_member_at_end == pytest.approx(0.9**24)
    flows = [-20] + [per_month * 0.9**k for k in range(24)]
    assert case.payback_months == pytest.approx(lt.payback_period(flows), abs=1e-12)
    discounted = lt.membership_case(10, 2, 0.5, 6, 4, 0.1, 0.01, signup_cost=20, months=24)
    assert discounted.ltv_change == pytest.approx(reference_npv(0.01, flows), abs=1e-9)
    assert "adds" in case.summary() and "pays back" in case.summary()
    ax = case.plot()
    assert ax.get_xlabel() and "adds" in ax.get_title()


@given(st.floats(0, 30), st.floats(0, 5), st.floats(0.5, 20), st.floats(0, 10),
       st.floats(0, 0.5), st.floats(0, 0.05))
@settings(deadline=None)
def test_membership_break_even_uplift_zeroes_the_value(fee, orders, margin, ship, churn, rate):
    case = lt.membership_case(fee, orders, 0.2, margin, ship, churn, rate, signup_cost=5, months=36)
    if math.isnan(case.break_even_uplift) or not -1 <= case.break_even_uplift <= 1e6:
        return
    at_break_even = lt.membership_case(fee, orders, case.break_even_uplift, margin, ship, churn,
                                       rate, signup_cost=5, months=36)
    assert at_break_even.ltv_change == pytest.approx(0.0, abs=1e-6 * (1 + fee + orders * margin))


@given(st.floats(0, 30), st.floats(0, 5), st.floats(-1, 2), st.floats(0.5, 20), st.floats(0, 10),
       st.floats(0, 0.5), st.floats(0, 0.05))
@settings(deadline=None)
def test_membership_break_even_fee_zeroes_the_value(fee, orders, uplift, margin, ship, churn, rate):
    case = lt.membership_case(fee, orders, uplift, margin, ship, churn, rate, signup_cost=5)
    if case.break_even_fee < 0:
        return  # even a free membership adds value; no fee to solve for
    at_fee = lt.membership_case(case.break_even_fee, orders, uplift, margin, ship, churn, rate,
                                signup_cost=5)
    assert at_fee.ltv_change == pytest.approx(0.0, abs=1e-6 * (1 + fee + orders * (margin + ship)))


def test_membership_churn_by_tenure_and_horizon():
    churn = [0.3, 0.2, 0.1]
    case = lt.membership_case(12, 1, 0.4, 8, 5, churn)
    assert case.months == 3
    active = [1.0, 0.7, 0.7 * 0.8]
    value = 12 + 8 * 0.4 - 5 * 1.4
    assert case.ltv_change == pytest.approx(value * sum(active))
    longer = lt.membership_case(12, 1, 0.4, 8, 5, churn, months=5)
    assert longer.table["still_member"].tolist() == pytest.approx(
        [1.0, 0.7, 0.56, 0.504, 0.4536])
    losing = lt.membership_case(5, 3, 0.0, 4, 6, 0.05)
    assert losing.ltv_change < 0 and losing.payback_months == math.inf
    assert "costs" in losing.summary() and "does not pay back" in losing.summary()


def test_flywheel_without_a_price_cut_stands_still():
    run = lt.flywheel(price_cut=0.0, periods=24)
    np.testing.assert_allclose(run.table["customers"], 1.0, atol=1e-12)
    np.testing.assert_allclose(run.table["profit"], run.table["baseline_profit"], atol=1e-12)
    assert run.total_gain == pytest.approx(0.0, abs=1e-12) and run.breakeven_period == 0.0


def test_flywheel_dips_then_pays_back():
    run = lt.flywheel(price_cut=0.05, periods=48)
    table = run.table
    assert run.first_period_profit_change < 0
    assert math.isfinite(run.breakeven_period)
    assert table["cumulative_gain"].iloc[int(run.breakeven_period) - 2] < 0
    assert table["cumulative_gain"].iloc[int(run.breakeven_period) - 1] >= 0
    np.testing.assert_allclose(table["cumulative_gain"],
                               np.cumsum(table["profit"] - table["baseline_profit"]))
    np.testing.assert_allclose(table["profit"],
                               table["customers"] * (table["price"] - table["unit_cost"]))
    assert (table["customers"] <= 5.0 + 1e-12).all() and (table["price"] > 0).all()
    assert "earns the dip back" in run.summary()
    ax = run.plot()
    assert "pays it back" in ax.get_title()


def test_flywheel_a_stronger_seller_loop_grows_more():
    weak = lt.flywheel(0.05, 36, seller_response=0.3)
    strong = lt.flywheel(0.05, 36, seller_response=1.2)
    assert strong.customers_multiple > weak.customers_multiple
    stalled = lt.flywheel(0.05, 36, seller_response=0.0, selection_effect=0.0, scale_economies=0.0)
    assert stalled.breakeven_period == math.inf and "not earned back" in stalled.summary()
    with pytest.raises(ValueError, match="price to zero"):
        lt.flywheel(0.9, pass_through=1.0)


def test_portfolio_monte_carlo_agrees_with_the_formulas():
    cost = [2.0, 1.0, 3.0, 0.5, 1.5]
    p = [0.1, 0.3, 0.05, 0.5, 0.2]
    median = [40.0, 5.0, 80.0, 1.0, 8.0]
    sigma = [1.0, 0.5, 1.2, 0.3, 0.8]
    out = lt.portfolio_of_bets(cost, p, median, sigma, n_sims=200_000, seed=3)
    mean = np.array(median) * np.exp(np.array(sigma) ** 2 / 2)
    assert out.expected_value == pytest.approx(float(np.dot(p, mean) - sum(cost)), abs=1e-9)
    se = out.outcomes.std() / math.sqrt(out.n_sims)
    assert abs(out.simulated_mean - out.expected_value) < 4 * se
    from scipy import stats

    threshold = 10 * np.array(cost)
    tail = stats.lognorm.sf(threshold, s=sigma, scale=median)
    exact = 1 - np.prod(1 - np.array(p) * tail)
    assert out.chance_big_win_exact == pytest.approx(exact, abs=1e-12)
    binom_se = math.sqrt(exact * (1 - exact) / out.n_sims)
    assert abs(out.chance_big_win - exact) < 4 * binom_se
    assert out.expected_failures == pytest.approx(sum(1 - q for q in p))
    assert out.downside == pytest.approx(np.quantile(out.outcomes, 0.05))
    assert 0 < out.top_bet_share <= 1
    again = lt.portfolio_of_bets(cost, p, median, sigma, n_sims=200_000, seed=3)
    assert again.simulated_mean == out.simulated_mean  # seeded: the same futures


def test_portfolio_discounting_and_certain_bets():
    sure = lt.portfolio_of_bets([1, 1], [1, 1], [3, 5], 0.0, years_to_payoff=[1, 2],
                                discount_rate=0.1, n_sims=1000)
    value = 3 / 1.1 + 5 / 1.21 - 2
    assert sure.expected_value == pytest.approx(value)
    np.testing.assert_allclose(sure.outcomes, value)
    assert sure.chance_of_loss == 0 and sure.chance_big_win == 0
    frame = pd.DataFrame({"c": [1.0, 2.0], "p": [0.2, 0.4], "m": [10.0, 6.0], "s": [0.5, 0.5]})
    from_frame = lt.portfolio_of_bets("c", "p", "m", "s", data=frame, seed=2)
    plain = lt.portfolio_of_bets([1.0, 2.0], [0.2, 0.4], [10.0, 6.0], 0.5, seed=2)
    assert from_frame.simulated_mean == plain.simulated_mean
    assert "bets cost" in plain.summary()
    ax = plain.plot()
    assert "lose money" in ax.get_title() and ax.get_xlabel()
    assert list(plain.to_frame().columns)[:3] == ["cost", "p_success", "payoff_median"]


def test_portfolio_bets_sharing_a_dependency_fail_together():
    cost, p, median, sigma = [1.0, 1.0, 2.0], [0.6, 0.5, 0.3], [6.0, 8.0, 20.0], [0.5, 0.5, 0.8]
    needs, q = [True, True, False], 0.4
    shared = lt.portfolio_of_bets(cost, p, median, sigma, needs=needs, needs_chance=q,
                                  n_sims=200_000, seed=5)
    # The same marginal chances, drawn independently: same expected value, different spread.
    marginal = [q * p[0], q * p[1], p[2]]
    alone = lt.portfolio_of_bets(cost, marginal, median, sigma, n_sims=200_000, seed=5)
    assert shared.expected_value == pytest.approx(alone.expected_value, abs=1e-12)
    np.testing.assert_allclose(shared.to_frame()["p_success"], marginal)
    # When the dependency is missing both dependent bets fail: a loss of at least their cost.
    works = shared.outcomes + sum(cost)  # gross payoff per future
    assert shared.chance_of_loss > alone.chance_of_loss
    assert abs(shared.simulated_mean - shared.expected_value) < 4 * shared.outcomes.std() / math.sqrt(200_000)
    from scipy import stats

    tail = stats.lognorm.sf(10 * np.array(cost), s=sigma, scale=median)
    none = (1 - p[2] * tail[2]) * ((1 - q) + q * (1 - p[0] * tail[0]) * (1 - p[1] * tail[1]))
    assert shared.chance_big_win_exact == pytest.approx(1 - none, abs=1e-12)
    assert abs(shared.chance_big_win - (1 - none)) < 4 * math.sqrt(none * (1 - none) / 200_000)
    assert (works >= 0).all()
    frame = pd.DataFrame({"c": cost, "p": p, "m": median, "s": sigma, "net": needs})
    from_frame = lt.portfolio_of_bets("c", "p", "m", "s", data=frame, needs="net", needs_chance=q,
                                      n_sims=200_000, seed=5)
    assert from_frame.simulated_mean == shared.simulated_mean
    # No dependency: exactly the independent simulation (same seed, same futures).
    plain = lt.portfolio_of_bets(cost, p, median, sigma, seed=5)
    assert lt.portfolio_of_bets(cost, p, median, sigma, needs=[False] * 3, needs_chance=q,
                                seed=5).simulated_mean == plain.simulated_mean


def test_fund_within_budget_ranks_by_value_per_dollar_and_skips_what_does_not_fit():
    value, cost = [10.0, 4.0, 3.0, -1.0, 0.9], [5.0, 1.0, 2.0, 1.0, 0.5]
    # Per dollar: 4/1, then 10/5, then 0.9/0.5, then 3/2.
    assert lt.fund_within_budget(value, cost, budget=6.5).tolist() == [True, True, False, False, True]
    # With 7, the 3/2 bet no longer fits after the others, so a cheaper one lower down would get in.
    funded = lt.fund_within_budget([10.0, 4.0, 3.0, 0.4], [5.0, 1.0, 2.0, 1.0], budget=7.0)
    assert funded.tolist() == [True, True, False, True]
    assert np.asarray([5.0, 1.0, 2.0, 1.0])[funded].sum() <= 7.0
    assert not lt.fund_within_budget(value, cost, budget=100)[3]  # a negative value never funded
    assert not lt.fund_within_budget(value, cost, budget=0).any()
    with pytest.raises(ValueError, match="lengths differ"):
        lt.fund_within_budget([1, 2], [1], budget=3)
    with pytest.raises(ValueError, match="budget"):
        lt.fund_within_budget([1], [1], budget=-1)


def test_pilot_value_follows_bayes_and_information_is_never_worth_less_than_nothing():
    prior, works, fails = 0.3, 20.0, -10.0
    perfect = lt.pilot_value(prior, works, fails)
    assert perfect.value_now == pytest.approx(max(0.0, prior * works + (1 - prior) * fails))
    assert perfect.value_with_pilot == pytest.approx(prior * works)
    noisy = lt.pilot_value(prior, works, fails, sensitivity=0.8, false_alarm=0.3)
    go = prior * 0.8 + (1 - prior) * 0.3
    assert noisy.chance_of_go == pytest.approx(go)
    assert noisy.chance_if_go == pytest.approx(prior * 0.8 / go)
    assert noisy.chance_if_stop == pytest.approx(prior * 0.2 / (1 - go))
    assert 0 <= noisy.value_of_information <= perfect.value_of_information
    useless = lt.pilot_value(prior, works, fails, sensitivity=0.5, false_alarm=0.5)
    assert useless.value_of_information == pytest.approx(0.0, abs=1e-12)
    frame = noisy.to_frame()
    assert list(frame["verdict"]) == ["go", "stop"] and frame["chance"].sum() == pytest.approx(1)
    assert "before its cost" in noisy.summary()
    assert noisy.plot().get_ylabel()
    with pytest.raises(ValueError, match="sensitivity"):
        lt.pilot_value(0.3, 1, -1, sensitivity=1.5)


# ---------------------------------------------------------------------------
# Ground truth: the Basketly datasets


def _by_bet(mapping: dict, bet_id: int) -> float:
    # Truth read from JSON has string keys; truth built in memory has integers.
    return mapping[str(bet_id)] if str(bet_id) in mapping else mapping[bet_id]


@pytest.mark.parametrize("seed", [None, 7, 11])
def test_kaplan_meier_recovers_the_true_membership_curve(seed):
    from pmkit import datasets

    table = datasets.load("membership", seed=seed)
    true = np.array(datasets.truth("membership", seed=seed)["survival_by_tenure"])
    lives = lt.cohort_lifetimes(table)
    curve = lt.kaplan_meier("duration", "observed", weights="weight", data=lives, alpha=0.01)
    estimate = curve.at(np.arange(true.size))
    # Stated tolerance: within 4 Greenwood standard errors everywhere, within 2 points over
    # the first year (where most members are at risk), and the truth inside the 99% band at
    # no fewer than 90% of tenures (pointwise bands may miss a few by chance).
    band = curve.table.set_index("time").reindex(np.arange(1, true.size)).ffill()
    se = np.concatenate([[0.0], band["std_error"].to_numpy()])
    assert (np.abs(estimate - true) <= 4 * se + 1e-12).all()
    assert np.max(np.abs(estimate - true)[:13]) < 0.02
    inside = (band["lower"].to_numpy() <= true[1:]) & (true[1:] <= band["upper"].to_numpy())
    assert inside.mean() >= 0.9
    assert curve.customers == table.loc[table["tenure_month"] == 0, "members"].sum()


def test_true_churn_curve_gives_the_true_survival():
    from pmkit import datasets

    truth = datasets.truth("membership")
    hazard = truth["hazard_by_tenure"]
    case = lt.membership_case(12.99, 1.1, 0.45, 10, 5.8, hazard)
    # still_member is S at the start of each month: the truth's survival_by_tenure.
    np.testing.assert_allclose(case.table["still_member"],
                               truth["survival_by_tenure"][: len(hazard)], atol=2e-6)


@pytest.mark.parametrize("seed", [None, 7])
def test_order_uplift_in_the_data_matches_the_truth(seed):
    from pmkit import datasets

    table = datasets.load("membership", seed=seed)
    uplift = (table["orders_per_member"] * table["members"]).sum() / (
        table["baseline_orders"] * table["members"]).sum()
    assert uplift == pytest.approx(datasets.truth("membership", seed=seed)["order_uplift"], abs=0.03)


@pytest.mark.parametrize("seed", [None, 7])
def test_bet_expected_values_match_the_truth(seed):
    from pmkit import datasets

    bets = datasets.load("bets", seed=seed)
    truth = datasets.truth("bets", seed=seed)
    out = lt.portfolio_of_bets("cost", "p_success", "payoff_median", "payoff_sigma", data=bets,
                               seed=1)
    expected = [_by_bet(truth["expected_value"], b) for b in bets["bet_id"]]
    np.testing.assert_allclose(out.table["expected_value"], expected, atol=1e-4)
    ranked = bets["bet_id"].to_numpy()[np.argsort(-out.table["expected_value"].to_numpy())]
    assert ranked.tolist() == truth["best_by_expected_value"]
    assert out.expected_value == pytest.approx(sum(expected), abs=1e-3)


# ---------------------------------------------------------------------------
# Bad input gets a clear error


@pytest.mark.parametrize("call, kind, words", [
    (lambda: lt.npv(-1, [1]), ValueError, "rate"),
    (lambda: lt.npv(0.1, []), ValueError, "at least 1"),
    (lambda: lt.npv(0.1, [1, float("nan")]), ValueError, "missing"),
    (lambda: lt.npv("5%", [1]), TypeError, "rate"),
    (lambda: lt.npv(0.1, 10**400), TypeError, "cashflows"),
    (lambda: lt.npv(10**400, [1]), ValueError, "too large"),
    (lambda: lt.npv(0.1, [10**400]), ValueError, "too large"),
    (lambda: lt.ltv(10, 0.9, periods=2.5), ValueError, "whole number"),
    (lambda: lt.kaplan_meier([1, 2], [1]), ValueError, "lengths differ"),
    (lambda: lt.kaplan_meier([1, 2], [1, 2]), ValueError, "observed"),
    (lambda: lt.kaplan_meier([-1, 2]), ValueError, "durations"),
    (lambda: lt.kaplan_meier([1, 2], weights=[0, 0]), ValueError, "no customers"),
    (lambda: lt.kaplan_meier("tenure", data=pd.DataFrame({"t": [1]})), ValueError,
     "missing column(s) 'tenure'; columns present: t"),
    (lambda: lt.cohort_lifetimes(pd.DataFrame({"cohort": [1]})), ValueError,
     "columns present: cohort"),
    (lambda: lt.membership_case(10, 2, 0.3, 5, 3, 1.5), ValueError, "churn"),
    (lambda: lt.membership_case(10, 2, 0.3, 5, 3, [0.1, None]), ValueError, "churn"),
    (lambda: lt.portfolio_of_bets([1, 2], [0.5], [3, 4]), ValueError, "lengths differ"),
    (lambda: lt.portfolio_of_bets([1], [1.5], [3]), ValueError, "p_success"),
    (lambda: lt.portfolio_of_bets([1], [0.5], [3], [1, 2]), ValueError, "payoff_sigma"),
    (lambda: lt.portfolio_of_bets([1], [0.5], [3], n_sims=-5), ValueError, "n_sims"),
    (lambda: lt.portfolio_of_bets([1, 1], [0.5, 0.5], [3, 3], needs=[True]), ValueError, "needs"),
    (lambda: lt.portfolio_of_bets([1], [0.5], [3], needs=[2]), ValueError, "True/False"),
    (lambda: lt.portfolio_of_bets([1], [0.5], [3], needs=[True], needs_chance=2), ValueError,
     "needs_chance"),
    (lambda: lt.flywheel(periods=0), ValueError, "periods"),
    (lambda: lt.flywheel(margin=1.0), ValueError, "margin"),
])
def test_bad_input_gets_a_clear_error(call, kind, words):
    with pytest.raises(kind) as caught:
        call()
    assert words in str(caught.value)


weird = st.one_of(
    st.none(), st.booleans(), st.text(max_size=5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30), st.just(10**400), st.just(-(10**400)),
    st.lists(st.one_of(st.floats(allow_nan=True), st.integers(-5, 5), st.none(), st.text(max_size=2)),
             max_size=6),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(pd.DataFrame({"a": [1, 2]})), st.just(pd.Series([1.0, -2.0])),
    st.just(np.array([[1.0, 2.0]])), st.just(object()),
)

PUBLIC = {
    "npv": (lt.npv, 2), "irr": (lt.irr, 1), "payback_period": (lt.payback_period, 2),
    "investment_case": (lt.investment_case, 2), "ltv": (lt.ltv, 3),
    "ltv_from_survival": (lt.ltv_from_survival, 3), "survival_from_churn": (lt.survival_from_churn, 2),
    "lifetime_value": (lt.lifetime_value, 3), "kaplan_meier": (lt.kaplan_meier, 2),
    "cohort_lifetimes": (lt.cohort_lifetimes, 1), "membership_case": (lt.membership_case, 7),
    "flywheel": (lt.flywheel, 2), "portfolio_of_bets": (lt.portfolio_of_bets, 4),
    "fund_within_budget": (lt.fund_within_budget, 3), "pilot_value": (lt.pilot_value, 3),
    "member_inputs": (lt.member_inputs, 1), "member_value": (lt.member_value, 6),
    "member_value_from": (lt.member_value_from, 1), "monthly_rate": (lt.monthly_rate, 1),
}


def test_every_public_function_is_fuzzed():
    names = {n for n in lt.__all__ if callable(getattr(lt, n)) and n[0].islower()}
    assert names == set(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC))
@given(data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_only_clear_errors_escape(name, data):
    function, arity = PUBLIC[name]
    args = [data.draw(st.one_of(weird, st.floats(-2, 2), st.lists(st.floats(-2, 2), max_size=5)))
            for _ in range(arity)]
    try:
        function(*args)
    except (ValueError, TypeError) as exc:
        assert str(exc).strip(), f"{name} raised {type(exc).__name__} without a message"


@given(weird)
@settings(max_examples=100, deadline=None)
def test_fuzz_survival_curve_methods(value):
    curve = lt.kaplan_meier(SIX_MP, SIX_MP_EVENT)
    for method in (curve.at, curve.churn):
        try:
            method(value)
        except (ValueError, TypeError) as exc:
            assert str(exc).strip()


def test_import_stays_light():
    code = ("import pmkit.longterm, sys; heavy = [m for m in ('scipy', 'matplotlib', 'ipywidgets', "
            "'statsmodels') if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
