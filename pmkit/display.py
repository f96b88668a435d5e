"""Small building blocks for what pmkit shows in a notebook.

Every result card, exercise verdict and figure goes through here, so they look
alike and so their plain-text form (what nbval compares and what a terminal
shows) never carries a memory address or a timestamp.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pmkit import paths

# Okabe–Ito: distinguishable with every common form of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GOOD, BAD, NEUTRAL = "#009E73", "#D55E00", "#6c757d"
# Colour is never the only cue (WCAG 1.4.1): series told apart by colour also differ in marker,
# line style or hatch, the n-th series taking the n-th of each; a bar singled out by colour
# (the top item, the biggest drop) also gets HIGHLIGHT.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
HIGHLIGHT = "//"


def safe_repr(value: Any, limit: int = 80) -> str:
    """A short repr that never raises, whatever the object does."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def card(
    title: str,
    rows: Mapping[str, Any] | Iterable[tuple[str, Any]],
    *,
    summary: str = "",
    accent: str = PALETTE[0],
    footer: str = "",
    icon: str = "",
    role: str = "",
) -> str:
    """An HTML card: a title, a sentence, a two-column table of facts.

    Its text takes the notebook theme's own colour (light or dark, always legible); the
    ``accent`` colours only the left border, so nothing is said by colour alone. ``icon``
    sits before the title, hidden from screen readers (the title says it in words), and
    ``role`` is an ARIA role for the card, e.g. ``"status"`` to have a verdict announced.

    >>> print(card("x: correct", {"tries": 2}, icon="✓", role="status"))  # doctest: +ELLIPSIS
    <div role="status" style=...><div style=...><span aria-hidden="true">✓</span> x: correct</div>\
<table ...><tr><th scope="row" ...>tries</th><td ...>2</td></tr></table></div>
    """
    items = rows.items() if isinstance(rows, Mapping) else rows
    body = "".join(
        f"<tr><th scope=\"row\" style='text-align:left;padding:2px 12px 2px 0;font-weight:600'>"
        f"{html.escape(str(k))}</th><td style='text-align:left;padding:2px 0'>"
        f"{html.escape(str(v))}</td></tr>"
        for k, v in items
    )
    mark = f'<span aria-hidden="true">{html.escape(icon)}</span> ' if icon else ""
    announced = f' role="{html.escape(role)}"' if role else ""
    parts = [
        f"<div{announced} style='border-left:4px solid {accent};padding:8px 12px;margin:4px 0;"
        f"font-family:system-ui,sans-serif;max-width:46em'>",
        f"<div style='font-weight:700;margin-bottom:4px'>{mark}{html.escape(title)}</div>",
    ]
    if summary:
        parts.append(f"<div style='margin-bottom:6px'>{html.escape(summary)}</div>")
    if body:
        parts.append(f"<table style='border-collapse:collapse'>{body}</table>")
    if footer:
        # Set apart by style, not by a grey: #6c757d is 4.7:1 on white but 3.9:1 on a dark theme.
        parts.append(f"<div style='font-style:italic;margin-top:6px'>{html.escape(footer)}</div>")
    parts.append("</div>")
    return "".join(parts)


def fmt(value: Any, digits: int = 3) -> str:
    """Format a number for a sentence: thousands separators, sensible precision."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def pct(value: float, digits: int = 1) -> str:
    """Format a fraction as a percentage: 0.1234 -> '12.3%'."""
    return f"{100 * value:.{digits}f}%"


# Plain words for the course datasets' column names, where the name alone would not do.
PLAIN_NAMES = {
    "latency_ms": "page load time (ms)",
    "pre_revenue": "revenue before the test",
    "actual_days": "delivery time (days)",
    "promised_days": "promised delivery time (days)",
    "cycle_days": "cycle time (days)",
    "hours_to_resolve": "hours to resolve a ticket",
    "tenure_month": "months of membership",
    "avg_order_value": "average order value",
    "p_success": "chance of success",
    "item_id": "item",
    "is_member": "member",
}
UNITS = {"ms": "ms", "days": "days", "hours": "hours", "pct": "%", "usd": "$"}


def plain(name: str) -> str:
    """A column name as words for an axis or a legend: ``latency_ms`` -> ``page load time (ms)``.

    >>> plain("latency_ms"), plain("order_value"), plain("wait_hours"), plain("Region")
    ('page load time (ms)', 'order value', 'wait (hours)', 'Region')
    """
    name = str(name)
    if name in PLAIN_NAMES:
        return PLAIN_NAMES[name]
    stem, _, unit = name.rpartition("_")
    if stem and unit in UNITS:
        return f"{stem.replace('_', ' ')} ({UNITS[unit]})"
    return name.replace("_", " ")


def figures_enabled() -> bool:
    """False when ``PMKIT_FIGURES=off``: charts are built but not rendered.

    ``pmkit grade`` sets it for the kernels it starts. A gradebook reads only the exercise
    checks, and rendering is a lesson's largest cost after starting Python, so grading skips
    it; every other run (lessons, CI, ``pmkit check``, ``pmkit run``) renders as usual.
    """
    return not paths.switched_off("PMKIT_FIGURES")


FIGURE_CLASS = "pmkit-figure"  # marks a Figure's HTML, for tools that look for figures in outputs


@dataclass(frozen=True)
class Figure:
    """A rendered chart with alt text and a one-line takeaway.

    Displays as one HTML ``<figure>``: the PNG with its alt text as the image's ``alt``
    attribute, and the takeaway as a visible caption beneath it. JupyterLab, classic
    Notebook, the static site and explorers' live view all show that same HTML; the
    takeaway is also its plain text, so the point survives where images don't: a
    terminal, nbval's comparison, a text-only reader.

    >>> print(Figure(b"PNG", alt='Bars: "A" < "B"', takeaway="B is higher.").html())
    <figure class="pmkit-figure" style="margin:0 0 .5em 0"><img src="data:image/png;base64,UE5H" \
