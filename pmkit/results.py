"""The shared shape of every analysis result.

Analyses return frozen dataclasses that inherit ``Result``. A subclass writes
``summary()`` (one or two plain sentences a PM could paste into a memo) and,
where it has something to draw, ``plot(ax=None)`` returning a matplotlib Axes.
``Result`` turns those into a notebook card and a readable plain-text repr::

    @dataclass(frozen=True, repr=False)   # repr=False keeps Result's readable repr
    class Conversion(Result):
        rate: float
        n: int

        def summary(self) -> str:
            return f"{pct(self.rate)} of {self.n:,} visitors converted."
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pmkit.display import PALETTE, card, fmt


class Result:
    """Mixin for frozen result dataclasses: card, repr, field table."""

    #: Card accent colour; subclasses may override per instance via ``_accent()``.
    accent = PALETTE[0]

    def summary(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def title(self) -> str:
        """The card's heading; defaults to the class name in words."""
        name = type(self).__name__
        return "".join(f" {c}" if c.isupper() else c for c in name).strip()

    def _accent(self) -> str:
        return self.accent

    def _card_rows(self) -> list[tuple[str, Any]]:
        """Scalar fields as (label, formatted value); subclasses may refine."""
        rows = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name.startswith("_") or not f.repr:
                continue
            value = getattr(self, f.name)
            if isinstance(value, bool | str | int | float) or hasattr(value, "__float__"):
                try:
                    shown = fmt(value) if not isinstance(value, str | bool) else str(value)
                except Exception:
                    shown = str(value)
                rows.append((f.name.replace("_", " "), shown))
            elif (
                isinstance(value, tuple)
                and len(value) == 2
                and all(isinstance(v, int | float) for v in value)
            ):
                rows.append((f.name.replace("_", " "), f"{fmt(value[0])} to {fmt(value[1])}"))
        return rows

    def _repr_html_(self) -> str:
        return card(self.title(), self._card_rows(), summary=self.summary(), accent=self._accent())

    def __repr__(self) -> str:
        return f"{self.title()}: {self.summary()}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]
