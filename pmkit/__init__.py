"""pmkit: the helper library of the product-management course.

One module per principle, each loaded on first use so ``import pmkit`` stays
as light as ``import pandas``:

- ``pmkit.customer``   voice of the customer: NPS, pain points, Kano, RICE, PR/FAQ
- ``pmkit.metrics``    funnels, cohorts, metric trees, Simpson's paradox
- ``pmkit.recommend``  item-to-item recommendations
- ``pmkit.experiment`` A/B tests done right
- ``pmkit.agile``      team size, flow and delivery forecasts
- ``pmkit.longterm``   NPV, lifetime value, membership programmes, flywheels
- ``pmkit.datasets``   the course's synthetic company and its hidden truth
- ``pmkit.exercises``  instant feedback and hints for lesson exercises
- ``pmkit.widgets``    slider explorers; ``pmkit.show`` renders a chart with alt text

This is the learner's toolbox: it needs numpy, pandas, scipy, matplotlib and
ipywidgets only. The machinery that builds, runs, grades and publishes the
notebooks lives apart in ``pmkit.course`` and is never imported from here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
# The name pip knows the course by (`pmkit` on the package index is somebody else's project).
DISTRIBUTION = "basketly-pmkit"

_SUBMODULES = (
    "agile",
    "customer",
    "datasets",
    "display",
    "experiment",
    "exercises",
    "longterm",
    "metrics",
    "progress",
    "recommend",
    "widgets",
)

if TYPE_CHECKING:  # pragma: no cover
    from pmkit import (  # noqa: F401
        agile,
        customer,
        datasets,
        display,
        exercises,
        experiment,
        longterm,
        metrics,
        progress,
        recommend,
        widgets,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"pmkit.{name}")
    if name == "show":
        from pmkit.display import show

        return show
    raise AttributeError(f"module 'pmkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES, "show"])