alt="Bars: &quot;A&quot; &lt; &quot;B&quot;" style="max-width:100%;height:auto;background:#fff">\
<figcaption style="margin-top:.3em;line-height:1.4">Takeaway: B is higher.</figcaption></figure>
    """

    png: bytes
    alt: str
    takeaway: str

    def html(self) -> str:
        """The figure as HTML: the image with its ``alt`` text, the takeaway as its caption."""
        source = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        # The white background keeps the chart's own white behind a see-through PNG in a dark theme.
        return (f'<figure class="{FIGURE_CLASS}" style="margin:0 0 .5em 0">'
                f'<img src="{source}" alt="{html.escape(self.alt)}" '
                'style="max-width:100%;height:auto;background:#fff">'
                # JupyterLab's output area sets a tall line height: a wrapped takeaway keeps a text one.
                f'<figcaption style="margin-top:.3em;line-height:1.4">{html.escape(self.caption())}'
                '</figcaption></figure>')

    def caption(self) -> str:
        return f"Takeaway: {self.takeaway}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        if not self.png:  # not rendered (see figures_enabled): the takeaway alone
            return {"text/plain": self.caption()}, {}
        return {"text/html": self.html(), "text/plain": self.caption()}, {}

    def __repr__(self) -> str:
        return self.caption()


def figure_alts(output: Mapping[str, Any]) -> list[str]:
    """The alt text of every figure in a saved notebook output (a Figure's HTML or a bare PNG).

    >>> figure_alts({"data": {"text/html": Figure(b"x", alt="Bars", takeaway="B.").html()}})
    ['Bars']
    >>> figure_alts({"data": {"image/png": "iVBO"}, "metadata": {"image/png": {"alt": "Dots"}}})
    ['Dots']
    """
    import re

    data = output.get("data", {})
    if "image/png" in data:
        return [str(output.get("metadata", {}).get("image/png", {}).get("alt", ""))]
    page = data.get("text/html", "")
    page = "".join(page) if isinstance(page, list) else str(page)
    if FIGURE_CLASS not in page:
        return []
    images = re.findall(r'<img src="data:image/png;base64,[^"]*" alt="([^"]*)"', page)
    return [html.unescape(alt) for alt in images]


# With new_axes's sizes a chart comes out about 900 px wide, the notebook column at JupyterLab's
# default width, and its 10 pt text as large as the notebook's own.
DPI = 120
SCALE = 1.35  # new_axes sizes are matplotlib's (6.4 in wide); charts are drawn this much larger


def show(ax_or_fig: Any, alt: str, takeaway: str, dpi: int = DPI) -> Figure:
    """Render a matplotlib chart to a Figure with alt text and a takeaway, then close it.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["A", "B"], [3, 5])
    >>> show(ax, alt="Bars: A 3, B 5", takeaway="B is higher.")
    Takeaway: B is higher.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    if not alt or not takeaway:
        raise ValueError("every figure needs alt text and a one-line takeaway")
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    if not hasattr(fig, "savefig"):
        raise TypeError(f"show() needs a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}")
    if not figures_enabled():
        plt.close(fig)
        return Figure(b"", alt, takeaway)
    # Unhinted text renders about 15% faster (text is most of a chart's cost) and reads the
    # same at this size.
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        png = _render_once(fig, dpi) or _render_tight(fig, dpi)
    plt.close(fig)
    return Figure(png, alt, takeaway)


PAD_INCHES = 0.1  # white space kept around a chart's ink
# Inches of canvas around a new_axes plot. show() crops them away, so they cost nothing in the
# picture; they only have to hold whatever sits outside the plot (long bar labels on the left,
# a legend on the right or below, a two-line title) so that one draw catches all of it.
MARGINS = {"left": 3.0, "right": 2.0, "bottom": 1.2, "top": 1.0}


