"""Input checks shared by every public function.

The house rule: bad input gets a clear error, never a wrong number. Each
helper raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (right
kind, wrong value) with a message that names the argument, says what was
given and what is expected.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pmkit.display import safe_repr

if TYPE_CHECKING:
    import numpy as np


def number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number, optionally within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} should be a number, got {safe_repr(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large to be a number pmkit can compute with") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} should be a finite number, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        bound = ">" if low_open else ">="
        raise ValueError(f"{name} should be {bound} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        bound = "<" if high_open else "<="
        raise ValueError(f"{name} should be {bound} {high}, got {value}")
    return value


def probability(value: Any, name: str, *, open_interval: bool = False) -> float:
    """A number in [0, 1] (or (0, 1) when ``open_interval``)."""
    return number(value, name, low=0.0, high=1.0, low_open=open_interval, high_open=open_interval)


def count(value: Any, name: str, *, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (accepts 3.0 but not 3.5, True or '3')."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} should be a whole number, got {safe_repr(value)}")
    try:
        as_float = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large: {safe_repr(value, 40)}") from None
    if not math.isfinite(as_float) or as_float != int(value):
        raise ValueError(f"{name} should be a whole number, got {value}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} should be at least {minimum}, got {value}")
    return value


def array(
    values: Any,
    name: str,
    *,
    min_size: int = 1,
    finite: bool = True,
    low: float | None = None,
    high: float | None = None,
) -> np.ndarray:
    """A 1-D float array from a list, Series or array, with no NaN (by default)."""
    # Imported here: the scalar checks must not cost a grading worker numpy's import (~0.1 s).
    import numpy as np

    if isinstance(values, str | bytes) or values is None or isinstance(values, numbers.Number):
        raise TypeError(f"{name} should be a sequence of numbers, got {safe_repr(values)}")
    if isinstance(values, dict | set | frozenset):
        raise TypeError(f"{name} should be an ordered sequence of numbers, got a {type(values).__name__}")
    try:
        arr = np.asarray(values)
    except Exception as exc:
        raise TypeError(f"{name} should be a sequence of numbers ({exc})") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} should contain real numbers, got complex values")
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        try:
            if arr.dtype.kind in "USO" and arr.size and any(isinstance(v, str | bytes) for v in arr.ravel()):
                raise TypeError
            arr = arr.astype(float)
        except OverflowError:
            raise ValueError(f"{name} contains a number too large to compute with") from None
        except (TypeError, ValueError):
            raise TypeError(f"{name} should contain only numbers, got {safe_repr(values)}") from None
    if arr.dtype.kind == "b":
        arr = arr.astype(float)
    if arr.ndim != 1:
        raise ValueError(f"{name} should be one-dimensional, got shape {arr.shape}")
    arr = arr.astype(float, copy=False)
    if arr.size < min_size:
        raise ValueError(f"{name} needs at least {min_size} value(s), got {arr.size}")
    if finite and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{name} contains {bad} missing or infinite value(s); drop or fill them first")
    if low is not None and arr.size and arr.min() < low:
        raise ValueError(f"{name} should be >= {low}; its smallest value is {arr.min()}")
    if high is not None and arr.size and arr.max() > high:
        raise ValueError(f"{name} should be <= {high}; its largest value is {arr.max()}")
    return arr


def same_length(**arrays: Sequence[Any] | np.ndarray) -> None:
    """All named arrays have one length."""
    lengths = {name: len(values) for name, values in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"lengths differ: {listed}; they must match")


def columns(frame: Any, required: Iterable[str], what: str = "the table") -> None:
    """``frame`` is a DataFrame with every required column (missing ones named)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} should be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "none"
        raise ValueError(
            f"{what} is missing column(s) {', '.join(map(repr, missing))}; columns present: {present}"
        )


def one_of(value: Any, name: str, options: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} should be one of {', '.join(map(repr, options))}, got {safe_repr(value)}")
    return value
