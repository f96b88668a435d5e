"""Basketly's core commerce tables: customers, orders and order lines.

What is really going on (all of it in the truth files):

- Signups grow over 2023–2025. A share of customers are loyal and keep shopping;
  the rest lapse after a few months, so retention curves flatten instead of reaching zero.
- Orders favour some weekdays (weekly seasonality) and Basketly Plus members order
  ``ORDER_UPLIFT`` times as often while they are members.
- Prices are lognormal and quantities vary, so order values are heavy-tailed.
- Each region has its own chance of a late delivery, higher in the holiday peak.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets._build import labels
from pmkit.datasets.longterm import ORDER_UPLIFT, churn_hazard
from pmkit.datasets.recommend import PRICES
from pmkit.datasets.schema import CHANNELS, END, REGIONS, SEGMENTS, START

N_CUSTOMERS = 20_000
DAY0 = np.datetime64(START, "D")
N_DAYS = int((np.datetime64(END, "D") - DAY0).astype(np.int64)) + 1
DAYS_PER_MONTH = 30.44

SEGMENT_SHARE = (0.35, 0.30, 0.20, 0.15)
REGION_SHARE = (0.22, 0.20, 0.20, 0.18, 0.20)
CHANNEL_SHARE = (0.35, 0.20, 0.15, 0.10, 0.20)
#: Per segment: chance to join Basketly Plus, chance to be a loyal shopper, days between orders.
JOIN = dict(zip(SEGMENTS, (0.10, 0.35, 0.30, 0.45), strict=True))
LOYAL = dict(zip(SEGMENTS, (0.20, 0.40, 0.35, 0.50), strict=True))
DAYS_BETWEEN_ORDERS = dict(zip(SEGMENTS, (220.0, 110.0, 150.0, 90.0), strict=True))
LAPSE_DAYS = 120.0  # mean shopping lifetime of customers who are not loyal
FIRST_ORDER = 0.85  # share who order in their first week
#: Relative order volume by weekday, Monday first: Sunday evening and Monday are busiest.
WEEKDAY_WEIGHT = (1.20, 1.05, 0.95, 0.90, 0.85, 0.80, 1.25)
#: Chance that a delivery is late, by region, and the extra chance in the holiday peak.
LATE = dict(zip(REGIONS, (0.07, 0.11, 0.06, 0.20, 0.08), strict=True))
PEAK_EXTRA_LATE = 0.10
PROMISE = dict(zip(REGIONS, (3, 4, 3, 5, 3), strict=True))
MEMBER_PROMISE = 2
EARLY = 0.3  # chance that an on-time parcel arrives a day before the promise
LATE_DAYS_P = 0.45  # days late are geometric: 1 day with this chance, 2 days, ...
FREE_SHIPPING_FROM, SHIPPING_FEE = 35.0, 4.99
SAME_CLUSTER = 0.75  # chance a basket line comes from the customer's favourite taste cluster
DISCOUNTS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.50)


def _days(dates: np.ndarray) -> pd.Series:
    return pd.Series((DAY0 + dates.astype("int64")).astype("datetime64[s]"))


def _weekday_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whole days in [low, high], nudged towards busy weekdays.

    A uniform day is kept with probability weight / max weight; a rejected one is
    drawn again uniformly. Cheap, vectorised, and it gives a clear weekly rhythm.
    """
    span = high - low + 1
    day = low + np.floor(rng.random(low.size) * span).astype(np.int64)
    keep_prob = np.asarray(WEEKDAY_WEIGHT)[_weekday(day)] / max(WEEKDAY_WEIGHT)
    redraw = rng.random(low.size) >= keep_prob
    day[redraw] = low[redraw] + np.floor(rng.random(int(redraw.sum())) * span[redraw]).astype(
        np.int64)
    return day


def _weekday(day: np.ndarray) -> np.ndarray:
    """Monday = 0 for day numbers counted from START (2023-01-01 was a Sunday)."""
    return (day + 6) % 7


