"""Agile and lean: two years of delivery history for six teams of different sizes.

The truth behind it: a team of ``n`` people finishes on average
``PER_PERSON * n * exp(-OVERHEAD * (n - 1))`` items a week, so each extra person adds
less (coordination costs grow with team size) and cycle times get longer as teams
grow. Weekly counts are Poisson, holiday weeks are nearly empty and the odd incident
week stops a team, so zero weeks happen. ``throughput`` is counted from ``work_items``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TEAMS = (("Checkout", 3), ("Search", 5), ("Catalogue", 7), ("Payments", 9),
         ("Logistics", 12), ("Platform", 15))
PER_PERSON, OVERHEAD = 0.9, 0.06
CYCLE_MEDIAN_DAYS, CYCLE_GROWTH, CYCLE_SIGMA = 4.0, 0.08, 0.7
MAX_CYCLE_DAYS = 180  # older items were closed as abandoned, not finished
INCIDENT_WEEK = 0.04  # chance that an incident stops a team for a week
FIRST_WEEK, N_WEEKS = np.datetime64("2024-01-01", "D"), 104  # Mondays


def weekly_rate(team_size: int | np.ndarray) -> np.ndarray:
    """True mean items finished per week by a team of this size.

    >>> round(float(weekly_rate(3)), 2)
    2.39
    """
    n = np.asarray(team_size, dtype=float)
    return PER_PERSON * n * np.exp(-OVERHEAD * (n - 1))


def make_delivery(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("delivery")
    mondays = FIRST_WEEK + 7 * np.arange(N_WEEKS)
    week_of_year = (mondays.astype("datetime64[D]") - mondays.astype("datetime64[Y]")).astype(
        np.int64) // 7
    holiday = week_of_year >= 51
    counts, items = [], []
    for team, size in TEAMS:
        factor = np.where(holiday, 0.05, 1.0) * (rng.random(N_WEEKS) >= INCIDENT_WEEK)
        done = rng.poisson(weekly_rate(size) * factor)
        counts.append(pd.DataFrame({"team": team, "team_size": size,
                                    "week": mondays.astype("datetime64[s]"), "items_done": done}))
        finished = np.repeat(mondays, done) + rng.integers(0, 5, done.sum())
        median = CYCLE_MEDIAN_DAYS * (1 + CYCLE_GROWTH * (size - 3))
        cycle = np.floor(rng.lognormal(np.log(median), CYCLE_SIGMA, done.sum()))
        cycle = np.minimum(cycle, MAX_CYCLE_DAYS).astype(np.int64)
        items.append(pd.DataFrame({"team": team, "finished": finished, "cycle_days": cycle}))
    throughput = pd.concat(counts, ignore_index=True)
    throughput["team"] = throughput["team"].astype("str")
    work = pd.concat(items, ignore_index=True).sort_values(["finished", "team"], kind="stable")
    work = work.reset_index(drop=True)
    started = work.finished.to_numpy().astype("datetime64[D]") - work.cycle_days.to_numpy()
    work_items = pd.DataFrame({
        "team": work.team.astype("str"),
        "item_id": np.arange(1, len(work) + 1),
        "started": pd.Series(started.astype("datetime64[s]")),
        "finished": pd.Series(work.finished.to_numpy().astype("datetime64[s]")),
        "cycle_days": work.cycle_days.to_numpy(),
    })
    sizes = [size for _, size in TEAMS]
    shared = {
        "teams": {team: {"team_size": size, "weekly_rate": round(float(weekly_rate(size)), 6),
                         "per_person": round(float(weekly_rate(size)) / size, 6),
                         "cycle_median_days": round(CYCLE_MEDIAN_DAYS * (1 + CYCLE_GROWTH * (size - 3)),
                                                    6)}
                  for team, size in TEAMS},
        "formula": "weekly_rate = 0.9 * size * exp(-0.06 * (size - 1))",
        "per_person_rate": PER_PERSON,
        "overhead_per_extra_person": OVERHEAD,
        # The share of a team's usual rate an average week delivers, holidays and incidents
        # included: what a forecast from the history should see.
        "average_week_factor": round(float(np.mean(np.where(holiday, 0.05, 1.0))
                                           * (1 - INCIDENT_WEEK)), 6),
        "holiday_weeks": "weeks starting on or after 23 December run at 5 % of the usual rate",
        "incident_week_probability": INCIDENT_WEEK,
        "cycle_time": "floor(lognormal(median = 4 * (1 + 0.08 * (size - 3)), sigma = 0.7)) days, "
                      "capped at 180",
        "most_items_per_person": TEAMS[int(np.argmax(weekly_rate(sizes) / np.asarray(sizes)))][0],
    }
    return {"throughput": (throughput, shared), "work_items": (work_items, shared)}


MAKERS = {make_delivery: ("throughput", "work_items")}
