"""Data-driven decisions: the shopping funnel, one row per session.

The hidden story (truth('sessions')): on ``REDESIGN`` Basketly shipped a new checkout
that raised the checkout-to-purchase rate for *every* traffic source. In the same
week marketing started a social-media campaign, so cheap, low-intent social traffic
jumped from 15 % to 45 % of visits. Overall conversion therefore *fell* after the
redesign although it rose within each source: a Simpson's paradox.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets._build import labels
from pmkit.datasets.schema import DEVICES, FUNNEL, SOURCES

N_SESSIONS = 40_000
FIRST_DAY, N_DAYS = np.datetime64("2025-01-01", "D"), 181
REDESIGN = np.datetime64("2025-04-01", "D")
#: Share of sessions by source before and after the campaign (search, social, email, direct).
MIX_BEFORE = (0.45, 0.15, 0.15, 0.25)
MIX_AFTER = (0.30, 0.45, 0.10, 0.15)
DEVICE_SHARE = (0.40, 0.50, 0.10)
#: Chance to reach each step given the previous one, per source (search .. purchase).
STEP_RATES = {
    "search": (0.75, 0.35, 0.45, 0.55),
    "product_view": (0.80, 0.55, 0.70, 0.75),
    "add_to_cart": (0.30, 0.12, 0.30, 0.35),
    "checkout": (0.55, 0.40, 0.55, 0.60),
    "purchase": (0.60, 0.45, 0.62, 0.66),
}
REDESIGN_LIFT = 1.15  # checkout -> purchase rate multiplies by this after the redesign
DEVICE_FACTOR = dict(zip(DEVICES, (1.10, 0.90, 1.00), strict=True))  # on add-to-cart
#: Relative traffic by weekday, Monday first: weekends are busiest.
WEEKDAY_TRAFFIC = (0.95, 0.90, 0.90, 0.95, 1.00, 1.15, 1.15)


def _conversion(source: int, device: int, after: bool) -> float:
    """True probability that a session of this kind ends in a purchase."""
    rates = [STEP_RATES[s][source] for s in FUNNEL[2:]]
    rates[1] *= DEVICE_FACTOR[DEVICES[device]]  # add_to_cart
    if after:
        rates[-1] *= REDESIGN_LIFT
    return float(np.prod(rates))  # product_view does not need search


def make_sessions(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("sessions")
    n = N_SESSIONS * build.scale
    weekday = (np.arange(N_DAYS) + 2) % 7  # 2025-01-01 was a Wednesday (Monday = 0)
    per_day = np.asarray(WEEKDAY_TRAFFIC)[weekday]
    day = np.sort(rng.choice(N_DAYS, n, p=per_day / per_day.sum()))
    after = FIRST_DAY + day >= REDESIGN
    source = np.where(after, rng.choice(4, n, p=MIX_AFTER), rng.choice(4, n, p=MIX_BEFORE))
    device = rng.choice(len(DEVICES), n, p=DEVICE_SHARE)
    steps = {"visit": np.ones(n, dtype=bool)}
    steps["search"] = rng.random(n) < np.asarray(STEP_RATES["search"])[source]
    reached = steps["visit"]
    for step in FUNNEL[2:]:
        p = np.asarray(STEP_RATES[step])[source]
        if step == "add_to_cart":
            p = p * np.asarray([DEVICE_FACTOR[d] for d in DEVICES])[device]
        if step == "purchase":
            p = np.where(after, p * REDESIGN_LIFT, p)
        reached = reached & (rng.random(n) < p)
        steps[step] = reached
    frame = pd.DataFrame({
        "session_id": np.arange(1, n + 1),
        "date": pd.Series((FIRST_DAY + day).astype("datetime64[s]")),
        "device": labels(DEVICES, device),
        "source": labels(SOURCES, source),
        **steps,
    })
    by_source = {}
    for i, s in enumerate(SOURCES):
        before_p = float(np.dot(DEVICE_SHARE, [_conversion(i, d, False) for d in range(3)]))
        after_p = float(np.dot(DEVICE_SHARE, [_conversion(i, d, True) for d in range(3)]))
        by_source[s] = {"before": round(before_p, 6), "after": round(after_p, 6)}
    overall_before = sum(m * by_source[s]["before"] for m, s in zip(MIX_BEFORE, SOURCES,
                                                                    strict=True))
    overall_after = sum(m * by_source[s]["after"] for m, s in zip(MIX_AFTER, SOURCES, strict=True))
    truth = {
        "redesign_date": str(REDESIGN),
        "redesign_lift_on_checkout_to_purchase": REDESIGN_LIFT,
        "mix_before": dict(zip(SOURCES, MIX_BEFORE, strict=True)),
        "mix_after": dict(zip(SOURCES, MIX_AFTER, strict=True)),
        "conversion_by_source": by_source,
        "conversion_overall": {"before": round(overall_before, 6),
                               "after": round(overall_after, 6)},
        "step_rates_by_source": {k: dict(zip(SOURCES, v, strict=True))
                                 for k, v in STEP_RATES.items()},
        "add_to_cart_factor_by_device": DEVICE_FACTOR,
        "weekday_traffic": dict(zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                                    WEEKDAY_TRAFFIC, strict=True)),
        "simpsons_paradox": "Conversion (purchase / visit) rose within every source after the "
                            "redesign but fell overall, because the social campaign shifted "
                            "the traffic mix towards low-converting social visits.",
    }
    return {"sessions": (frame, truth)}


MAKERS = {make_sessions: ("sessions",)}
