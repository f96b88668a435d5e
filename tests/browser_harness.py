"""One JupyterLab server and one Chromium for the real-browser tests, and what they check on a page.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright's Python package; no
browser is downloaded. Without either the tests skip and say what to install (`.ci/run`
installs Chromium on CI machines). ``PMKIT_CHROMIUM`` points at another Chromium-family
executable, e.g. a CI image's Chrome. Screenshots go to ``PMKIT_SCREENSHOTS`` (default
``_screenshots/``), which the GitHub workflow uploads.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pmkit.course.cli import lab_settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("PMKIT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("PMKIT_SCREENSHOTS", ROOT / "_screenshots"))
# Without the networking flags Chromium keeps calling home on a machine with no network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW = 240_000  # ms; JupyterLab's first load on a busy two-core machine takes a minute or more
VIEWPORT = {"width": 1280, "height": 1000}
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
# JupyterLab settings for a quiet, inspectable page: every cell in the DOM, no news prompt.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def sync_api() -> Any:
    """Playwright's sync API, or skip the calling module with what to install."""
    missing = "playwright is not installed: pip install playwright (no browser download)"
    api = pytest.importorskip("playwright.sync_api", reason=missing)
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set PMKIT_CHROMIUM)",
                    allow_module_level=True)
    return api


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole run; each test opens its own pages in it."""
    with sync_api().sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab on a learner's workspace."""

    base: str
    token: str
    workspace: Path  # the learner's lessons, ``workspace/`` in the folder the server serves
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.url(f"api/{path}"), method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_kernels_down(self) -> None:
        """Stop every kernel, so lesson after lesson the machine holds one at a time."""
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(folder: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")


def clear_outputs(notebook: Path) -> None:
    """Drop outputs and prompts, so everything on the page comes from the browser's own run."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook.write_text(json.dumps(nb), encoding="utf-8")


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One JupyterLab server on a learner's workspace (``pmkit workspace``, outputs cleared)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("JupyterLab is not installed in this environment: pip install 'basketly-pmkit[lab]'")
    sync_api()
    home = tmp_path_factory.mktemp("lab")
    workspace = home / "workspace"
    # A learner's kernels never have PMKIT_WIDGETS=off (the test run's headless setting), and
    # their checks go to a progress log (a private one here).
    learner_env = {key: value for key, value in os.environ.items() if key != "PMKIT_WIDGETS"}
    # Laid out as `pmkit start` serves a course: the course folder holds workspace/ and docs/
    # (the lessons link ../docs/cheatsheet.md), and JupyterLab serves the course folder.
    learner_env.pop("PMKIT_WORKSPACE", None)
    env = {**learner_env, "PMKIT_PROGRESS": str(home / "progress.jsonl"), "PMKIT_HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces")}
    subprocess.run([sys.executable, "-m", "pmkit", "workspace"], env=env, check=True,
                   capture_output=True, timeout=120)
    for notebook in workspace.glob("[0-9][0-9]_*.ipynb"):
        clear_outputs(notebook)
    _write_settings(home / "lab-settings")
    settings = lab_settings(home / "app-settings")  # what `pmkit start` gives a learner
    token, port = secrets.token_hex(16), free_port()
    # expose_app_in_browser gives the test JupyterLab's own commands (run all, change theme),
    # steadier than clicking through menus.
    command = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
               "--ServerApp.terminals_enabled=False", "--LabApp.expose_app_in_browser=True",
               "--JupyterNotebookApp.expose_app_in_browser=True",  # Notebook 7, on the same server
               f"--LabApp.app_settings_dir={settings}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers often run as root
    log = home / "jupyter-lab.log"
    with log.open("w") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=workspace)
    running = Lab(f"http://127.0.0.1:{port}", token, workspace, log)
    try:
        wait_for_server(server, running.url("api/status"), log)
        yield running
    finally:
        server.terminate()  # lets the server shut its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def wait_for_server(server: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 180) -> str:
    """Poll ``url`` until the server answers; return the path it ended on (after redirects)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return urllib.parse.urlsplit(response.url).path
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the server did not answer within {seconds:.0f} s:\n{log.read_text()[-2000:]}")


KERNEL_READY = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && panel.sessionContext.isReady && kernel.status === 'idle';
}"""
STARTED = r"""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .some(p => /\[(\*|\d+)\]/.test(p.textContent))"""
ALL_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def run_all(page: Any) -> None:
    """Run every cell of the open notebook (JupyterLab or Notebook 7) and wait until all have run.

    Run All sent before the kernel is ready may do nothing, so it is sent again until a cell starts.
    """
    page.wait_for_function(KERNEL_READY)
    for _attempt in range(3):
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        try:  # a cell shows [*] while queued or running, [n] once it has run
            page.wait_for_function(STARTED, timeout=30_000)
            break
        except sync_api().TimeoutError:
            continue
    page.wait_for_function(ALL_RAN)
    page.wait_for_function(KERNEL_READY)


# ------------------------------------------------------------ page checks --


@dataclass
class ConsoleWatch:
    """Every console error and uncaught exception a page reports."""

    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> ConsoleWatch:
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        # The console says only "Failed to load resource"; the response says which one.
        page.on("response", lambda response: response.status >= 400 and self.errors.append(
            f"HTTP {response.status} {response.request.method} {response.url.split('?')[0]}"))
        return self


IMAGES = """root => [...root.querySelectorAll('img')].map(img => ({
    alt: img.getAttribute('alt'), loaded: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width, src: (img.getAttribute('src') || '').slice(0, 40)}))"""

FIGURES = """root => [...root.querySelectorAll('figure.pmkit-figure')].map(figure => {
    const img = figure.querySelector('img'), caption = figure.querySelector('figcaption');
    const box = caption ? caption.getBoundingClientRect() : null;
    return {caption: caption ? caption.innerText : '', shown: !!box && box.height > 0 && box.width > 0,
            below: !!img && !!box && box.top >= img.getBoundingClientRect().bottom - 1};
})"""


def image_problems(page: Any, root: str) -> list[str]:
    """Every ``<img>`` under ``root`` that did not load or has no alt text, as readable lines."""
    page.wait_for_function(f"() => [...document.querySelectorAll('{root} img')].every(img => img.complete)")
    problems = []
    for number, image in enumerate(page.eval_on_selector(root, IMAGES), start=1):
        if not image["loaded"]:
            problems.append(f"image {number} did not load (src {image['src']!r}...)")
        if not (image["alt"] or "").strip():
            problems.append(f"image {number} has no alt text (src {image['src']!r}...)")
    return problems


def figure_problems(page: Any, root: str) -> list[str]:
    """Every course figure under ``root`` whose takeaway is not visible text beneath its chart."""
    problems = []
    for number, figure in enumerate(page.eval_on_selector(root, FIGURES), start=1):
        if not figure["caption"].startswith("Takeaway: ") or not figure["shown"]:
            problems.append(f"figure {number}: no visible takeaway ({figure['caption'][:60]!r})")
        elif not figure["below"]:
            problems.append(f"figure {number}: the takeaway is not beneath the chart")
    return problems


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under ``SCREENSHOTS`` (uploaded by CI) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target))
    return target
