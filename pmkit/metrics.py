"""Metrics that matter: funnels, cohorts, metric trees and segment mixes.

Four tools a product manager reaches for before trusting a number:

- ``funnel`` / ``session_funnel`` / ``funnel_by``: how many people reach each step,
  and where they leave.
- ``cohort_table`` / ``retention_curve`` / ``compare_retention``: do customers come
  back, and does the curve flatten (a product people keep) or slide to zero?
- ``decompose_change``: an output metric is a product of drivers (revenue =
  visitors x conversion x order value); split a change into exact, additive parts.
- ``compare_segments`` / ``compare_segments_table``: compare two groups segment by
  segment, and catch Simpson's paradox, where the overall comparison points the
  other way from every segment because the groups have a different mix.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmkit import _validate
from pmkit.display import (
    BAD,
    GOOD,
    HATCHES,
    HIGHLIGHT,
    LINESTYLES,
    MARKERS,
    NEUTRAL,
    PALETTE,
    fmt,
    new_axes,
    pct,
    plain,
    safe_repr,
)
from pmkit.results import Result

__all__ = [
    "SESSION_STEPS",
    "ChangeDecomposition",
    "CohortTable",
    "DiffInDiff",
    "Funnel",
    "FunnelComparison",
    "RateChange",
    "RetentionComparison",
    "RetentionCurve",
    "SegmentComparison",
    "cohort_table",
    "cohort_table_from_counts",
    "compare_retention",
    "compare_segments",
    "compare_segments_table",
    "decompose_change",
    "difference_in_differences",
    "funnel",
    "funnel_by",
    "rate_change",
    "retention_curve",
    "session_funnel",
]

#: The purchase path of a Basketly session, in order. ``search`` is left out on
#: purpose: many buyers never search, so it is a side door, not a step.
SESSION_STEPS = ("visit", "product_view", "add_to_cart", "checkout", "purchase")


# --------------------------------------------------------------------------- helpers


def _labels(values: Any, name: str, size: int | None = None) -> tuple[str, ...]:
    """Names for steps, segments or drivers: a non-empty sequence of distinct labels."""
    if isinstance(values, str | bytes) or values is None or isinstance(values, Mapping):
        raise TypeError(f"{name} should be a list of names, got {safe_repr(values)}")
    if not isinstance(values, Sequence | np.ndarray | pd.Index | pd.Series):
        raise TypeError(f"{name} should be a list of names, got {safe_repr(values)}")
    out = []
    for value in values:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{name} contains a missing name")
        if value is None or not isinstance(value, str | numbers.Number):
            raise TypeError(f"{name} should contain names (text or numbers), got {safe_repr(value)}")
        out.append(str(value))
    if not out:
        raise ValueError(f"{name} is empty")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} should not repeat a name, got {out}")
    if size is not None and len(out) != size:
        raise ValueError(f"{name} has {len(out)} names but there are {size} values")
    return tuple(out)


def _counts(values: Any, name: str, min_size: int = 1) -> np.ndarray:
    """Whole, non-negative counts as an int array."""
    arr = _validate.array(values, name, min_size=min_size, low=0)
    if not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} should contain whole numbers, got {safe_repr(values)}")
    if arr.max(initial=0) > 2**53:
        raise ValueError(f"{name} holds a count too large to be exact ({arr.max():.3g})")
    return arr.astype(np.int64)


def _boolean_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column of yes/no flags (bool, or 0/1 without gaps) as a bool array."""
    series = frame[column]
    if series.isna().any():
        raise ValueError(f"column {column!r} has {int(series.isna().sum())} missing value(s)")
    if series.dtype == bool:
        return series.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series) and series.isin([0, 1]).all():
        return series.to_numpy().astype(bool)
    raise TypeError(f"column {column!r} should hold True/False flags, got dtype {series.dtype}")


def _label_column(frame: pd.DataFrame, column: str) -> pd.Series:
    series = frame[column]
    if series.isna().any():
        raise ValueError(f"column {column!r} has {int(series.isna().sum())} missing value(s)")
    return series.astype(str)


def _nonempty(frame: pd.DataFrame, what: str) -> None:
    if len(frame) == 0:
        raise ValueError(f"{what} has no rows")


def _signed(value: float) -> str:
    """A change with its sign, rounded for a sentence: +1,730 or -0.0123."""
    return f"{value:+,.0f}" if abs(value) >= 100 else f"{value:+.3g}"


def _direction(diff: float, tol: float = 1e-12) -> int:
    return 0 if abs(diff) <= tol else (1 if diff > 0 else -1)


# --------------------------------------------------------------------------- funnels


