"""Data-driven decisions: the shopping funnel, one row per session.

The hidden story (truth('sessions')): on ``REDESIGN`` Basketly shipped a new checkout
on the web (desktop and mobile); the tablet app runs on its own release train and kept
the old checkout for the whole window. On the same day two other things started: a
free-delivery threshold shown at checkout on every device (``PROMOTION_LIFT`` on the
checkout-to-purchase rate) and a social-media campaign, so cheap, low-intent social
traffic jumped from 15 % to 45 % of visits. Overall conversion therefore *fell*
although it rose within each source (a Simpson's paradox), and most of the rise
within sources is the promotion's, not the redesign's: a pre/post comparison cannot
tell them apart, the tablet app (untouched by the redesign) can.
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
DEVICE_SHARE = (0.40, 0.35, 0.25)  # desktop, mobile, tablet (schema.DEVICES order)
#: Chance to reach each step given the previous one, per source (search .. purchase).
STEP_RATES = {
    "search": (0.75, 0.35, 0.45, 0.55),
    "product_view": (0.80, 0.55, 0.70, 0.75),
    "add_to_cart": (0.30, 0.12, 0.30, 0.35),
    "checkout": (0.55, 0.40, 0.55, 0.60),
    "purchase": (0.60, 0.45, 0.62, 0.66),
}
REDESIGN_LIFT = 1.02  # checkout -> purchase on the web after the redesign (small: hard to see)
PROMOTION_LIFT = 1.10  # checkout -> purchase on every device once free delivery is shown
#: Devices that got the new checkout on REDESIGN; the tablet app kept the old one.
REDESIGNED = ("mobile", "desktop")
DEVICE_FACTOR = dict(zip(DEVICES, (1.10, 0.90, 1.00), strict=True))  # on add-to-cart
#: Relative traffic by weekday, Monday first: weekends are busiest.
WEEKDAY_TRAFFIC = (0.95, 0.90, 0.90, 0.95, 1.00, 1.15, 1.15)


def _after_lift(device: int) -> float:
    """What 1 April did to a device's checkout-to-purchase rate: promotion, and redesign on the web."""
    return PROMOTION_LIFT * (REDESIGN_LIFT if DEVICES[device] in REDESIGNED else 1.0)


def _conversion(source: int, device: int, after: bool) -> float:
    """True probability that a session of this kind ends in a purchase."""
    rates = [STEP_RATES[s][source] for s in FUNNEL[2:]]
    rates[1] *= DEVICE_FACTOR[DEVICES[device]]  # add_to_cart
    if after:
        rates[-1] *= _after_lift(device)
    return float(np.prod(rates))  # product_view does not need search


def _completion(device: int, after: bool) -> float:
    """True checkout-to-purchase rate of a device, over the sources that reach checkout."""
    mix = np.asarray(MIX_AFTER if after else MIX_BEFORE)
    reach = mix * np.prod([np.asarray(STEP_RATES[s]) for s in FUNNEL[2:-1]], axis=0)
    rate = np.asarray(STEP_RATES["purchase"]) * (_after_lift(device) if after else 1.0)
    return float(reach @ rate / reach.sum())


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
            lift = np.asarray([_after_lift(d) for d in range(len(DEVICES))])[device]
            p = np.where(after, p * lift, p)
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
        "redesigned_devices": list(REDESIGNED),
        "promotion_lift_on_checkout_to_purchase": PROMOTION_LIFT,
        "promotion": "free delivery over a basket threshold, shown at checkout on every device "
                     "from the redesign date",
        "checkout_completion_by_device": {
            d: {"before": round(_completion(i, False), 6), "after": round(_completion(i, True), 6)}
            for i, d in enumerate(DEVICES)},
        # What the redesign alone added to web checkout completion after the launch (the
        # promotion held fixed): the number a pre/post comparison cannot isolate.
        "redesign_effect_on_checkout_completion": round(
            _completion(DEVICES.index("desktop"), True) * (1 - 1 / REDESIGN_LIFT), 6),
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
