"""Accessibility: axe-core's WCAG 2.0/2.1 A and AA rules in Debian's Chromium, and colour checks.

The browser and its flags are test_browser's; axe-core comes from the npm registry
(tests/axe.py). Every axe failure names the rule and the element.
"""

from __future__ import annotations

import ast
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from tests.axe import OUR_PARTS, STRUCTURE, violations
from tests.browser_harness import SLOW, Lab, run_all

LESSON = "00_welcome.ipynb"


@pytest.fixture
def jupyter_lab(lab: Lab) -> tuple[str, str]:
    """The harness's JupyterLab on a learner's workspace: (base URL, token)."""
    return lab.base, lab.token

ROOT = Path(__file__).resolve().parents[1]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb (or #rgb) colours, from 1 to 21.

    >>> f"{contrast_ratio('#b0b0b0', '#ffffff'):.1f}"  # the old prompts (axe-core truncates: 2.16)
    '2.2'
    >>> contrast_ratio("#000", "#fff")
    21.0
    """
    def luminance(colour: str) -> float:
        digits = colour.lstrip("#")
        if len(digits) == 3:
            digits = "".join(2 * digit for digit in digits)
        channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _offline_page(browser: Any) -> tuple[Any, list[str]]:
    """A page that refuses anything not on disk, and the list of what it tried to fetch."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    asked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            asked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page, asked


def test_axe_reports_the_rule_and_the_element(browser: Any) -> None:
    # The harness itself: a page with known barriers must fail with each one named.
    page = browser.new_page()
    page.set_content('<html><body><main><img src="data:image/png;base64,iVBORw0KGgo=">'
                     '<p style="color:#b0b0b0">faint</p><h1>a</h1><h3>skipped a level</h3>'
                     "</main></body></html>")
    found = violations(page)
    structure = violations(page, rules=STRUCTURE)
    page.close()
    assert any(line.startswith("image-alt [critical] at img") for line in found), found
    assert any(line.startswith("color-contrast [serious] at p") and "2.16" in line for line in found), found
    assert any(line.startswith("html-has-lang") for line in found), found
    assert not any(line.startswith("heading-order") for line in found)  # not a WCAG-tagged rule...
    assert any(line.startswith("heading-order [moderate] at h3") for line in structure), structure  # ...asked


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course's site, built from the committed lessons."""
    from pmkit.course.site import build_site

    report = build_site(tmp_path_factory.mktemp("site") / "site")
    return Path(report.index).parent


def test_every_site_page_passes_axe_offline(browser: Any, site: Path) -> None:
    page, asked = _offline_page(browser)
    pages = sorted(site.glob("*.html"))
    # The index, one page per lesson, and the cheat sheet.
    assert len(pages) == 2 + len(list((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")))
    failures = {}
    for built in pages:
        page.goto(built.as_uri())
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        found = violations(page, rules=STRUCTURE)
        if found:
            failures[built.name] = found
        assert page.get_attribute("html", "lang") == "en", built.name
        assert page.locator("body > header nav[aria-label]").count() == 1, built.name
        assert page.locator("main").count() == 1, built.name
        # The first Tab lands on the skip link, and it leads to the main content.
        page.keyboard.press("Tab")
        skip = page.evaluate("() => [document.activeElement.textContent, document.activeElement.hash]")
        assert skip[0].startswith("Skip to the") and page.locator(f"main{skip[1]}").count() == 1, built.name
    page.close()
    assert not failures, "\n".join(f"{name}: {line}" for name, lines in failures.items() for line in lines)
    assert asked == [], f"the site asked the network for {asked}"


def test_no_page_names_a_network_address(site: Path) -> None:
    for built in sorted(site.glob("*.html")):
        text = re.sub(r"/\*.*?\*/", "", built.read_text(encoding="utf-8"), flags=re.S)  # CSS comments
        assert re.findall(r"https?://[^\"'\s)<>]+", text) == [], built.name


def test_code_colours_reach_aa_contrast_on_the_code_background() -> None:
    from pmkit.course.site import CODE_COLOURS

    styles = sys_prefix_share()
    theme = (styles / "theme-light.css").read_text(encoding="utf-8")
    declared = dict(re.findall(r"(--jp-mirror-editor-[\w-]+-color):\s*(#[0-9a-fA-F]{3,6})\s*;", theme))
    # The code background: --jp-cell-editor-background is --md-grey-100, declared in index.css.
    assert "--jp-cell-editor-background: var(--md-grey-100)" in theme
    background = re.search(r"--md-grey-100:\s*(#[0-9a-fA-F]{6})", (styles / "index.css").read_text())[1]
    assert len(declared) >= 15 and background.lower() == "#f5f5f5"
    used = {**declared, **CODE_COLOURS}
    weak = {name: round(contrast_ratio(colour, background), 2) for name, colour in used.items()
            if contrast_ratio(colour, background) < 4.5}
    assert weak == {}
    # The overrides matter: without them the theme's own colours fall short.
    assert any(contrast_ratio(colour, background) < 4.5 for colour in declared.values())


def sys_prefix_share() -> Path:
    """The folder of nbconvert's lab template styles, found through jupyter_core's data paths."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates", "lab", "static"):
        if (Path(folder) / "theme-light.css").is_file():
            return Path(folder)
    pytest.skip("nbconvert's lab template is not installed")


def test_math_is_typeset_offline_from_the_bundled_mathjax(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("jupyter_server_mathjax", reason="pip install jupyter-server-mathjax")
    from pmkit.course.site import build_site

    repo = tmp_path / "course"
    (repo / "lessons").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    shutil.copy(ROOT / "lessons" / "00_welcome.ipynb", repo / "lessons")
    formula = "$$n = 2 \\sigma^2 (z_{1-\\alpha/2} + z_{1-\\beta})^2 / \\delta^2$$"
    nb = new_notebook(cells=[new_markdown_cell(f"# Lift\n\nThe lift is $p_B / p_A - 1$, and:\n\n{formula}")])
    nb.metadata["pmkit"] = {"id": "01", "title": "Lift", "module": "1 · Numbers", "minutes": 5,
                            "objectives": ["Read a formula"], "prerequisites": [], "version": "1.0"}
    nbformat.write(nb, repo / "lessons" / "01_lift.ipynb")
    monkeypatch.setenv("PMKIT_REPO", str(repo))
    report = build_site(tmp_path / "site")
    welcome, lift = (Path(p) for p in report.pages)
    assert "MathJax" not in welcome.read_text(encoding="utf-8")  # no math, no script
    assert 'src="mathjax/MathJax.js' in lift.read_text(encoding="utf-8")

    page, asked = _offline_page(browser)
    page.goto(lift.as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                           "&& document.querySelectorAll('.MathJax, .MathJax_Display').length >= 2")
    assert violations(page, rules=STRUCTURE) == []
    page.close()
    assert asked == []




def test_lesson_00_outputs_pass_axe_in_jupyterlab(browser: Any, jupyter_lab: tuple[str, str]) -> None:
    base, token = jupyter_lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/lab/tree/workspace/{LESSON}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell")
    run_all(page)
    page.wait_for_selector(".jp-OutputArea-output .widget-slider .noUi-handle")
    # ipywidgets gives a slider's handle no accessible name (its noUiSlider handle attributes are
    # not exposed), so the handles are checked on their own below, against exactly that gap.
    found = violations(page, OUR_PARTS, exclude=[".noUi-handle"])
    handles = violations(page, ".jp-OutputArea-output .noUi-handle")
    statuses = page.locator(".jp-OutputArea-output [role='status']").all_inner_texts()
    labels = page.locator(".jp-OutputArea-output .widget-slider .widget-label").all_inner_texts()
    handle = page.locator(".jp-OutputArea-output .noUi-handle").first
    before = handle.get_attribute("aria-valuenow")
    handle.focus()  # a keyboard user reaches it with Tab (tabindex 0) ...
    page.keyboard.press("ArrowRight")  # ... and moves it with the arrow keys
    page.wait_for_function("([h, v]) => h.getAttribute('aria-valuenow') !== v",
                           arg=[handle.element_handle(), before])
    tab_stops = page.eval_on_selector_all(".jp-OutputArea-output .noUi-handle",
                                          "handles => handles.map(h => h.tabIndex)")
    page.close()
    assert found == [], "\n".join(found)
    unexpected = [line for line in handles if not line.startswith("aria-input-field-name")]
    assert unexpected == [], "\n".join(unexpected)
    assert handles, "ipywidgets now names its slider handles: drop the exclusion above and this check"
    # Every check's verdict is announced (role=status) and says its status in words.
    words = re.compile(r": (correct|incorrect|not answered|error)\b")
    assert statuses and all(words.search(text) for text in statuses), statuses
    # Every slider is labelled in visible words and is a keyboard stop.
    assert labels and all(label.strip() for label in labels), labels
    assert tab_stops and all(stop == 0 for stop in tab_stops), tab_stops


def _text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


@pytest.mark.parametrize("status", ["correct", "incorrect", "not answered", "error"])
def test_feedback_says_its_status_in_words_and_is_announced(status: str) -> None:
    from pmkit.exercises.engine import Feedback

    markup = Feedback("00_welcome", "late_share", status, "A sentence.", "Try again.")._repr_html_()
    assert markup.startswith('<div role="status"')
    assert f"late_share: {status}" in _text(re.sub(r'<span aria-hidden="true">.*?</span>', "", markup))
    # The icon is decoration: hidden from screen readers, and a symbol text fonts have (no emoji).
    icon = re.search(r'<span aria-hidden="true">(.*?)</span>', markup)[1]
    assert len(icon) == 1 and ord(icon) < 0x2800, icon
    assert not re.search("[\U0001F000-\U0001FFFF\u2705\u274C\uFE0F]", markup)


def test_card_text_keeps_the_theme_colour() -> None:
    from pmkit.display import NEUTRAL, PALETTE, card

    markup = card("Title", {"a": 1}, summary="A sentence.", footer="Next step.", accent=PALETTE[6])
    # Colour only on the border: text colour comes from the theme, legible in light and dark.
    assert re.findall(r"(?<![-\w])color:", markup) == []
    assert "border-left:4px solid #F0E442" in markup
    assert '<th scope="row"' in markup
    # Why the footer lost its grey: just AA on white, below it on JupyterLab's dark theme.
    assert 4.5 < contrast_ratio(NEUTRAL, "#ffffff") < 4.8
    assert contrast_ratio(NEUTRAL, "#111111") < 4.5


# --------------------------------------------------------------- colour vision ---

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6):1291-1298, table of matrices at severity 1.0. They act on
# linear-light RGB; each row sums to 1, so greys stay grey.
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
# sRGB (IEC 61966-2-1) linear RGB to CIE XYZ, D65 white.
SRGB_TO_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
# CIE76 colour difference that counts as "told apart at a glance" in a chart: about five times
# the just-noticeable difference of 2.3 (Sharma, Digital Color Imaging Handbook, 2003).
DISTINCT = 12.0


def linear_rgb(colour: str) -> Any:
    """#rrggbb to linear-light RGB in [0, 1] (the sRGB transfer function undone)."""
    import numpy as np
    from matplotlib.colors import to_rgb

    channels = np.array(to_rgb(colour))
    return np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)


def cielab(rgb: Any) -> Any:
    """Linear-light RGB to CIELAB (D65)."""
    import numpy as np

    xyz = np.array(SRGB_TO_XYZ) @ rgb / (np.array(SRGB_TO_XYZ) @ np.ones(3))
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_as(colour: str, deficiency: str | None) -> Any:
    """How a colour looks (in CIELAB) with full-strength protanopia, deuteranopia or tritanopia."""
    import numpy as np

    rgb = linear_rgb(colour)
    if deficiency is not None:
        rgb = np.clip(np.array(MACHADO_2009[deficiency]) @ rgb, 0, 1)
    return cielab(rgb)


def delta_e(a: str, b: str, deficiency: str | None = None) -> float:
    """CIE76 ΔE*ab between two colours as someone with ``deficiency`` sees them."""
    import numpy as np

    return float(np.linalg.norm(seen_as(a, deficiency) - seen_as(b, deficiency)))


def test_the_simulation_behaves_as_published() -> None:
    import numpy as np

    for deficiency, matrix in MACHADO_2009.items():
        assert np.allclose(np.sum(matrix, axis=1), 1, atol=1e-5), deficiency  # greys stay grey
        assert delta_e("#777777", "#777777", deficiency) == 0
        assert delta_e("#777777", "#777777", None) == 0
    assert seen_as("#ffffff", None)[0] == pytest.approx(100, abs=0.01)  # white: L* = 100
    # The classic clash: matplotlib's red and green, far apart normally, close for a deuteranope.
    assert delta_e("#d62728", "#2ca02c") > 100
    assert delta_e("#d62728", "#2ca02c", "deuteranopia") < DISTINCT


@pytest.mark.parametrize("deficiency", [None, *MACHADO_2009])
def test_palette_colours_stay_distinct_with_each_deficiency(deficiency: str | None) -> None:
    from itertools import combinations

    from pmkit.display import BAD, GOOD, NEUTRAL, PALETTE

    colours = dict.fromkeys([*PALETTE, GOOD, BAD, NEUTRAL])  # every colour a chart may combine
    close = {(a, b): round(delta_e(a, b, deficiency), 1) for a, b in combinations(colours, 2)
             if delta_e(a, b, deficiency) < DISTINCT}
    assert close == {}, f"too alike for {deficiency or 'full colour vision'}: {close}"


# ------------------------------------------------------- never colour alone ---


def _marker(line: Any) -> str:
    marker = line.get_marker()
    return "" if marker in (None, "None", "", " ") else str(marker)


def _labelled(ax: Any, bar: Any, vertical: bool) -> bool:
    """Whether a bar has a tick label of its own on the category axis."""
    centre = bar.get_x() + bar.get_width() / 2 if vertical else bar.get_y() + bar.get_height() / 2
    axis = ax.xaxis if vertical else ax.yaxis
    return any(abs(tick.get_loc() - centre) < 1e-6 and tick.label1.get_text().strip()
               for tick in axis.get_major_ticks())


def colour_only(ax: Any) -> list[str]:
    """Data marks of one chart told apart by colour and by nothing else.

    Marks are lines (style: line style and marker), scatter points (marker shape), filled areas
    and bars (hatch). Within one style, several colours carry meaning by colour alone, unless
    each colour marks a single bar with a tick label of its own (then the words say it).
    """
    import numpy as np
    from matplotlib.collections import PathCollection, PolyCollection
    from matplotlib.colors import to_hex
    from matplotlib.container import BarContainer

    ax.figure.canvas.draw()  # tick labels get their text when drawn
    marks: list[tuple[str, tuple[Any, ...], bool]] = [
        (to_hex(line.get_color()), ("line", line.get_linestyle(), _marker(line)), False) for line in ax.lines]
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and len(collection.get_offsets()):
            shape = tuple(np.round(collection.get_paths()[0].vertices, 2).ravel().tolist())
            marks += [(to_hex(c), ("points", shape), False) for c in collection.get_facecolor()]
        elif isinstance(collection, PolyCollection) and len(collection.get_facecolor()):
            area = ("area", collection.get_hatch() or "")
            marks.append((to_hex(collection.get_facecolor()[0]), area, False))
    for container in ax.containers:
        if isinstance(container, BarContainer):
            vertical = container.orientation == "vertical"
            marks += [(to_hex(bar.get_facecolor()), ("bar", str(bar.get_hatch() or "")),
                       _labelled(ax, bar, vertical)) for bar in container.patches]
    styles: dict[tuple[Any, ...], dict[str, list[bool]]] = {}
    for colour, style, labelled in marks:
        styles.setdefault(style, {}).setdefault(colour, []).append(labelled)
    return [f"{style[0]} {style[1:] if style[0] != 'points' else ''}: {sorted(by_colour)}"
            for style, by_colour in styles.items()
            if len(by_colour) > 1 and not all(flags == [True] for flags in by_colour.values())]


def every_plotted_result() -> list[Any]:
    """One result of every class with a plot() in the principle modules."""
    import numpy as np
    import pandas as pd

    import pmkit.agile as agile
    import pmkit.customer as cu
    import pmkit.datasets as ds
    import pmkit.experiment as ex
    import pmkit.longterm as lt
    import pmkit.metrics
    import pmkit.recommend as r
    from tests.test_metrics import _all_results

    rng = np.random.default_rng(8)
    segments = pd.DataFrame({"plan": ["a"] * 50 + ["b"] * 50, "score": rng.integers(0, 11, 100)})
    answers = pd.DataFrame({"feature": ["x", "x", "y", "y", "z", "z"],
                            "functional": ["like", "like", "expect", "expect", "like", "like"],
                            "dysfunctional": ["neutral", "neutral", "dislike", "dislike", "dislike",
                                              "dislike"]})
    backlog = pd.DataFrame({"item": ["a", "b", "c"], "reach": [1, 2, 3], "impact": [1, 1, 1],
                            "confidence": [1, 1, 1], "effort": [1, 1, 1]})
    customers, items = [1, 1, 2, 2, 3, 3, 3, 4], ["tea", "cups", "tea", "cups", "tea", "jam", "cups", "jam"]
    similarity = r.item_similarity(customers, items)
    experiments, truth = ds.load("experiments"), ds.truth("experiments")
    n = np.arange(1, 11) * 1000
    periods = pd.DataFrame({"period": ["before", "after"] * 200, "device": ["web"] * 200 + ["app"] * 200,
                            "buy": rng.random(400) < 0.3})
    return [
        pmkit.metrics.rate_change(periods, "buy", "period"),
        pmkit.metrics.difference_in_differences(periods, "buy", "period", "device", treated="web"),
        lt.member_value_from(ds.load("membership")),
        cu.nps(segments["score"]), cu.nps_by_segment(segments, "plan"),
        cu.pain_points(["late", "rude agent", "late"], [1, 0.5, 0.5]),
        cu.top_theme_odds(["late", "fine", "crushed"], sample_size=2, repeats=5),
        cu.kano_survey(answers), cu.rice_ranking(backlog),
        *_all_results(),
        r.recommend(similarity, ["tea"], k=2), similarity,
        r.evaluate(customers, items, [1, 2, 3, 4], ["jam", "jam", "cups", "tea"], k=1),
        ex.two_proportions(100, 1000, 130, 1000), ex.sample_size(0.1, 0.02),
        ex.power_of_test(0.1, 0.02, 3000),
        ex.srm_check([5000, 5200]), ex.adjust_p_values([0.01, 0.04, 0.2]),
        ex.bayesian_ab(100, 1000, 120, 1000, draws=2000),
        ex.sequential_test(rng.binomial(1000, 0.10, 10).cumsum(), n,
                           rng.binomial(1000, 0.11, 10).cumsum(), n),
        ex.peeking_simulation(experiments=100, n_per_arm=2000, looks=5),
        ex.aa_simulation(experiments=100, n_per_arm=1000),
        ex.analyze(experiments, "revenue", truth["one_click_upsell"]["guardrails"],
                   experiment="one_click_upsell"),
        agile.forecast_when([3, 5, 4, 6, 2, 5], 30, seed=1, start="2026-03-02"),
        agile.forecast_how_many([3, 5, 4, 6, 2, 5], 10, seed=1),
        agile.wsjf([10, 1, 4], [1, 5, 2], names=["fix", "rebuild", "filter"]),
        agile.incremental_delivery([5, 3, 2], [2, 2, 2], 12),
        lt.investment_case([-100, 30, 40, 50, 60], 0.1),
        lt.lifetime_value(20, 0.8, 0.01, acquisition_cost=40),
        lt.kaplan_meier([1, 2, 3, 4, 5, 6, 7, 8], [1, 0, 1, 1, 0, 1, 1, 0]),
        lt.membership_case(10, 2, 0.3, 5, 3, 0.05, months=24),
        lt.flywheel(), lt.portfolio_of_bets([1, 2], [0.3, 0.1], [3, 30], n_sims=1000),
        lt.pilot_value(0.3, 20.0, -10.0, sensitivity=0.8, false_alarm=0.3),
    ]


def test_no_chart_tells_series_apart_by_colour_alone() -> None:
    import inspect

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import pmkit.agile
    import pmkit.customer
    import pmkit.experiment
    import pmkit.longterm
    import pmkit.metrics
    import pmkit.recommend

    results = every_plotted_result()
    plotted = {type(result) for result in results}
    modules = (pmkit.agile, pmkit.customer, pmkit.experiment, pmkit.longterm, pmkit.metrics, pmkit.recommend)
    every = {cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
             if cls.__module__ == module.__name__ and "plot" in vars(cls)}
    assert every - plotted == set(), "add a result of these classes to every_plotted_result()"
    problems = {}
    for result in results:
        found = colour_only(result.plot())
        if found:
            problems[type(result).__name__] = found
        plt.close("all")
    assert problems == {}


def test_the_colour_only_check_can_fail() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pmkit.display import PALETTE

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color=PALETTE[0], marker="o")
    ax.plot([0, 1], [1, 0], color=PALETTE[1], marker="o")
    ax.bar([0, 1, 2], [1, 2, 3], color=[PALETTE[0], PALETTE[0], PALETTE[3]])
    found = colour_only(ax)
    ax.lines[1].set_marker("s")
    ax.containers[0].patches[2].set_hatch("//")
    fixed = colour_only(ax)
    plt.close(fig)
    assert len(found) == 2 and found[0].startswith("line") and found[1].startswith("bar")
    assert fixed == []


# ------------------------------------------------------ lint of the masters ---

FIGURE_CALLS = {"show": ("alt", "takeaway"), "explorer": ("alt",)}  # explorer's draw returns the takeaway


def _called(node: Any) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _says_something(node: Any) -> bool:
    """False for an empty or blank string literal (or f-string with no words); other expressions pass."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) or str(part.value).strip() for part in node.values)
    return True


def figure_call_problems(source: str, where: str) -> list[str]:
    """Every show()/explorer() call in a code cell without non-empty alt text (and takeaway)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    problems = []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call) or _called(node) not in FIGURE_CALLS:
            continue
        given = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        if _called(node) == "show":  # show(ax, alt, takeaway) may pass them by position
            given.update(dict(zip(("alt", "takeaway"), node.args[1:], strict=False)))
        for name in FIGURE_CALLS[_called(node)]:
            if name not in given or not _says_something(given[name]):
                problems.append(f"{where}, line {node.lineno}: {_called(node)}() without {name}")
    return problems


class _Images(HTMLParser):
    def __init__(self, markup: str):
        super().__init__()
        self.alts: list[str | None] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def image_output_problems(nb: Any, name: str) -> list[str]:
    """Every image in a notebook's saved outputs without alt text (PNG metadata or <img alt>)."""
    problems = []
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "image/png" in data and not str(output.get("metadata", {}).get("image/png", {})
                                               .get("alt", "")).strip():
                problems.append(f"{name}, cell {index}: a PNG without alt metadata")
            markup = data.get("text/html", "")
            markup = "".join(markup) if isinstance(markup, list) else markup
            if "<img" in markup and not all((alt or "").strip() for alt in _Images(markup).alts):
                problems.append(f"{name}, cell {index}: an <img> without alt text")
    return problems


def test_every_master_figure_has_alt_text_and_a_takeaway() -> None:
    masters = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert masters
    problems, calls = [], 0
    for path in masters:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells, start=1):
            if cell.cell_type == "code":
                calls += len(re.findall(r"\b(?:show|explorer)\(", cell.source))
                problems += figure_call_problems(cell.source, f"{path.stem}, cell {index}")
        problems += image_output_problems(nb, path.stem)
    assert calls >= len(masters)  # every lesson draws at least one figure
    assert problems == []


def test_the_figure_lint_can_fail() -> None:
    from nbformat.v4 import new_code_cell, new_output

    source = ('pmkit.show(ax, alt="", takeaway="B wins")\nshow(ax, "Bars", "  ")\n'
              'explorer(draw, n=Slider(1, 9))\npmkit.show(ax, alt=f"{n} bars", takeaway=text)\n'
              "%matplotlib inline")
    assert figure_call_problems(source, "x") == ["x, line 1: show() without alt",
                                                 "x, line 2: show() without takeaway",
                                                 "x, line 3: explorer() without alt"]
    bare = new_output("display_data",
                      data={"image/png": "iVBO", "text/html": '<figure><img src="a.png"></figure>'})
    nb = new_notebook(cells=[new_code_cell("1", outputs=[bare])])
    assert image_output_problems(nb, "x") == ["x, cell 1: a PNG without alt metadata",
                                              "x, cell 1: an <img> without alt text"]
