"""Experimentation: six user-level A/B tests, each teaching one lesson.

=========================  ============  ==============================================
experiment                 primary       what is really going on
=========================  ============  ==============================================
free_shipping_banner       converted     a real but small win: order rate × 1.08 and
                                         baskets × 1.05, in a test big enough to make
                                         a lift below the team's 10 % bar significant
checkout_button_colour     converted     nothing: the true effect is exactly zero
recommended_for_you        revenue       no effect, but a logging bug lost low-spending
                                         treatment users: a sample-ratio mismatch that
                                         fakes a win
homepage_video             clicks        novelty: + 50 % on a user's first day with the
                                         video, fading with each day of exposure
one_click_upsell           revenue       revenue × 1.25, but the return rate of buyers
                                         goes from 8 % to 14 % (guardrail loses)
personalised_feed          clicks / page_views   a ratio metric: click-through × 1.10
=========================  ============  ==============================================

The homepage video's novelty fades with each user's own exposure, not with the calendar:
``video_exposure`` holds its users' clicks and page views per week since they first saw
the page, and truth('experiments')['homepage_video'] the true lift by day and by week of
exposure.

Every user has a latent order rate that drives both their pre-period revenue and
their behaviour in the test, so ``pre_revenue`` is a good CUPED covariate.

truth('experiments') maps each test to: ``primary`` (a column, or "clicks / page_views"
for the ratio metric, with ``numerator`` and ``denominator``), ``guardrails`` (columns
that must not get worse), ``true_effect`` (the true average treatment effect on the
primary metric: each user's expected outcome with the change minus without it,
averaged over the test's users), ``control_mean``, ``true_relative_lift``, ``sign``,
``planned_split``, ``issue`` (the planted problem) and ``decision`` (the right call).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

N_USERS = 10_000
BANNER_USERS = 50_000  # sized for a small lift, so a win below the team's bar is significant
FEED_USERS = 20_000  # clicks per page view vary a lot between users: the ratio needs more of them
UPSELL_USERS = 16_000  # revenue is noisy: this test needs more users to see its effect
TEST_DAYS = 28
PRE_DAYS = 56
ORDER_RATE, RATE_SIGMA = 0.20, 1.2  # mean orders per user in 28 days, spread between users
ORDER_VALUE_MEDIAN, ORDER_VALUE_SIGMA = 40.0, 0.45
BASE_RETURN = 0.08
LATENCY_MEDIAN_MS = 850.0
UNSUBSCRIBE = 0.01
CTR_ALPHA, CTR_BETA = 2.0, 18.0  # per-user click-through rate ~ Beta, mean 0.10


def _users(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Latent traits of the users in one test.

    A user's own order rate drives both the pre-period and the test period, which is
    why pre_revenue predicts revenue (and CUPED helps).
    """
    z = rng.standard_normal(n)
    rate = ORDER_RATE * np.exp(RATE_SIGMA * z - RATE_SIGMA**2 / 2)
    value = ORDER_VALUE_MEDIAN * np.exp(ORDER_VALUE_SIGMA * rng.standard_normal(n))
    pre_orders = rng.poisson(rate * PRE_DAYS / TEST_DAYS)
    pre_revenue = pre_orders * value * np.exp(0.2 * rng.standard_normal(n))
    day = 1 + np.floor(TEST_DAYS * rng.random(n) ** 1.3).astype(np.int64)
    views = 1 + rng.poisson(7 * np.exp(0.4 * z - 0.08))
    ctr = rng.beta(CTR_ALPHA, CTR_BETA, n)
    latency = LATENCY_MEDIAN_MS * np.exp(0.3 * rng.standard_normal(n))
    return {"z": z, "rate": rate, "value": value, "pre_revenue": pre_revenue, "day": day,
            "views": views, "ctr": ctr, "latency": latency, "u_unsub": rng.random(n),
            "treated": rng.random(n) < 0.5}


