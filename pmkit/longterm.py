"""Long-term thinking in numbers: NPV, lifetime value, survival, memberships, flywheels, bets.

Conventions used throughout (state them in a memo too, they change the answer):

- Time is counted in whole periods (months or years). A list of cash flows starts
  at **t = 0** (today, not discounted); the flow at position ``t`` is discounted
  by ``(1 + rate) ** t``.
- **Lifetime value** books one ``margin`` at the end of every period the customer is
  still there. With a constant retention ``r`` (the chance of staying one more
  period) and discount rate ``i`` that is ``m·r/(1 + i − r)`` over an unlimited
  horizon: ``sum over t >= 1 of m·rᵗ/(1 + i)ᵗ``.
- A **survival curve** ``S(t)`` is the share of customers still there after ``t``
  periods; ``S(0) = 1``. Lifetime value from a curve is ``sum of m·S(t)/(1 + i)ᵗ``.

>>> round(npv(0.10, [-100, 60, 60]), 2)
4.13
>>> round(ltv(margin=10, retention=0.8, discount_rate=0.01), 2)
38.1
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from pmkit import _validate
from pmkit.display import BAD, GOOD, MARKERS, NEUTRAL, PALETTE, fmt, new_axes, pct
from pmkit.results import Result

__all__ = [
    "FlywheelRun",
    "InvestmentCase",
    "LifetimeValue",
    "MemberInputs",
    "MemberValue",
    "MembershipCase",
    "PilotValue",
    "PortfolioOutcome",
    "SurvivalCurve",
    "cohort_lifetimes",
    "flywheel",
    "fund_within_budget",
    "investment_case",
    "irr",
    "kaplan_meier",
    "lifetime_value",
    "ltv",
    "ltv_from_survival",
    "member_inputs",
    "member_value",
    "member_value_from",
    "membership_case",
    "monthly_rate",
    "npv",
    "payback_period",
    "pilot_value",
    "portfolio_of_bets",
    "survival_from_churn",
]

#: Longest cash-flow list or horizon we accept: 100 years of months is plenty.
MAX_PERIODS = 1200
#: Largest amount (money, counts) we compute with; beyond it float sums lose their meaning.
MAX_AMOUNT = 1e15
#: Monte Carlo cells (simulations × bets) we are willing to hold in memory at once.
MAX_SIM_CELLS = 20_000_000


# ---------------------------------------------------------------------------
# Input checks: _validate does the work; these add the module's amount caps.


def _number(value: Any, name: str, **bounds: Any) -> float:
    bounds.setdefault("low", -MAX_AMOUNT)
    bounds.setdefault("high", MAX_AMOUNT)
    return _validate.number(value, name, **bounds)


def _probability(value: Any, name: str) -> float:
    return _validate.probability(value, name)


def _count(value: Any, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    whole = _validate.count(value, name, minimum=minimum)
    if maximum is not None and whole > maximum:
        raise ValueError(f"{name} should be at most {maximum:,}, got {whole:,}")
    return whole


def _array(values: Any, name: str, **kwargs: Any) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} should be one column of numbers, got a DataFrame; pick a column")
    kwargs.setdefault("low", -MAX_AMOUNT)
    kwargs.setdefault("high", MAX_AMOUNT)
    return _validate.array(values, name, **kwargs)


def _cashflows(cashflows: Any, min_size: int = 1) -> np.ndarray:
    flows = _array(cashflows, "cashflows", min_size=min_size)
    if flows.size > MAX_PERIODS + 1:
        raise ValueError(f"cashflows should hold at most {MAX_PERIODS + 1} periods, got {flows.size}")
    return flows


def _rate(rate: Any, name: str = "rate") -> float:
    # Below -100% a discount factor changes sign; above 1000% per period nothing is real.
    return _number(rate, name, low=-1.0, low_open=True, high=10.0)


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} is too large to represent; check the size of the inputs")
    return float(value)


def _discount_factors(rate: float, periods: int) -> np.ndarray:
    """(1 + rate) ** -t for t = 0 .. periods - 1."""
    t = np.arange(periods, dtype=float)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.exp(-t * math.log1p(rate))


def _frame_column(data: Any, column: Any, what: str) -> Any:
    """With ``data`` given, a string names one of its columns; anything else is used as is."""
    if data is None:
        return column
    _validate.columns(data, [column] if isinstance(column, str) else [], what="data")
    return data[column] if isinstance(column, str) else column


# ---------------------------------------------------------------------------
# Money over time


def npv(rate: float, cashflows: Sequence[float] | np.ndarray) -> float:
    """Net present value of ``cashflows`` (first one at t = 0, undiscounted) at ``rate`` per period.

    >>> npv(0.0, [-100, 30, 80])
    10.0
    >>> round(npv(0.05, [-100, 30, 80]), 2)
    1.13
    """
    rate = _rate(rate)
    flows = _cashflows(cashflows)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.sum(flows * _discount_factors(rate, flows.size)))
    return _finite(value, "the net present value")


def _npv_slope(rate: float, flows: np.ndarray) -> float:
    t = np.arange(flows.size, dtype=float)
    return float(np.sum(-t * flows * _discount_factors(rate, flows.size + 1)[1:]))


def _irr_candidates(flows: np.ndarray) -> list[float]:
    """Every rate > -100% where NPV is zero, found as roots in x = 1/(1 + rate)."""
    scale = float(np.sum(np.abs(flows)))
    # Flows too small to matter at the end would make the polynomial's roots blow up.
    significant = np.flatnonzero(np.abs(flows) > 1e-13 * scale)
    trimmed = flows[: significant[-1] + 1]
    # NPV = sum c_t x^t is a polynomial in x; np.roots wants the highest power first.
    with np.errstate(all="ignore"):
        try:
            roots = np.roots(trimmed[::-1])
        except np.linalg.LinAlgError:
            return []
    rates: list[float] = []
    for root in roots:
        if abs(root.imag) > 1e-7 * max(1.0, abs(root.real)) or root.real <= 0:
            continue
        rate = 1.0 / root.real - 1.0
        if not -1.0 < rate <= 1e6:
            continue
        # Extreme rates overflow on the way; the finiteness checks below reject them.
        with np.errstate(all="ignore"):
            for _ in range(50):  # Newton steps polish what the eigenvalue solver found
                slope = float(_npv_slope(rate, flows))
                value = float(np.sum(flows * _discount_factors(rate, flows.size)))
                if slope == 0 or not math.isfinite(slope) or not math.isfinite(value):
                    break
                step = value / slope
                if not math.isfinite(step) or rate - step <= -1.0:
                    break
                rate -= step
                if abs(step) < 1e-14 * max(1.0, abs(rate)):
                    break
            residual = float(np.sum(flows * _discount_factors(rate, flows.size)))
        is_root = math.isfinite(residual) and abs(residual) <= 1e-9 * scale
        if is_root and all(abs(rate - known) > 1e-7 * max(1.0, abs(known)) for known in rates):
            rates.append(float(rate))
    return sorted(rates)


def irr(cashflows: Sequence[float] | np.ndarray) -> float:
    """Internal rate of return: the rate per period at which NPV is zero.

    Raises ValueError when no rate does it (the flows never change sign) or when
    several do (the flows change sign more than once): NPV is the safer guide then.

    >>> round(irr([-100, 60, 60]), 6)
    0.130662
    """
    flows = _cashflows(cashflows, min_size=2)
    if not (flows.min() < 0 < flows.max()):
        raise ValueError("cashflows need both money out (< 0) and money in (> 0) to have an IRR")
    # Amounts a trillion times smaller than the rest are rounding noise, not money.
    flows = np.where(np.abs(flows) > 1e-12 * float(np.sum(np.abs(flows))), flows, 0.0)
    if not (flows.min() < 0 < flows.max()):
        raise ValueError("the money out (or in) is negligible next to the rest, so no IRR is meaningful")
    rates = _irr_candidates(flows)
    if not rates:
        raise ValueError("no rate above -100% makes the net present value zero (or it sits too "
                         "close to -100% to compute)")
    if len(rates) > 1:
        listed = ", ".join(pct(r, 2) for r in rates)
        raise ValueError(f"these cashflows have several IRRs ({listed}); compare them by NPV instead")
    return float(rates[0])


def payback_period(cashflows: Sequence[float] | np.ndarray, rate: float = 0.0) -> float:
    """Periods until the cumulative (discounted, if ``rate`` > 0) cash turns non-negative for good.

    "For good" means it stays at or above zero for the rest of the flows given.
    Within the period that crosses zero, cash is assumed to arrive evenly, so the
    answer can be fractional. Returns ``math.inf`` when the flows never pay back.

    >>> payback_period([-100, 30, 40, 50])
    2.6
    >>> payback_period([-100, 10, 10])
    inf
    """
    rate = _rate(rate)
    flows = _cashflows(cashflows)
    with np.errstate(over="ignore", invalid="ignore"):
        discounted = flows * _discount_factors(rate, flows.size)
        cumulative = np.cumsum(discounted)
    if not np.isfinite(cumulative).all():
        raise ValueError("the discounted cash flows are too large to represent")
    below = np.flatnonzero(cumulative < 0)
    if below.size == 0:
        return 0.0
    last = int(below[-1])
    if last == flows.size - 1:
        return math.inf
    return last + float(-cumulative[last] / discounted[last + 1])


@dataclass(frozen=True, repr=False)
class InvestmentCase(Result):
    """An investment judged three ways: NPV, IRR and payback."""

    rate: float
    npv: float
    irr: float
    payback_period: float
    discounted_payback: float
    total_cash: float
    periods: int
    table: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        verdict = "creates" if self.npv >= 0 else "destroys"
        irr_text = (f"an IRR of {pct(self.irr)}" if math.isfinite(self.irr)
                    else "no single IRR")
        payback = (f"pays back in {fmt(self.discounted_payback)} periods once discounted"
                   if math.isfinite(self.discounted_payback)
                   else "never pays back once discounted")
        return (f"At {pct(self.rate)} per period this {verdict} {fmt(abs(self.npv))} of value "
                f"today, with {irr_text}; it {payback}.")

    def _accent(self) -> str:
        return GOOD if self.npv >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per period: cash, discounted cash and both running totals."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Cumulative cash, plain and discounted, with the break-even line."""
        ax = new_axes(ax)
        t = self.table["period"]
        ax.bar(t, self.table["cash"], color=NEUTRAL, alpha=0.35, label="cash in the period")
        ax.plot(t, self.table["cumulative"], color=PALETTE[1], marker="o", label="cumulative")
        ax.plot(t, self.table["cumulative_discounted"], color=PALETTE[0], marker=MARKERS[1],
                label=f"cumulative, discounted at {pct(self.rate)}")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("period (0 = today)")
        ax.set_ylabel("cash")
        ax.set_title(f"NPV {fmt(self.npv)}: " + (
            f"pays back in {fmt(self.discounted_payback)} periods"
            if math.isfinite(self.discounted_payback) else "never pays back"))
        ax.legend(frameon=False, fontsize="small")
        return ax


