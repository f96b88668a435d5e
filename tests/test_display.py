"""pmkit.display: charts render once to a cropped PNG with alt text, or not at all when grading asks."""

from __future__ import annotations

import io

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
    assert set(data) == {"text/html", "text/plain"} and metadata == {}
    assert data["text/plain"] == "Takeaway: B is higher."


def test_the_html_figure_carries_the_png_its_alt_attribute_and_a_visible_takeaway() -> None:
    import base64
    from html.parser import HTMLParser

    figure = display.show(_chart(), alt='Bars: "A" 3 < B 5', takeaway="B is higher & wins.")
    found: list[tuple[str, dict]] = []
    text: list[str] = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            found.append((tag, dict(attrs)))

        def handle_data(self, data: str) -> None:
            text.append(data)

    Reader().feed(figure._repr_mimebundle_()[0]["text/html"])
    assert [tag for tag, _ in found] == ["figure", "img", "figcaption"]
    image = found[1][1]
    assert image["alt"] == 'Bars: "A" 3 < B 5'
    assert base64.b64decode(image["src"].removeprefix("data:image/png;base64,")) == figure.png
    assert "".join(text) == "Takeaway: B is higher & wins."


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


def _png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_a_course_chart_is_drawn_once_and_cropped_like_a_tight_savefig(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matplotlib.pyplot as plt

    ax = _chart()
    ax.set(xlabel="a label below", ylabel="a label on the left")
    tight = display._render_tight(ax.figure, display.DPI)
    monkeypatch.setattr(display, "_render_tight", lambda fig, dpi: pytest.fail("drawn twice"))
    figure = display.show(ax, alt="Bars", takeaway="B is higher.")
    width, height = _png_size(figure.png)
    tight_width, tight_height = _png_size(tight)
    # The tight box holds whole text lines; the crop holds ink, a descender's height less at most.
    assert abs(width - tight_width) <= 4 and abs(height - tight_height) <= 4
    canvas_width, canvas_height = ax.figure.canvas.get_width_height()
    assert width < 0.8 * canvas_width and height < canvas_height  # the spare canvas is cropped away
    plt.close("all")


def test_the_crop_leaves_the_same_white_border_on_every_side_of_the_ink() -> None:
    import numpy as np
    from PIL import Image

    png = display.show(_chart(), alt="Bars", takeaway="B is higher.").png
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    ink_rows = np.flatnonzero((pixels < 255).any(axis=1))
    ink_columns = np.flatnonzero((pixels < 255).any(axis=0))
    border = round(display.PAD_INCHES * display.DPI)
    assert ink_rows[0] == border and ink_rows[-1] == pixels.shape[0] - 1 - border
    assert ink_columns[0] == border and ink_columns[-1] == pixels.shape[1] - 1 - border
    assert (pixels < 128).any()  # and something was drawn inside it


def test_an_opaque_chart_is_saved_without_an_alpha_channel() -> None:
    from PIL import Image

    png = display.show(_chart(), alt="Bars", takeaway="B is higher.").png
    assert Image.open(io.BytesIO(png)).mode == "RGB"


def test_a_see_through_figure_keeps_its_transparency() -> None:
    from PIL import Image

    ax = _chart()
    ax.figure.patch.set_alpha(0)
    assert display._render_once(ax.figure, 80) is None  # no background to crop against ...
    png = display.show(ax, alt="Bars", takeaway="B is higher.").png
    assert Image.open(io.BytesIO(png)).mode == "RGBA"  # ... so matplotlib's tight savefig draws it


def test_a_legend_placed_beyond_the_canvas_is_not_lost() -> None:
    alone = _png_size(display.show(_chart(), alt="Bars", takeaway="B is higher.").png)
    ax = _chart()
    ax.bar(["A"], [1], label="a legend far to the right")
    ax.legend(loc="center left", bbox_to_anchor=(4, 0.5))  # wholly off the canvas: leaves no ink
    assert display._render_once(ax.figure, 80) is None
    width, _ = _png_size(display.show(ax, alt="Bars", takeaway="B is higher.").png)
    assert width > alone[0] * 2  # the picture grew to take the legend in


def test_a_chart_that_draws_nothing_still_renders() -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure()  # an empty canvas: no ink to crop to
    figure = display.show(fig, alt="Nothing yet", takeaway="Nothing drawn.")
    assert figure.png.startswith(b"\x89PNG")


def test_labels_sticking_out_of_a_plain_figure_stay_in_view() -> None:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(4, 2))  # matplotlib's own margins, not new_axes'
    ax.barh(["a category name far too long for the default left margin", "short"], [3, 5])
    canvas_width = 4 * display.DPI
    assert display._render_once(ax.figure, 80) is None  # it does not fit the canvas ...
    width, _ = _png_size(display.show(ax, alt="Bars", takeaway="B is higher.").png)
    assert width > canvas_width  # ... so the picture grows to hold the whole label


def test_a_titled_chart_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    draws = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: draws.append(1) or original(self))
    display.show(_chart(), alt="a", takeaway="b")
    assert len(draws) == 1


def test_a_course_chart_fills_the_notebook_column_on_white() -> None:
    import numpy as np
    from PIL import Image

    png = display.show(_chart(), alt="Bars", takeaway="B is higher.").png
    width, height = _png_size(png)
    assert 800 <= width <= 1000 and height < width  # JupyterLab's column at its default width
    assert tuple(np.asarray(Image.open(io.BytesIO(png)))[0, 0]) == (255, 255, 255)
