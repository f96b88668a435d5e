"""Real browser, no install: lesson 00 in the JupyterLite build, driven in Chromium.

Opens lesson 00 in the site `pmkit lite` builds, runs it all, answers a check wrong and then
right, moves an explorer's slider, saves, reloads and finds the answer and the progress log
still there (kept in the browser's storage). The Pyodide kernel downloads Python and the
scientific wheels from the Pyodide CDN, so the test skips where that CDN is unreachable (as on
the course's build machines); .github/workflows/lite.yml runs it on GitHub's runners and
records the first-load time it measures.

``PMKIT_LITE_SITE`` points at an already built site (the workflow builds it once);
``PMKIT_CHROMIUM`` at a Chromium-family browser (default: Debian's /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pmkit.course import lite
from tests.browser_harness import sync_api
from tests.lite_env import lite_python, use_lite_jupyter_path
from tests.test_lite import serve

ROOT = Path(__file__).resolve().parents[1]
LESSON = "00_welcome.ipynb"
FIRST_LOAD = 600_000  # ms: Pyodide, numpy, pandas, scipy and matplotlib come from the CDN once
WRONG, RIGHT = "average_order = 1.0", 'average_order = orders["order_value"].mean()'

@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site `pmkit lite` writes (or the one ``PMKIT_LITE_SITE`` names)."""
    if built := os.environ.get("PMKIT_LITE_SITE"):
        return Path(built).resolve()
    out = tmp_path_factory.mktemp("lite") / "site"
    subprocess.run([str(lite_python()), "-m", "pmkit", "lite", "--out", str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def lite_site(built_site: Path) -> Path:
    """The built site, where the learner's browser can fetch Pyodide (else the test skips)."""
    with pytest.MonkeyPatch.context() as patch:
        use_lite_jupyter_path(patch)
        url = lite.pyodide_url()
    if url is None:
        pytest.skip("jupyterlite-pyodide-kernel is not installed (pip install -e '.[lite]')")
    try:  # the learner's browser fetches Pyodide from here on first run
        with urllib.request.urlopen(url.rsplit("/", 1)[0] + "/pyodide-lock.json", timeout=10):
            pass
    except OSError as exc:
        pytest.skip(f"the Pyodide CDN is unreachable ({url}: {exc}); .github/workflows/lite.yml runs this")
    return built_site


@pytest.fixture(scope="module")
def served(lite_site: Path) -> Iterator[str]:
    with serve(lite_site) as base:
        yield base


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Any:
    """The test process's one browser (tests/conftest.py): Playwright runs one sync session at a time."""
    return browser


def _wait_until_every_cell_ran(page: Any) -> None:
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=FIRST_LOAD)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")


def _errors(page: Any) -> list[str]:
    found = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                         ".jp-RenderedText[data-mime-type*=error]")
    return [found.nth(i).inner_text()[:300] for i in range(found.count())]


def _run_all(page: Any) -> None:
    page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    _wait_until_every_cell_ran(page)


def _check_cell(page: Any) -> Any:
    return page.locator(".jp-CodeCell").filter(has_text='lesson.check("average_order"')


def _answer(page: Any, text: str) -> str:
    """Replace the check cell's first line with ``text``, run the cell, return its output."""
    cell = _check_cell(page)
    cell.locator(".cm-line").first.click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.insert_text(text)  # no key events, so no auto-closed brackets
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    page.wait_for_timeout(500)
    return cell.locator(".jp-OutputArea").inner_text()


def _wire_bytes(request: Any) -> int:
    """The response body's size on the wire (0 when the browser cannot tell, e.g. from a cache)."""
    try:
        return max(request.sizes()["responseBodySize"], 0)
    except sync_api().Error:
        return 0


def _open(page: Any, base: str) -> None:
    page.goto(f"{base}/lab/index.html?path={LESSON}")
    page.wait_for_selector(".jp-CodeCell", timeout=FIRST_LOAD)