def _render_once(fig: Any, dpi: int) -> bytes | None:
    """The chart drawn once and cropped to its ink, or None if some of it may lie off the canvas.

    ``savefig(bbox_inches="tight")`` lays a chart out twice (once to measure it, once more on
    the resized canvas), and laying out text is most of a chart's cost. Drawing once on the
    figure's own canvas and cropping the pixels gives the same picture whenever everything
    fits on the canvas; ``new_axes`` leaves margins wide enough for the usual labels. The
    crop is found in the pixels themselves: asking matplotlib for the tight box would lay
    the ticks out a second time (a quarter of the draw).
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgba
    from PIL import Image

    background = to_rgba(fig.get_facecolor())
    if background[3] != 1:  # see-through: no background colour to tell ink from
        return None
    fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    paper = np.array([round(255 * c) for c in background], dtype=np.uint8)  # as Agg paints it
    box = _ink_box(pixels, paper)
    if box is None or _off_canvas(fig, canvas.get_renderer()):
        return None
    top, bottom, left, right = box
    pad = round(PAD_INCHES * dpi)
    # Each side gets the same border of background, also where the canvas ends sooner.
    crop = np.full((bottom - top + 2 * pad, right - left + 2 * pad, 3), paper[:3], np.uint8)
    crop[pad:-pad, pad:-pad] = pixels[top:bottom, left:right, :3]
    buffer = io.BytesIO()
    # Opaque, so RGB: a quarter fewer bytes to compress and to commit. PIL writes no
    # 'Software' or date chunk: the same chart gives the same bytes every run.
    Image.fromarray(crop).save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def _ink_box(pixels: Any, background: Any) -> tuple[int, int, int, int] | None:
    """Rows ``top:bottom`` and columns ``left:right`` holding every pixel that is not
    ``background``; None when nothing was drawn or the ink reaches the canvas's edge
    (it may go on beyond it)."""
    import numpy as np

    # One 32-bit comparison per pixel instead of four 8-bit ones.
    packed = np.ascontiguousarray(pixels).view(np.uint32)[..., 0]
    ink = packed != background.view(np.uint32)[0]
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, columns[0], columns[-1] + 1
    height, width = ink.shape
    if top == 0 or left == 0 or bottom == height or right == width:
        return None
    return int(top), int(bottom), int(left), int(right)


def _off_canvas(fig: Any, renderer: Any) -> bool:
    """True if a text, legend or axes lies wholly outside the canvas (and left no ink on it).

    Anything cut by the canvas's edge leaves ink on the edge, which ``_ink_box`` catches;
    what can sit entirely beyond it is whatever is placed by hand: a legend anchored far
    outside, a text at coordinates past the margin, an axes positioned off the figure.
    Texts and legends were just laid out by the same renderer, so measuring them is cheap.
    """
    width, height = fig.canvas.get_width_height()
    placed = [*fig.legends, *fig.texts]
    for ax in fig.axes:
        x0, y0, x1, y1 = ax.get_position().extents
        if x0 < 0 or y0 < 0 or x1 > 1 or y1 > 1:
            return True
        placed += [*ax.texts, ax.get_legend(), ax.title, ax.xaxis.label, ax.yaxis.label]
    for artist in placed:
        if artist is None or not artist.get_visible():
            continue
        box = artist.get_window_extent(renderer)
        if box.width == 0 and box.height == 0:  # an empty text takes no room
            continue
        if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
            return True
    return False


def _render_tight(fig: Any, dpi: int) -> bytes:
    """The chart on a canvas grown or shrunk to its ink (labels sticking out stay in view)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=PAD_INCHES,
                metadata={"Software": None})
    return buffer.getvalue()


def new_axes(ax: Any = None, size: tuple[float, float] = (6.4, 3.6)) -> Any:
    """Return ``ax`` or a fresh Axes styled for the course."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    # The plot gets the size matplotlib's default margins would leave it in a ``size`` figure,
    # on a canvas with room to spare around it (see MARGINS): show() then draws once and crops.
    # No layout engine: it would lay the figure out once more per render.
    params = plt.rcParams
    size = (size[0] * SCALE, size[1] * SCALE)
    plot_width = size[0] * (params["figure.subplot.right"] - params["figure.subplot.left"])
    plot_height = size[1] * (params["figure.subplot.top"] - params["figure.subplot.bottom"])
    width = MARGINS["left"] + plot_width + MARGINS["right"]
    height = MARGINS["bottom"] + plot_height + MARGINS["top"]
    # White whatever the learner's style or JupyterLab theme: the chart's colours were chosen on it.
    fig, ax = plt.subplots(figsize=(width, height), facecolor="white")
    fig.subplots_adjust(left=MARGINS["left"] / width, right=1 - MARGINS["right"] / width,
                        bottom=MARGINS["bottom"] / height, top=1 - MARGINS["top"] / height)
    ax.set_prop_cycle(color=PALETTE)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