def investment_case(cashflows: Sequence[float] | np.ndarray, rate: float) -> InvestmentCase:
    """NPV, IRR (NaN when there is no single one) and payback of one stream of cash flows.

    >>> case = investment_case([-100, 30, 40, 50], rate=0.08)
    >>> round(case.npv, 2), case.payback_period
    (1.76, 2.6)
    """
    rate = _rate(rate)
    flows = _cashflows(cashflows)
    value = npv(rate, flows)
    try:
        internal = irr(flows)
    except ValueError:
        internal = math.nan
    discounted = flows * _discount_factors(rate, flows.size)
    table = pd.DataFrame({
        "period": np.arange(flows.size),
        "cash": flows,
        "discounted": discounted,
        "cumulative": np.cumsum(flows),
        "cumulative_discounted": np.cumsum(discounted),
    })
    return InvestmentCase(
        rate=rate, npv=value, irr=internal, payback_period=payback_period(flows),
        discounted_payback=payback_period(flows, rate), total_cash=float(flows.sum()),
        periods=int(flows.size), table=table,
    )


# ---------------------------------------------------------------------------
# Customer lifetime value


def ltv(margin: float, retention: float, discount_rate: float = 0.0, *,
        periods: int | None = None) -> float:
    """Lifetime value of one customer: ``margin·r/(1 + i − r)`` with no horizon.

    ``margin`` is booked at the end of each period the customer is still there
    (the first after the first renewal), ``retention`` is the chance of staying
    one more period and ``discount_rate`` the cost of money per period. Give
    ``periods`` to stop counting after that many periods.

    >>> ltv(margin=10, retention=0.5)
    10.0
    >>> round(ltv(margin=10, retention=0.9, discount_rate=0.01, periods=12), 2)
    61.31
    """
    margin = _number(margin, "margin")
    retention = _probability(retention, "retention")
    discount_rate = _number(discount_rate, "discount_rate", low=0.0, high=10.0)
    q = retention / (1.0 + discount_rate)
    if periods is None:
        if q >= 1.0:
            raise ValueError("lifetime value is unlimited when retention is 1 and the discount "
                             "rate is 0; pass periods= to cap the horizon")
        return _finite(margin * q / (1.0 - q), "the lifetime value")
    periods = _count(periods, "periods", minimum=1, maximum=10**9)
    if q == 1.0:
        return _finite(margin * periods, "the lifetime value")
    return _finite(margin * q * (1.0 - q**periods) / (1.0 - q), "the lifetime value")


def _survival_curve(survival: Any, name: str = "survival") -> np.ndarray:
    curve = _array(survival, name, low=0.0, high=1.0)
    if curve.size > MAX_PERIODS:
        raise ValueError(f"{name} should cover at most {MAX_PERIODS} periods, got {curve.size}")
    if np.any(np.diff(curve) > 1e-12):
        first = int(np.flatnonzero(np.diff(curve) > 1e-12)[0])
        raise ValueError(f"{name} should never rise (a customer who left cannot be counted "
                         f"again), but it goes up after position {first}")
    return curve


def ltv_from_survival(margin: float, survival: Sequence[float] | np.ndarray,
                      discount_rate: float = 0.0) -> float:
    """Lifetime value from a survival curve: ``sum of margin·S(t)/(1 + i)ᵗ`` for t = 1, 2, …

    ``survival[0]`` is S(1), the share still there after one period.

    >>> ltv_from_survival(10, [0.5, 0.25])
    7.5
    """
    margin = _number(margin, "margin")
    curve = _survival_curve(survival)
    discount_rate = _number(discount_rate, "discount_rate", low=0.0, high=10.0)
    factors = _discount_factors(discount_rate, curve.size + 1)[1:]
    return _finite(margin * float(np.sum(curve * factors)), "the lifetime value")


def survival_from_churn(churn: float | Sequence[float] | np.ndarray, periods: int | None = None
                        ) -> np.ndarray:
    """S(1), S(2), … from churn per period (one number, or one per tenure period).

    A list shorter than ``periods`` repeats its last value.

    >>> survival_from_churn([0.5, 0.2]).tolist()
    [0.5, 0.4]
    >>> survival_from_churn(0.1, periods=3).round(3).tolist()
    [0.9, 0.81, 0.729]
    """
    if isinstance(churn, bool):
        raise TypeError("churn should be a number or a list of numbers, got a bool")
    if isinstance(churn, int | float | np.floating | np.integer):
        rates = np.array([_probability(churn, "churn")])
        if periods is None:
            raise ValueError("with a single churn rate, say how many periods to cover (periods=)")
    else:
        rates = _array(churn, "churn", low=0.0, high=1.0)
    if periods is not None:
        periods = _count(periods, "periods", minimum=1, maximum=MAX_PERIODS)
        if rates.size < periods:
            rates = np.concatenate([rates, np.full(periods - rates.size, rates[-1])])
        rates = rates[:periods]
    if rates.size > MAX_PERIODS:
        raise ValueError(f"churn should cover at most {MAX_PERIODS} periods, got {rates.size}")
    return np.cumprod(1.0 - rates)


@dataclass(frozen=True, repr=False)
class LifetimeValue(Result):
    """What one new customer is worth, and when they repay what it cost to win them."""

    margin: float
    retention: float
    discount_rate: float
    ltv: float
    undiscounted_ltv: float
    acquisition_cost: float
    value_after_acquisition: float
    payback_periods: float
    expected_lifetime: float
    table: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        pays = (f"repays its acquisition cost of {fmt(self.acquisition_cost)} after "
                f"{fmt(self.payback_periods)} periods"
                if math.isfinite(self.payback_periods)
                else f"never repays its acquisition cost of {fmt(self.acquisition_cost)}")
        return (f"At {pct(self.retention)} retention and a {pct(self.discount_rate)} discount "
                f"rate a customer is worth {fmt(self.ltv)} today and {pays}.")

    def _accent(self) -> str:
        return GOOD if self.value_after_acquisition >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per period: chance still there, expected margin, running value."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Running discounted value of one customer against what it cost to win them."""
        ax = new_axes(ax)
        t = self.table["period"]
        ax.plot(t, self.table["cumulative_value"], color=PALETTE[0], label="value so far")
        ax.axhline(self.ltv, color=PALETTE[0], linestyle=":", label=f"lifetime value {fmt(self.ltv)}")
        if self.acquisition_cost > 0:
            ax.axhline(self.acquisition_cost, color=PALETTE[3], linestyle="--",
                       label=f"acquisition cost {fmt(self.acquisition_cost)}")
        ax.set_xlabel("periods since the customer joined")
        ax.set_ylabel("discounted margin per customer")
        ax.set_title(f"One customer is worth {fmt(self.ltv)} at {pct(self.retention)} retention")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _value_horizon(margin: float, retention: float, discount_rate: float, periods: int | None,
                   acquisition_cost: float) -> int:
    """Periods to tabulate: the horizon, or until 99.9% of the value (and any payback) is in."""
    if periods is not None:
        return min(periods, MAX_PERIODS)
    q = retention / (1 + discount_rate)
    if q == 0:
        return 1
    needed = math.log(1e-3) / math.log(q)
    total = margin * q / (1 - q)
    if 0 < acquisition_cost < total:
        # Running value m·q(1 − qᵀ)/(1 − q) reaches the cost when qᵀ = 1 − cost/total.
        needed = max(needed, math.log(1 - acquisition_cost / total) / math.log(q) + 1)
    return int(min(MAX_PERIODS, max(1, math.ceil(needed))))


