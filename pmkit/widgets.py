"""Slider explorers that degrade to a static chart.

An ``Explorer`` shows a live ipywidgets control panel in JupyterLab, and carries
the chart drawn at the default slider values as a PNG with its takeaway as
text. Static HTML, nbval and a kernel without a widget frontend all get the
static view, so the point of the explorer survives everywhere; headless runs
(``PMKIT_WIDGETS=off``, see ``live_widgets_enabled``) skip the controls altogether.

>>> from pmkit.widgets import Slider, explorer
>>> def draw(n):
...     import matplotlib.pyplot as plt
...     fig, ax = plt.subplots()
...     ax.plot(range(n), [k * (k - 1) / 2 for k in range(n)])
...     return ax, f"{n} people share {n * (n - 1) // 2} conversations."
>>> explorer(draw, alt="Paths grow quadratically", n=Slider(2, 20, default=8))
Explorer (n=8). Takeaway: 8 people share 28 conversations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pmkit import paths
from pmkit.display import Figure, figures_enabled, show


def live_widgets_enabled() -> bool:
    """False when ``PMKIT_WIDGETS=off``: explorers show their static chart and build no controls.

    Headless runs set it for their kernels (``pmkit build``, ``check``, ``run``, ``grade``,
    ``workshop`` and the test suite's nbval runs, through ``pmkit.course.notebooks.KERNEL_ENV``):
    nobody can move a slider there, and saved notebooks keep only the static chart anyway
    (``pmkit.course.notebooks.normalise`` drops the widget view, whose state is not saved).
    JupyterLab's kernels do not set it, so learners get the live explorer.
    """
    return not paths.switched_off("PMKIT_WIDGETS")


@dataclass(frozen=True)
class Slider:
    """A numeric control: integers unless any bound or the step is a float."""

    low: float
    high: float
    step: float | None = None
    default: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"slider needs low < high, got {self.low} and {self.high}")
        if self.default is not None and not self.low <= self.default <= self.high:
            raise ValueError(f"default {self.default} lies outside [{self.low}, {self.high}]")

    @property
    def is_int(self) -> bool:
        values = (self.low, self.high, self.step if self.step is not None else 1)
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)

    @property
    def start(self) -> float:
        return self.default if self.default is not None else self.low

    def widget(self, name: str) -> Any:
        import ipywidgets as widgets

        kind = widgets.IntSlider if self.is_int else widgets.FloatSlider
        step = self.step if self.step is not None else (1 if self.is_int else (self.high - self.low) / 100)
        description = self.description or name
        return kind(
            value=self.start,
            min=self.low,
            max=self.high,
            step=step,
            description=description,
            continuous_update=False,
            style={"description_width": "initial"},
            # Room for the whole label and a full-length track: a fixed width lets a long
            # label squeeze the track to a stub.
            layout={"width": f"{round(0.6 * len(description)) + 22}em"},
        )


@dataclass(frozen=True)
class Explorer:
    """A live control panel with a static fallback. Build it with ``explorer``."""

    draw: Callable[..., tuple[Any, str]]
    alt: str
    sliders: dict[str, Slider] = field(default_factory=dict)

    def static(self) -> Figure:
        """The chart at the default slider values."""
        values = {name: s.start for name, s in self.sliders.items()}
        ax, takeaway = self.draw(**values)
        return show(ax, alt=self.alt, takeaway=takeaway)

    def _label(self) -> str:
        return ", ".join(f"{name}={s.start}" for name, s in self.sliders.items())

    def __repr__(self) -> str:
        return f"Explorer ({self._label()}). Takeaway: {self.static().takeaway}"

    def _live_widget(self, first: Figure) -> Any:
        if not figures_enabled() or not live_widgets_enabled():
            return None  # a headless run: nobody moves a slider
        try:
            import ipywidgets as widgets
            from IPython import get_ipython
        except ImportError:
            return None
        if get_ipython() is None or not hasattr(get_ipython(), "kernel"):
            return None  # no frontend to show it
        controls = {name: s.widget(name) for name, s in self.sliders.items()}
        # The chart is the figure's own HTML (image with alt text, takeaway beneath) in an HTML
        # widget: its state is text, so the first chart shows before any slider moves (also
        # from saved widget state), and a redraw swaps the picture in place, without flicker.
        # It goes into the widget's state rather than through a display message, so runners
        # that ignore widgets (nbval) see no extra output.
        chart = widgets.HTML(first.html())

        def redraw(change: Any) -> None:
            values = {name: control.value for name, control in controls.items()}
            ax, takeaway = self.draw(**values)
            chart.value = show(ax, alt=self.alt, takeaway=takeaway).html()

        for control in controls.values():
            control.observe(redraw, names="value")
        sliders = widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([sliders, chart])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        figure = self.static()
        data, metadata = figure._repr_mimebundle_()
        data["text/plain"] = f"Explorer ({self._label()}). {data['text/plain']}"
        widget = self._live_widget(figure)
        if widget is not None:
            view = widget._repr_mimebundle_().get("application/vnd.jupyter.widget-view+json")
            if view is not None:
                data["application/vnd.jupyter.widget-view+json"] = view
        return data, metadata


def explorer(draw: Callable[..., tuple[Any, str]], *, alt: str, **sliders: Slider) -> Explorer:
    """An explorer calling ``draw(**slider_values)``, which returns ``(axes, takeaway)``."""
    if not callable(draw):
        raise TypeError("explorer() needs a function that draws the chart")
    if not sliders:
        raise ValueError("explorer() needs at least one slider, e.g. n=Slider(2, 20)")
    for name, slider in sliders.items():
        if not isinstance(slider, Slider):
            raise TypeError(f"slider {name!r} should be a pmkit.widgets.Slider")
    if not alt:
        raise ValueError("explorer() needs alt text describing the chart")
    return Explorer(draw, alt, dict(sliders))