def weekday_share() -> list[float]:
    """The true share of orders on each weekday (Monday first), as the sampler produces it."""
    w = np.asarray(WEEKDAY_WEIGHT) / max(WEEKDAY_WEIGHT)
    share = w / 7 + (1 - w.mean()) / 7
    return [round(float(s), 6) for s in share]


def _membership(rng: np.random.Generator, signup: np.ndarray, segment: np.ndarray):
    """Join day and end day (or -1) of Basketly Plus, churning with the programme's hazard."""
    n = signup.size
    joins = rng.random(n) < np.asarray([JOIN[s] for s in SEGMENTS])[segment]
    since = signup + np.round(rng.exponential(90.0, n)).astype(np.int64)
    joins &= since < N_DAYS
    hazard = churn_hazard(np.arange(60))
    alive = np.concatenate([[1.0], np.cumprod(1 - hazard)])
    # tenure = number of whole months survived: invert the survival curve with one uniform draw
    tenure = np.searchsorted(-alive, -rng.random(n), side="left") - 1
    tenure = np.where(tenure < 0, 0, tenure)
    days = np.maximum(1, np.round((tenure + rng.random(n)) * DAYS_PER_MONTH))
    until = since + days.astype(np.int64)
    ended = joins & (until < N_DAYS) & (tenure < 59)
    since = np.where(joins, since, -1)
    until = np.where(ended, until, -1)
    return since, until


def make_customers(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("customers")
    n = N_CUSTOMERS * build.scale
    # Signups grow linearly over the period: density proportional to 1 + 2t/T.
    u = rng.random(n)
    signup = np.sort(np.floor((np.sqrt(1 + 8 * u) - 1) / 2 * N_DAYS).astype(np.int64))
    segment = rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARE)
    region = rng.choice(len(REGIONS), n, p=REGION_SHARE)
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_SHARE)
    since, until = _membership(rng, signup, segment)
    loyal = rng.random(n) < np.asarray([LOYAL[s] for s in SEGMENTS])[segment]
    lifetime = np.where(loyal, N_DAYS, np.round(rng.exponential(LAPSE_DAYS, n)).astype(np.int64))
    gap = np.asarray([DAYS_BETWEEN_ORDERS[s] for s in SEGMENTS])[segment]
    rate = rng.lognormal(-0.125, 0.5, n) / gap  # orders per day, mean 1/gap
    frame = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "signup_date": _days(signup),
        "segment": labels(SEGMENTS, segment),
        "region": labels(REGIONS, region),
        "channel": labels(CHANNELS, channel),
        "is_member": (since >= 0) & (until < 0),
        "member_since": _days(np.where(since >= 0, since, 0)).where(since >= 0),
        "member_until": _days(np.where(until >= 0, until, 0)).where(until >= 0),
    })
    # Hidden per-customer traits the order generator needs; never written to disk.
    build.hidden["customers"] = {"signup": signup, "segment": segment, "region": region,
                                 "since": since, "until": until, "lifetime": lifetime,
                                 "rate": rate}
    months = np.arange(25)
    loyal_share = float(np.dot(SEGMENT_SHARE, [LOYAL[s] for s in SEGMENTS]))
    truth = {
        "segment_share": dict(zip(SEGMENTS, SEGMENT_SHARE, strict=True)),
        "region_share": dict(zip(REGIONS, REGION_SHARE, strict=True)),
        "channel_share": dict(zip(CHANNELS, CHANNEL_SHARE, strict=True)),
        "join_probability": JOIN,
        "loyal_share_by_segment": LOYAL,
        "loyal_share": round(loyal_share, 6),
        "lapse_days_mean": LAPSE_DAYS,
        "still_shopping_by_month": [
            round(loyal_share + (1 - loyal_share) * float(np.exp(-m * DAYS_PER_MONTH / LAPSE_DAYS)),
                  6) for m in months],
        "note": "still_shopping_by_month: true share of customers who have not lapsed m months "
                "after signup. It flattens at loyal_share, so retention curves flatten too.",
    }
    return {"customers": (frame, truth)}


