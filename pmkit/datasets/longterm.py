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


FEE_CHANGE = np.datetime64("2024-01", "M")  # the monthly fee rose from 9.99 to 12.99
FEE_BEFORE, FEE_AFTER = 9.99, 12.99
ORDER_UPLIFT = 1.45  # a member orders this many times as often as they would without Plus
SHIPPING_COST_MEAN, SHIPPING_COST_SD = 5.8, 0.3  # Basketly's cost of one free delivery, USD


def month_edges(months: int) -> np.ndarray:
    """Day offsets from joining where membership months start: month k is [edge k, edge k+1).

    Membership months are 30.44 days long, counted from each member's own joining
    day, the same clock the customers generator uses to draw how long members stay.

    >>> month_edges(3).tolist()
    [0, 30, 61, 91]
    """
    from pmkit.datasets.company import DAYS_PER_MONTH

    return np.round(np.arange(months + 1) * DAYS_PER_MONTH).astype(np.int64)


def true_survival(months: int) -> np.ndarray:
    """The population share of members still subscribed at the start of membership month k.

    The customers generator draws whole months survived T from ``churn_hazard`` and a
    uniform U, and the membership lasts round((T + U) * 30.44) days (at least 1).
    A member is still subscribed at the start of month k when that length exceeds
    edge k, so the share is computed exactly from the same formula.
    """
    from pmkit.datasets.company import DAYS_PER_MONTH

    edges = month_edges(months)
    hazard = churn_hazard(np.arange(60))
    alive = np.concatenate([[1.0], np.cumprod(1 - hazard)])
    p_t = alive[:-1] - alive[1:]  # P(T = t) for t = 0 .. 59
    p_t[-1] += alive[-1]  # the generator caps T at 59
    t = np.arange(60)[:, None]
    # length > edge  <=>  (T + U) * 30.44 >= edge + 0.5 (rounding), and length >= 1 always
    share = np.clip(t + 1 - (edges[None, :] + 0.5) / DAYS_PER_MONTH, 0.0, 1.0)
    share[:, 0] = 1.0
    return (p_t[:, None] * share).sum(axis=0)[:months]


def _baseline_rates(c: dict[str, np.ndarray], cust: np.ndarray, day: np.ndarray,
                    never: np.ndarray, n_days: int) -> np.ndarray:
    """Orders per day of account age among customers who never joined, by segment.

    ``rates[s, a]`` is the orders placed at account age ``a`` days by never-members of
    segment ``s``, divided by how many of them were observed at that age. Joining
    Plus does not depend on how often or how long a customer shops (only on the
    segment), so these customers are a fair counterfactual for members of the same
    segment at the same account age.
    """
    n_segments = int(c["segment"].max()) + 1
    age = day - c["signup"][cust]
    keep = never[cust]
    orders = np.zeros((n_segments, n_days))
    np.add.at(orders, (c["segment"][cust][keep], age[keep]), 1.0)
    observed = np.zeros((n_segments, n_days))
    for s in range(n_segments):
        last_age = n_days - 1 - c["signup"][never & (c["segment"] == s)]
        counts = np.bincount(last_age, minlength=n_days)
        observed[s] = np.cumsum(counts[::-1])[::-1]  # customers observed at age >= a
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(observed > 0, orders / observed, 0.0)


