"""Agile and lean delivery: team size, flow and delivery forecasts.

Small teams talk less and ship more; work flows faster when less of it is
started at once; and a forecast built from a team's own throughput history
beats a guess. This module gives each idea a plain function:

- ``communication_paths``: how many one-to-one conversations a team of n has.
- ``forecast_when`` / ``forecast_how_many``: Monte Carlo delivery forecasts
  that resample a team's weekly throughput history.
- ``littles_law`` and ``measured_flow``: work in progress, throughput and
  cycle time, and how they tie together.
- ``wsjf`` and ``delay_cost``: order work by cost of delay per week of effort.
- ``incremental_delivery``: what shipping thin slices early is worth compared
  with one big release at the end.

>>> communication_paths(8)
28
>>> forecast_when([3, 5, 4, 6, 2, 5], items=30, seed=1).weeks_for(0.85)
9
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmkit import _validate as check
from pmkit.display import BAD, GOOD, HIGHLIGHT, NEUTRAL, PALETTE, fmt, new_axes, pct, safe_repr
from pmkit.results import Result

#: Confidence levels shown in forecast tables: even odds up to near-certain.
DEFAULT_CONFIDENCE = (0.5, 0.7, 0.85, 0.95)
#: Enough trials for any percentile a plan needs; more only burns memory.
MAX_TRIALS = 1_000_000
#: A century of weeks: a forecast further out than this describes nothing real.
MAX_WEEKS = 5_200
#: Simulated team-weeks per forecast (a few seconds of work); beyond that, use fewer trials.
MAX_DRAWS = 200_000_000
# Simulated weekly draws held in memory at once (about 40 MB of float64).
_CHUNK = 5_000_000

__all__ = [
    "DEFAULT_CONFIDENCE",
    "MAX_DRAWS",
    "MAX_TRIALS",
    "MAX_WEEKS",
    "Flow",
    "HowManyForecast",
    "IncrementalDelivery",
    "WhenForecast",
    "WsjfRanking",
    "communication_paths",
    "delay_cost",
    "flow_from_items",
    "forecast_how_many",
    "forecast_when",
    "incremental_delivery",
    "littles_law",
    "measured_flow",
    "team_throughput",
    "weeks_between",
    "wsjf",
]


# --------------------------------------------------------------------------- checks


def _whole(value: Any, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in range (any size of int is compared exactly, never via float)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        whole = int(value)
    else:
        whole = check.count(value, name, minimum=minimum)
    if whole < minimum:
        raise ValueError(f"{name} should be at least {minimum}, got {whole}")
    if maximum is not None and whole > maximum:
        raise ValueError(f"{name} should be at most {maximum:,}, got {safe_repr(whole)}")
    return whole


_real = check.number


def _values(values: Any, name: str, **options: Any) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{name} should be one column of numbers, got a whole DataFrame; "
            f"pass one of its columns, e.g. frame['{name}']"
        )
    return check.array(values, name, **options)


def _history(throughput: Any) -> np.ndarray:
    """Weekly throughput: at least two weeks, no negatives, no gaps."""
    return _values(throughput, "throughput", min_size=2, low=0.0)


def _confidence(value: Any) -> float:
    return _real(value, "confidence", low=0.0, high=1.0, low_open=True, high_open=True)


def _confidences(values: Any) -> tuple[float, ...]:
    levels = _values(values, "confidence levels", low=0.0, high=1.0)
    if ((levels <= 0) | (levels >= 1)).any():
        raise ValueError("confidence levels should lie strictly between 0 and 1")
    return tuple(sorted(set(levels.tolist())))


def _seed(seed: Any) -> int:
    return _whole(seed, "seed", minimum=0, maximum=2**63 - 1)


def _date(value: Any, name: str) -> pd.Timestamp:
    """A calendar day from a string, date, datetime or Timestamp."""
    if not isinstance(value, str | dt.date | np.datetime64):  # pd.Timestamp is a dt.date
        raise TypeError(f"{name} should be a date such as '2026-03-02', got {safe_repr(value)}")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} should be a date such as '2026-03-02', got {safe_repr(value)}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} should be a real date, got a missing value")
    return stamp.normalize()


# --------------------------------------------------------------------------- team size


def communication_paths(n: int) -> int:
    """One-to-one conversations possible in a team of ``n`` people: n(n-1)/2.

    Adding people adds conversations faster than it adds hands, which is why
    small teams move quicker.

    >>> [communication_paths(n) for n in (2, 5, 10, 20)]
    [1, 10, 45, 190]
    """
    people = _whole(n, "n (team size)")
    return people * (people - 1) // 2


# --------------------------------------------------------------------------- forecasts


def _draw_weeks(history: np.ndarray, rows: int, weeks: int, rng: np.random.Generator) -> np.ndarray:
    """``rows`` x ``weeks`` weekly throughputs resampled from the history."""
    return history[rng.integers(0, history.size, size=(rows, weeks))]


def _weeks_needed(history: np.ndarray, items: int, trials: int, rng: np.random.Generator) -> np.ndarray:
    """For each trial, the week in which the running total first reaches ``items``."""
    mean = float(history.mean())
    if mean == 0:
        raise ValueError("throughput history is all zeros: at that pace the items are never done")
    if items / mean > MAX_WEEKS:
        raise ValueError(
            f"{items:,} items at about {fmt(mean)} a week would take over {MAX_WEEKS:,} weeks; "
            "split the work or check the throughput history"
        )
    _check_work(trials, items / mean)
    needed = np.zeros(trials, dtype=np.int64)
    done = np.zeros(trials)
    still_open = np.arange(trials)
    elapsed = 0
    # Draw a few weeks beyond the expected finish at once; loop only for the slow tail.
    block = max(8, math.ceil(1.5 * items / mean) + 8)
    while still_open.size:
        if elapsed >= MAX_WEEKS:
            raise ValueError(
                f"some simulated futures had not finished {items:,} items after {MAX_WEEKS:,} weeks; "
                "the throughput history has too many empty weeks to forecast this"
            )
        width = max(1, min(block, _CHUNK // still_open.size, MAX_WEEKS - elapsed))
        running = done[still_open, None] + np.cumsum(
            _draw_weeks(history, still_open.size, width, rng), axis=1
        )
        reached = running >= items
        finished = reached[:, -1]
        needed[still_open[finished]] = elapsed + 1 + reached[finished].argmax(axis=1)
        done[still_open] = running[:, -1]
        still_open = still_open[~finished]
        elapsed += width
    return needed


def _check_work(trials: int, weeks: float) -> None:
    if trials * weeks > MAX_DRAWS:
        raise ValueError(
            f"{trials:,} trials of about {weeks:,.0f} weeks each is more simulation than a forecast "
            f"needs (limit {MAX_DRAWS:,} simulated weeks); use fewer trials"
        )


def _items_done(history: np.ndarray, weeks: int, trials: int, rng: np.random.Generator) -> np.ndarray:
    _check_work(trials, weeks)
    total = np.zeros(trials)
    step = max(1, _CHUNK // trials)
    for first in range(0, weeks, step):
        total += _draw_weeks(history, trials, min(step, weeks - first), rng).sum(axis=1)
    return total


def _as_counts(values: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Whole-item histories give whole-item forecasts (story points stay fractional)."""
    if np.all(history == np.round(history)):
        return np.round(values).astype(np.int64)
    return values