@dataclass(frozen=True, repr=False)
class Funnel(Result):
    """How many people reached each step of a path, and where they left."""

    steps: tuple[str, ...] = field(compare=False)
    counts: tuple[int, ...] = field(compare=False)
    entered: int
    completed: int
    overall_conversion: float
    biggest_drop: str

    @property
    def step_conversion(self) -> tuple[float, ...]:
        """Share of each step's people who reached the next step (one per transition)."""
        return tuple(b / a for a, b in zip(self.counts[:-1], self.counts[1:], strict=True))

    @property
    def drop_off(self) -> tuple[float, ...]:
        """Share lost at each transition: ``1 - step_conversion``."""
        return tuple(1 - c for c in self.step_conversion)

    def summary(self) -> str:
        worst = self.steps.index(self.biggest_drop)
        lost = self.drop_off[worst - 1]
        return (
            f"{pct(self.overall_conversion)} of {self.entered:,} who reached "
            f"{self.steps[0]!r} got to {self.steps[-1]!r}. The biggest leak is into "
            f"{self.biggest_drop!r}: {pct(lost)} of those at {self.steps[worst - 1]!r} stop there."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per step: count, conversion from the previous step and from the start."""
        counts = np.array(self.counts, dtype=float)
        from_previous = np.concatenate([[np.nan], counts[1:] / counts[:-1]])
        return pd.DataFrame(
            {
                "count": np.array(self.counts, dtype=np.int64),
                "from_previous": from_previous,
                "from_start": counts / counts[0],
                "drop_off": 1 - from_previous,
            },
            index=pd.Index(self.steps, name="step"),
        )

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        y = np.arange(len(self.steps))[::-1]
        colours = [BAD if s == self.biggest_drop else PALETTE[0] for s in self.steps]
        hatches = [HIGHLIGHT if s == self.biggest_drop else "" for s in self.steps]
        ax.barh(y, self.counts, color=colours, hatch=hatches)
        for yi, count in zip(y, self.counts, strict=True):
            ax.text(count, yi, f" {count / self.counts[0]:.0%}", va="center")
        ax.set_yticks(y, self.steps)
        ax.set_xlabel("people reaching the step")
        ax.set_ylabel("step")
        ax.set_title(f"Biggest leak: into {self.biggest_drop}")
        return ax


def funnel(counts: Sequence[int] | np.ndarray, steps: Sequence[str] | None = None) -> Funnel:
    """A funnel from the number of people reaching each step, in order.

    Each step can hold no more people than the one before it.

    >>> f = funnel([1000, 400, 100, 80, 60], ["visit", "view", "cart", "checkout", "buy"])
    >>> f.overall_conversion
    0.06
    >>> f.biggest_drop
    'cart'
    """
    arr = _counts(counts, "counts", min_size=2)
    names = _labels(steps, "steps", len(arr)) if steps is not None else tuple(
        f"step {i + 1}" for i in range(len(arr))
    )
    if arr[0] == 0:
        raise ValueError("counts: nobody entered the funnel (the first count is 0)")
    rises = np.flatnonzero(np.diff(arr) > 0)
    if rises.size:
        i = int(rises[0])
        raise ValueError(
            f"counts: step {names[i + 1]!r} has more people ({arr[i + 1]}) than "
            f"{names[i]!r} ({arr[i]}); each step must be reached through the one before"
        )
    empty = np.flatnonzero(arr[:-1] == 0)
    if empty.size:
        raise ValueError(
            f"counts: nobody reached {names[int(empty[0])]!r}, so conversion beyond it is undefined"
        )
    conversion = arr[1:] / arr[:-1]
    worst = int(np.argmin(conversion)) + 1
    return Funnel(
        steps=names,
        counts=tuple(int(c) for c in arr),
        entered=int(arr[0]),
        completed=int(arr[-1]),
        overall_conversion=float(arr[-1] / arr[0]),
        biggest_drop=names[worst],
    )


def _reached(sessions: pd.DataFrame, steps: Sequence[str]) -> np.ndarray:
    """(sessions x steps) flags: reached this step *through* every earlier one."""
    names = _labels(steps, "steps")
    if len(names) < 2:
        raise ValueError("steps needs at least two columns to make a funnel")
    _validate.columns(sessions, names, "sessions")
    _nonempty(sessions, "sessions")
    flags = np.column_stack([_boolean_column(sessions, s) for s in names])
    return np.logical_and.accumulate(flags, axis=1)


def session_funnel(sessions: pd.DataFrame, steps: Sequence[str] = SESSION_STEPS) -> Funnel:
    """A funnel from a table with one row per session and a True/False column per step.

    A session counts at a step only if it also passed every earlier step, so a
    purchase logged without a checkout does not inflate the later steps.

    >>> import pandas as pd
    >>> s = pd.DataFrame({"visit": [True] * 4, "view": [True, True, True, False],
    ...                   "buy": [True, False, False, False]})
    >>> session_funnel(s, steps=["visit", "view", "buy"]).counts
    (4, 3, 1)
    """
    reached = _reached(sessions, steps)
    return funnel(reached.sum(axis=0), list(steps))


@dataclass(frozen=True, repr=False)
class FunnelComparison(Result):
    """The same funnel, side by side for each segment (device, source, ...)."""

    by: str
    steps: tuple[str, ...] = field(compare=False)
    segments: tuple[str, ...] = field(compare=False)
    funnels: tuple[Funnel, ...] = field(compare=False)
    best_segment: str
    worst_segment: str
    gap_step: str

    def summary(self) -> str:
        best, worst = self[self.best_segment], self[self.worst_segment]
        return (
            f"By {self.by}, {self.best_segment!r} converts best ({pct(best.overall_conversion)}) "
            f"and {self.worst_segment!r} worst ({pct(worst.overall_conversion)}); "
            f"the gap opens most at the step into {self.gap_step!r}."
        )

    def __getitem__(self, segment: str) -> Funnel:
        if not isinstance(segment, str):
            raise TypeError(f"segment should be a name, got {safe_repr(segment)}")
        if segment not in self.segments:
            raise KeyError(f"no segment {segment!r}; segments: {', '.join(self.segments)}")
        return self.funnels[self.segments.index(segment)]

    def to_frame(self) -> pd.DataFrame:
        """Rows: segments; columns: share of the segment's sessions reaching each step."""
        data = [np.array(f.counts) / f.counts[0] for f in self.funnels]
        frame = pd.DataFrame(data, index=pd.Index(self.segments, name=self.by), columns=self.steps)
        frame.insert(0, "sessions", [f.entered for f in self.funnels])
        return frame

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        x = np.arange(len(self.steps))
        for i, f in enumerate(self.funnels):
            ax.plot(x, np.array(f.counts) / f.counts[0], marker=MARKERS[i % len(MARKERS)],
                    linestyle=LINESTYLES[i % len(LINESTYLES)],
                    color=PALETTE[i % len(PALETTE)], label=self.segments[i])
        ax.set_xticks(x, self.steps)
        ax.set_ylabel("share of sessions reaching the step")
        ax.set_xlabel("step")
        _percent_axis(ax)
        ax.legend(title=self.by, frameon=False)
        ax.set_title(f"{self.worst_segment} falls behind at {self.gap_step}")
        return ax


def funnel_by(sessions: pd.DataFrame, by: str, steps: Sequence[str] = SESSION_STEPS
              ) -> FunnelComparison:
    """One funnel per segment of column ``by`` (e.g. device or traffic source).

    >>> import pandas as pd
    >>> s = pd.DataFrame({"device": ["app", "app", "web", "web"], "visit": [True] * 4,
    ...                   "buy": [True, True, True, False]})
    >>> funnel_by(s, "device", steps=["visit", "buy"]).worst_segment
    'web'
    """
    if not isinstance(by, str):
        raise TypeError(f"by should be a column name, got {safe_repr(by)}")
    reached = _reached(sessions, steps)
    _validate.columns(sessions, [by], "sessions")
    labels = _label_column(sessions, by)
    segments = tuple(sorted(labels.unique()))
    if len(segments) < 2:
        raise ValueError(f"column {by!r} has a single segment ({segments[0]!r}); nothing to compare")
    names = _labels(steps, "steps")
    funnels = []
    for segment in segments:
        counts = reached[(labels == segment).to_numpy()].sum(axis=0)
        try:
            funnels.append(funnel(counts, names))
        except ValueError as exc:
            raise ValueError(f"segment {by}={segment!r}: {exc}") from None
    overall = np.array([f.overall_conversion for f in funnels])
    best, worst = int(np.argmax(overall)), int(np.argmin(overall))
    # Where does the worst segment lose the most ground relative to the best?
    ratio = np.log(np.array(funnels[worst].step_conversion)) - np.log(
        np.array(funnels[best].step_conversion)
    )
    gap = int(np.argmin(ratio)) + 1
    return FunnelComparison(
        by=by, steps=names, segments=segments, funnels=tuple(funnels),
        best_segment=segments[best], worst_segment=segments[worst], gap_step=names[gap],
    )


# --------------------------------------------------------------------------- retention


@dataclass(frozen=True, repr=False)
class RetentionCurve(Result):
    """Share of a cohort active in each period after it started."""

    periods: tuple[int, ...] = field(compare=False)
    rates: tuple[float, ...] = field(compare=False)
    cohort_size: int
    flattens_at: int | None
    final_rate: float
    label: str = "cohort"
    tolerance: float = field(default=0.1, repr=False)
    #: Customers active, and customers observed (the denominator), in each period.
    active: tuple[int, ...] = field(default=(), compare=False, repr=False)
    observed: tuple[int, ...] = field(default=(), compare=False, repr=False)

    def summary(self) -> str:
        first = self.rates[1] if len(self.rates) > 1 else self.rates[0]
        text = (
            f"Of {self.cohort_size:,} customers ({self.label}), {pct(first)} were active in "
            f"period {self.periods[min(1, len(self.periods) - 1)]} and {pct(self.final_rate)} "
            f"in period {self.periods[-1]}."
        )
        if self.flattens_at is None:
            return text + " The curve has not flattened yet."
        return text + (
            f" It flattens from period {self.flattens_at}: from there each period keeps at "
            f"least {pct(1 - self.tolerance, 0)} of the one before."
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"retention": self.rates}, index=pd.Index(self.periods, name="period"))

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        ax.plot(self.periods, self.rates, marker="o", color=PALETTE[0], label=self.label)
        if self.flattens_at is not None:
            ax.axvline(self.flattens_at, color=NEUTRAL, linestyle="--", linewidth=1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("periods since joining")
        ax.set_ylabel("share of cohort active")
        title = ("Retention flattens" if self.flattens_at is not None else "Retention still falling")
        ax.set_title(f"{title}: {pct(self.final_rate, 0)} active by period {self.periods[-1]}")
        return ax


def _flattens_at(rates: np.ndarray, tolerance: float, window: int = 2) -> int | None:
    """First period from which ``window`` periods in a row each keep >= 1 - tolerance.

    A run of calm periods, not every later one: the tail of a pooled curve rests
    on a few old cohorts, and one noisy month there should not erase a plateau.
    """
    if rates.size < window + 1:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        # A cohort that reached zero has not flattened; it has gone.
        kept = np.where(rates[:-1] > 0, rates[1:] / rates[:-1], 0.0)
    calm = np.lib.stride_tricks.sliding_window_view(kept >= 1 - tolerance, window).all(axis=1)
    found = np.flatnonzero(calm)
    return int(found[0]) if found.size else None


def retention_curve(active: Sequence[float] | np.ndarray, cohort_size: int | None = None, *,
                    tolerance: float = 0.1, label: str = "cohort") -> RetentionCurve:
    """A retention curve from the number of cohort members active in each period (0, 1, ...).

    ``cohort_size`` defaults to the count in period 0. The curve "flattens" from the
    first period after which no period loses more than ``tolerance`` of the one before.

    >>> c = retention_curve([1000, 500, 350, 300, 290, 285, 282])
    >>> c.rates[:3]
    (1.0, 0.5, 0.35)
    >>> c.flattens_at
    3
    """
    arr = _counts(active, "active", min_size=1)
    size = int(arr[0]) if cohort_size is None else _validate.count(cohort_size, "cohort_size", minimum=1)
    if size == 0:
        raise ValueError("active: the cohort is empty (period 0 count is 0); give cohort_size")
    if arr.max() > size:
        raise ValueError(f"active: a period has {arr.max()} active, more than the cohort size {size}")
    tol = _validate.probability(tolerance, "tolerance", open_interval=True)
    if not isinstance(label, str):
        raise TypeError(f"label should be text, got {safe_repr(label)}")
    rates = arr / size
    return RetentionCurve(
        periods=tuple(range(arr.size)), rates=tuple(float(r) for r in rates), cohort_size=size,
        flattens_at=_flattens_at(rates, tol), final_rate=float(rates[-1]), label=label,
        tolerance=tol, active=tuple(int(a) for a in arr), observed=(size,) * arr.size,
    )


_PERIODS = ("month", "week")


def _period_index(dates: pd.Series, period: str) -> np.ndarray:
    """Whole periods since 1970 for each date (months or Monday-start weeks)."""
    if period == "month":
        return (dates.dt.year.to_numpy() - 1970) * 12 + dates.dt.month.to_numpy() - 1
    days = (dates.dt.normalize() - pd.Timestamp("1970-01-05")).dt.days.to_numpy()
    return np.floor_divide(days, 7)


def _period_label(index: int, period: str) -> str:
    if period == "month":
        return f"{1970 + index // 12}-{index % 12 + 1:02d}"
    return str((pd.Timestamp("1970-01-05") + pd.Timedelta(weeks=int(index))).date())


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    try:
        dates = pd.to_datetime(frame[column])
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"column {column!r} should hold dates ({exc})") from None
    if dates.isna().any():
        raise ValueError(f"column {column!r} has {int(dates.isna().sum())} missing date(s)")
    return dates