def _outcomes(rng: np.random.Generator, u: dict[str, np.ndarray], *, rate: np.ndarray,
              value: np.ndarray, return_rate: float, ctr: np.ndarray) -> dict[str, np.ndarray]:
    orders = rng.poisson(rate)
    converted = orders > 0
    revenue = orders * value
    returned = converted & (rng.random(rate.size) < return_rate)
    clicks = rng.binomial(u["views"], np.clip(ctr, 0, 1))
    return {"converted": converted.astype(np.int64), "revenue": revenue,
            "returned": returned.astype(np.int64), "clicks": clicks}


def _run(rng: np.random.Generator, name: str, n: int, *, order_lift: float = 1.0,
         value_lift: float = 1.0, return_rate: float = BASE_RETURN,
         ctr_lift: float | Callable[[dict[str, np.ndarray]], np.ndarray] = 1.0,
         ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulate one test; return the table and the true average treatment effects.

    Every user is simulated in both worlds (with and without the change); the table
    shows the world of the arm they were assigned to.
    """
    u = _users(rng, n)
    treated = u["treated"]
    # A callable lift depends on the user (novelty: on the day they were first seen).
    lift = np.broadcast_to(np.asarray(ctr_lift(u) if callable(ctr_lift) else ctr_lift,
                                      dtype=float), (n,))
    control_world = _outcomes(rng, u, rate=u["rate"], value=u["value"],
                              return_rate=BASE_RETURN, ctr=u["ctr"])
    treated_world = _outcomes(rng, u, rate=u["rate"] * order_lift, value=u["value"] * value_lift,
                              return_rate=return_rate, ctr=u["ctr"] * lift)
    observed = {k: np.where(treated, treated_world[k], control_world[k]) for k in control_world}
    frame = pd.DataFrame({
        "experiment": name,
        "user_id": np.arange(1, n + 1),
        "variant": np.where(treated, "treatment", "control"),
        "day": u["day"],
        "pre_revenue": np.round(u["pre_revenue"], 2),
        "converted": observed["converted"],
        "revenue": np.round(observed["revenue"], 2),
        "returned": observed["returned"],
        "latency_ms": np.round(u["latency"]).astype(np.int64),
        "unsubscribed": (u["u_unsub"] < UNSUBSCRIBE).astype(np.int64),
        "clicks": observed["clicks"],
        "page_views": u["views"],
    })
    # Expected outcome of each user in each world, averaged: the true effect in this sample.
    rate_c, rate_t = u["rate"], u["rate"] * order_lift
    buy_c, buy_t = 1 - np.exp(-rate_c), 1 - np.exp(-rate_t)
    expected_clicks = u["views"] * u["ctr"]
    baselines = {
        "converted": float(np.mean(buy_c)),
        "revenue": float(np.mean(rate_c * u["value"])),
        "returned": float(np.mean(buy_c * BASE_RETURN)),
        "clicks": float(np.mean(expected_clicks)),
        "ctr": float(expected_clicks.sum() / u["views"].sum()),
    }
    treated_means = {
        "converted": float(np.mean(buy_t)),
        "revenue": float(np.mean(rate_t * u["value"] * value_lift)),
        "returned": float(np.mean(buy_t * return_rate)),
        "clicks": float(np.mean(expected_clicks * lift)),
        "ctr": float((expected_clicks * lift).sum() / u["views"].sum()),
    }
    effects = {k: treated_means[k] - baselines[k] for k in baselines}
    return frame, {"effects": effects, "baselines": baselines, "users": u}


def _describe(primary: str, kind: str, guardrails: list[str], run: dict[str, Any],
              issue: str, decision: str, story: str, metric: str | None = None) -> dict[str, Any]:
    key = metric or primary
    effect, base = run["effects"][key], run["baselines"][key]
    return {
        "primary": primary,
        "metric_kind": kind,
        "guardrails": guardrails,
        "true_effect": round(effect, 6),
        "control_mean": round(base, 6),
        "true_relative_lift": round(effect / base, 6) if base else 0.0,
        "sign": int(np.sign(round(effect, 9))),
        "planned_split": 0.5,
        "issue": issue,
        "decision": decision,
        "story": story,
    }


def make_experiments(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("experiments")
    frames, truth = [], {}
    guard = ["latency_ms", "unsubscribed", "returned"]

    frame, run = _run(rng, "free_shipping_banner", BANNER_USERS, order_lift=1.08, value_lift=1.05)
    frames.append(frame)
    truth["free_shipping_banner"] = _describe(
        "converted", "proportion", guard, run, "small real effect",
        "iterate: real, but below the 10% bar",
        "A free-shipping banner makes every user order 8 % more often and fill baskets 5 % "
        "fuller: real, but below the 10 % conversion lift the team needs to pay for the "
        "shipping it gives away.")
    truth["free_shipping_banner"]["bar"] = 0.10

    frame, run = _run(rng, "checkout_button_colour", N_USERS)
    frames.append(frame)
    truth["checkout_button_colour"] = _describe(
        "converted", "proportion", guard, run, "none", "no difference: keep the current colour",
        "The button colour changes nothing; any 'significant' result is a false positive.")

    frame, run = _run(rng, "recommended_for_you", N_USERS)
    # The bug: the new widget crashed for users with slow pages and few orders, and those
    # sessions never reached the logging call, so those treatment users are missing.
    u = run["users"]
    lost = u["treated"] & (u["z"] < 0) & (u["latency"] > 700) & (rng.random(N_USERS) < 0.4)
    frame = frame[~lost].reset_index(drop=True)
    frame["user_id"] = np.arange(1, len(frame) + 1)
    frames.append(frame)
    truth["recommended_for_you"] = _describe(
        "revenue", "mean", guard, run, "sample ratio mismatch", "do not trust: fix logging, rerun",
        "The widget does nothing, but treatment users who were unlikely to buy were dropped "
        "by a logging bug, so treatment looks better. The split should be 50/50.")
    truth["recommended_for_you"].update({
        "users_lost": int(lost.sum()),
        "treatment_share_observed": round(float((frame.variant == "treatment").mean()), 6)})

    frame, run = _run(rng, "homepage_video", N_USERS)
    exposure, weekly_truth = _exposure(rng, frame, run)
    frames.append(frame)
    truth["homepage_video"] = _describe(
        "clicks", "mean", ["latency_ms", "unsubscribed"], run, "novelty effect",
        "no lasting effect: do not ship for the lift",
        "The video draws clicks on a user's first days with it (+50 % on the first day), but "
        "the effect fades with each day of that user's exposure and is gone within weeks. "
        "Late arrivals have seen it for fewer days, so by arrival day the lift looks larger "
        "late in the test, not smaller.")
    truth["homepage_video"].update({
        "lift_by_exposure_day": [round(float(_novelty_lift(k)), 6) for k in range(TEST_DAYS)],
        "lift_by_exposure_week": weekly_truth,
        "long_run_relative_lift": 0.0})

    frame, run = _run(rng, "one_click_upsell", UPSELL_USERS, value_lift=1.25, return_rate=0.14)
    frames.append(frame)
    truth["one_click_upsell"] = _describe(
        "revenue", "mean", ["returned", "latency_ms", "unsubscribed"], run, "guardrail loses",
        "do not ship as is: returns rise",
        "Revenue per user rises 25 %, but buyers return items far more often (8 % to 14 %).")
    truth["one_click_upsell"]["guardrail_effects"] = {
        "returned": round(run["effects"]["returned"], 6),
        "returned_control_mean": round(run["baselines"]["returned"], 6)}

    frame, run = _run(rng, "personalised_feed", FEED_USERS, ctr_lift=1.10)
    frames.append(frame)
    truth["personalised_feed"] = _describe(
        "clicks / page_views", "ratio", guard, run, "ratio metric", "ship",
        "Click-through rate (clicks / page views) rises 10 %. The unit of analysis is the "
        "user, so the variance needs the delta method, not a per-page-view test.",
        metric="ctr")
    truth["personalised_feed"].update({"numerator": "clicks", "denominator": "page_views"})

    table = pd.concat(frames, ignore_index=True)
    table["experiment"] = table["experiment"].astype("str")
    table["variant"] = table["variant"].astype("str")
    exposure_truth = {"experiment": "homepage_video",
                      "lift_by_exposure_week": weekly_truth,
                      "decay_days": NOVELTY_DECAY_DAYS, "first_day_lift": NOVELTY_FIRST_DAY}
    return {"experiments": (table, truth), "video_exposure": (exposure, exposure_truth)}


NOVELTY_FIRST_DAY, NOVELTY_DECAY_DAYS = 0.5, 5.0


def _novelty_lift(exposed: np.ndarray | int) -> np.ndarray:
    """Relative lift in clicks on a user's day ``exposed`` since first seeing the video (0 = first)."""
    return NOVELTY_FIRST_DAY * np.exp(-np.asarray(exposed, dtype=float) / NOVELTY_DECAY_DAYS)


def _exposure(rng: np.random.Generator, frame: pd.DataFrame, run: dict[str, Any]
              ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Day-by-day clicks of the video test's users, from the day each first saw the page.

    Novelty belongs to a user's exposure: on their k-th day with the video a treated user
    clicks ``1 + _novelty_lift(k)`` times as often. The user-level ``clicks`` and
    ``page_views`` of ``frame`` become the sums over the user's days (the table is changed
    in place, and the run's true effects with it); the returned table has one row per user
    per week since first exposure, and the true lift in clicks per page view for each week.
    """
    u = run["users"]
    exposed_days = TEST_DAYS + 1 - u["day"]  # first seen on day d: days d..28
    k = np.arange(TEST_DAYS)
    present = k[None, :] < exposed_days[:, None]
    per_day = 7 * np.exp(0.4 * u["z"] - 0.08) / 14  # page views a day after the first visit
    expected_views = np.where(present, per_day[:, None], 0.0)
    expected_views[:, 0] += 1  # everybody views at least the page on which they were first seen
    views = np.where(present, rng.poisson(np.broadcast_to(per_day[:, None], present.shape)), 0)
    views[:, 0] += 1
    lift = np.where(u["treated"][:, None], 1 + _novelty_lift(k)[None, :], 1.0)
    ctr = np.clip(u["ctr"][:, None] * lift, 0, 1)
    clicks = rng.binomial(views, ctr)
    frame["clicks"] = clicks.sum(axis=1)
    frame["page_views"] = views.sum(axis=1)
    # True effects, from each user's expected clicks in both worlds (as _run does).
    ctr_c = np.broadcast_to(u["ctr"][:, None], present.shape)
    ctr_t = np.clip(ctr_c * (1 + _novelty_lift(k)[None, :]), 0, 1)
    base = (expected_views * ctr_c).sum(axis=1)
    treated = (expected_views * ctr_t).sum(axis=1)
    run["effects"]["clicks"] = float(np.mean(treated - base))
    run["baselines"]["clicks"] = float(np.mean(base))
    week = k // 7 + 1
    weekly_truth = {}
    for w in range(1, week.max() + 1):
        cols = week == w
        weekly_truth[str(w)] = round(float((expected_views[:, cols] * ctr_t[:, cols]).sum()
                                           / (expected_views[:, cols] * ctr_c[:, cols]).sum() - 1), 6)
    rows = []
    for w in range(1, week.max() + 1):
        cols = week == w
        has = present[:, cols].any(axis=1)
        rows.append(pd.DataFrame({
            "user_id": frame["user_id"].to_numpy()[has],
            "variant": frame["variant"].to_numpy()[has],
            "first_day": u["day"][has],
            "exposure_week": w,
            "days": present[has][:, cols].sum(axis=1),
            "page_views": views[has][:, cols].sum(axis=1),
            "clicks": clicks[has][:, cols].sum(axis=1),
        }))
    table = pd.concat(rows, ignore_index=True).sort_values(["user_id", "exposure_week"],
                                                            kind="stable").reset_index(drop=True)
    table["variant"] = table["variant"].astype("str")
    return table, weekly_truth


MAKERS = {make_experiments: ("experiments", "video_exposure")}


# ------------------------------------------------ lesson 17: the guarantee's own pilot --

GUARANTEE = "on_time_guarantee"
GUARANTEE_USERS = 4_400  # too few to see the lift that pays for the credits
GUARANTEE_ORDER_RATE = 0.6  # orders in 28 days of a Plus member who had a late order lately
GUARANTEE_LIFT = (0.02, 0.20)  # the true relative lift in orders is drawn per seed from this range


def make_guarantee_pilot(build: Any, columns: list[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The pilot of what lesson 17 would launch: Plus members offered the on-time guarantee.

    Members who had a late order in the last three months were split 50/50; the treatment
    arm was told that any month with a late order earns a credit. Trust brings orders back: the
    true relative lift in each member's order rate is drawn per seed (the team cannot know
    it in advance), so some seeds' pilots clear their bar and some cannot tell. Its own
    random stream keeps every other experiment byte-identical.
    """
    rng = build.rng(f"experiments:{GUARANTEE}")
    n = GUARANTEE_USERS
    lift = float(rng.uniform(*GUARANTEE_LIFT))
    z = rng.standard_normal(n)
    rate = GUARANTEE_ORDER_RATE * np.exp(0.8 * z - 0.32)
    value = ORDER_VALUE_MEDIAN * np.exp(ORDER_VALUE_SIGMA * rng.standard_normal(n))
    pre_revenue = rng.poisson(rate * PRE_DAYS / TEST_DAYS) * value
    treated = rng.random(n) < 0.5
    orders = rng.poisson(np.where(treated, rate * (1 + lift), rate))
    converted = orders > 0
    views = 1 + rng.poisson(9 * np.exp(0.3 * z))
    frame = pd.DataFrame({
        "experiment": GUARANTEE,
        "user_id": np.arange(1, n + 1),
        "variant": np.where(treated, "treatment", "control"),
        "day": 1 + np.floor(TEST_DAYS * rng.random(n) ** 1.3).astype(np.int64),
        "pre_revenue": np.round(pre_revenue, 2),
        "converted": converted.astype(np.int64),
        "revenue": np.round(orders * value, 2),
        "returned": (converted & (rng.random(n) < BASE_RETURN)).astype(np.int64),
        "latency_ms": np.round(LATENCY_MEDIAN_MS * np.exp(0.3 * rng.standard_normal(n))).astype(np.int64),
        "unsubscribed": (rng.random(n) < UNSUBSCRIBE).astype(np.int64),
        "clicks": rng.binomial(views, 0.05),
        "page_views": views,
    })[columns]
    buy_c, buy_t = 1 - np.exp(-rate), 1 - np.exp(-rate * (1 + lift))
    base, effect = float(buy_c.mean()), float((buy_t - buy_c).mean())
    truth = {
        "primary": "converted", "metric_kind": "proportion",
        # Returns per member follow orders (more buyers, more returns): not a guardrail here.
        "guardrails": ["unsubscribed", "latency_ms"],
        "true_effect": round(effect, 6), "control_mean": round(base, 6),
        "true_relative_lift": round(effect / base, 6), "sign": 1, "planned_split": 0.5,
        # Sized by habit, not for the lift that would pay for the credits (lesson 17 works it
        # out): whether this pilot can tell depends on the seed's draw.
        "true_order_lift": round(lift, 6), "issue": "underpowered",
        "decision": "pilot further unless the lift is clear of zero; judge it against the "
                    "break-even lift (lesson 17)",
        "story": "Plus members with a recent late order, promised a credit for any month with a "
                 "late order: trust brings some of their orders back.",
    }
    return frame, truth


def _experiments_with_guarantee(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    """Every experiment above, then the guarantee's pilot appended as rows of its own."""
    made = make_experiments(build)
    table, truth = made["experiments"]
    frame, pilot = make_guarantee_pilot(build, list(table.columns))
    table = pd.concat([table, frame], ignore_index=True)
    table["experiment"] = table["experiment"].astype("str")
    table["variant"] = table["variant"].astype("str")
    return {**made, "experiments": (table, {**truth, GUARANTEE: pilot})}


# Route whatever make_experiments registers through the wrapper, so tables it adds stay made.
MAKERS = {(_experiments_with_guarantee if maker is make_experiments else maker): tables
          for maker, tables in MAKERS.items()}