def _at_most(outcomes: np.ndarray, confidence: float) -> float:
    """Smallest x with P(outcome <= x) >= confidence: 'done BY x' with that confidence."""
    return float(np.quantile(outcomes, confidence, method="inverted_cdf"))


def _at_least(outcomes: np.ndarray, confidence: float) -> float:
    """Largest x with P(outcome >= x) >= confidence: 'AT LEAST x' with that confidence."""
    return float(-np.quantile(-outcomes, confidence, method="inverted_cdf"))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, repr=False)
class WhenForecast(Result):
    """When will ``items`` be done? One simulated finishing week per trial."""

    items: int
    history_weeks: int
    trials: int
    seed: int
    weeks: np.ndarray = field(repr=False)
    start: pd.Timestamp | None = field(default=None, repr=False)
    confidence: tuple[float, ...] = field(default=DEFAULT_CONFIDENCE, repr=False)

    def weeks_for(self, confidence: float = 0.85) -> int:
        """The week by which all items are done in ``confidence`` of simulated futures.

        Reads the upper end of the distribution: 85% sure means only 15% of
        futures finish later.
        """
        return int(_at_most(self.weeks, _confidence(confidence)))

    def date_for(self, confidence: float = 0.85) -> pd.Timestamp:
        """The calendar date matching ``weeks_for`` (needs ``start``)."""
        if self.start is None:
            raise ValueError("this forecast has no start date; pass start='YYYY-MM-DD' to forecast_when")
        return self.start + pd.Timedelta(weeks=self.weeks_for(confidence))

    def chance_within(self, weeks: int) -> float:
        """Share of simulated futures that finish within ``weeks`` weeks."""
        horizon = _whole(weeks, "weeks")
        return float(np.mean(self.weeks <= horizon))

    def to_frame(self) -> pd.DataFrame:
        """One row per confidence level: 'done within this many weeks'."""
        rows = {"confidence": list(self.confidence),
                "done_within_weeks": [self.weeks_for(c) for c in self.confidence]}
        if self.start is not None:
            rows["done_by"] = [self.date_for(c) for c in self.confidence]
        return pd.DataFrame(rows)

    def _when(self, confidence: float) -> str:
        weeks = self.weeks_for(confidence)
        text = f"{weeks} week{'s' if weeks != 1 else ''}"
        if self.start is not None:
            text += f" (by {self.date_for(confidence):%Y-%m-%d})"
        return text

    def title(self) -> str:
        return "Delivery forecast: when will it be done?"

    def summary(self) -> str:
        return (
            f"We are 85% sure the {self.items:,} items are done within {self._when(0.85)}; "
            f"half the simulated futures finish within {self._when(0.5)} "
            f"({self.trials:,} futures resampled from {self.history_weeks} weeks of throughput)."
        )

    def _card_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("items", f"{self.items:,}"),
            ("history", f"{self.history_weeks} weeks"),
            ("simulated futures", f"{self.trials:,}"),
        ]
        rows += [(f"{pct(c, 0)} sure done within", self._when(c)) for c in self.confidence]
        return rows

    def plot(self, ax: Any = None) -> Any:
        """Share of simulated futures finishing in each week, with the 85% line."""
        ax = new_axes(ax)
        weeks, counts = np.unique(self.weeks, return_counts=True)
        line = self.weeks_for(0.85)
        colours = [PALETTE[0] if w <= line else NEUTRAL for w in weeks]
        hatches = ["" if w <= line else HIGHLIGHT for w in weeks]  # beyond the line: hatched too
        ax.bar(weeks, counts / self.trials, color=colours, hatch=hatches, width=0.8)
        ax.axvline(line + 0.5, color=PALETTE[1], linestyle="--", label=f"85% done by week {line}")
        ax.set_xlabel(f"Week in which all {self.items:,} items are done")
        ax.set_ylabel("Share of simulated futures")
        ax.set_title(f"85% sure: {self.items:,} items done within {self._when(0.85)}")
        ax.legend(frameon=False)
        return ax


