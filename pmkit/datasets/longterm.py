"""Long-term thinking: the Basketly Plus membership programme and a portfolio of product bets.

Membership churn follows one known hazard curve (the same curve the customers table
uses): many members leave in the first months, and the few who stay are loyal, so
retention flattens instead of falling to zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Monthly churn hazard by tenure: starts at H0, settles at H_LONG with time constant TAU.
H0, H_LONG, TAU = 0.12, 0.015, 4.0


def churn_hazard(tenure_months: np.ndarray | int) -> np.ndarray:
    """The true chance that a member at a given tenure cancels during that month.

    >>> float(np.round(churn_hazard(0), 3))
    0.12
    """
    t = np.asarray(tenure_months, dtype=float)
    return H_LONG + (H0 - H_LONG) * np.exp(-t / TAU)


def survival(months: int) -> np.ndarray:
    """Share of a cohort still a member at the start of each tenure month 0..months-1."""
    hazard = churn_hazard(np.arange(months))
    return np.concatenate([[1.0], np.cumprod(1 - hazard)[:-1]])


N_COHORTS = 48
FIRST_COHORT = np.datetime64("2022-01", "M")
FEE_CHANGE = np.datetime64("2024-01", "M")  # the fee rose from 9.99 to 12.99
ORDER_UPLIFT = 1.45  # members order this many times as often as matched non-members


def make_membership(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("membership")
    months = FIRST_COHORT + np.arange(N_COHORTS)
    growth = 400 * 1.04 ** np.arange(N_COHORTS)
    sizes = rng.poisson(growth * (1 + 0.15 * np.sin(2 * np.pi * (np.arange(N_COHORTS) - 9) / 12)))
    rows = []
    for i, (cohort, size) in enumerate(zip(months, sizes, strict=True)):
        members = int(size)
        for tenure in range(N_COHORTS - i):
            month = cohort + tenure
            churned = int(rng.binomial(members, churn_hazard(tenure)))
            fee = 12.99 if month >= FEE_CHANGE else 9.99
            baseline = 1.1 * (1 + 0.25 * (month.astype(int) % 12 in (10, 11)))
            orders = rng.poisson(members * baseline * ORDER_UPLIFT) / max(members, 1)
            rows.append((cohort, tenure, members, churned, fee,
                         round(orders, 3), round(baseline * rng.normal(1, 0.03), 3),
                         round(float(rng.normal(46, 2.5)), 2), round(float(rng.normal(5.8, 0.3)), 2)))
            members -= churned
    frame = pd.DataFrame(rows, columns=["cohort", "tenure_month", "members", "churned", "fee",
                                        "orders_per_member", "baseline_orders", "avg_order_value",
                                        "shipping_cost"])
    frame["cohort"] = np.asarray(frame.cohort.tolist(), dtype="datetime64[M]").astype("datetime64[s]")
    truth = {
        "churn_hazard": {"start": H0, "long_run": H_LONG, "time_constant_months": TAU,
                         "formula": "long_run + (start - long_run) * exp(-tenure / time_constant)"},
        "hazard_by_tenure": [round(float(h), 6) for h in churn_hazard(np.arange(N_COHORTS))],
        "survival_by_tenure": [round(float(s), 6) for s in survival(N_COHORTS)],
        "order_uplift": ORDER_UPLIFT,
        "baseline_orders_per_month": 1.1,
        "holiday_months": [11, 12],
        "holiday_order_factor": 1.25,
        "avg_order_value_mean": 46.0,
        "shipping_cost_mean": 5.8,
        "fee_change": {"month": str(FEE_CHANGE), "before": 9.99, "after": 12.99},
        "note": "orders_per_member / baseline_orders estimates order_uplift; similar "
                "non-members order baseline_orders_per_month, 25 % more in November and "
                "December.",
    }
    return {"membership": (frame, truth)}


_BETS = ("Same-day delivery in 5 cities", "Basketly Pharmacy", "Voice ordering", "Drone pilot",
         "Private-label groceries", "Seller ads platform", "Marketplace in a new country",
         "AR try-on", "Subscription refills", "Returns lockers", "Live-stream shopping",
         "B2B office supplies")


DISCOUNT_RATE = 0.10


def make_bets(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("bets")
    n = len(_BETS)
    cost = np.round(rng.lognormal(np.log(3), 0.7, n), 2)
    p = np.round(rng.uniform(0.08, 0.6, n), 2)
    median = np.round(cost * rng.lognormal(np.log(4), 0.6, n) / np.sqrt(p), 2)
    sigma = np.round(rng.uniform(0.3, 1.2, n), 2)
    years = np.round(rng.uniform(0.5, 5, n), 1)
    frame = pd.DataFrame({"bet_id": np.arange(1, n + 1), "name": pd.array(_BETS, dtype="str"),
                          "cost": cost, "p_success": p, "payoff_median": median,
                          "payoff_sigma": sigma, "years_to_payoff": years})
    expected = p * median * np.exp(sigma**2 / 2) - cost
    discounted = p * median * np.exp(sigma**2 / 2) / (1 + DISCOUNT_RATE) ** years - cost
    success = rng.random(n) < p
    realised = np.where(success, median * np.exp(sigma * rng.standard_normal(n)), 0.0) - cost
    truth = {
        "expected_value": {int(i): round(float(v), 4) for i, v in zip(frame.bet_id, expected,
                                                                      strict=True)},
        "best_by_expected_value": [int(i) for i in frame.bet_id[np.argsort(-expected)]],
        "discount_rate": DISCOUNT_RATE,
        "expected_npv": {int(i): round(float(v), 4) for i, v in zip(frame.bet_id, discounted,
                                                                    strict=True)},
        "outcome": {int(i): {"success": bool(s), "net_payoff": round(float(r), 4)}
                    for i, s, r in zip(frame.bet_id, success, realised, strict=True)},
        "note": "Payoff if successful is lognormal: median payoff_median, log-sd payoff_sigma, "
                "so its mean is payoff_median * exp(payoff_sigma**2 / 2). expected_value is "
                "p_success * that mean - cost, before discounting; expected_npv discounts the "
                "payoff by (1 + discount_rate) ** years_to_payoff.",
    }
    return {"bets": (frame, truth)}


MAKERS = {make_membership: ("membership",), make_bets: ("bets",)}
