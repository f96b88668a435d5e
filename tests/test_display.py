"""pmkit.display: figures render as PNG with alt text, or not at all when grading asks."""

from __future__ import annotations

import pytest

from pmkit import display


def _chart():
    ax = display.new_axes()
    ax.bar(["A", "B"], [3, 5])
    ax.set_title("B is higher")
    return ax


def test_show_renders_a_png_with_alt_text_and_the_takeaway_as_text() -> None:
    figure = display.show(_chart(), alt="Bars: A 3, B 5", takeaway="B is higher.")
    data, metadata = figure._repr_mimebundle_()
    assert figure.png.startswith(b"\x89PNG")
    assert data["text/plain"] == "Takeaway: B is higher." and metadata["image/png"]["alt"] == "Bars: A 3, B 5"


def test_the_same_chart_gives_the_same_bytes() -> None:
    first = display.show(_chart(), alt="a", takeaway="b").png
    assert display.show(_chart(), alt="a", takeaway="b").png == first


@pytest.mark.parametrize("value", ["off", "OFF", " off "])
def test_figures_off_builds_the_chart_but_renders_nothing(monkeypatch: pytest.MonkeyPatch,
                                                          value: str) -> None:
    import matplotlib.pyplot as plt

    monkeypatch.setenv("PMKIT_FIGURES", value)
    assert not display.figures_enabled()
    open_before = len(plt.get_fignums())
    figure = display.show(_chart(), alt="Bars", takeaway="B is higher.")
    assert figure.png == b""
    assert figure._repr_mimebundle_() == ({"text/plain": "Takeaway: B is higher."}, {})
    assert len(plt.get_fignums()) == open_before  # closed all the same


@pytest.mark.parametrize("value", ["", "on", "1"])
def test_figures_render_unless_switched_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PMKIT_FIGURES", value)
    assert display.figures_enabled()


def test_show_still_demands_alt_text_when_not_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMKIT_FIGURES", "off")
    with pytest.raises(ValueError, match="alt text"):
        display.show(_chart(), alt="", takeaway="B is higher.")