@dataclass(frozen=True, repr=False)
class HowManyForecast(Result):
    """How many items by a date? One simulated total per trial."""

    weeks: int
    history_weeks: int
    trials: int
    seed: int
    items: np.ndarray = field(repr=False)
    confidence: tuple[float, ...] = field(default=DEFAULT_CONFIDENCE, repr=False)

    def items_for(self, confidence: float = 0.85) -> int | float:
        """The number of items at least reached in ``confidence`` of simulated futures.

        Reads the lower end of the distribution: 85% sure of at least X means
        only 15% of futures deliver fewer.
        """
        return _number(_at_least(self.items, _confidence(confidence)))

    def chance_of_at_least(self, items: float) -> float:
        """Share of simulated futures that deliver at least ``items``."""
        target = _real(items, "items")
        return float(np.mean(self.items >= target))

    def to_frame(self) -> pd.DataFrame:
        """One row per confidence level: 'at least this many items'."""
        return pd.DataFrame({
            "confidence": list(self.confidence),
            "at_least_items": [self.items_for(c) for c in self.confidence],
        })

    def title(self) -> str:
        return "Delivery forecast: how much by the date?"

    def summary(self) -> str:
        return (
            f"In {self.weeks} week{'s' if self.weeks != 1 else ''} we are 85% sure of finishing at "
            f"least {fmt(self.items_for(0.85))} items, and even odds of at least "
            f"{fmt(self.items_for(0.5))} ({self.trials:,} futures resampled from "
            f"{self.history_weeks} weeks of throughput)."
        )

    def _card_rows(self) -> list[tuple[str, Any]]:
        rows: list[tuple[str, Any]] = [
            ("weeks", f"{self.weeks:,}"),
            ("history", f"{self.history_weeks} weeks"),
            ("simulated futures", f"{self.trials:,}"),
        ]
        rows += [(f"{pct(c, 0)} sure of at least", f"{fmt(self.items_for(c))} items")
                 for c in self.confidence]
        return rows

    def plot(self, ax: Any = None) -> Any:
        """Distribution of items done, with the 85%-sure floor marked."""
        ax = new_axes(ax)
        floor = self.items_for(0.85)
        values, counts = np.unique(self.items, return_counts=True)
        if values.size > 60:  # fractional points: bin them rather than draw a bar each
            counts, edges = np.histogram(self.items, bins=40)
            values = (edges[:-1] + edges[1:]) / 2
            width = float(edges[1] - edges[0]) * 0.9
        else:
            width = 0.8
        colours = [PALETTE[0] if v >= floor else NEUTRAL for v in values]
        hatches = ["" if v >= floor else HIGHLIGHT for v in values]  # below the floor: hatched too
        ax.bar(values, counts / self.trials, color=colours, hatch=hatches, width=width)
        ax.axvline(floor, color=PALETTE[1], linestyle="--", label=f"85% sure of at least {fmt(floor)}")
        ax.set_xlabel(f"Items done in {self.weeks} weeks")
        ax.set_ylabel("Share of simulated futures")
        ax.set_title(f"85% sure of at least {fmt(floor)} items in {self.weeks} weeks")
        ax.legend(frameon=False)
        return ax