def lifetime_value(margin: float, retention: float, discount_rate: float = 0.0, *,
                   acquisition_cost: float = 0.0, periods: int | None = None) -> LifetimeValue:
    """Lifetime value, its running total by period and the payback of the acquisition cost.

    >>> value = lifetime_value(10, retention=0.8, discount_rate=0.01, acquisition_cost=25)
    >>> round(value.ltv, 1), round(value.payback_periods, 2)
    (38.1, 4.61)
    """
    acquisition_cost = _number(acquisition_cost, "acquisition_cost", low=0.0)
    value = ltv(margin, retention, discount_rate, periods=periods)
    margin, retention = float(margin), float(retention)
    discount_rate = float(discount_rate)
    if periods is not None:
        periods = int(periods)
    plain = ltv(margin, retention, periods=periods) if (retention < 1 or periods) else math.inf
    horizon = _value_horizon(margin, retention, discount_rate, periods, acquisition_cost)
    t = np.arange(1, horizon + 1)
    still_there = retention ** t.astype(float)
    expected = margin * still_there * _discount_factors(discount_rate, horizon + 1)[1:]
    table = pd.DataFrame({"period": t, "still_there": still_there,
                          "discounted_margin": expected, "cumulative_value": np.cumsum(expected)})
    payback = payback_period(np.concatenate([[-acquisition_cost], expected]))
    if periods is None:
        lifetime = retention / (1 - retention) if retention < 1 else math.inf
    else:
        lifetime = float(np.sum(still_there))
    return LifetimeValue(
        margin=margin, retention=retention, discount_rate=discount_rate, ltv=value,
        undiscounted_ltv=plain, acquisition_cost=acquisition_cost,
        value_after_acquisition=value - acquisition_cost, payback_periods=payback,
        expected_lifetime=lifetime, table=table,
    )


# ---------------------------------------------------------------------------
# Survival of customers: Kaplan–Meier with Greenwood bands


@dataclass(frozen=True, repr=False)
class SurvivalCurve(Result):
    """Kaplan–Meier estimate of the share of customers still there after t periods."""

    customers: int
    churned: int
    censored: int
    median_lifetime: float
    alpha: float
    transform: str
    table: pd.DataFrame = field(repr=False, compare=False)

    def at(self, times: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """S(t) at the given times (a step function: 1 before the first churn).

        >>> curve = kaplan_meier([1, 2, 2, 3])
        >>> curve.at([0, 1, 2.5]).tolist()
        [1.0, 0.75, 0.25]
        """
        single = isinstance(times, int | float | np.integer | np.floating) and not isinstance(
            times, bool)
        when = _array([times] if single else times, "times", low=0.0)
        steps = self.table["time"].to_numpy(float)
        values = np.concatenate([[1.0], self.table["survival"].to_numpy(float)])
        return values[np.searchsorted(steps, when, side="right")]

    def churn(self, periods: int | None = None) -> np.ndarray:
        """Churn in each period k = 0, 1, …: the share of those there at its start who leave.

        Runs to the last observed time (at most MAX_PERIODS) unless ``periods`` says
        otherwise; beyond the last observation the curve is flat, so churn there reads as 0.

        >>> kaplan_meier([1, 1, 2, 3]).churn().tolist()
        [0.5, 0.5, 1.0]
        """
        if periods is None:
            periods = min(math.ceil(float(self.table["time"].iloc[-1])), MAX_PERIODS)
        else:
            periods = _count(periods, "periods", minimum=1, maximum=MAX_PERIODS)
        s = self.at(np.arange(periods + 1, dtype=float))
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s[:-1] > 0, 1.0 - s[1:] / s[:-1], 1.0)

    def summary(self) -> str:
        last = self.table.iloc[-1]
        share = pct(float(last["survival"]))
        if math.isfinite(self.median_lifetime):
            half = f"half of them have churned by period {fmt(self.median_lifetime)}"
        else:
            half = "more than half are still there at the last observation"
        return (f"Of {self.customers:,} customers ({self.churned:,} churned, {self.censored:,} "
                f"still active), {half}; {share} are expected to remain after period "
                f"{fmt(float(last['time']))}.")

    def to_frame(self) -> pd.DataFrame:
        """One row per observed time: at risk, churned, censored, S(t), Greenwood SE, band."""
        return self.table.copy()

    def plot(self, ax: Any = None, truth: Sequence[float] | None = None) -> Any:
        """Step curve with its confidence band; ``truth`` (S(1), S(2), …) drawn for comparison."""
        ax = new_axes(ax)
        t = np.concatenate([[0.0], self.table["time"].to_numpy(float)])
        s = np.concatenate([[1.0], self.table["survival"].to_numpy(float)])
        lo = np.concatenate([[1.0], self.table["lower"].to_numpy(float)])
        hi = np.concatenate([[1.0], self.table["upper"].to_numpy(float)])
        level = pct(1 - self.alpha, 0)
        ax.fill_between(t, lo, hi, step="post", color=PALETTE[0], alpha=0.2,
                        label=f"{level} band (Greenwood)")
        ax.step(t, s, where="post", color=PALETTE[0], label="Kaplan–Meier estimate")
        if truth is not None:
            true = _survival_curve(truth, "truth")
            ax.plot(np.arange(0, true.size + 1), np.concatenate([[1.0], true]),
                    color=PALETTE[1], linestyle="--", label="true curve")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("periods since joining")
        ax.set_ylabel("share still active")
        title = (f"Half have churned by period {fmt(self.median_lifetime)}"
                 if math.isfinite(self.median_lifetime)
                 else f"{pct(float(s[-1]))} still active at period {fmt(float(t[-1]))}")
        ax.set_title(title)
        ax.legend(frameon=False, fontsize="small")
        return ax