def _product_sampler(build: Any):
    """Cumulative popularity per taste cluster and overall, for vectorised product draws."""
    products = build.table("products")
    ptruth = build.truth("products")
    names = [c["name"] for c in ptruth["clusters"]]
    cluster = np.array([names.index(ptruth["cluster_of_product"][str(p)])
                        for p in products.product_id])
    weight = np.array([ptruth["popularity"][str(p)] for p in products.product_id])
    order = np.lexsort((products.product_id.to_numpy(), cluster))
    within = np.zeros(order.size)
    for c in range(len(names)):
        members = order[cluster[order] == c]
        within[cluster[order] == c] = np.cumsum(weight[members]) / weight[members].sum()
    stacked = cluster[order] + within  # cluster c occupies (c, c + 1]
    overall = np.cumsum(weight) / weight.sum()
    return order, stacked, overall, cluster, len(names)


def _order_days(rng: np.random.Generator, c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Who ordered on which day, in calendar order (customer index, day number)."""
    n = c["signup"].size
    last_day = np.minimum(c["signup"] + c["lifetime"], N_DAYS - 1)
    # First orders in the signup week, then repeat orders at each customer's own rate...
    first = rng.random(n) < FIRST_ORDER
    cust_first = np.flatnonzero(first)
    signup_first = c["signup"][first]
    day_first = _weekday_days(rng, signup_first, np.minimum(signup_first + 6, N_DAYS - 1))
    repeats = rng.poisson(c["rate"] * (last_day - c["signup"]))
    cust_rep = np.repeat(np.arange(n), repeats)
    day_rep = _weekday_days(rng, c["signup"][cust_rep] + 1, np.maximum(
        last_day[cust_rep], c["signup"][cust_rep] + 1))
    # ...plus the extra orders members place while they are members.
    member_end = np.where(c["until"] >= 0, c["until"], N_DAYS - 1)
    member_days = np.where(c["since"] >= 0, np.minimum(member_end, last_day) - c["since"], 0)
    member_days = np.maximum(member_days, 0)
    extra = rng.poisson(c["rate"] * (ORDER_UPLIFT - 1) * member_days)
    cust_extra = np.repeat(np.arange(n), extra)
    day_extra = _weekday_days(rng, c["since"][cust_extra],
                              c["since"][cust_extra] + member_days[cust_extra])
    cust = np.concatenate([cust_first, cust_rep, cust_extra])
    day = np.concatenate([day_first, day_rep, day_extra])
    order = np.lexsort((cust, day))
    return cust[order], day[order]


def _delivery(rng: np.random.Generator, region: np.ndarray, day: np.ndarray,
              is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Promised and actual delivery days; late means actual > promised."""
    m = day.size
    promised = np.where(is_member, MEMBER_PROMISE, np.asarray([PROMISE[r] for r in REGIONS])[region])
    late_p = np.asarray([LATE[r] for r in REGIONS])[region] + PEAK_EXTRA_LATE * _is_peak(day)
    late = rng.random(m) < late_p
    early = ~late & (rng.random(m) < EARLY) & (promised > 1)
    delay = rng.geometric(LATE_DAYS_P, m)  # 1, 2, 3 ... days late
    actual = np.where(late, promised + delay, promised - early)
    return promised.astype(np.int64), np.minimum(actual, 30).astype(np.int64)


def make_orders(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("orders")
    build.table("customers")
    c = build.hidden["customers"]
    cust, day = _order_days(rng, c)
    m = cust.size
    is_member = (c["since"][cust] >= 0) & (day >= c["since"][cust]) & (
        (c["until"][cust] < 0) | (day < c["until"][cust]))
    lines = _order_lines(build, rng, cust, day)
    value = np.round(np.bincount(lines["order_index"], weights=lines["line_value"], minlength=m), 2)
    items = np.bincount(lines["order_index"], minlength=m)
    promised, actual = _delivery(rng, c["region"][cust], day, is_member)
    late = actual > promised
    fee = np.where(is_member | (value >= FREE_SHIPPING_FROM), 0.0, SHIPPING_FEE)
    frame = pd.DataFrame({
        "order_id": np.arange(1, m + 1),
        "customer_id": cust + 1,
        "order_date": _days(day),
        "items": items,
        "order_value": value,
        "shipping_fee": fee,
        "promised_days": promised,
        "actual_days": actual,
        "is_member": is_member,
    })
    line_frame = pd.DataFrame({
        "order_id": lines["order_index"] + 1,
        "line": lines["line"],
        "product_id": lines["product_id"],
        "category": lines["category"],
        "unit_price": lines["unit_price"],
        "quantity": lines["quantity"],
        "discount": lines["discount"],
        "line_value": lines["line_value"],
    })
    orders_truth = {
        "weekday_share": dict(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                                  weekday_share(), strict=True)),
        "late_probability_by_region": LATE,
        "peak_extra_late_probability": PEAK_EXTRA_LATE,
        "peak_season": "15 November to 31 December",
        "early_probability": EARLY,
        "days_late": f"geometric with p = {LATE_DAYS_P}: 1 day or more, mean {1 / LATE_DAYS_P:.2f}",
        "promised_days_by_region": PROMISE,
        "member_promised_days": MEMBER_PROMISE,
        "member_order_uplift": ORDER_UPLIFT,
        "free_shipping_from": FREE_SHIPPING_FROM,
        "shipping_fee": SHIPPING_FEE,
        "late_share": round(float(late.mean()), 6),
        "note": "A delivery is late when actual_days > promised_days. Members order "
                "member_order_uplift times as often while they are members.",
    }
    lines_truth = {
        "price_median_and_log_sd_by_category": {
            k: list(v) for k, v in PRICES.items()},
        "same_cluster_probability": SAME_CLUSTER,
        "same_cluster_share": round(float(lines["same_cluster"].mean()), 6),
        "discount_probability": 0.3,
        "discount_levels": list(DISCOUNTS),
        "note": "Each line comes from the customer's favourite taste cluster with "
                "same_cluster_probability, otherwise from overall popularity.",
    }
    return {"orders": (frame, orders_truth), "order_lines": (line_frame, lines_truth)}


def _is_peak(day: np.ndarray) -> np.ndarray:
    dates = DAY0 + day
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    return (month == 12) | ((month == 11) & (dom >= 15))


def _order_lines(build: Any, rng: np.random.Generator, cust: np.ndarray,
                 day: np.ndarray) -> dict[str, np.ndarray]:
    m = cust.size
    items = np.minimum(1 + rng.poisson(0.95, m), 20)
    order_index = np.repeat(np.arange(m), items)
    starts = np.cumsum(items) - items
    line = np.arange(order_index.size) - starts[order_index] + 1
    order, stacked, overall, cluster, n_clusters = _product_sampler(build)
    favourite = build.rng("favourite cluster").integers(0, n_clusters, cust.max() + 1)
    k = order_index.size
    fav = favourite[cust][order_index]
    from_cluster = rng.random(k) < SAME_CLUSTER
    u = rng.random(k)
    pick_cluster = order[np.minimum(np.searchsorted(stacked, fav + u), order.size - 1)]
    pick_any = np.minimum(np.searchsorted(overall, u), overall.size - 1)
    product_index = np.where(from_cluster, pick_cluster, pick_any)
    products = build.table("products")
    category_code, category_names = pd.factorize(products.category)
    category = category_code[product_index]
    price = products.list_price.to_numpy()[product_index]
    grocery = category == list(category_names).index("Grocery")
    quantity = np.minimum(1 + rng.poisson(np.where(grocery, 1.0, 0.25)), 12)
    discounted = rng.random(k) < 0.3
    discount = np.where(discounted, np.asarray(DISCOUNTS)[rng.integers(0, len(DISCOUNTS), k)], 0.0)
    value = np.round(price * quantity * (1 - discount), 2)
    return {"order_index": order_index, "line": line, "product_id": product_index + 1,
            "category": labels(list(category_names), category),
            "unit_price": price,
            "quantity": quantity, "discount": discount, "line_value": value,
            "same_cluster": cluster[product_index] == fav}


MAKERS = {make_customers: ("customers",), make_orders: ("orders", "order_lines")}