def forecast_when(throughput: Sequence[float] | np.ndarray | pd.Series, items: int, *,
                  trials: int = 10_000, seed: int = 0, start: Any = None,
                  confidence: Sequence[float] = DEFAULT_CONFIDENCE) -> WhenForecast:
    """Monte Carlo forecast of the week by which ``items`` are all done.

    Each trial replays the future by drawing weeks at random (with
    replacement) from the team's ``throughput`` history until the running
    total reaches ``items``. ``start`` (a date) turns weeks into dates.

    >>> f = forecast_when([3, 5, 4, 6, 2, 5], items=30, seed=1, start="2026-03-02")
    >>> f.weeks_for(0.85), f"{f.date_for(0.85):%Y-%m-%d}"
    (9, '2026-05-04')
    >>> f.to_frame()
       confidence  done_within_weeks    done_by
    0        0.50                  8 2026-04-27
    1        0.70                  8 2026-04-27
    2        0.85                  9 2026-05-04
    3        0.95                  9 2026-05-04
    """
    history = _history(throughput)
    target = _whole(items, "items", minimum=1, maximum=10**9)
    runs = _whole(trials, "trials", minimum=100, maximum=MAX_TRIALS)
    seed = _seed(seed)
    begin = None if start is None else _date(start, "start")
    levels = _confidences(confidence)
    weeks = _weeks_needed(history, target, runs, np.random.default_rng(seed))
    return WhenForecast(target, history.size, runs, seed, weeks, begin, levels)


def forecast_how_many(throughput: Sequence[float] | np.ndarray | pd.Series, weeks: int, *,
                      trials: int = 10_000, seed: int = 0,
                      confidence: Sequence[float] = DEFAULT_CONFIDENCE) -> HowManyForecast:
    """Monte Carlo forecast of how many items get done in the next ``weeks`` weeks.

    Each trial adds up ``weeks`` weeks drawn at random (with replacement)
    from the team's ``throughput`` history. Use ``weeks_between`` to turn a
    launch date into weeks.

    >>> f = forecast_how_many([3, 5, 4, 6, 2, 5], weeks=10, seed=1)
    >>> f.items_for(0.85), f.items_for(0.5)
    (37, 42)
    """
    history = _history(throughput)
    horizon = _whole(weeks, "weeks", minimum=1, maximum=MAX_WEEKS)
    runs = _whole(trials, "trials", minimum=100, maximum=MAX_TRIALS)
    seed = _seed(seed)
    levels = _confidences(confidence)
    totals = _items_done(history, horizon, runs, np.random.default_rng(seed))
    return HowManyForecast(horizon, history.size, runs, seed, _as_counts(totals, history), levels)


def weeks_between(start: Any, end: Any) -> int:
    """Whole weeks from ``start`` to ``end`` (dates); partial weeks don't count.

    >>> weeks_between("2026-03-02", "2026-05-15")
    10
    """
    begin, finish = _date(start, "start"), _date(end, "end")
    if finish < begin:
        raise ValueError(f"end ({finish:%Y-%m-%d}) comes before start ({begin:%Y-%m-%d})")
    return (finish - begin).days // 7