@dataclass(frozen=True, repr=False)
class CohortTable(Result):
    """A cohort triangle: rows are cohorts, columns periods since joining."""

    period: str
    cohorts: tuple[str, ...] = field(compare=False)
    sizes: tuple[int, ...] = field(compare=False)
    active: np.ndarray = field(compare=False, repr=False)
    customers: int
    periods_observed: int

    @property
    def rates(self) -> np.ndarray:
        """Share of each cohort active in each period; NaN where not yet observed."""
        sizes = np.array(self.sizes, dtype=float)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.active >= 0, self.active / sizes, np.nan)

    def summary(self) -> str:
        curve = self.curve()
        text = (f"{len(self.cohorts)} {self.period}ly cohorts, {self.customers:,} customers: "
                f"{pct(curve.rates[min(1, len(curve.rates) - 1)])} active in their second "
                f"{self.period}, {pct(curve.final_rate)} in {self.period} {curve.periods[-1]}.")
        if curve.flattens_at is None:
            return text + " The pooled curve has not flattened yet."
        return text + f" The pooled curve flattens from {self.period} {curve.flattens_at}."

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(
            self.rates, index=pd.Index(self.cohorts, name="cohort"),
            columns=pd.Index(range(self.active.shape[1]), name=f"{self.period}s since joining"),
        )
        frame.insert(0, "size", self.sizes)
        return frame

    def curve(self, cohorts: Sequence[str] | None = None, *, tolerance: float = 0.1,
              label: str | None = None) -> RetentionCurve:
        """The pooled retention curve of the chosen cohorts (all by default).

        At each age only the cohorts already observed that long count, so young
        cohorts never drag the later periods down.
        """
        rows = np.arange(len(self.cohorts))
        if cohorts is not None:
            chosen = _labels(cohorts, "cohorts")
            unknown = [c for c in chosen if c not in self.cohorts]
            if unknown:
                raise ValueError(f"unknown cohort(s) {unknown}; cohorts: {', '.join(self.cohorts)}")
            rows = np.array([self.cohorts.index(c) for c in chosen])
        active = self.active[rows]
        sizes = np.array(self.sizes)[rows]
        observed = active >= 0
        ages = int(observed.any(axis=0).sum())
        pooled_active = np.where(observed, active, 0).sum(axis=0)[:ages]
        pooled_size = (observed * sizes[:, None]).sum(axis=0)[:ages]
        if pooled_size[0] == 0:
            raise ValueError("the chosen cohorts have no customers")
        rates = pooled_active / pooled_size
        tol = _validate.probability(tolerance, "tolerance", open_interval=True)
        name = label if label is not None else (
            "all cohorts" if cohorts is None else f"{len(rows)} cohort(s)"
        )
        return RetentionCurve(
            periods=tuple(range(ages)), rates=tuple(float(r) for r in rates),
            cohort_size=int(sizes.sum()), flattens_at=_flattens_at(rates, tol),
            final_rate=float(rates[-1]), label=str(name), tolerance=tol,
            active=tuple(int(a) for a in pooled_active),
            observed=tuple(int(n) for n in pooled_size),
        )

    def plot(self, ax: Any = None) -> Any:
        from matplotlib.ticker import PercentFormatter

        ax = new_axes(ax, size=(6.4, max(2.4, 0.25 * len(self.cohorts) + 1)))
        rates = np.asarray(self.rates, dtype=float)
        # Colours span the rates after joining (everyone is active in the joining period): on a
        # 0-1 scale the differences between cohorts, a few points, would all look alike.
        later = rates[:, 1:] if rates.shape[1] > 1 and np.isfinite(rates[:, 1:]).any() else rates
        low, high = float(np.nanmin(later)), float(np.nanmax(later))
        image = ax.imshow(rates, aspect="auto", cmap="viridis", vmin=low, vmax=max(high, low + 1e-9))
        ax.figure.colorbar(image, ax=ax, label="share of the cohort active", format=PercentFormatter(1))
        step = max(1, len(self.cohorts) // 12)
        ax.set_yticks(range(0, len(self.cohorts), step), self.cohorts[::step])
        ax.set_xlabel(f"{self.period}s since joining")
        ax.set_ylabel("cohort")
        curve = self.curve()
        ax.set_title(f"Cohorts keep about {pct(curve.final_rate, 0)} by {self.period} "
                     f"{curve.periods[-1]}")
        return ax


def cohort_table(events: pd.DataFrame, *, customer: str = "customer_id", date: str = "date",
                 signups: pd.DataFrame | None = None, signup_date: str = "signup_date",
                 period: str = "month") -> CohortTable:
    """A cohort triangle from an activity log (one row per order, visit, ...).

    A customer's cohort is the period of their first event, or of their
    ``signup_date`` when a ``signups`` table is given (then customers who never
    came back still count in their cohort's size). A cohort is observed up to
    the last period in ``events``; later cells are NaN, not zero.

    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
    ...     "date": pd.to_datetime(["2025-01-03", "2025-02-10", "2025-01-20",
    ...                             "2025-03-01", "2025-02-14"])})
    >>> cohort_table(orders).to_frame()["size"].tolist()
    [2, 1]
    >>> [round(r, 3) for r in cohort_table(orders).curve().rates]
    [1.0, 0.333, 0.5]
    """
    for name, value in (("customer", customer), ("date", date), ("signup_date", signup_date)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    period = _validate.one_of(period, "period", _PERIODS)
    _validate.columns(events, [customer, date], "events")
    _nonempty(events, "events")
    if events[customer].isna().any():
        raise ValueError(f"column {customer!r} has missing customer ids")
    event_period = _period_index(_dates(events, date), period)
    ids = events[customer].to_numpy()
    first = _joining_periods(ids, event_period, signups, customer, signup_date, period)
    start, last = int(first.min()), int(event_period.max())
    if last < start:
        raise ValueError("every signup is after the last event; nothing to observe")
    sizes, active = _triangle(ids, event_period, first, start, last)
    present = sizes > 0  # calendar gaps with no new customers are not cohorts
    return CohortTable(
        period=period,
        cohorts=tuple(_period_label(start + i, period) for i in np.flatnonzero(present)),
        sizes=tuple(int(s) for s in sizes[present]),
        active=active[present],
        customers=int(sizes.sum()),
        periods_observed=last - start + 1,
    )


def _joining_periods(ids: np.ndarray, event_period: np.ndarray, signups: Any, customer: str,
                     signup_date: str, period: str) -> pd.Series:
    """Each customer's cohort: the period of their signup, or else of their first event."""
    if signups is None:
        return pd.Series(event_period).groupby(ids).min()
    _validate.columns(signups, [customer, signup_date], "signups")
    _nonempty(signups, "signups")
    if signups[customer].duplicated().any():
        raise ValueError(f"signups has repeated {customer!r} values; give one row per customer")
    first = pd.Series(_period_index(_dates(signups, signup_date), period),
                      index=signups[customer].to_numpy())
    unknown = ~pd.Index(ids).isin(first.index)
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} event(s) belong to customers not in signups")
    return first


def _triangle(ids: np.ndarray, event_period: np.ndarray, first: pd.Series, start: int,
              last: int) -> tuple[np.ndarray, np.ndarray]:
    """Cohort sizes, and distinct active customers per cohort and age (-1: not yet observed)."""
    n = last - start + 1
    joined = first.to_numpy().astype(np.int64)
    sizes = np.bincount(joined[joined <= last] - start, minlength=n)
    cohort = first.reindex(ids).to_numpy().astype(np.int64)
    age = event_period - cohort
    keep = age >= 0  # activity before signing up does not count as retention
    pairs = pd.DataFrame({"c": cohort[keep] - start, "a": age[keep], "id": ids[keep]})
    pairs = pairs[pairs["c"] < n].drop_duplicates()
    active = np.zeros((n, n), dtype=np.int64)
    np.add.at(active, (pairs["c"].to_numpy(np.int64), pairs["a"].to_numpy(np.int64)), 1)
    observable = np.arange(n)[None, :] <= (n - 1 - np.arange(n))[:, None]
    return sizes, np.where(observable, active, -1)


def cohort_table_from_counts(counts: pd.DataFrame, *, cohort: str = "cohort",
                             age: str = "tenure_month", active: str = "members",
                             period: str = "month") -> CohortTable:
    """A cohort triangle from counts already aggregated: one row per cohort and age.

    Each cohort's size is its count at age 0; ages a cohort has not reached are
    simply absent from ``counts``.

    >>> import pandas as pd
    >>> counts = pd.DataFrame({"cohort": ["2025-01", "2025-01", "2025-02"],
    ...                        "tenure_month": [0, 1, 0], "members": [200, 150, 100]})
    >>> cohort_table_from_counts(counts).curve().rates
    (1.0, 0.75)
    """
    for name, value in (("cohort", cohort), ("age", age), ("active", active)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    period = _validate.one_of(period, "period", _PERIODS)
    _validate.columns(counts, [cohort, age, active], "counts")
    _nonempty(counts, "counts")
    ages = _counts(counts[age].to_numpy(), f"column {age!r}")
    values = _counts(counts[active].to_numpy(), f"column {active!r}")
    if counts[cohort].isna().any():
        raise ValueError(f"column {cohort!r} has missing cohorts")
    labels = counts[cohort]
    if pd.api.types.is_datetime64_any_dtype(labels):
        labels = labels.dt.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")
    labels = labels.astype(str)
    if pd.DataFrame({"c": labels, "a": ages}).duplicated().any():
        raise ValueError(f"counts has more than one row for the same {cohort} and {age}")
    names, rows = np.unique(labels.to_numpy(), return_inverse=True)
    grid = np.full((names.size, int(ages.max()) + 1), -1, dtype=np.int64)
    grid[rows, ages] = values
    sizes = grid[:, 0]
    if (sizes < 0).any():
        missing = names[np.flatnonzero(sizes < 0)[0]]
        raise ValueError(f"cohort {missing!r} has no row at {age} 0, so its size is unknown")
    if (sizes == 0).any():
        raise ValueError(f"cohort {names[np.flatnonzero(sizes == 0)[0]]!r} is empty at {age} 0")
    if (grid > sizes[:, None]).any():
        bad = names[np.flatnonzero((grid > sizes[:, None]).any(axis=1))[0]]
        raise ValueError(f"cohort {bad!r} has more {active} later than at {age} 0")
    return CohortTable(
        period=period, cohorts=tuple(str(n) for n in names), sizes=tuple(int(v) for v in sizes),
        active=grid, customers=int(sizes.sum()), periods_observed=int(grid.shape[1]),
    )


@dataclass(frozen=True, repr=False)
class RetentionComparison(Result):
    """Two retention curves compared at one period, with a two-proportion z-test."""

    labels: tuple[str, str] = field(compare=False)
    period: int
    rate_a: float
    rate_b: float
    difference: float
    z: float
    p_value: float
    alpha: float
    significant: bool
    curve_a: RetentionCurve = field(compare=False, repr=False)
    curve_b: RetentionCurve = field(compare=False, repr=False)

    def _accent(self) -> str:
        return GOOD if self.significant and self.difference > 0 else (
            BAD if self.significant else NEUTRAL)

    def summary(self) -> str:
        a, b = self.labels
        verdict = ("a real difference" if self.significant else
                   "not distinguishable from noise")
        return (
            f"In period {self.period}, {pct(self.rate_b)} active ({b}) against "
            f"{pct(self.rate_a)} ({a}): {100 * self.difference:+.1f} points, p = "
            f"{self.p_value:.3g}, {verdict} at alpha = {self.alpha:g}."
        )

    def to_frame(self) -> pd.DataFrame:
        n = min(len(self.curve_a.rates), len(self.curve_b.rates))
        a, b = self.labels
        return pd.DataFrame(
            {a: self.curve_a.rates[:n], b: self.curve_b.rates[:n]},
            index=pd.Index(range(n), name="period"),
        ).assign(difference=lambda f: f[b] - f[a])

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        for i, curve in enumerate((self.curve_a, self.curve_b)):
            ax.plot(curve.periods, curve.rates, marker=MARKERS[i], linestyle=LINESTYLES[i], color=PALETTE[i],
                    label=self.labels[i])
        ax.axvline(self.period, color=NEUTRAL, linestyle="--", linewidth=1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("periods since joining")
        ax.set_ylabel("share of cohort active")
        ax.legend(frameon=False)
        better = self.labels[1] if self.difference > 0 else self.labels[0]
        ax.set_title(f"{better} retains better in period {self.period}"
                     + ("" if self.significant else " (within noise)"))
        return ax


def compare_retention(before: RetentionCurve, after: RetentionCurve, period: int, *,
                      alpha: float = 0.05) -> RetentionComparison:
    """Compare two cohorts' retention at ``period`` (a pooled two-proportion z-test).

    >>> a = retention_curve([1000, 400, 300, 280])
    >>> b = retention_curve([1000, 450, 350, 330])
    >>> r = compare_retention(a, b, period=3)
    >>> round(r.difference, 2), r.significant
    (0.05, True)
    """
    for name, curve in (("before", before), ("after", after)):
        if not isinstance(curve, RetentionCurve):
            raise TypeError(f"{name} should be a RetentionCurve, got {type(curve).__name__}")
    period = _validate.count(period, "period", minimum=0)
    alpha = _validate.probability(alpha, "alpha", open_interval=True)
    longest = min(len(before.rates), len(after.rates)) - 1
    if period > longest:
        raise ValueError(f"period should be at most {longest}, the last period both curves observe")
    # Young cohorts drop out of a pooled curve, so each period has its own denominator.
    n_a, n_b = before.observed[period], after.observed[period]
    x_a, x_b = before.active[period], after.active[period]
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        z, p_value = 0.0, 1.0
    else:
        z = (p_b - p_a) / se
        p_value = math.erfc(abs(z) / math.sqrt(2))
    labels = (before.label, after.label) if before.label != after.label else ("before", "after")
    return RetentionComparison(
        labels=labels, period=period, rate_a=p_a, rate_b=p_b, difference=p_b - p_a, z=z,
        p_value=p_value, alpha=alpha, significant=p_value < alpha, curve_a=before, curve_b=after,
    )


# --------------------------------------------------------------------------- metric trees

_METHODS = ("shapley", "log")


@dataclass(frozen=True, repr=False)
class ChangeDecomposition(Result):
    """A change in an output metric split into the part each driver caused.

    The output is the product of the drivers; the parts add up exactly to the
    change (Shapley: each driver's average effect over every order of applying
    the changes; log: the logarithmic-mean split, for positive drivers).
    """

    output: str
    drivers: tuple[str, ...] = field(compare=False)
    before: tuple[float, ...] = field(compare=False)
    after: tuple[float, ...] = field(compare=False)
    contributions: tuple[float, ...] = field(compare=False)
    output_before: float
    output_after: float
    change: float
    relative_change: float
    main_driver: str
    method: str

    @property
    def shares(self) -> tuple[float, ...]:
        """Each driver's contribution as a fraction of the total change (NaN if no change)."""
        if self.change == 0:
            return tuple(math.nan for _ in self.contributions)
        return tuple(c / self.change for c in self.contributions)

    def summary(self) -> str:
        direction = "rose" if self.change > 0 else ("fell" if self.change < 0 else "held steady")
        text = f"{self.output.capitalize()} {direction}"
        if self.change == 0:
            return text + f" at {fmt(self.output_before)}; the drivers' moves cancel out."
        part = self.contributions[self.drivers.index(self.main_driver)]
        text += f" {pct(abs(self.relative_change))} ({fmt(self.output_before)} to {fmt(self.output_after)})"
        if abs(part) > abs(self.change):
            return text + (f"; {self.main_driver} alone moved it {_signed(part)}, more than the "
                           f"net {_signed(self.change)}: the other drivers offset part of it.")
        return text + (f"; {self.main_driver} accounts for {_signed(part)} of the "
                       f"{_signed(self.change)} change.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"before": self.before, "after": self.after,
             "relative_change": np.array(self.after) / np.array(self.before) - 1,
             "contribution": self.contributions, "share_of_change": self.shares},
            index=pd.Index(self.drivers, name="driver"),
        )

    def plot(self, ax: Any = None) -> Any:
        """A waterfall from the old output to the new one, one bar per driver."""
        ax = new_axes(ax)
        level = self.output_before
        ax.bar(0, level, color=NEUTRAL)
        for i, part in enumerate(self.contributions, start=1):
            # Rises and falls hatched apart, so the sign is not told by colour alone.
            ax.bar(i, part, bottom=level, color=GOOD if part >= 0 else BAD,
                   hatch=HATCHES[4] if part >= 0 else HATCHES[1])
            level += part
        ax.bar(len(self.drivers) + 1, self.output_after, color=NEUTRAL)
        ax.set_xticks(range(len(self.drivers) + 2),
                      [f"{plain(self.output)}\nbefore", *map(plain, self.drivers),
                       f"{plain(self.output)}\nafter"])
        ax.set_ylabel(plain(self.output))
        ax.set_xlabel("driver")
        ax.set_title(f"{self.main_driver} explains most of the change in {self.output}")
        return ax


def _driver_values(values: Any, name: str) -> tuple[tuple[str, ...] | None, np.ndarray]:
    if isinstance(values, Mapping):
        names = _labels(list(values.keys()), f"{name} keys")
        arr = _validate.array(list(values.values()), name)
        return names, arr
    return None, _validate.array(values, name)


def _shapley(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    n = before.size
    parts = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for changed in itertools.combinations(others, size):
                values = before.copy()
                values[list(changed)] = after[list(changed)]
                without = np.prod(values)
                values[i] = after[i]
                parts[i] += weight * (np.prod(values) - without)
    return parts


def _log_split(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    y0, y1 = float(np.prod(before)), float(np.prod(after))
    log_mean = y0 if math.isclose(y0, y1, rel_tol=1e-12) else (y1 - y0) / math.log(y1 / y0)
    parts = log_mean * np.log(after / before)
    # Rounding only: the parts sum to y1 - y0 in exact arithmetic.
    return parts + (y1 - y0 - parts.sum()) / parts.size


def decompose_change(before: Sequence[float] | Mapping[str, float],
                     after: Sequence[float] | Mapping[str, float],
                     drivers: Sequence[str] | None = None, *, output: str = "output",
                     method: str = "shapley") -> ChangeDecomposition:
    """Split the change in ``output = product of drivers`` into one exact part per driver.

    Give driver values before and after as lists (with ``drivers`` for names) or
    as dicts. ``method="shapley"`` averages each driver's effect over every order
    of applying the changes; ``method="log"`` (positive values only) weights each
    driver's log change by the logarithmic mean of the outputs. Both add up exactly.

    >>> d = decompose_change({"visitors": 100, "conversion": 0.10, "order_value": 50},
    ...                      {"visitors": 100, "conversion": 0.09, "order_value": 50},
    ...                      output="revenue")
    >>> d.change, d.main_driver
    (-50.0, 'conversion')
    """
    names_b, x0 = _driver_values(before, "before")
    names_a, x1 = _driver_values(after, "after")
    if names_b is not None and names_a is not None:
        if set(names_b) != set(names_a):
            raise ValueError(f"before and after name different drivers: {names_b} vs {names_a}")
        x1 = x1[[names_a.index(n) for n in names_b]]
    _validate.same_length(before=x0, after=x1)
    given = names_b or names_a
    if drivers is not None:
        names = _labels(drivers, "drivers", x0.size)
        if given is not None and set(given) != set(names):
            raise ValueError(f"drivers {names} do not match the names given {given}")
        if names_b is not None:
            order = [names_b.index(n) for n in names]
            x0, x1 = x0[order], x1[order]
    else:
        names = given or tuple(f"driver {i + 1}" for i in range(x0.size))
    if x0.size > 12:
        raise ValueError(f"at most 12 drivers can be split exactly, got {x0.size}")
    if not isinstance(output, str) or not output:
        raise TypeError(f"output should be the metric's name, got {safe_repr(output)}")
    method = _validate.one_of(method, "method", _METHODS)
    with np.errstate(over="ignore"):  # overflow is reported just below, in words
        y0, y1 = float(np.prod(x0)), float(np.prod(x1))
    if not (math.isfinite(y0) and math.isfinite(y1)):
        raise ValueError("the product of the drivers overflows; rescale the drivers")
    if method == "log":
        if (x0 <= 0).any() or (x1 <= 0).any():
            raise ValueError('method="log" needs every driver above 0; use method="shapley"')
        parts = _log_split(x0, x1)
    else:
        parts = _shapley(x0, x1)
    if y0 == 0:
        raise ValueError("the output is 0 before the change, so a relative change is undefined")
    return ChangeDecomposition(
        output=output, drivers=names, before=tuple(float(v) for v in x0),
        after=tuple(float(v) for v in x1), contributions=tuple(float(p) for p in parts),
        output_before=y0, output_after=y1, change=y1 - y0, relative_change=(y1 - y0) / y0,
        main_driver=names[int(np.argmax(np.abs(parts)))], method=method,
    )


# --------------------------------------------------------------------------- Simpson's paradox


@dataclass(frozen=True, repr=False)
class SegmentComparison(Result):
    """Two groups compared overall and within each segment, with their mixes."""

    labels: tuple[str, str] = field(compare=False)
    segments: tuple[str, ...] = field(compare=False)
    successes_a: tuple[int, ...] = field(compare=False)
    trials_a: tuple[int, ...] = field(compare=False)
    successes_b: tuple[int, ...] = field(compare=False)
    trials_b: tuple[int, ...] = field(compare=False)
    overall_a: float
    overall_b: float
    adjusted_a: float
    adjusted_b: float
    paradox: bool

    @property
    def rates_a(self) -> tuple[float, ...]:
        return tuple(s / n for s, n in zip(self.successes_a, self.trials_a, strict=True))

    @property
    def rates_b(self) -> tuple[float, ...]:
        return tuple(s / n for s, n in zip(self.successes_b, self.trials_b, strict=True))

    @property
    def mix_effect(self) -> float:
        """How much of the overall difference (B - A) comes from the mix, not the segments."""
        return (self.overall_b - self.overall_a) - (self.adjusted_b - self.adjusted_a)

    def _accent(self) -> str:
        return BAD if self.paradox else PALETTE[0]

    def summary(self) -> str:
        a, b = self.labels
        overall = f"Overall, {b} converts {pct(self.overall_b)} against {pct(self.overall_a)} for {a}"
        wins = sum(rb > ra for ra, rb in zip(self.rates_a, self.rates_b, strict=True))
        if self.paradox:
            side = "higher" if self.overall_b < self.overall_a else "lower"
            return (
                f"{overall}, yet {b} is {side} in every segment: Simpson's paradox. "
                f"At the same mix, {b} would convert {pct(self.adjusted_b)} against "
                f"{pct(self.adjusted_a)}."
            )
        return (
            f"{overall}; {b} is higher in {wins} of {len(self.segments)} segments. At the same mix, "
            f"{b} converts {pct(self.adjusted_b)} against {pct(self.adjusted_a)}."
        )

    def to_frame(self) -> pd.DataFrame:
        a, b = self.labels
        ta, tb = np.array(self.trials_a), np.array(self.trials_b)
        return pd.DataFrame(
            {f"rate_{a}": self.rates_a, f"rate_{b}": self.rates_b,
             f"mix_{a}": ta / ta.sum(), f"mix_{b}": tb / tb.sum(),
             f"n_{a}": ta, f"n_{b}": tb},
            index=pd.Index(self.segments, name="segment"),
        )

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        names = [*self.segments, "overall"]
        x = np.arange(len(names))
        width = 0.38
        for i, (rates, overall) in enumerate(((self.rates_a, self.overall_a),
                                               (self.rates_b, self.overall_b))):
            ax.bar(x + (i - 0.5) * width, [*rates, overall], width, color=PALETTE[i],
                   hatch=HATCHES[i], label=self.labels[i])
        ax.set_xticks(x, names)
        ax.set_ylabel("conversion rate")
        _percent_axis(ax)
        ax.set_xlabel("segment")
        ax.legend(frameon=False)
        ax.set_title(self._headline())
        return ax

    def _headline(self) -> str:
        a, b = self.labels
        if self.paradox:
            verdict = "wins" if self.overall_b < self.overall_a else "loses"
            return f"Simpson's paradox: {b} {verdict} every segment but not overall"
        return f"At one shared mix: {b} {pct(self.adjusted_b)}, {a} {pct(self.adjusted_a)}"


def compare_segments(successes_a: Sequence[int], trials_a: Sequence[int],
                     successes_b: Sequence[int], trials_b: Sequence[int],
                     segments: Sequence[str] | None = None, *,
                     labels: Sequence[str] = ("A", "B")) -> SegmentComparison:
    """Compare two groups' conversion within each segment and overall.

    Flags Simpson's paradox: every segment points one way, the overall rate the
    other, because the groups draw on the segments in different proportions.
    ``adjusted_a``/``adjusted_b`` re-weight both groups to the pooled mix.

    >>> r = compare_segments([81, 192], [87, 263], [234, 55], [270, 80], ["small", "large"])
    >>> r.paradox, r.overall_b > r.overall_a
    (True, True)
    """
    sa, na = _counts(successes_a, "successes_a"), _counts(trials_a, "trials_a")
    sb, nb = _counts(successes_b, "successes_b"), _counts(trials_b, "trials_b")
    _validate.same_length(successes_a=sa, trials_a=na, successes_b=sb, trials_b=nb)
    for name, s, n in (("a", sa, na), ("b", sb, nb)):
        if (s > n).any():
            i = int(np.flatnonzero(s > n)[0])
            raise ValueError(f"successes_{name} exceeds trials_{name} in segment {i + 1} ({s[i]} > {n[i]})")
        if (n == 0).any():
            raise ValueError(f"trials_{name} is 0 in segment {int(np.flatnonzero(n == 0)[0]) + 1}; "
                             "drop empty segments first")
    names = _labels(segments, "segments", sa.size) if segments is not None else tuple(
        f"segment {i + 1}" for i in range(sa.size))
    pair = _labels(labels, "labels", 2)
    ra, rb = sa / na, sb / nb
    mix = (na + nb) / (na + nb).sum()
    overall_a, overall_b = sa.sum() / na.sum(), sb.sum() / nb.sum()
    within = {_direction(d) for d in rb - ra}
    paradox = (
        sa.size > 1 and len(within) == 1 and 0 not in within
        and _direction(overall_b - overall_a) == -within.pop()
    )
    return SegmentComparison(
        labels=(pair[0], pair[1]), segments=names,
        successes_a=tuple(int(v) for v in sa), trials_a=tuple(int(v) for v in na),
        successes_b=tuple(int(v) for v in sb), trials_b=tuple(int(v) for v in nb),
        overall_a=float(overall_a), overall_b=float(overall_b),
        adjusted_a=float(mix @ ra), adjusted_b=float(mix @ rb), paradox=bool(paradox),
    )


def compare_segments_table(frame: pd.DataFrame, group: str, segment: str, outcome: str, *,
                           labels: Sequence[str] | None = None) -> SegmentComparison:
    """``compare_segments`` from a table with one row per session (or customer).

    ``group`` has the two groups to compare (``labels`` picks and orders them when
    it holds more), ``segment`` the mix variable, ``outcome`` True/False flags.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"g": ["A", "A", "B", "B"], "s": ["x", "y", "x", "y"],
    ...                   "buy": [True, False, True, True]})
    >>> compare_segments_table(t, "g", "s", "buy").overall_b
    1.0
    """
    for name, value in (("group", group), ("segment", segment), ("outcome", outcome)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    _validate.columns(frame, [group, segment, outcome], "the table")
    _nonempty(frame, "the table")
    groups = _label_column(frame, group)
    segs = _label_column(frame, segment)
    flags = _boolean_column(frame, outcome)
    present = tuple(sorted(groups.unique()))
    if labels is None:
        if len(present) != 2:
            raise ValueError(f"column {group!r} has {len(present)} groups {list(present)}; "
                             "pass labels=(a, b) to pick two")
        pair = present
    else:
        pair = _labels(labels, "labels", 2)
        missing = [p for p in pair if p not in present]
        if missing:
            raise ValueError(f"no rows with {group} = {missing[0]!r}; groups present: {list(present)}")
    names = tuple(sorted(segs.unique()))
    table = pd.crosstab([groups, segs], flags).reindex(
        pd.MultiIndex.from_product([pair, names]), fill_value=0)
    table = table.reindex(columns=[False, True], fill_value=0)
    trials = table.sum(axis=1).to_numpy().reshape(2, len(names))
    wins = table[True].to_numpy().reshape(2, len(names))
    empty = [(pair[g], names[s]) for g, s in zip(*np.nonzero(trials == 0), strict=True)]
    if empty:
        raise ValueError(f"no rows for {group} = {empty[0][0]!r} in {segment} = {empty[0][1]!r}")
    return compare_segments(wins[0], trials[0], wins[1], trials[1], names, labels=pair)


# ------------------------------------------------------------- pre/post changes


def _points(change: float, ci: tuple[float, float], level: int) -> str:
    """'+1.2 points, 95% CI +0.3 to +2.1' for a change in a rate given as fractions."""
    return f"{_signed(100 * change)} points, {level}% CI {_signed(100 * ci[0])} to {_signed(100 * ci[1])}"


def _z_value(alpha: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - alpha / 2)


@dataclass(frozen=True, repr=False)
class RateChange(Result):
    """A rate before and after a date, and the change with its confidence interval.

    The interval is the unpooled (Wald) interval of a difference of two proportions: an
    estimate with its uncertainty, not a test. It says how much the rate moved; it cannot
    say *why* (anything else that changed on the same day moved it too).
    """

    metric: str
    before: float
    after: float
    n_before: int
    n_after: int
    standard_error: float
    ci: tuple[float, float]
    alpha: float = 0.05

    @property
    def difference(self) -> float:
        """After minus before, as a fraction (0.01 is one percentage point)."""
        return self.after - self.before

    def title(self) -> str:
        return f"{self.metric}: before and after"

    def summary(self) -> str:
        level = round(100 * (1 - self.alpha))
        return (f"{self.metric} went from {pct(self.before)} ({self.n_before:,} rows) to "
                f"{pct(self.after)} ({self.n_after:,} rows): {_points(self.difference, self.ci, level)}.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"rate": [self.before, self.after], "n": [self.n_before, self.n_after]},
                            index=pd.Index(["before", "after"], name="period"))

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        ax.bar([0, 1], [self.before, self.after], color=[PALETTE[1], PALETTE[0]],
               hatch=[HATCHES[1], HATCHES[0]])
        ax.set_xticks([0, 1], ["before", "after"])
        ax.set_ylabel(self.metric)
        ax.set_xlabel("period")
        _percent_axis(ax)
        ax.set_title(f"{self.metric}: {_signed(100 * self.difference)} points after")
        return ax


def _rate_change(flags: np.ndarray, after: np.ndarray, metric: str, alpha: float) -> RateChange:
    n_b, n_a = int((~after).sum()), int(after.sum())
    if n_b == 0 or n_a == 0:
        raise ValueError(f"{metric}: both periods need rows (before {n_b:,}, after {n_a:,})")
    p_b, p_a = float(flags[~after].mean()), float(flags[after].mean())
    se = math.sqrt(p_b * (1 - p_b) / n_b + p_a * (1 - p_a) / n_a)
    z = _z_value(alpha)
    d = p_a - p_b
    return RateChange(metric, p_b, p_a, n_b, n_a, se, (d - z * se, d + z * se), alpha)


def _period_flags(frame: pd.DataFrame, metric: str, period: str, before: str, after: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    for name, value in (("metric", metric), ("period", period)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name, got {safe_repr(value)}")
    for name, value in (("before", before), ("after", after)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} should be the period's label (text), got {safe_repr(value)}")
    if before == after:
        raise ValueError(f"before and after should be two different labels, both are {before!r}")
    _validate.columns(frame, [metric, period], "the table")
    _nonempty(frame, "the table")
    labels = _label_column(frame, period).to_numpy()
    unknown = sorted(set(labels) - {before, after})
    if unknown:
        raise ValueError(f"column {period!r} should hold only {before!r} and {after!r}; "
                         f"it also holds {unknown[0]!r}")
    return _boolean_column(frame, metric), labels == after, labels


def rate_change(frame: pd.DataFrame, metric: str, period: str, *, before: str = "before",
                after: str = "after", alpha: float = 0.05) -> RateChange:
    """How a True/False metric's rate moved between two periods, with its interval.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": ["before"] * 4 + ["after"] * 4,
    ...                   "buy": [True, False, False, False, True, True, False, False]})
    >>> r = rate_change(t, "buy", "period")
    >>> round(r.difference, 2), r.ci[0] < 0 < r.ci[1]
    (0.25, True)
    """
    alpha = _validate.probability(alpha, "alpha", open_interval=True)
    flags, is_after, _ = _period_flags(frame, metric, period, before, after)
    return _rate_change(flags, is_after, metric, alpha)


@dataclass(frozen=True, repr=False)
class DiffInDiff(Result):
    """Difference in differences: the treated group's change minus the control group's.

    The control group went through the same days without the change, so whatever else
    happened on those days (a promotion, a season, a campaign) moves both; what is left
    is the change's effect, if both groups would otherwise have moved alike.
    """

    metric: str
    treated_label: str
    control_label: str
    treated: RateChange
    control: RateChange
    estimate: float
    standard_error: float
    ci: tuple[float, float]
    alpha: float = 0.05

    def title(self) -> str:
        return f"{self.metric}: difference in differences"

    def summary(self) -> str:
        level = round(100 * (1 - self.alpha))
        return (f"{self.treated_label} moved {_signed(100 * self.treated.difference)} points and "
                f"{self.control_label} {_signed(100 * self.control.difference)}; the difference is "
                f"{_points(self.estimate, self.ci, level)}.")

    def to_frame(self) -> pd.DataFrame:
        rows = {self.treated_label: self.treated, self.control_label: self.control}
        frame = pd.DataFrame({
            "before": [r.before for r in rows.values()], "after": [r.after for r in rows.values()],
            "change": [r.difference for r in rows.values()],
            "ci_low": [r.ci[0] for r in rows.values()], "ci_high": [r.ci[1] for r in rows.values()],
        }, index=pd.Index(list(rows), name="group"))
        frame.loc["difference in differences"] = [np.nan, np.nan, self.estimate, *self.ci]
        return frame

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        frame = self.to_frame()
        y = np.arange(len(frame))[::-1]
        for i, (_name, row) in enumerate(frame.iterrows()):
            ax.errorbar(row["change"], y[i], xerr=[[row["change"] - row["ci_low"]],
                                                   [row["ci_high"] - row["change"]]],
                        # One colour: each row is named on the axis, so colour would add nothing.
                        fmt=MARKERS[i % len(MARKERS)], color=PALETTE[0], capsize=4)
        ax.axvline(0, color=NEUTRAL, linewidth=1)
        ax.set_yticks(y, frame.index)
        ax.set_xlabel(f"change in {self.metric} (95% CI)")
        ax.set_ylabel("group")
        from matplotlib.ticker import PercentFormatter

        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(f"Change in {self.metric}, by group")
        return ax


def difference_in_differences(frame: pd.DataFrame, metric: str, period: str, group: str, *,
                              treated: Any, before: str = "before", after: str = "after",
                              alpha: float = 0.05) -> DiffInDiff:
    """The change in a True/False metric where ``treated`` got it, minus the change elsewhere.

    ``group`` is a column; rows whose value is in ``treated`` (one label or a list) are the
    treated group, every other row the control. The interval adds the two changes'
    variances (independent samples).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": ["before", "after"] * 4, "g": ["web"] * 4 + ["app"] * 4,
    ...                   "buy": [False, True, False, True, False, True, False, False]})
    >>> round(difference_in_differences(t, "buy", "period", "g", treated="web").estimate, 2)
    0.5
    """
    alpha = _validate.probability(alpha, "alpha", open_interval=True)
    flags, is_after, _ = _period_flags(frame, metric, period, before, after)
    if not isinstance(group, str):
        raise TypeError(f"group should be a column name, got {safe_repr(group)}")
    _validate.columns(frame, [group], "the table")
    if isinstance(treated, str):
        wanted = [treated]
    elif isinstance(treated, Sequence) and treated and all(isinstance(t, str) for t in treated):
        wanted = list(treated)
    else:
        raise TypeError(f"treated should be a label or a list of labels, got {safe_repr(treated)}")
    values = _label_column(frame, group)
    missing = [t for t in wanted if t not in set(values)]
    if missing:
        raise ValueError(f"treated value {missing[0]!r} is not in column {group!r}; it holds "
                         f"{', '.join(map(repr, sorted(set(values))))}")
    is_treated = values.isin(wanted).to_numpy()
    if is_treated.all():
        raise ValueError(f"every row is treated; column {group!r} needs a control group too")
    control_labels = sorted(set(values[~is_treated]))
    t_label, c_label = " + ".join(map(str, wanted)), " + ".join(map(str, control_labels))
    t = _rate_change(flags[is_treated], is_after[is_treated], metric, alpha)
    c = _rate_change(flags[~is_treated], is_after[~is_treated], metric, alpha)
    estimate = t.difference - c.difference
    se = math.sqrt(t.standard_error ** 2 + c.standard_error ** 2)
    z = _z_value(alpha)
    return DiffInDiff(metric, t_label, c_label, t, c, estimate, se,
                      (estimate - z * se, estimate + z * se), alpha)


def _percent_axis(ax: Any, axis: str = "y") -> None:
    """Rates read as percentages on the axis (0.25 shows as 25%)."""
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))
