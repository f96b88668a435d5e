"""Real browser: lesson 00 runs in JupyterLab with a live widget, and the static site shows its figures.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright's Python package;
no browser is downloaded. Without either, the tests skip and say what to install
(`.ci/run` installs Chromium on CI machines). ``PMKIT_CHROMIUM`` points the tests
at another Chromium-family executable, e.g. a CI image's preinstalled Chrome.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("PMKIT_CHROMIUM", "/usr/bin/chromium"))
# Without the networking flags Chromium keeps calling home on a machine with no network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
LESSON = "00_welcome.ipynb"
SLOW = 240_000  # ms; JupyterLab's first load on a busy two-core machine takes a minute or more
# JupyterLab settings for a quiet, inspectable page: every cell in the DOM, no news prompt.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install playwright (no browser download)"
)
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set PMKIT_CHROMIUM)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(folder: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A JupyterLab server on a copy of the lessons: (base URL, token). Always stopped afterwards."""
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("JupyterLab is not installed in this environment: pip install 'basketly-pmkit[lab]'")
    root = tmp_path / "course"
    shutil.copytree(ROOT / "lessons", root)
    _clear_outputs(root / LESSON)
    _write_settings(tmp_path / "lab-settings")
    token, port = secrets.token_hex(16), _free_port()
    # Private config, runtime and settings folders: the test neither reads nor changes the user's.
    # A learner's kernels never have PMKIT_WIDGETS=off (the test run's headless setting).
    learner_env = {key: value for key, value in os.environ.items() if key != "PMKIT_WIDGETS"}
    env = {**learner_env, "PMKIT_PROGRESS": "off", "PMKIT_WORKSPACE": str(tmp_path / "workspace"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces")}
    command = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.terminals_enabled=False",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers often run as root
    log = tmp_path / "jupyter-lab.log"
    with log.open("w") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, f"{base}/api/status?token={token}", log)
        yield base, token
    finally:
        server.terminate()  # lets the server shut its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_for_server(server: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer within {seconds:.0f} s:\n{log.read_text()[-2000:]}")


def _clear_outputs(notebook: Path) -> None:
    # Committed lessons carry outputs and execution counts; without them every
    # output and every [n] prompt on the page must come from the browser's own run.
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook.write_text(json.dumps(nb), encoding="utf-8")


def _code_cells(notebook: Path) -> int:
    return sum(cell["cell_type"] == "code" for cell in json.loads(notebook.read_text())["cells"])


def test_lesson_00_runs_in_jupyterlab_with_a_live_widget(
    browser: Any, jupyter_lab: tuple[str, str], tmp_path: Path
) -> None:
    base, token = jupyter_lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(SLOW)
    page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    assert page.locator(".jp-OutputArea-output").count() == 0

    # Focus the notebook first, or the Run menu's commands may not apply to it.
    page.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # A cell shows [n] once it has run, [*] while queued or running.
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }"""
    )
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    screenshot = tmp_path / "00_welcome-jupyterlab.png"

    assert page.locator(".jp-CodeCell").count() == _code_cells(ROOT / "lessons" / LESSON)
    errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"], '
                          ".jp-RenderedText[data-mime-type*=error]")
    if errors.count():
        page.screenshot(path=str(screenshot))
        pytest.fail(f"error output in the browser: {errors.first.inner_text()[:500]} (see {screenshot})")
    slider = page.locator(".widget-slider").first
    slider.scroll_into_view_if_needed()
    assert slider.is_visible()
    assert page.locator(".jupyter-widgets").first.is_visible()
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    page.close()


def test_every_site_page_loads_with_its_figures(browser: Any, tmp_path: Path) -> None:
    from pmkit.course.notebooks import read
    from pmkit.course.site import build_site, count_figures

    report = build_site(tmp_path / "site")
    site = Path(report.index).parent
    page = browser.new_page()
    page.set_default_timeout(60_000)
    # The site must work offline: anything not on disk is refused.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    crashes: list[str] = []
    page.on("pageerror", lambda error: crashes.append(str(error)))

    page.goto(site.joinpath("index.html").as_uri())
    linked = page.eval_on_selector_all("article.lesson h3 a",
                                       "links => links.map(a => a.getAttribute('href'))")
    assert sorted(linked) == sorted(Path(p).name for p in report.pages)

    for built in map(Path, report.pages):
        lesson = ROOT / "lessons" / f"{built.stem}.ipynb"
        page.goto(built.as_uri())
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => ({alt: i.alt, width: i.naturalWidth}))"
        )
        assert len(images) == count_figures(read(lesson)), lesson.name
        assert all(image["width"] > 0 for image in images), f"{lesson.name}: a figure did not load"
        assert all(image["alt"].strip() for image in images), f"{lesson.name}: a figure lost its alt text"
        assert page.locator("a[href='index.html']").count() >= 1
    assert crashes == []
