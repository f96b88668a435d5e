"""pmkit.widgets: explorers are live in a learner's kernel and static in every headless run."""

from __future__ import annotations

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from pmkit import widgets
from pmkit.course._kernels import AsyncPrivateKernelManager
from pmkit.course.notebooks import KERNEL_ENV, WIDGET_VIEW, kernel_environment

EXPLORER = """\
import sys
from pmkit.display import new_axes
from pmkit.widgets import Slider, explorer

def draw(n):
    ax = new_axes()
    ax.plot(range(n), range(n))
    return ax, f"{n} points on a line."

panel = explorer(draw, alt="A straight line", n=Slider(2, 20, default=5))
panel"""

AFTERWARDS = """\
live = panel._live_widget(panel.static())
print("ipywidgets" in sys.modules, type(live).__name__)
if live is not None:
    sliders, chart = live.children
    first = chart.value
    print([type(s).__name__ for s in sliders.children], sliders.children[0].value, type(chart).__name__,
          'alt="A straight line"' in first, "Takeaway: 5 points on a line." in first)
    sliders.children[0].value = 9  # what moving the slider does
    print("Takeaway: 9 points on a line." in chart.value, chart.value != first)"""


def _run_in_kernel() -> list:
    """Execute the explorer in a real kernel (it inherits this process's environment)."""
    nb = new_notebook(cells=[new_code_cell(EXPLORER), new_code_cell(AFTERWARDS)])
    NotebookClient(nb, kernel_name="python3", timeout=120, shutdown_kernel="immediate",
                   kernel_manager_class=AsyncPrivateKernelManager).execute()
    return [cell.outputs for cell in nb.cells]


def test_a_learners_kernel_gets_live_sliders_and_the_static_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PMKIT_WIDGETS", raising=False)  # JupyterLab's kernels never have it
    shown, afterwards = _run_in_kernel()
    data = shown[0]["data"]
    assert {WIDGET_VIEW, "text/html", "text/plain"} <= set(data)
    assert data["text/plain"] == "Explorer (n=5). Takeaway: 5 points on a line."
    # The first chart is the widget's own state (text, not PNG bytes), not a second display
    # message; a slider move redraws it in place.
    assert afterwards[0]["text"] == "True VBox\n['IntSlider'] 5 HTML True True\nTrue True\n"


def test_a_headless_run_gets_the_static_chart_and_never_imports_ipywidgets() -> None:
    with kernel_environment():
        shown, afterwards = _run_in_kernel()
    assert set(shown[0]["data"]) == {"text/html", "text/plain"}
    assert afterwards[0]["text"] == "False NoneType\n"


@pytest.mark.parametrize(("value", "enabled"), [("off", False), (" OFF ", False), ("", True), ("on", True)])
def test_only_off_switches_live_widgets_off(
    monkeypatch: pytest.MonkeyPatch, value: str, enabled: bool
) -> None:
    monkeypatch.setenv("PMKIT_WIDGETS", value)
    assert widgets.live_widgets_enabled() is enabled


def test_every_headless_kernel_environment_switches_widgets_off() -> None:
    assert KERNEL_ENV["PMKIT_WIDGETS"] == "off"


def test_sliders_are_integer_unless_a_bound_or_step_is_a_float() -> None:
    assert widgets.Slider(1, 10).is_int
    assert not widgets.Slider(0, 1.5).is_int
    assert not widgets.Slider(0, 10, step=0.5).is_int


@pytest.mark.parametrize(
    ("arguments", "message"),
    [((5, 5), "low < high"), ((0, 10, 1, 11), "outside"), ((10, 0), "low < high")],
)
def test_a_bad_slider_says_what_is_wrong(arguments: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        widgets.Slider(*arguments)


def test_explorer_checks_what_it_is_given() -> None:
    def draw(n: int) -> tuple:
        raise AssertionError("not drawn while checking arguments")

    with pytest.raises(TypeError, match="function"):
        widgets.explorer("not a function", alt="x", n=widgets.Slider(1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one slider"):
        widgets.explorer(draw, alt="x")
    with pytest.raises(TypeError, match=r"pmkit\.widgets\.Slider"):
        widgets.explorer(draw, alt="x", n=(1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alt text"):
        widgets.explorer(draw, alt="", n=widgets.Slider(1, 2))