def team_throughput(frame: pd.DataFrame, team: str, *, team_column: str = "team",
                    week_column: str = "week", done_column: str = "items_done") -> np.ndarray:
    """One team's weekly items done, in week order, from a throughput table.

    >>> table = pd.DataFrame({"team": ["a", "a", "b"], "week": [2, 1, 1],
    ...                       "items_done": [5, 3, 9]})
    >>> team_throughput(table, "a")
    array([3., 5.])
    """
    check.columns(frame, [team_column, week_column, done_column], "the throughput table")
    if not isinstance(team, str | numbers.Integral) or isinstance(team, bool):
        raise TypeError(f"team should be a team name, got {safe_repr(team)}")
    rows = frame[frame[team_column] == team]
    if rows.empty:
        teams = ", ".join(map(str, pd.unique(frame[team_column].dropna())))
        raise ValueError(f"no rows for team {team!r}; teams present: {teams or 'none'}")
    if rows[week_column].duplicated().any():
        raise ValueError(f"team {team!r} has more than one row for the same week")
    ordered = rows.sort_values(week_column)[done_column]
    return _values(ordered.to_numpy(), f"{done_column} for team {team!r}", min_size=2, low=0.0)


# --------------------------------------------------------------------------- flow


@dataclass(frozen=True, repr=False)
class Flow(Result):
    """Work in progress, throughput (items a week) and cycle time (weeks), tied by Little's law."""

    wip: float
    throughput: float
    cycle_time: float
    solved_for: str = ""

    def title(self) -> str:
        return "Flow: work in progress, throughput and cycle time"

    def summary(self) -> str:
        return (
            f"With {fmt(self.wip)} items in progress and {fmt(self.throughput)} finished a week, "
            f"an item takes {fmt(self.cycle_time)} weeks on average from start to done "
            f"(Little's law: cycle time = WIP / throughput)."
        )


def littles_law(*, wip: float | None = None, throughput: float | None = None,
                cycle_time: float | None = None) -> Flow:
    """Give two of WIP, throughput (items/week) and cycle time (weeks); get all three.

    In a stable system, average WIP = throughput x average cycle time. Halve
    the work in progress at the same throughput and each item gets done in
    half the time.

    >>> littles_law(wip=12, throughput=4).cycle_time
    3.0
    >>> littles_law(throughput=4, cycle_time=1.5).wip
    6.0
    """
    given = {"wip": wip, "throughput": throughput, "cycle_time": cycle_time}
    missing = [name for name, value in given.items() if value is None]
    if len(missing) != 1:
        raise ValueError("give exactly two of wip, throughput and cycle_time; the third is computed")
    known = {name: _real(value, name, low=0.0, low_open=True)
             for name, value in given.items() if value is not None}
    if missing == ["wip"]:
        known["wip"] = known["throughput"] * known["cycle_time"]
    elif missing == ["throughput"]:
        known["throughput"] = known["wip"] / known["cycle_time"]
    else:
        known["cycle_time"] = known["wip"] / known["throughput"]
    if not all(math.isfinite(v) and v > 0 for v in known.values()):
        raise ValueError("these numbers are too extreme to combine; check their units")
    return Flow(known["wip"], known["throughput"], known["cycle_time"], missing[0])


def measured_flow(started: Sequence[float] | np.ndarray, finished: Sequence[float] | np.ndarray,
                  *, window: tuple[float, float]) -> Flow:
    """WIP, throughput and cycle time measured from work items within a time window.

    ``started`` and ``finished`` are times in weeks (NaN in ``finished`` means
    still open). Average WIP counts the item-weeks in progress inside
    ``window``; throughput counts finishes inside it; cycle time averages the
    items finished inside it. Over a long window, WIP ~ throughput x cycle time.

    >>> flow = measured_flow([0, 1, 2, 3], [2, 3, 4, 5], window=(0, 6))
    >>> round(flow.wip, 3), round(flow.throughput, 3), flow.cycle_time
    (1.333, 0.667, 2.0)
    """
    begin = _values(started, "started")
    end = _values(finished, "finished", finite=False)
    check.same_length(started=begin, finished=end)
    if np.isinf(end).any():
        raise ValueError("finished contains infinite values; use NaN for items still open")
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise TypeError(f"window should be (first_week, last_week), got {safe_repr(window)}")
    low = _real(window[0], "window start")
    high = _real(window[1], "window end")
    if high <= low:
        raise ValueError(f"window end ({high}) should come after its start ({low})")
    done = ~np.isnan(end)
    if (end[done] < begin[done]).any():
        raise ValueError("some items finish before they start; check the two columns")
    length = high - low
    open_until = np.where(done, end, high)
    in_progress = np.clip(np.minimum(open_until, high) - np.maximum(begin, low), 0, None).sum()
    finished_inside = done & (end >= low) & (end <= high)
    if not finished_inside.any():
        raise ValueError("no item finishes inside the window, so throughput and cycle time are unknown")
    cycle = float((end[finished_inside] - begin[finished_inside]).mean())
    wip = float(in_progress / length)
    throughput = float(finished_inside.sum() / length)
    return Flow(wip, throughput, cycle, "measured")