def _greenwood_band(survival: np.ndarray, variance_sum: np.ndarray, z: float,
                    transform: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greenwood standard error and a confidence band on the survival scale."""
    # Once everyone left (S = 0) the variance sum is infinite; the curve is then certain.
    inside = (survival > 0) & (survival < 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        se = np.where(survival > 0, survival * np.sqrt(variance_sum), 0.0)
        if transform == "linear":
            return se, np.clip(survival - z * se, 0.0, 1.0), np.clip(survival + z * se, 0.0, 1.0)
        # log(-log S) keeps the band inside [0, 1] and lopsided where S nears an edge.
        spread = np.where(inside, z * np.sqrt(variance_sum) / np.abs(np.log(survival)), 0.0)
        lower = np.where(inside, survival ** np.exp(spread), survival)
        upper = np.where(inside, survival ** np.exp(-spread), survival)
    return se, lower, upper


def kaplan_meier(durations: Any, observed: Any = None, *, weights: Any = None,
                 alpha: float = 0.05, transform: str = "log-log", data: Any = None
                 ) -> SurvivalCurve:
    """Kaplan–Meier survival of customers with Greenwood confidence bands.

    ``durations`` are lifetimes in periods; ``observed`` is 1 where the customer
    churned at that time and 0 where they were still active when we last looked
    (censored); ``weights`` count identical customers. With ``data`` (a DataFrame)
    the three arguments name its columns. ``transform`` is ``"log-log"`` (default;
    the band stays within 0 and 1) or ``"linear"`` (S ± z·SE).

    >>> curve = kaplan_meier([2, 3, 3, 5, 8], observed=[1, 1, 0, 1, 0])
    >>> curve.at(5).round(3).tolist()
    [0.3]
    >>> curve.median_lifetime
    5.0
    """
    alpha = _number(alpha, "alpha", low=0.0, high=1.0, low_open=True, high_open=True)
    transform = _validate.one_of(transform, "transform", ("log-log", "linear"))
    time = _array(_frame_column(data, durations, "durations"), "durations", low=0.0)
    status = (np.ones_like(time) if observed is None
              else _array(_frame_column(data, observed, "observed"), "observed"))
    counts = (np.ones_like(time) if weights is None
              else _array(_frame_column(data, weights, "weights"), "weights", low=0.0))
    _validate.same_length(durations=time, observed=status, weights=counts)
    if not np.isin(status, (0.0, 1.0)).all():
        raise ValueError("observed should hold only 1 (churned) and 0 (still active)")
    if counts.sum() <= 0:
        raise ValueError("weights add up to zero: there are no customers to follow")
    if not np.isfinite(counts.sum()):
        raise ValueError("weights are too large to add up")
    times, position = np.unique(time, return_inverse=True)
    events = np.bincount(position, weights=counts * status, minlength=times.size)
    total = np.bincount(position, weights=counts, minlength=times.size)
    # At risk just before each time: everyone whose time is this one or later.
    at_risk = np.cumsum(total[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, events / at_risk, 0.0)
        survival = np.cumprod(1.0 - hazard)
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        terms = np.where(events > 0, terms, 0.0)
    variance_sum = np.cumsum(terms)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    se, lower, upper = _greenwood_band(survival, variance_sum, z, transform)
    table = pd.DataFrame({
        "time": times, "at_risk": at_risk, "churned": events, "censored": total - events,
        "survival": survival, "std_error": se, "lower": lower, "upper": upper,
    })
    below = np.flatnonzero(survival <= 0.5)
    median = float(times[below[0]]) if below.size else math.inf
    churned = float(events.sum())
    return SurvivalCurve(
        customers=_round_count(counts.sum()), churned=_round_count(churned),
        censored=_round_count(counts.sum() - churned), median_lifetime=median,
        alpha=alpha, transform=transform, table=table,
    )


def _round_count(value: float) -> int:
    return round(value)


def cohort_lifetimes(data: pd.DataFrame, *, tenure: str = "tenure_month", members: str = "members",
                     churned: str = "churned", cohort: str = "cohort") -> pd.DataFrame:
    """Turn a cohort × tenure table into lifetimes for ``kaplan_meier``.

    Members who cancel during tenure month k (0 = the joining month) lived k + 1
    months. Members who neither cancel nor show up the next month (the data ends,
    or they left unobserved) are censored at k + 1. Returns one row per distinct
    lifetime with columns ``duration``, ``observed`` and ``weight`` (head count).

    >>> table = pd.DataFrame({"cohort": ["Jan", "Jan", "Feb"], "tenure_month": [0, 1, 0],
    ...                       "members": [10, 8, 20], "churned": [2, 1, 5]})
    >>> cohort_lifetimes(table).to_dict("list")
    {'duration': [1, 1, 1, 2, 2], 'observed': [1, 0, 1, 1, 0], 'weight': [5, 15, 2, 1, 7]}
    """
    _validate.columns(data, [cohort, tenure, members, churned], what="data")
    if len(data) == 0:
        raise ValueError("data has no rows")
    if data[cohort].isna().any():
        raise ValueError(f"{cohort} has missing values; every row needs its cohort")
    values = {}
    for name in (tenure, members, churned):
        column = _array(data[name], name, low=0.0)
        if not np.all(column == np.round(column)):
            raise ValueError(f"{name} should hold whole numbers")
        values[name] = column.astype(np.int64)
    frame = pd.DataFrame({"cohort": data[cohort].to_numpy(), "k": values[tenure],
                          "n": values[members], "d": values[churned]})
    if (frame["d"] > frame["n"]).any():
        raise ValueError(f"{churned} exceeds {members} in some rows; a cohort cannot lose more "
                         "members than it has")
    if frame.duplicated(["cohort", "k"]).any():
        raise ValueError(f"some cohort appears twice at the same {tenure}")
    frame = frame.sort_values(["cohort", "k"], kind="stable")
    grouped = frame.groupby("cohort", sort=False)
    next_k = grouped["k"].shift(-1)
    next_n = grouped["n"].shift(-1).fillna(0).to_numpy()
    follows = (next_k == frame["k"] + 1).to_numpy()
    stayed = (frame["n"] - frame["d"]).to_numpy()
    censored = np.where(follows, stayed - next_n, stayed)
    if (censored < 0).any():
        raise ValueError(f"{members} grows from one month to the next within a cohort; members "
                         "at the start of a month cannot exceed those who stayed the month before")
    duration = (frame["k"] + 1).to_numpy()
    out = pd.DataFrame({
        "duration": np.concatenate([duration, duration]),
        "observed": np.repeat([1, 0], len(frame)),
        "weight": np.concatenate([frame["d"].to_numpy(), censored]).astype(np.int64),
    })
    order = np.argsort(np.concatenate([np.arange(len(frame))] * 2), kind="stable")
    out = out.iloc[order]
    return out[out["weight"] > 0].reset_index(drop=True)


# ---------------------------------------------------------------------------
# A paid membership programme


@dataclass(frozen=True, repr=False)
class MembershipCase(Result):
    """What one new member adds over staying a regular customer, and when it pays back."""

    fee: float
    monthly_value: float
    ltv_change: float
    payback_months: float
    break_even_uplift: float
    break_even_fee: float
    still_member_at_end: float
    months: int
    discount_rate: float
    table: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        worth = "adds" if self.ltv_change >= 0 else "costs"
        pays = (f"pays back after {fmt(self.payback_months)} months"
                if math.isfinite(self.payback_months)
                else f"does not pay back within {self.months} months")
        return (f"Each new member {worth} {fmt(abs(self.ltv_change))} of value over "
                f"{self.months} months (discounted at {pct(self.discount_rate)} a month) and "
                f"{pays}.")

    def _accent(self) -> str:
        return GOOD if self.ltv_change >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per month: still a member, value per member, expected and cumulative value."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Cumulative discounted value per sign-up, month by month."""
        ax = new_axes(ax)
        t = np.concatenate([[0], self.table["month"].to_numpy()])
        running = np.concatenate([[self.table["cumulative_value"].iloc[0]
                                   - self.table["discounted_value"].iloc[0]],
                                  self.table["cumulative_value"].to_numpy()])
        ax.plot(t, running, color=PALETTE[0], marker=".", label="value per sign-up so far")
        ax.axhline(0, color="black", linewidth=0.8)
        if math.isfinite(self.payback_months):
            ax.axvline(self.payback_months, color=PALETTE[2], linestyle="--",
                       label=f"payback at {fmt(self.payback_months)} months")
        ax.set_xlabel("months since joining")
        ax.set_ylabel("cumulative discounted value")
        ax.set_title(f"A member adds {fmt(self.ltv_change)} over {self.months} months"
                     if self.ltv_change >= 0 else
                     f"A member costs {fmt(-self.ltv_change)} over {self.months} months")
        ax.legend(frameon=False, fontsize="small")
        return ax


def _per_month(values: Any, name: str, months: int, low: float | None = None) -> np.ndarray:
    if isinstance(values, bool):
        raise TypeError(f"{name} should be a number or a list of numbers, got a bool")
    if isinstance(values, int | float | np.integer | np.floating):
        return np.full(months, _number(values, name, low=low))
    series = _array(values, name, low=low)
    if series.size < months:
        series = np.concatenate([series, np.full(months - series.size, series[-1])])
    return series[:months]


def membership_case(fee: float, orders: float, uplift: float | Sequence[float],
                    margin: float, shipping_cost: float, churn: float | Sequence[float],
                    discount_rate: float = 0.0, *, signup_cost: float = 0.0,
                    months: int | None = None) -> MembershipCase:
    """Value of turning one regular customer into a member, per month and in total.

    Per member-month: ``fee + margin·orders·uplift − shipping_cost·orders·(1 + uplift)``,
    where ``orders`` is what a similar non-member orders a month, ``uplift`` the
    extra share members order (0.3 = 30% more; one number or one per tenure
    month), ``margin`` the contribution per order before shipping and
    ``shipping_cost`` what free shipping costs us per member order. A member
    cancels at the end of month k with probability ``churn`` (one number or one
    per tenure month) and then shops as before, adding nothing. ``signup_cost``
    (a free trial, marketing) is paid at t = 0; month k's value is discounted by
    ``(1 + discount_rate) ** k``. ``months`` defaults to the length of the churn
    list, or 36.

    >>> case = membership_case(fee=10, orders=2, uplift=0.5, margin=6, shipping_cost=4,
    ...                        churn=0.1, signup_cost=20, months=24)
    >>> case.monthly_value, round(case.ltv_change, 1), round(case.payback_months, 2)
    (4.0, 16.8, 6.59)
    """
    fee = _number(fee, "fee", low=0.0)
    orders = _number(orders, "orders", low=0.0)
    margin = _number(margin, "margin")
    shipping_cost = _number(shipping_cost, "shipping_cost", low=0.0)
    discount_rate = _number(discount_rate, "discount_rate", low=0.0, high=1.0)
    signup_cost = _number(signup_cost, "signup_cost", low=0.0)
    if months is None:
        is_one_number = isinstance(churn, int | float | np.integer | np.floating)
        months = 36 if is_one_number else _array(churn, "churn").size
    months = _count(months, "months", minimum=1, maximum=MAX_PERIODS)
    lift = _per_month(uplift, "uplift", months, low=-1.0)
    churn_by_month = _per_month(churn, "churn", months, low=0.0)
    if churn_by_month.max() > 1:
        raise ValueError(f"churn should be a probability (<= 1); its largest value is "
                         f"{churn_by_month.max()}")
    active = np.concatenate([[1.0], np.cumprod(1.0 - churn_by_month)[:-1]])
    per_member = fee + margin * orders * lift - shipping_cost * orders * (1.0 + lift)
    expected = active * per_member
    factors = _discount_factors(discount_rate, months + 1)
    flows = np.concatenate([[-signup_cost], expected])
    discounted = expected * factors[1:]
    value = _finite(float(np.sum(flows * factors)), "the value of a member")
    # Value is linear in a constant uplift, so the break-even uplift has a closed form.
    weight = float(np.sum(active * factors[1:]))
    slope = orders * (margin - shipping_cost) * weight
    base = (fee - shipping_cost * orders) * weight - signup_cost
    break_even = -base / slope if slope != 0 else math.nan
    # ...and in the fee: each dollar of fee is worth `weight` dollars per sign-up.
    fee_break_even = fee - value / weight
    table = pd.DataFrame({
        "month": np.arange(1, months + 1), "still_member": active,
        "uplift": lift, "value_per_member": per_member, "expected_value": expected,
        "discounted_value": discounted, "cumulative_value": np.cumsum(discounted) - signup_cost,
    })
    return MembershipCase(
        fee=fee, monthly_value=float(per_member[0]), ltv_change=value,
        payback_months=payback_period(flows, discount_rate), break_even_uplift=break_even,
        break_even_fee=fee_break_even,
        still_member_at_end=float(active[-1] * (1 - churn_by_month[-1])), months=months,
        discount_rate=discount_rate, table=table,
    )


# ---------------------------------------------------------------------------
# One member-value model for Basketly Plus (lessons 14, 15 and 17 all use it)

#: Contribution margin on the goods of an order, before delivery: Basketly's one margin.
MARGIN_RATE = 0.25
#: Basketly's cost of money per year, and the months a member's value is counted over.
ANNUAL_DISCOUNT_RATE = 0.10
MEMBER_MONTHS = 36


def monthly_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over twelve months.

    >>> round(monthly_rate(0.10), 6)
    0.007974
    """
    annual_rate = _number(annual_rate, "annual_rate", low=0.0, high=10.0)
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


@dataclass(frozen=True)
class MemberInputs:
    """What the membership table says about one member-month, ready for ``member_value``.

    ``baseline_orders`` is what a member would order a month without Plus (the
    counterfactual), ``uplift`` the extra share of orders Plus causes (0.45 = 45% more),
    ``order_value`` the average value of a member order, ``shipping_cost`` what one
    free delivery costs Basketly, ``survival[k]`` the share still subscribed at the
    start of membership month k (``survival[0]`` is 1) and ``fee`` the monthly fee.
    """

    fee: float
    baseline_orders: float
    uplift: float
    order_value: float
    shipping_cost: float
    survival: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        """The inputs as keyword arguments for ``member_value``."""
        return dataclasses.asdict(self)


def member_inputs(membership: pd.DataFrame, *, fee: float | None = None,
                  months: int = MEMBER_MONTHS) -> MemberInputs:
    """Estimate the member-value inputs from a ``membership`` table (one row per cohort-month).

    Every average weights each cohort-month by what it holds: baseline orders by
    members, order value and shipping cost by orders. The uplift compares members'
    orders with what the same members would have ordered without Plus
    (``baseline_orders``), not with all non-members. Survival is the Kaplan–Meier
    curve of the cohorts; beyond the longest tenure watched the last churn rate is
    carried forward. ``fee`` defaults to the latest fee in the table.

    >>> table = pd.DataFrame({"cohort": ["2024-01", "2024-01", "2024-02"],
    ...     "tenure_month": [0, 1, 0], "members": [10, 8, 20], "churned": [2, 1, 5],
    ...     "fee": [10.0, 10.0, 12.0],
    ...     "orders": [5, 4, 10], "baseline_orders": [0.3, 0.3, 0.4],
    ...     "avg_order_value": [50.0, 50.0, 80.0], "shipping_cost": [6.0, 6.0, 6.0]})
    >>> x = member_inputs(table, months=3)
    >>> x.fee, round(x.uplift, 4), tuple(round(s, 4) for s in x.survival)
    (12.0, 0.4179, (1.0, 0.7667, 0.6708))
    """
    _validate.columns(membership, ["cohort", "tenure_month", "members", "churned", "fee",
                                   "orders", "baseline_orders", "avg_order_value",
                                   "shipping_cost"], what="membership")
    if len(membership) == 0:
        raise ValueError("membership has no rows")
    months = _count(months, "months", minimum=1, maximum=MAX_PERIODS)
    w = membership["members"].to_numpy(float)
    orders = membership["orders"].to_numpy(float)
    if w.sum() <= 0 or orders.sum() <= 0:
        raise ValueError("membership needs members and orders to estimate a member's value")
    baseline = membership["baseline_orders"].to_numpy(float)
    counterfactual = float(np.sum(baseline * w))
    if counterfactual <= 0:
        raise ValueError("baseline_orders are all zero, so the uplift cannot be measured")
    latest = membership.loc[membership["cohort"] == membership["cohort"].max()]
    curve = kaplan_meier("duration", "observed", weights="weight",
                         data=cohort_lifetimes(membership))
    churn = curve.churn()
    if churn.size < months:
        churn = np.concatenate([churn, np.full(months - churn.size, churn[-1])])
    survival = np.concatenate([[1.0], np.cumprod(1.0 - churn[: months - 1])])
    return MemberInputs(
        fee=float(latest["fee"].iloc[0]) if fee is None else _number(fee, "fee", low=0.0),
        baseline_orders=counterfactual / float(w.sum()),
        uplift=float(orders.sum()) / counterfactual - 1.0,
        order_value=float(np.sum(membership["avg_order_value"].to_numpy(float) * orders)
                          / orders.sum()),
        shipping_cost=float(np.sum(membership["shipping_cost"].to_numpy(float) * orders)
                            / orders.sum()),
        survival=tuple(float(s) for s in survival),
    )


@dataclass(frozen=True, repr=False)
class MemberValue(Result):
    """What one new Basketly Plus member is worth, against staying a regular customer."""

    fee: float
    monthly_value: float
    value: float
    acquisition_cost: float
    net_value: float
    payback_months: float
    break_even_fee: float
    break_even_uplift: float
    expected_months: float
    margin_rate: float
    annual_discount_rate: float
    months: int
    table: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        pays = (f"repays its acquisition cost of {fmt(self.acquisition_cost)} USD after "
                f"{fmt(self.payback_months)} months"
                if math.isfinite(self.payback_months)
                else f"does not repay its acquisition cost of {fmt(self.acquisition_cost)} USD "
                     f"within {self.months} months")
        return (f"A new member adds {self.monthly_value:.2f} USD in their first month and "
                f"{self.value:.2f} USD over {self.months} months, discounted at "
                f"{pct(self.annual_discount_rate)} a year; the member {pays}.")

    def _accent(self) -> str:
        return GOOD if self.net_value >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per membership month: still subscribed, cash, discounted cash, running value."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Running discounted value of one new member against what it cost to win them."""
        ax = new_axes(ax)
        t = np.concatenate([[0], self.table["month"].to_numpy() + 1])
        running = np.concatenate([[0.0], self.table["cumulative_value"].to_numpy()])
        ax.plot(t, running, color=PALETTE[0], marker=".", label="discounted value so far")
        if self.acquisition_cost > 0:
            ax.axhline(self.acquisition_cost, color=PALETTE[3], linestyle="--",
                       label=f"acquisition cost {fmt(self.acquisition_cost)} USD")
        ax.set_xlabel("months since joining (cash booked at the end of each month)")
        ax.set_ylabel("USD per new member")
        ax.set_title(f"One member over {self.months} months")
        ax.legend(frameon=False, fontsize="small")
        return ax


def member_value(fee: float, baseline_orders: float, uplift: float, order_value: float,
                 shipping_cost: float, survival: Any, *, margin_rate: float = MARGIN_RATE,
                 annual_discount_rate: float = ANNUAL_DISCOUNT_RATE,
                 acquisition_cost: float = 0.0, months: int = MEMBER_MONTHS) -> MemberValue:
    """The value of one new Basketly Plus member: Basketly's one member-value model.

    Conventions (state them in any memo that quotes the number):

    - Time runs in membership months k = 0, 1, …; a member subscribed at the start of
      month k pays that month's ``fee`` and orders that month. The month's cash is
      booked at its **end** and discounted by ``(1 + i) ** (k + 1)``, where ``i`` is
      the monthly rate that compounds to ``annual_discount_rate``.
    - Cash of one member-month: ``fee + margin_rate · order_value · baseline_orders ·
      uplift − shipping_cost · baseline_orders · (1 + uplift)``: the fee, the margin on
      the *incremental* orders only (a member would have placed ``baseline_orders``
      anyway) and free shipping on *every* member order.
    - It is weighted by ``survival[k]``, the share still subscribed at the start of
      month k (``survival[0] = 1``; a shorter list repeats its last churn rate, a
      Kaplan–Meier ``SurvivalCurve`` is read with ``.at``).
    - ``acquisition_cost`` is paid today (t = 0, undiscounted). Pass the *marginal*
      cost when the question is whether to win more members.

    >>> v = member_value(fee=10, baseline_orders=1, uplift=0.5, order_value=40,
    ...                  shipping_cost=4, survival=[1.0, 0.5], annual_discount_rate=0,
    ...                  acquisition_cost=5, months=3)
    >>> v.monthly_value, v.value, v.net_value, v.payback_months
    (9.0, 15.75, 10.75, 0.5555555555555556)
    """
    fee = _number(fee, "fee")  # below zero only in a what-if (the break-even fee can be)
    baseline_orders = _number(baseline_orders, "baseline_orders", low=0.0)
    uplift = _number(uplift, "uplift", low=-1.0)
    order_value = _number(order_value, "order_value", low=0.0)
    shipping_cost = _number(shipping_cost, "shipping_cost", low=0.0)
    margin_rate = _number(margin_rate, "margin_rate", low=0.0, high=1.0)
    acquisition_cost = _number(acquisition_cost, "acquisition_cost", low=0.0)
    months = _count(months, "months", minimum=1, maximum=MAX_PERIODS)
    rate = monthly_rate(annual_discount_rate)
    still = _member_survival(survival, months)
    per_month = (fee + margin_rate * order_value * baseline_orders * uplift
                 - shipping_cost * baseline_orders * (1.0 + uplift))
    factors = _discount_factors(rate, months + 1)[1:]  # end of month k: (1 + i) ** -(k + 1)
    weight = float(np.sum(still * factors))  # discounted member-months per new member
    discounted = per_month * still * factors
    value = _finite(float(np.sum(discounted)), "the value of a member")
    cumulative = np.cumsum(discounted)
    payback = payback_period(np.concatenate([[-acquisition_cost], discounted]))
    # Value is linear in the fee and in the uplift, so both break-evens have closed forms.
    slope = baseline_orders * (margin_rate * order_value - shipping_cost) * weight
    base = (fee - shipping_cost * baseline_orders) * weight - acquisition_cost
    table = pd.DataFrame({"month": np.arange(months), "still_member": still,
                          "cash": per_month * still, "discount_factor": factors,
                          "discounted_cash": discounted, "cumulative_value": cumulative})
    return MemberValue(
        fee=fee, monthly_value=float(per_month), value=value, acquisition_cost=acquisition_cost,
        net_value=value - acquisition_cost, payback_months=payback,
        break_even_fee=fee - (value - acquisition_cost) / weight,
        break_even_uplift=-base / slope if slope != 0 else math.nan,
        expected_months=float(np.sum(still)), margin_rate=margin_rate,
        annual_discount_rate=float(annual_discount_rate), months=months, table=table,
    )


def member_value_from(membership: pd.DataFrame, *, fee: float | None = None,
                      margin_rate: float = MARGIN_RATE,
                      annual_discount_rate: float = ANNUAL_DISCOUNT_RATE,
                      acquisition_cost: float = 0.0, months: int = MEMBER_MONTHS,
                      **changes: Any) -> MemberValue:
    """``member_value`` with its inputs estimated from a membership table (``member_inputs``).

    Keyword ``changes`` replace single inputs (``uplift=0.2``, ``survival=...``) for a
    what-if; everything else comes from the table.
    """
    inputs = member_inputs(membership, fee=fee, months=months).as_dict()
    unknown = sorted(set(changes) - set(inputs))
    if unknown:
        raise TypeError(f"unknown inputs {unknown}; choose from {sorted(inputs)}")
    inputs.update(changes)
    return member_value(**inputs, margin_rate=margin_rate,
                        annual_discount_rate=annual_discount_rate,
                        acquisition_cost=acquisition_cost, months=months)


def _member_survival(survival: Any, months: int) -> np.ndarray:
    """S(0..months-1) from a list (S(0) = 1 first) or a Kaplan–Meier SurvivalCurve."""
    if isinstance(survival, SurvivalCurve):
        return survival.at(np.arange(months, dtype=float))
    curve = _survival_curve(survival)
    if abs(curve[0] - 1.0) > 1e-9:
        raise ValueError(f"survival[0] should be 1 (everyone is subscribed when they join), "
                         f"got {curve[0]}")
    if curve.size < months:
        last = curve[-1] / curve[-2] if curve.size > 1 and curve[-2] > 0 else 1.0
        curve = np.concatenate([curve, curve[-1] * last ** np.arange(1, months - curve.size + 1)])
    return curve[:months]


# ---------------------------------------------------------------------------
# The flywheel


@dataclass(frozen=True, repr=False)
class FlywheelRun(Result):
    """A price cut pushed through the flywheel, against standing still."""

    price_cut: float
    periods: int
    first_period_profit_change: float
    breakeven_period: float
    customers_multiple: float
    final_price: float
    total_gain: float
    table: pd.DataFrame = field(repr=False, compare=False)

    def summary(self) -> str:
        dip = pct(-self.first_period_profit_change)
        if math.isfinite(self.breakeven_period):
            turn = (f"the flywheel earns the dip back by period {fmt(self.breakeven_period)}")
        else:
            turn = f"the dip is not earned back within {self.periods} periods"
        return (f"A {pct(self.price_cut)} price cut costs {dip} of profit in the first period; "
                f"{turn}, ending with {fmt(self.customers_multiple)}× the customers.")

    def _accent(self) -> str:
        return GOOD if self.total_gain >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per period: customers, sellers, unit cost, price, profit and the baseline."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Profit per period with the price cut against the no-cut baseline."""
        ax = new_axes(ax)
        t = self.table["period"]
        ax.plot(t, self.table["profit"], color=PALETTE[0], label="with the price cut")
        ax.plot(t, self.table["baseline_profit"], color=NEUTRAL, linestyle="--",
                label="no price cut")
        if math.isfinite(self.breakeven_period):
            ax.axvline(self.breakeven_period, color=PALETTE[2], linestyle=":",
                       label=f"dip earned back (period {fmt(self.breakeven_period)})")
        ax.set_xlabel("period")
        ax.set_ylabel("profit (start = 1 customer base)")
        ax.set_title(f"Profit dips {pct(-self.first_period_profit_change, 0)}, then the flywheel "
                     + ("pays it back" if math.isfinite(self.breakeven_period) else "stalls"))
        ax.legend(frameon=False, fontsize="small")
        return ax


def flywheel(price_cut: float = 0.05, periods: int = 36, *, price_elasticity: float = 2.0,
             seller_response: float = 1.0, selection_effect: float = 0.6,
             scale_economies: float = 0.15, pass_through: float = 0.5,
             adjustment: float = 0.3, margin: float = 0.25, market_size: float = 5.0
             ) -> FlywheelRun:
    """Simulate the flywheel: lower prices → more customers → more sellers → more selection.

    Everything starts at 1 (customers, sellers, selection, price) with unit cost
    ``1 − margin``. Each period customers move a share ``adjustment`` of the way
    to ``price^−price_elasticity · selection^selection_effect`` (capped at
    ``market_size``), sellers likewise to ``customers^seller_response``,
    selection follows sellers, unit cost falls as ``customers^−scale_economies``
    and a share ``pass_through`` of that saving goes into lower prices on top of
    the initial ``price_cut``. The baseline (no cut) stays where it started.

    >>> run = flywheel(price_cut=0.05, periods=36)
    >>> round(run.first_period_profit_change, 3), run.breakeven_period
    (-0.174, 22.0)
    """
    price_cut = _number(price_cut, "price_cut", low=0.0, high=0.9)
    periods = _count(periods, "periods", minimum=1, maximum=MAX_PERIODS)
    price_elasticity = _number(price_elasticity, "price_elasticity", low=0.0, high=10.0)
    seller_response = _number(seller_response, "seller_response", low=0.0, high=5.0)
    selection_effect = _number(selection_effect, "selection_effect", low=0.0, high=5.0)
    scale_economies = _number(scale_economies, "scale_economies", low=0.0, high=1.0)
    pass_through = _probability(pass_through, "pass_through")
    adjustment = _number(adjustment, "adjustment", low=0.0, high=1.0, low_open=True)
    margin = _number(margin, "margin", low=0.0, high=1.0, low_open=True, high_open=True)
    market_size = _number(market_size, "market_size", low=1.0, high=1000.0)
    base_cost = 1.0 - margin
    lowest_price = 1.0 - price_cut - pass_through * base_cost
    if lowest_price <= 0:
        raise ValueError("this price cut plus the passed-through savings could push the price to "
                         "zero; lower price_cut or pass_through")
    customers = sellers = 1.0
    rows = []
    for period in range(1, periods + 1):
        unit_cost = base_cost * customers ** -scale_economies
        price = 1.0 - price_cut - pass_through * (base_cost - unit_cost)
        selection = sellers
        demand = price ** -price_elasticity * selection ** selection_effect
        customers += adjustment * (min(demand, market_size) - customers)
        sellers += adjustment * (min(customers ** seller_response, market_size) - sellers)
        rows.append((period, customers, sellers, selection, unit_cost, price,
                     customers * (price - unit_cost)))
    table = pd.DataFrame(rows, columns=["period", "customers", "sellers", "selection",
                                        "unit_cost", "price", "profit"])
    table["baseline_profit"] = margin
    table["cumulative_gain"] = (table["profit"] - margin).cumsum()
    recovered = np.flatnonzero((table["cumulative_gain"] >= 0).to_numpy())
    dipped = table["cumulative_gain"].iloc[0] < 0
    breakeven = float(table["period"].iloc[recovered[0]]) if recovered.size else math.inf
    if not dipped:
        breakeven = 0.0
    return FlywheelRun(
        price_cut=price_cut, periods=periods,
        first_period_profit_change=float(table["profit"].iloc[0] / margin - 1.0),
        breakeven_period=breakeven, customers_multiple=float(table["customers"].iloc[-1]),
        final_price=float(table["price"].iloc[-1]),
        total_gain=float(table["cumulative_gain"].iloc[-1]), table=table,
    )


# ---------------------------------------------------------------------------
# A portfolio of bets


@dataclass(frozen=True, repr=False)
class PortfolioOutcome(Result):
    """A Monte Carlo of a portfolio of bets: most fail, a few pay for everything."""

    bets: int
    total_cost: float
    expected_value: float
    simulated_mean: float
    chance_of_loss: float
    downside: float
    chance_big_win: float
    chance_big_win_exact: float
    expected_failures: float
    top_bet_share: float
    big_win: float
    n_sims: int
    seed: int
    table: pd.DataFrame = field(repr=False, compare=False)
    outcomes: np.ndarray = field(repr=False, compare=False)

    def summary(self) -> str:
        return (f"The {self.bets} bets cost {fmt(self.total_cost)} and are worth "
                f"{fmt(self.expected_value)} net on average; about {self.expected_failures:.1f} "
                f"of them fail, the chance of at least one big win ({fmt(self.big_win)}× its "
                f"cost) is {pct(self.chance_big_win)} and {pct(self.chance_of_loss)} of "
                f"simulated futures lose money.")

    def _accent(self) -> str:
        return GOOD if self.expected_value >= 0 else BAD

    def to_frame(self) -> pd.DataFrame:
        """One row per bet: cost, chance, expected payoff, expected value, chance of a big win."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Histogram of the portfolio's net result across simulated futures."""
        ax = new_axes(ax)
        low, high = np.quantile(self.outcomes, [0.0, 0.99])
        ax.hist(np.clip(self.outcomes, low, high), bins=60, color=PALETTE[0], alpha=0.8)
        ax.axvline(0, color="black", linewidth=0.8, label="break even")
        ax.axvline(self.expected_value, color=PALETTE[1], linestyle="--",
                   label=f"expected value {fmt(self.expected_value)}")
        ax.axvline(self.downside, color=PALETTE[3], linestyle=":",
                   label=f"bad case (5th percentile) {fmt(self.downside)}")
        ax.set_xlabel("net result of the portfolio (top 1% of futures folded into the last bar)")
        ax.set_ylabel("simulated futures")
        ax.set_title(f"{pct(self.chance_of_loss, 0)} of futures lose money, yet the average "
                     f"is {fmt(self.expected_value)}")
        ax.legend(frameon=False, fontsize="small")
        return ax


def portfolio_of_bets(cost: Any, p_success: Any, payoff_median: Any, payoff_sigma: Any = 1.0, *,
                      years_to_payoff: Any = 0.0, discount_rate: float = 0.0,
                      big_win: float = 10.0, n_sims: int = 20_000, seed: int = 0,
                      data: Any = None, needs: Any = None,
                      needs_chance: float = 1.0) -> PortfolioOutcome:
    """Monte Carlo of a portfolio of bets with lognormal payoffs.

    Bet j costs ``cost[j]`` now and works with probability ``p_success[j]``; if it
    works it pays a lognormal amount with median ``payoff_median[j]`` and log-scale
    spread ``payoff_sigma[j]`` (one number or one per bet), discounted by
    ``(1 + discount_rate) ** years_to_payoff[j]``. A *big win* is a bet paying at
    least ``big_win`` times its cost. With ``data`` (a DataFrame) the first five
    arguments name its columns.

    Bets can share a dependency: ``needs`` marks (True/False per bet, or a column of
    them) the bets that also need one shared thing to be in place, which happens with
    chance ``needs_chance`` once per future. Those bets then work with chance
    ``needs_chance × p_success`` and, when the shared thing is missing, fail together:
    the expected value is the same as for independent bets, the bad case is not.

    >>> out = portfolio_of_bets([1, 1, 1], [0.1, 0.2, 0.3], [20, 10, 5], 0.5, seed=1)
    >>> round(out.expected_value, 3), round(out.chance_big_win_exact, 3)
    (3.232, 0.203)
    >>> shared = portfolio_of_bets([1, 1], [0.8, 0.8], [5, 5], 0.0, needs=[True, True],
    ...                            needs_chance=0.5, seed=1)
    >>> round(shared.expected_value, 3), round(shared.chance_of_loss, 1)
    (2.0, 0.5)
    """
    k_cost = _array(_frame_column(data, cost, "cost"), "cost", low=0.0)
    n = k_cost.size
    p = _array(_frame_column(data, p_success, "p_success"), "p_success", low=0.0, high=1.0)
    median = _array(_frame_column(data, payoff_median, "payoff_median"), "payoff_median",
                    low=0.0)
    sigma = _per_bet(_frame_column(data, payoff_sigma, "payoff_sigma"), "payoff_sigma", n)
    years = _per_bet(_frame_column(data, years_to_payoff, "years_to_payoff"),
                     "years_to_payoff", n)
    _validate.same_length(cost=k_cost, p_success=p, payoff_median=median)
    if sigma.max() > 5:
        raise ValueError(f"payoff_sigma should be at most 5 (a spread of e^5 ≈ 150× each way); "
                         f"got {sigma.max()}")
    if years.max() > 100:
        raise ValueError(f"years_to_payoff should be at most 100; got {years.max()}")
    discount_rate = _number(discount_rate, "discount_rate", low=0.0, high=1.0)
    big_win = _number(big_win, "big_win", low=0.0)
    n_sims = _count(n_sims, "n_sims", minimum=100, maximum=1_000_000)
    seed = _count(seed, "seed", maximum=2**63 - 1)
    if n * n_sims > MAX_SIM_CELLS:
        raise ValueError(f"{n} bets × {n_sims:,} simulations is too many to hold at once; "
                         f"use fewer simulations (at most {MAX_SIM_CELLS // n:,})")
    shared = _needs(needs, data, n)
    needs_chance = _probability(needs_chance, "needs_chance")
    factor = (1.0 + discount_rate) ** -years
    own_p = p
    p = np.where(shared, needs_chance * own_p, own_p)  # the chance each bet really works
    mean_payoff = median * np.exp(sigma**2 / 2) * factor
    if not np.isfinite(mean_payoff).all() or not np.isfinite(k_cost.sum()):
        raise ValueError("the payoffs or costs are too large to compute with")
    chance_big = p * _lognormal_above(big_win * k_cost, median * factor, sigma)

    rng = np.random.default_rng(seed)
    works = rng.random((n_sims, n)) < own_p
    if shared.any():  # one draw per future for the shared dependency: its bets fail together
        works &= (rng.random((n_sims, 1)) < needs_chance) | ~shared
    draws = median * factor * np.exp(sigma * rng.standard_normal((n_sims, n)))
    payoffs = np.where(works, draws, 0.0)
    outcomes = payoffs.sum(axis=1) - k_cost.sum()
    gross = payoffs.sum(axis=1)
    paid = gross > 0
    top_share = float(np.mean(payoffs.max(axis=1)[paid] / gross[paid])) if paid.any() else 0.0
    big = (works & (payoffs >= big_win * k_cost)).any(axis=1)

    table = pd.DataFrame({
        "cost": k_cost, "p_success": p, "payoff_median": median, "payoff_sigma": sigma,
        "expected_payoff": p * mean_payoff, "expected_value": p * mean_payoff - k_cost,
        "chance_big_win": chance_big,
    })
    if data is not None:
        table.index = data.index
    return PortfolioOutcome(
        bets=n, total_cost=float(k_cost.sum()),
        expected_value=float(np.sum(p * mean_payoff) - k_cost.sum()),
        simulated_mean=float(outcomes.mean()), chance_of_loss=float(np.mean(outcomes < 0)),
        downside=float(np.quantile(outcomes, 0.05)), chance_big_win=float(big.mean()),
        chance_big_win_exact=_chance_any_big(chance_big, own_p, p, shared, needs_chance),
        expected_failures=float(np.sum(1.0 - p)), top_bet_share=top_share, big_win=big_win,
        n_sims=n_sims, seed=seed, table=table, outcomes=outcomes,
    )


def _chance_any_big(chance_big: np.ndarray, own_p: np.ndarray, p: np.ndarray, shared: np.ndarray,
                    needs_chance: float) -> float:
    """P(at least one big win), the shared dependency drawn once (exact, no simulation)."""
    alone = np.prod(1.0 - chance_big[~shared])
    if not shared.any():
        return float(1.0 - alone)
    own_big = np.divide(chance_big[shared] * own_p[shared], p[shared],
                        out=np.zeros(int(shared.sum())), where=p[shared] > 0)
    none = alone * ((1.0 - needs_chance) + needs_chance * np.prod(1.0 - own_big))
    return float(1.0 - none)


def _needs(needs: Any, data: Any, n: int) -> np.ndarray:
    """Which bets share the dependency (all False when none do)."""
    if needs is None:
        return np.zeros(n, dtype=bool)
    values = np.asarray(_frame_column(data, needs, "needs"))
    if values.shape != (n,):
        raise ValueError(f"needs has {values.size} values but there are {n} bets")
    if values.dtype != bool and not np.isin(values, (0, 1)).all():
        raise ValueError("needs should be True/False for each bet")
    return values.astype(bool)


def fund_within_budget(value: Any, cost: Any, budget: float) -> np.ndarray:
    """Which bets to fund: the highest value per unit of cost first, while the budget lasts.

    Bets with no positive ``value`` are never funded; a bet that no longer fits is skipped
    and cheaper ones further down the list still get their chance. Returns True/False per
    bet. It is the greedy rule a budget review uses, not an exact optimum.

    >>> fund_within_budget([10, 4, 3, -1], [5, 1, 2, 1], budget=6).tolist()
    [True, True, False, False]
    """
    worth = _array(value, "value")
    price = _array(cost, "cost", low=0.0)
    _validate.same_length(value=worth, cost=price)
    budget = _number(budget, "budget", low=0.0)
    ratio = np.where(price > 0, worth / np.where(price > 0, price, 1.0), np.inf)
    funded = np.zeros(worth.size, dtype=bool)
    spent = 0.0
    for j in np.argsort(-ratio, kind="stable"):
        if worth[j] > 0 and spent + price[j] <= budget + 1e-9:
            funded[j] = True
            spent += price[j]
    return funded


@dataclass(frozen=True, repr=False)
class PilotValue(Result):
    """What a pilot's verdict is worth before committing to a bet (value of information)."""

    prior: float
    value_if_works: float
    value_if_fails: float
    sensitivity: float
    false_alarm: float
    value_now: float
    value_with_pilot: float
    chance_of_go: float
    chance_if_go: float
    chance_if_stop: float

    @property
    def value_of_information(self) -> float:
        """How much deciding after the pilot beats deciding now (before the pilot's cost)."""
        return self.value_with_pilot - self.value_now

    def summary(self) -> str:
        return (f"Deciding now is worth {fmt(self.value_now)}; after a pilot that says go "
                f"{pct(self.chance_of_go)} of the time (the chance it works is then "
                f"{pct(self.chance_if_go)}, or {pct(self.chance_if_stop)} after a stop) it is worth "
                f"{fmt(self.value_with_pilot)}: the pilot's information is worth "
                f"{fmt(self.value_of_information)} before its cost.")

    def to_frame(self) -> pd.DataFrame:
        """The pilot's two verdicts: how likely each is, and what you do after it."""
        rows = []
        for verdict, chance, works in (("go", self.chance_of_go, self.chance_if_go),
                                       ("stop", 1 - self.chance_of_go, self.chance_if_stop)):
            value = works * self.value_if_works + (1 - works) * self.value_if_fails
            rows.append({"verdict": verdict, "chance": chance, "chance_it_works": works,
                         "value_if_committed": value, "commit": value > 0})
        return pd.DataFrame(rows)

    def plot(self, ax: Any = None) -> Any:
        """Bars: the value of deciding now and of deciding after the pilot."""
        ax = new_axes(ax)
        ax.bar(["decide now", "pilot first"], [self.value_now, self.value_with_pilot],
               color=[PALETTE[7], PALETTE[0]])
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylabel("expected value (before the pilot's cost)")
        ax.set_title("Deciding now and deciding after a pilot")
        return ax


def pilot_value(prior: float, value_if_works: float, value_if_fails: float, *,
                sensitivity: float = 1.0, false_alarm: float = 0.0) -> PilotValue:
    """The value of learning before committing: a pilot that is right only some of the time.

    Committing is worth ``value_if_works`` with chance ``prior`` and ``value_if_fails``
    otherwise; not committing is worth 0. The pilot says "go" with chance ``sensitivity``
    when the bet would work and ``false_alarm`` when it would not; you then commit only
    when the updated chance (Bayes' rule) makes committing worth more than 0. A perfect
    pilot has sensitivity 1 and false_alarm 0.

    >>> perfect = pilot_value(0.3, 20.0, -10.0)
    >>> perfect.value_now, perfect.value_with_pilot
    (0.0, 6.0)
    >>> round(pilot_value(0.3, 20.0, -10.0, sensitivity=0.8, false_alarm=0.2).value_with_pilot, 2)
    3.4
    """
    prior = _probability(prior, "prior")
    works = _number(value_if_works, "value_if_works")
    fails = _number(value_if_fails, "value_if_fails")
    sensitivity = _probability(sensitivity, "sensitivity")
    false_alarm = _probability(false_alarm, "false_alarm")

    def committed(chance: float) -> float:
        return max(0.0, chance * works + (1 - chance) * fails)  # commit only when it pays

    go = prior * sensitivity + (1 - prior) * false_alarm
    if_go = prior * sensitivity / go if go > 0 else prior
    if_stop = prior * (1 - sensitivity) / (1 - go) if go < 1 else prior
    with_pilot = go * committed(if_go) + (1 - go) * committed(if_stop)
    return PilotValue(prior, works, fails, sensitivity, false_alarm, committed(prior),
                      with_pilot, go, if_go, if_stop)


def _per_bet(values: Any, name: str, n: int) -> np.ndarray:
    if isinstance(values, bool):
        raise TypeError(f"{name} should be a number or a list of numbers, got a bool")
    if isinstance(values, int | float | np.integer | np.floating):
        return np.full(n, _number(values, name, low=0.0))
    series = _array(values, name, low=0.0)
    if series.size != n:
        raise ValueError(f"{name} has {series.size} values but there are {n} bets")
    return series


def _lognormal_above(threshold: np.ndarray, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """P(payoff >= threshold) for lognormal payoffs (sigma 0 means a fixed payoff)."""
    normal = NormalDist()
    out = np.empty(threshold.size)
    for j, (x, m, s) in enumerate(zip(threshold, median, sigma, strict=True)):
        if x <= 0:
            out[j] = 1.0
        elif m <= 0:
            out[j] = 0.0
        elif s == 0:
            out[j] = float(m >= x)
        else:
            out[j] = 1.0 - normal.cdf((math.log(x) - math.log(m)) / s)
    return out
