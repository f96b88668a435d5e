"""Accessibility: axe-core's WCAG 2.0/2.1 A and AA rules in Debian's Chromium, and colour checks.

The browser and its flags are test_browser's; axe-core comes from the npm registry
(tests/axe.py). Every axe failure names the rule and the element.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from tests.axe import STRUCTURE, violations
from tests.test_browser import LESSON, SLOW, browser, jupyter_lab  # noqa: F401  (shared fixtures)

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


def _offline_page(browser: Any) -> tuple[Any, list[str]]:  # noqa: F811
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


def test_axe_reports_the_rule_and_the_element(browser: Any) -> None:  # noqa: F811
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


def test_every_site_page_passes_axe_offline(browser: Any, site: Path) -> None:  # noqa: F811
    page, asked = _offline_page(browser)
    pages = sorted(site.glob("*.html"))
    assert len(pages) == 1 + len(list((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")))
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
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
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


# What the course puts in a notebook: every output and the lessons' own Markdown. JupyterLab's
# chrome (toolbars, prompts, the code editor) is JupyterLab's to fix, not ours.
OUR_PARTS = ".jp-OutputArea-output, .jp-MarkdownOutput"


def test_lesson_00_outputs_pass_axe_in_jupyterlab(browser: Any, jupyter_lab: tuple[str, str]) -> None:  # noqa: F811
    base, token = jupyter_lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }"""
    )
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