def flow_from_items(frame: pd.DataFrame, *, window: tuple[Any, Any], team: str | None = None,
                    finished: str = "finished", cycle_days: str = "cycle_days") -> Flow:
    """``measured_flow`` for a table of finished work items with dates and cycle days.

    Each item was in progress from ``finished - cycle_days`` to ``finished``.
    ``window`` is a pair of dates; keep its end a few cycle times before the
    data ends, because items still open then are not in a table of finished work.

    >>> items = pd.DataFrame({"finished": pd.to_datetime(["2026-01-08", "2026-01-15"]),
    ...                       "cycle_days": [7, 7]})
    >>> flow = flow_from_items(items, window=("2026-01-01", "2026-01-15"))
    >>> flow.throughput, flow.cycle_time, flow.wip
    (1.0, 1.0, 1.0)
    """
    needed = [finished, cycle_days] + (["team"] if team is not None else [])
    check.columns(frame, needed, "the work items table")
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise TypeError(f"window should be (first_date, last_date), got {safe_repr(window)}")
    low, high = _date(window[0], "window start"), _date(window[1], "window end")
    if high <= low:
        raise ValueError(f"window end ({high:%Y-%m-%d}) should come after its start ({low:%Y-%m-%d})")
    rows = frame
    if team is not None:
        rows = frame[frame["team"] == team]
        if rows.empty:
            teams = ", ".join(map(str, pd.unique(frame["team"].dropna())))
            raise ValueError(f"no work items for team {team!r}; teams present: {teams or 'none'}")
    try:
        done = pd.to_datetime(rows[finished])
    except (TypeError, ValueError):
        raise TypeError(f"column {finished!r} should hold dates") from None
    if done.isna().any():
        raise ValueError(f"column {finished!r} has missing dates")
    days = _values(rows[cycle_days].to_numpy(), cycle_days, min_size=1, low=0.0)
    # Weeks since the window opens keep measured_flow's units: items per week, weeks.
    end_weeks = ((done - low) / pd.Timedelta(days=7)).to_numpy(dtype=float)
    return measured_flow(end_weeks - days / 7, end_weeks,
                         window=(0.0, (high - low) / pd.Timedelta(days=7)))


# --------------------------------------------------------------------------- cost of delay


def _costs_and_durations(cost_of_delay: Any, duration: Any) -> tuple[np.ndarray, np.ndarray]:
    cost = _values(cost_of_delay, "cost_of_delay", low=0.0)
    size = _values(duration, "duration", low=0.0)
    check.same_length(cost_of_delay=cost, duration=size)
    if (size <= 0).any():
        raise ValueError("every duration should be positive (weeks of work)")
    return cost, size


def delay_cost(cost_of_delay: Sequence[float] | np.ndarray, duration: Sequence[float] | np.ndarray,
               order: Sequence[int] | None = None) -> float:
    """Total cost of delay when items are done one after another in ``order``.

    Each item costs its ``cost_of_delay`` (value lost per week) for every week
    until it is finished. ``order`` lists item positions; the default is as given.

    >>> delay_cost([10, 1], [1, 5])            # urgent small job first
    16.0
    >>> delay_cost([10, 1], [1, 5], order=[1, 0])
    65.0
    """
    cost, size = _costs_and_durations(cost_of_delay, duration)
    sequence = np.arange(cost.size) if order is None else _order(order, cost.size)
    finish = np.cumsum(size[sequence])
    return float((cost[sequence] * finish).sum())