def make_membership(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    """Monthly cohorts of Plus members, built from the customers and the order book.

    A member's cohort is the calendar month they joined (``customers.member_since``);
    membership month k runs from day ``edge k`` to ``edge k+1`` after their own joining
    day. A cohort gets a row at month k only once every one of its members has been
    watched for the whole of month k, so no member is censored inside the table:
    ``members`` at k + 1 is ``members − churned`` at k. ``orders`` counts the member
    orders in the order book inside those months; ``baseline_orders`` is what the
    same members would have ordered without Plus, estimated from customers of the
    same segment and account age who never joined.
    """
    from pmkit.datasets.company import N_DAYS

    build.table("orders")
    c = build.hidden["customers"]
    orders = build.table("orders")
    rng = build.rng("membership")
    cust = orders["customer_id"].to_numpy() - 1
    day = ((orders["order_date"].to_numpy().astype("datetime64[D]")
            - np.datetime64("2023-01-01", "D")).astype(np.int64))
    value = orders["order_value"].to_numpy()
    is_member_order = orders["is_member"].to_numpy()
    members = np.flatnonzero(c["since"] >= 0)
    never = c["since"] < 0
    rates = _baseline_rates(c, cust, day, never, N_DAYS)
    cumulative = np.concatenate([np.zeros((rates.shape[0], 1)), np.cumsum(rates, axis=1)],
                                axis=1)

    since = c["since"][members]
    length = np.where(c["until"][members] >= 0, c["until"][members] - since, np.iinfo(np.int64).max)
    cohort = (np.datetime64("2023-01-01", "D") + since).astype("datetime64[M]")
    cohort_end = ((cohort + 1).astype("datetime64[D]")
                  - np.datetime64("2023-01-01", "D")).astype(np.int64)
    edges = month_edges(40)
    # Member orders, each placed in its member's membership month.
    position = np.full(c["since"].size, -1)
    position[members] = np.arange(members.size)
    mo = np.flatnonzero(is_member_order)
    who = position[cust[mo]]
    month_of = np.searchsorted(edges, day[mo] - since[who], side="right") - 1
    rows = []
    for month in np.unique(cohort):
        group = np.flatnonzero(cohort == month)
        last_join = int(cohort_end[group[0]]) - 1  # last day anyone in the cohort could join
        k = 0
        while last_join + edges[k + 1] <= N_DAYS:  # month k watched in full for everyone
            active = group[length[group] > edges[k]]
            if active.size == 0:
                break
            churned = int(np.sum(length[active] <= edges[k + 1]))
            in_row = np.isin(who, active) & (month_of == k)
            n_orders = int(in_row.sum())
            start = since[active] + edges[k] - c["signup"][members[active]]
            # Churners are members for part of the month only: count their baseline to the end.
            stop = since[active] + np.minimum(edges[k + 1], length[active]) - c["signup"][
                members[active]]
            seg = c["segment"][members[active]]
            base = cumulative[seg, np.minimum(stop, N_DAYS)] - cumulative[seg, start]
            calendar = (month + k).astype("datetime64[M]")
            fee = FEE_AFTER if calendar >= FEE_CHANGE else FEE_BEFORE
            aov = float(value[mo[in_row]].mean()) if n_orders else 0.0
            rows.append((month, k, int(active.size), churned, fee, n_orders,
                         round(n_orders / active.size, 4), round(float(base.mean()), 4),
                         round(aov, 2),
                         round(float(rng.normal(SHIPPING_COST_MEAN, SHIPPING_COST_SD)), 2)))
            k += 1
    frame = pd.DataFrame(rows, columns=["cohort", "tenure_month", "members", "churned", "fee",
                                        "orders", "orders_per_member", "baseline_orders",
                                        "avg_order_value", "shipping_cost"])
    frame["cohort"] = np.asarray(frame.cohort.tolist(), dtype="datetime64[M]").astype(
        "datetime64[s]")
    from pmkit.datasets.company import JOIN, SEGMENT_SHARE
    from pmkit.datasets.schema import SEGMENTS

    weight = np.asarray(SEGMENT_SHARE) * np.asarray([JOIN[s] for s in SEGMENTS])
    joiner_mix = {s: round(float(w), 6) for s, w in zip(SEGMENTS, weight / weight.sum(),
                                                         strict=True)}
    survival = true_survival(36)
    hazard = 1 - survival[1:] / survival[:-1]
    truth = {
        "churn_hazard": {"start": H0, "long_run": H_LONG, "time_constant_months": TAU,
                         "formula": "long_run + (start - long_run) * exp(-tenure / time_constant)"},
        "hazard_by_tenure": [round(float(h), 6) for h in hazard],
        "survival_by_tenure": [round(float(s), 6) for s in survival],
        "order_uplift": ORDER_UPLIFT,
        "incremental_orders_share": round(ORDER_UPLIFT - 1, 6),
        "shipping_cost_mean": SHIPPING_COST_MEAN,
        "fee_change": {"month": str(FEE_CHANGE), "before": FEE_BEFORE, "after": FEE_AFTER,
                       "effect_on_churn": 0.0, "effect_on_joining": 0.0,
                       "joiner_segment_share_before": joiner_mix,
                       "joiner_segment_share_after": joiner_mix,
                       "note": "Who joins depends only on the segment (customers truth: "
                               "join_probability), never on the fee, and everyone churns on one "
                               "hazard curve: the true effect of the new fee on retention and on "
                               "joining is zero. Any gap between old-fee and new-fee cohorts is "
                               "chance and the shorter watch of young cohorts."},
        "note": "Built from the customers and orders tables: members are customers with a "
                "member_since day; tenure months are 30.44 days from each member's joining day. "
                "survival_by_tenure[k] is the true share still subscribed at the start of month "
                "k and hazard_by_tenure[k] the true chance of cancelling during month k, on that "
                "clock. A member orders order_uplift times as often as the same customer would "
                "without Plus; members come more often from frequent-shopping segments, so a "
                "naive member against non-member comparison overstates the uplift.",
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