def test_lesson_00_runs_in_the_browser_and_keeps_the_learners_work(
        chromium: Any, served: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("PMKIT_LITE_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    fetched: list[int] = []  # bytes on the wire per request, the site's and the CDN's alike
    page.on("requestfinished", lambda request: fetched.append(_wire_bytes(request)))
    started = time.monotonic()
    _open(page, served)
    _run_all(page)
    first_run = time.monotonic() - started
    first_bytes = sum(fetched)
    page.screenshot(path=str(shots / "lite-00-run-all.png"))
    assert _errors(page) == [], f"error output (see {shots})"
    assert "not answered" in _check_cell(page).locator(".jp-OutputArea").inner_text()

    wrong = _answer(page, WRONG)
    assert "❌" in wrong and "incorrect" in wrong, wrong
    right = _answer(page, RIGHT)
    assert "✅" in right and "correct" in right, right

    slider = page.locator(".widget-slider").first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")
    before = readout.inner_text()
    explorer = page.locator(".jp-CodeCell").filter(has=slider)
    chart_before = explorer.locator(".jp-OutputArea").inner_html()
    slider.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, old]) => el.textContent.trim() !== old",
                           arg=[readout.element_handle(), before])
    page.wait_for_timeout(2000)  # the chart redraws in the kernel
    assert explorer.locator(".jp-OutputArea").inner_html() != chart_before, "the chart did not redraw"
    page.screenshot(path=str(shots / "lite-00-slider-moved.png"))

    page.keyboard.press("Control+s")
    page.wait_for_timeout(2000)
    page.reload()
    page.wait_for_selector(".jp-CodeCell", timeout=FIRST_LOAD)
    source = _check_cell(page).locator(".cm-content").inner_text()
    assert RIGHT in source, f"the answer did not survive the reload: {source!r}"

    # The progress log sits in the same browser storage: ask a fresh kernel for it.
    last = page.locator(".jp-CodeCell .cm-content").last
    last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("print(open('/drive/.pmkit-progress.jsonl').read().count('average_order'))")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "() => /\\[\\d+\\]/.test([...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
        ".pop().textContent)", timeout=FIRST_LOAD)
    counted = page.locator(".jp-CodeCell .jp-OutputArea").last.inner_text().strip()
    page.screenshot(path=str(shots / "lite-00-after-reload.png"))
    context.close()
    assert counted.isdigit() and int(counted) >= 2, f"progress log after reload: {counted!r}"
    line = (f"Lesson 00 in JupyterLite, cold browser cache: opened and ran all in {first_run:.0f} s, "
            f"{first_bytes / 1e6:.1f} MB fetched in {len(fetched)} requests")
    print(line)
    if summary := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


def test_a_saved_lesson_survives_a_reload_and_a_course_update_until_deleted(
        chromium: Any, built_site: Path, tmp_path: Path) -> None:
    """JupyterLite's storage over the shipped files: needs no kernel, so it runs everywhere."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    shipped = site / "files" / LESSON
    with serve(site) as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.route("https://**/*", lambda route: route.abort())  # no CDN needed, none used
        _open(page, base)
        first = page.locator(".jp-CodeCell .cm-content").first
        first.click()
        page.keyboard.press("End")
        page.keyboard.insert_text("  # mine")
        page.keyboard.press("Control+s")
        page.wait_for_selector(".lm-TabBar-tab.jp-mod-dirty", state="detached")

        nb = json.loads(shipped.read_text(encoding="utf-8"))  # the course publishes a new version
        nb["cells"][0]["source"] = "# A newer lesson 00\n"
        shipped.write_text(json.dumps(nb), encoding="utf-8")
        _open(page, base)  # a fresh load of the page, as a learner coming back tomorrow
        page.wait_for_selector(".jp-CodeCell .cm-content")
        assert page.locator(".jp-CodeCell .cm-content").first.inner_text() == "seed = 42  # mine"
        assert page.get_by_text("A newer lesson 00").count() == 0, "the update replaced the learner's copy"

        # Starting over: delete the saved copy in the file browser; the course's copy comes back.
        page.get_by_role("menuitem", name="File", exact=True).click()
        page.get_by_role("menuitem", name="Close All Tabs").click()
        page.locator(".jp-DirListing-item", has_text=LESSON.removesuffix(".ipynb")).click(button="right")
        page.locator('.lm-Menu-item[data-command="filebrowser:delete"]').click()
        page.get_by_role("button", name="Delete", exact=True).click()
        page.wait_for_timeout(1000)
        _open(page, base)
        page.wait_for_selector("h1:has-text('A newer lesson 00')")
        assert page.locator(".jp-CodeCell .cm-content").first.inner_text() == "seed = 42"
        page.screenshot(path=str(tmp_path / "lite-00-after-delete.png"))
        context.close()
