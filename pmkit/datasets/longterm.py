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
_AREAS = ("logistics", "health", "apps", "logistics", "own brand", "ads", "new market", "apps",
          "subscriptions", "logistics", "media", "new market")
#: The three logistics bets all need the new regional delivery network; if it is not live in
#: time, all three fail together. The network team's own estimate of that chance:
NETWORK_CHANCE = 0.3
#: Basketly's track record: its past bets worked about this share as often as pitched. Each
#: team's own optimism varies around it (the truth holds every bet's true chance).
TRACK_RECORD = 0.6


DISCOUNT_RATE = 0.10


def make_bets(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("bets")
    n = len(_BETS)
    logistics = np.array([a == "logistics" for a in _AREAS])
    cost = np.round(rng.lognormal(np.log(3), 0.6, n), 2)
    # Pitches are optimistic, and the logistics pitches the most confident of all.
    p = np.round(np.where(logistics, rng.uniform(0.45, 0.65, n), rng.uniform(0.1, 0.55, n)), 2)
    multiple = rng.lognormal(np.log(4), 0.5, n)
    sigma = np.round(rng.uniform(0.3, 1.0, n), 2)
    # As pitched, each logistics bet promises more per dollar than any other bet: the
    # ranking a budget review makes from the pitches puts all three at the top.
    per_dollar = np.sqrt(p) * multiple * np.exp(sigma**2 / 2)
    target = per_dollar[~logistics].max() * rng.uniform(1.1, 1.35, n)
    multiple = np.where(logistics, target / (np.sqrt(p) * np.exp(sigma**2 / 2)), multiple)
    median = np.round(cost * multiple / np.sqrt(p), 2)
    years = np.round(rng.uniform(0.5, 5, n), 1)
    frame = pd.DataFrame({"bet_id": np.arange(1, n + 1), "name": pd.array(_BETS, dtype="str"),
                          "area": pd.array(_AREAS, dtype="str"),
                          "cost": cost, "p_success": p, "payoff_median": median,
                          "payoff_sigma": sigma, "years_to_payoff": years})
    mean = median * np.exp(sigma**2 / 2)
    expected = p * mean - cost
    discounted = p * mean / (1 + DISCOUNT_RATE) ** years - cost
    # The truth: each team's optimism around the track record; the network shared by logistics.
    realism = np.clip(rng.normal(TRACK_RECORD, 0.12, n), 0.3, 0.95)
    own = np.round(p * realism, 4)  # the chance a bet works if what it depends on is in place
    true_p = np.where(logistics, own * NETWORK_CHANCE, own)
    true_value = true_p * mean - cost
    network_live = bool(rng.random() < NETWORK_CHANCE)
    success = (rng.random(n) < own) & (network_live | ~logistics)
    realised = np.where(success, median * np.exp(sigma * rng.standard_normal(n)), 0.0) - cost
    ids = [int(i) for i in frame.bet_id]

    def by_bet(values: Any) -> dict[int, float]:
        return {i: round(float(v), 4) for i, v in zip(ids, values, strict=True)}

    truth = {
        "expected_value": by_bet(expected),
        "best_by_expected_value": [int(i) for i in frame.bet_id[np.argsort(-expected)]],
        "discount_rate": DISCOUNT_RATE,
        "expected_npv": by_bet(discounted),
        "track_record": TRACK_RECORD,
        "network_chance": NETWORK_CHANCE,
        "logistics_bets": [i for i, flag in zip(ids, logistics, strict=True) if flag],
        "true_chance_if_dependencies_hold": by_bet(own),
        "true_p_success": by_bet(true_p),
        "true_expected_value": by_bet(true_value),
        "network_live": network_live,
        "outcome": {i: {"success": bool(s), "net_payoff": round(float(r), 4)}
                    for i, s, r in zip(ids, success, realised, strict=True)},
        "note": "p_success is the chance each team pitched. Payoff if successful is lognormal: "
                "median payoff_median, log-sd payoff_sigma, so its mean is payoff_median * "
                "exp(payoff_sigma**2 / 2). expected_value is the PITCHED value, p_success * that "
                "mean - cost (expected_npv discounts the payoff by (1 + discount_rate) ** "
                "years_to_payoff). The truth: each bet works with true_chance_if_dependencies_hold "
                "(the pitch times the team's own realism, which varies around track_record); "
                "the logistics bets also need the delivery network (live with network_chance), "
                "so true_p_success multiplies it in and the three fail together when it is not "
                "live. true_expected_value uses true_p_success; outcome is one drawn future.",
    }
    return {"bets": (frame, truth)}


MAKERS = {make_membership: ("membership",), make_bets: ("bets",)}
