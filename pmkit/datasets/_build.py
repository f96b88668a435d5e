"""Runs the generators for one (seed, scale): only the tables asked for, each once.

Each generator module declares ``MAKERS``: a mapping from a function to the table
names it returns. A maker takes a ``Build`` and returns ``{name: (frame, truth)}``;
it asks the build for any table it depends on (orders need customers and products),
so dependencies are generated on demand and shared.

Every maker draws from its own random stream, seeded from (seed, maker name), so a
table comes out the same whether it is generated alone or with all the others.
"""

from __future__ import annotations

import importlib
import json
import numbers
import zlib
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets.schema import TABLES

DEFAULT_SEED = 42
MODULES = ("company", "customer", "metrics", "experiment", "agile", "longterm", "recommend")
MAX_SCALE = 1000

Maker = Callable[["Build"], dict[str, tuple[pd.DataFrame, dict[str, Any]]]]


def names() -> tuple[str, ...]:
    """The names of every Basketly table, in data-dictionary order.

    >>> names()[:3]
    ('customers', 'products', 'orders')
    """
    return tuple(TABLES)


def check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"dataset name should be a string, got {type(name).__name__}")
    if name not in TABLES:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(TABLES)}")
    return name


def check_seed(seed: object) -> int:
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed should be a whole number or None, got {seed!r}")
    if int(seed) < 0:
        raise ValueError(f"seed should be 0 or more, got {seed}")
    return int(seed)


def check_scale(scale: object) -> int:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Integral):
        raise TypeError(f"scale should be a whole number, got {scale!r}")
    if not 1 <= int(scale) <= MAX_SCALE:
        raise ValueError(f"scale should be between 1 and {MAX_SCALE}, got {scale}")
    return int(scale)


def labels(options: tuple[str, ...] | list[str], codes: np.ndarray) -> pd.Categorical:
    """A text column from integer codes into ``options``.

    Generators keep text columns as categoricals: writing and factorising millions of
    rows then costs nothing. ``Build.public`` turns them into plain strings for users.
    """
    return pd.Categorical.from_codes(np.asarray(codes), categories=list(options))


@lru_cache(maxsize=1)
def _makers() -> dict[str, Maker]:
    """Table name -> the function that makes it (imported on first use)."""
    found: dict[str, Maker] = {}
    for module in MODULES:
        for maker, tables in importlib.import_module(f"pmkit.datasets.{module}").MAKERS.items():
            for table in tables:
                found[table] = maker
    return found


class Build:
    """The tables of one (seed, scale), generated lazily and kept."""

    def __init__(self, seed: int, scale: int) -> None:
        self.seed = seed
        self.scale = scale
        self._frames: dict[str, pd.DataFrame] = {}
        self._truths: dict[str, dict[str, Any]] = {}
        #: Per-row traits a generator shares with later ones but never writes to disk.
        self.hidden: dict[str, dict[str, np.ndarray]] = {}

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random generator for one named stream of this build."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    def _make(self, name: str) -> None:
        maker = _makers()[name]
        for table, (frame, truth) in maker(self).items():
            expected = TABLES[table].column_names
            if tuple(frame.columns) != expected:  # pragma: no cover - a generator bug
                raise ValueError(f"{table}: generator columns {list(frame.columns)} != {expected}")
            self._frames[table] = frame
            # Through JSON and back, so a truth looks the same (string keys and all)
            # whether it was just generated or read from the committed file.
            self._truths[table] = json.loads(json.dumps(truth))

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._make(name)
        return self._frames[name]

    def public(self, name: str) -> pd.DataFrame:
        """A fresh copy of a table as users see it: text columns as strings."""
        frame = self.table(name).copy()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype("str")
        return frame

    def forget(self, name: str) -> None:
        """Free a table's memory (it is made again if asked for)."""
        self._frames.pop(name, None)
        self.hidden.pop(name, None)

    def truth(self, name: str) -> dict[str, Any]:
        if name not in self._truths:
            self._make(name)
        return self._truths[name]


_CACHE: OrderedDict[tuple[int, int], Build] = OrderedDict()
_CACHE_SIZE = 4  # a few learners' seeds fit; big scales should not pile up in memory


def build(seed: int, scale: int) -> Build:
    """The shared, cached build for (seed, scale)."""
    key = (seed, scale)
    if key in _CACHE:
        _CACHE.move_to_end(key)
    else:
        _CACHE[key] = Build(seed, scale)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return _CACHE[key]