def _order(order: Any, n: int) -> np.ndarray:
    positions = _values(order, "order")
    if not np.array_equal(np.sort(positions), np.arange(n)):
        raise ValueError(f"order should list each position 0..{n - 1} exactly once")
    return positions.astype(np.int64)


@dataclass(frozen=True, repr=False)
class WsjfRanking(Result):
    """Items ranked by weighted shortest job first (cost of delay / duration)."""

    names: tuple[str, ...]
    cost_of_delay: tuple[float, ...]
    duration: tuple[float, ...]
    wsjf_cost: float
    listed_cost: float

    @property
    def scores(self) -> np.ndarray:
        return np.asarray(self.cost_of_delay) / np.asarray(self.duration)

    @property
    def order(self) -> list[int]:
        """Item positions, highest score first (ties keep the listed order)."""
        return np.argsort(-self.scores, kind="stable").tolist()

    @property
    def saving(self) -> float:
        """Delay cost avoided by the WSJF order compared with the listed order."""
        return self.listed_cost - self.wsjf_cost

    def to_frame(self) -> pd.DataFrame:
        """Items in WSJF order with their score, finish week and delay cost."""
        order = self.order
        cost = np.asarray(self.cost_of_delay)[order]
        finish = np.cumsum(np.asarray(self.duration)[order])
        return pd.DataFrame({
            "item": [self.names[i] for i in order],
            "cost_of_delay": cost,
            "duration": np.asarray(self.duration)[order],
            "wsjf": self.scores[order],
            "finish_week": finish,
            "delay_cost": cost * finish,
        })

    def title(self) -> str:
        return "WSJF ranking"

    def summary(self) -> str:
        first = self.names[self.order[0]]
        text = f"Do {first!s} first. Working in WSJF order costs {fmt(self.wsjf_cost)} in delay"
        if self.saving > 0:
            share = self.saving / self.listed_cost
            return text + f", {pct(share)} less than the {fmt(self.listed_cost)} of the order listed."
        return text + ", the same as the order listed."

    def _card_rows(self) -> list[tuple[str, Any]]:
        return [
            ("do first", self.names[self.order[0]]),
            ("delay cost, WSJF order", fmt(self.wsjf_cost)),
            ("delay cost, as listed", fmt(self.listed_cost)),
            ("saved", fmt(self.saving)),
        ]

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of WSJF score, top item first."""
        ax = new_axes(ax)
        table = self.to_frame()
        ax.barh(table["item"][::-1], table["wsjf"][::-1], color=PALETTE[0])
        ax.set_xlabel("WSJF score (cost of delay per week of work)")
        ax.set_ylabel("Item")
        ax.set_title(
            f"Do {table['item'].iloc[0]} first: {fmt(table['wsjf'].iloc[0])} of delay cost "
            "avoided per week of work"
        )
        return ax


def wsjf(cost_of_delay: Sequence[float] | np.ndarray, duration: Sequence[float] | np.ndarray,
         names: Sequence[str] | None = None) -> WsjfRanking:
    """Rank work by weighted shortest job first: cost of delay per week of work.

    Doing the highest cost-of-delay/duration first minimises the total cost
    of delay of a one-at-a-time sequence (Smith's rule).

    >>> ranking = wsjf([10, 1, 4], [1, 5, 2], names=["fix", "rebuild", "filter"])
    >>> ranking.to_frame()[["item", "wsjf"]]
          item  wsjf
    0      fix  10.0
    1   filter   2.0
    2  rebuild   0.2
    """
    cost, size = _costs_and_durations(cost_of_delay, duration)
    if names is None:
        labels = tuple(f"item {i + 1}" for i in range(cost.size))
    else:
        if isinstance(names, str) or not isinstance(names, Sequence | np.ndarray | pd.Series):
            raise TypeError(f"names should be a list of item names, got {safe_repr(names)}")
        labels = tuple(str(name) for name in names)
        check.same_length(cost_of_delay=cost, names=labels)
        if len(set(labels)) != len(labels):
            raise ValueError("names should be unique")
    scores = cost / size
    order = np.argsort(-scores, kind="stable")
    best = float((cost[order] * np.cumsum(size[order])).sum())
    listed = float((cost * np.cumsum(size)).sum())
    return WsjfRanking(labels, tuple(cost.tolist()), tuple(size.tolist()), best, listed)


# --------------------------------------------------------------------------- incremental delivery


@dataclass(frozen=True, repr=False)
class IncrementalDelivery(Result):
    """Value earned by a horizon when slices ship as they are done vs all at the end."""

    horizon_weeks: float
    incremental_value: float
    big_bang_value: float
    first_value_week: float
    big_bang_week: float
    slice_value: tuple[float, ...] = field(repr=False)
    slice_weeks: tuple[float, ...] = field(repr=False)

    @property
    def ship_weeks(self) -> np.ndarray:
        """The week each slice goes live when shipped one by one."""
        return np.cumsum(self.slice_weeks)

    def curve(self) -> pd.DataFrame:
        """Cumulative value earned by each week, for both ways of shipping."""
        week = np.arange(0, math.floor(self.horizon_weeks) + 1, dtype=float)
        if week[-1] != self.horizon_weeks:
            week = np.append(week, self.horizon_weeks)
        value = np.asarray(self.slice_value)
        live = np.clip(week[:, None] - self.ship_weeks[None, :], 0, None)
        big_bang = value.sum() * np.clip(week - self.big_bang_week, 0, None)
        return pd.DataFrame({"week": week, "incremental": live @ value, "big_bang": big_bang})

    def to_frame(self) -> pd.DataFrame:
        """One row per slice: when it goes live and what it earns by the horizon."""
        ship = self.ship_weeks
        value = np.asarray(self.slice_value)
        return pd.DataFrame({
            "slice": np.arange(1, ship.size + 1),
            "value_per_week": value,
            "live_from_week": ship,
            "value_by_horizon": value * np.clip(self.horizon_weeks - ship, 0, None),
        })

    def summary(self) -> str:
        text = (
            f"Shipping {len(self.slice_value)} slices as they are done earns "
            f"{fmt(self.incremental_value)} by week {fmt(self.horizon_weeks)}, versus "
            f"{fmt(self.big_bang_value)} from one release at the end"
        )
        return text + (
            f"; first value arrives in week {fmt(self.first_value_week)} "
            f"instead of week {fmt(self.big_bang_week)}."
        )

    def plot(self, ax: Any = None) -> Any:
        """Cumulative value over time: thin slices early vs one big release."""
        ax = new_axes(ax)
        curve = self.curve()
        ax.plot(curve["week"], curve["incremental"], color=GOOD, label="ship each slice when done")
        ax.plot(curve["week"], curve["big_bang"], color=BAD, linestyle="--",
                label="ship everything at the end")
        ax.set_xlabel("Week")
        ax.set_ylabel("Cumulative value earned")
        if self.big_bang_value > 0:
            ratio = f"{self.incremental_value / self.big_bang_value:.1f}x the value"
        else:
            ratio = "value while one big release earns nothing"
        ax.set_title(f"Thin slices earn {ratio} by week {fmt(self.horizon_weeks)}")
        ax.legend(frameon=False)
        return ax


def incremental_delivery(slice_value: Sequence[float] | np.ndarray,
                         slice_weeks: Sequence[float] | np.ndarray,
                         horizon_weeks: float) -> IncrementalDelivery:
    """Compare shipping each slice when it is built with one release at the end.

    ``slice_value`` is what each slice earns per week once live, in build
    order; ``slice_weeks`` is how long each takes to build. Slices are built
    one after another either way; only the release differs.

    >>> result = incremental_delivery([5, 3, 2], [2, 2, 2], horizon_weeks=12)
    >>> result.incremental_value, result.big_bang_value
    (86.0, 60.0)
    """
    value = _values(slice_value, "slice_value", low=0.0)
    weeks = _values(slice_weeks, "slice_weeks", low=0.0)
    check.same_length(slice_value=value, slice_weeks=weeks)
    if (weeks <= 0).any():
        raise ValueError("every slice should take a positive number of weeks to build")
    horizon = _real(horizon_weeks, "horizon_weeks", low=0.0, low_open=True, high=MAX_WEEKS)
    ship = np.cumsum(weeks)
    incremental = float((value * np.clip(horizon - ship, 0, None)).sum())
    big_bang = float(value.sum() * max(0.0, horizon - ship[-1]))
    if not (math.isfinite(incremental) and math.isfinite(big_bang)):
        raise ValueError("these values are too large to add up; check their units")
    return IncrementalDelivery(horizon, incremental, big_bang, float(ship[0]), float(ship[-1]),
                               tuple(value.tolist()), tuple(weeks.tolist()))
