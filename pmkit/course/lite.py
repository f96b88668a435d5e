"""``pmkit lite``: the course as a JupyterLite site that runs entirely in the browser.

The site holds JupyterLab with the Pyodide kernel, the learner version of every lesson as
its contents, ipywidgets' manager (so explorers are live), the datasets, and the toolbox
wheel: ``pmkit`` without ``pmkit.course`` (the machinery executes notebooks with
subprocesses and kernels, which a browser tab has not got). Each lesson's set-up cell
installs that wheel with piplite when it runs under Pyodide (``SETUP_SNIPPET``) and does
nothing in an ordinary kernel, so one set of learner notebooks serves both.

The build works offline: JupyterLite, its Pyodide kernel and ipywidgets' manager come from
the installed (pinned) packages of the ``lite`` extra; only the learner's browser fetches
Pyodide and the scientific wheels from the Pyodide CDN, once, on first run.

Where the learner's work lives: JupyterLite keeps every notebook the learner saves in the
browser's storage (IndexedDB), and a saved copy always wins over the file the site ships;
a new version of the site never replaces it. Under Pyodide, ``pmkit.paths`` puts the
progress log in the same storage (the kernel mounts it at ``/drive``). To start over,
delete the notebook in the file browser (the shipped one reappears) or clear the site's
data in the browser.

>>> SETUP_SNIPPET.splitlines()[0]
'import sys'
>>> "piplite" in SETUP_SNIPPET and SETUP_SNIPPET.endswith("\\n\\n")
True
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pmkit import DISTRIBUTION, paths
from pmkit.course.runner import outside_course_notebooks
from pmkit.results import Result

#: The lines each lesson's set-up cell starts with (after the ``parameters`` cell, before
#: ``import pmkit``). Top-level ``await`` is fine in IPython kernels, which run such a cell
#: as a coroutine; elsewhere the branch is never taken.
SETUP_SNIPPET = (
    "import sys\n"
    "\n"
    'if sys.platform == "emscripten":  # in the browser (JupyterLite): install the toolbox first\n'
    "    import piplite\n"
    f'    await piplite.install("{DISTRIBUTION}")\n'
    "\n"  # ruff's import sorting wants the blank line before `import pmkit`
)

#: The machinery's files (``pmkit.course`` and ``python -m pmkit``); the toolbox wheel leaves them out.
MACHINERY = ("pmkit/course/", "pmkit/__main__.py")

#: What the site's file browser shows beside the lessons.
README_TEXT = """# Product management, hands on: in your browser

Everything here runs in this browser tab: nothing to install. Open `00_welcome.ipynb` and
choose Run > Run All Cells. The first run downloads Python (Pyodide) and the course's
libraries once; later runs start from the browser's cache.

Your work is kept in this browser's storage: save a notebook (Ctrl+S) and it is still there
after a reload, even when the course publishes a new version of a lesson (your saved copy
always wins). Your progress log sits beside the lessons in the same storage (the hidden file
`.pmkit-progress.jsonl`).

To start a lesson over, delete it in the file browser (right-click > Delete): the course's
copy comes back. To start everything over, clear this site's data in your browser settings.
Another browser, or a private window, starts empty.
"""


@dataclass(frozen=True, repr=False)
class LiteSite(Result):
    """What ``pmkit lite`` wrote."""

    out: str
    lessons: tuple[str, ...]
    wheel: str
    megabytes: float
    seconds: float

    def summary(self) -> str:
        return (
            f"JupyterLite site with {len(self.lessons)} lesson(s) and {Path(self.wheel).name} in "
            f"{self.out} ({self.megabytes:.0f} MB, built in {self.seconds:.0f} s); serve the folder "
            f"over HTTP, e.g. `python3 -m http.server -d {self.out}`, and open lab/index.html."
        )


def lesson_url(lite_url: str, notebook: str) -> str:
    """The address that opens one lesson of a published lite site in JupyterLab.

    >>> lesson_url("https://example.org/course/", "00_welcome.ipynb")
    'https://example.org/course/lab/index.html?path=00_welcome.ipynb'
    """
    return f"{lite_url.rstrip('/')}/lab/index.html?path={quote(notebook)}"


def run_in_browser_link(lite_url: str | None, notebook: str) -> str:
    """The "run this lesson in your browser" link a ``pmkit site`` page carries ('' without a site).

    >>> run_in_browser_link(None, "00_welcome.ipynb")
    ''
    >>> 'href="lite/lab/index.html?path=00_welcome.ipynb"' in run_in_browser_link("lite", "00_welcome.ipynb")
    True
    """
    if not lite_url:
        return ""
    href = html.escape(lesson_url(lite_url, notebook))
    return (f'<p class="pmkit-lite" style="font-family:system-ui,sans-serif;padding:0 1em">'
            f'<a href="{href}">Run this lesson in your browser</a> (nothing to install; '
            "your answers stay in this browser)</p>")


# ------------------------------------------------------------------ the toolbox wheel --


def _record_line(name: str, data: bytes) -> str:
    """One RECORD row as the wheel spec writes it: path, urlsafe-base64 SHA-256, size."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _without_console_scripts(text: str) -> str:
    """entry_points.txt minus ``[console_scripts]`` (the ``pmkit`` command is machinery).

    >>> _without_console_scripts("[console_scripts]\\npmkit = pmkit.course.cli:main\\n")
    ''
    >>> _without_console_scripts("[a]\\nx = y\\n\\n[console_scripts]\\npmkit = z\\n")
    '[a]\\nx = y\\n'
    """
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() == "[console_scripts]"
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n" if kept else ""


def toolbox_only(source: Path, target: Path) -> Path:
    """Copy the wheel ``source`` to ``target`` without the machinery, keeping RECORD right.

    Entries keep their order, timestamps and compression, so a reproducible input wheel
    gives a byte-identical output.
    """
    with zipfile.ZipFile(source) as wheel_in:
        infos = wheel_in.infolist()
        record_name = next(i.filename for i in infos if i.filename.endswith(".dist-info/RECORD"))
        kept: list[tuple[zipfile.ZipInfo, bytes]] = []
        for info in infos:
            if info.filename.startswith(MACHINERY) or info.filename == record_name:
                continue
            data = wheel_in.read(info)
            if info.filename.endswith(".dist-info/entry_points.txt"):
                data = _without_console_scripts(data.decode()).encode()
                if not data:
                    continue
            kept.append((info, data))
    record = "".join(_record_line(info.filename, data) + "\n" for info, data in kept)
    record += f"{record_name},,\n"
    temp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(temp, "w") as wheel_out:
        for info, data in kept:
            wheel_out.writestr(info, data)
        record_info = zipfile.ZipInfo(record_name, date_time=kept[-1][0].date_time)
        record_info.compress_type = zipfile.ZIP_DEFLATED
        record_info.external_attr = kept[-1][0].external_attr
        wheel_out.writestr(record_info, record)
    temp.replace(target)
    return target


def build_toolbox_wheel(folder: Path | str) -> Path:
    """Build pmkit's wheel from the course repository with hatchling, then strip the machinery.

    hatchling's wheels are reproducible (fixed timestamps, sorted entries), so the same
    sources give the same bytes.
    """
    repo = paths.repo_root()
    if repo is None:
        raise FileNotFoundError("`pmkit lite` builds from the course repository; clone it first")
    try:
        from hatchling.build import build_wheel  # PEP 517 hook, the same one pip calls
    except ImportError as exc:
        raise ImportError(f"hatchling is missing: pip install '{DISTRIBUTION}[lite]'") from exc
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(repo):
        name = build_wheel(scratch)
        return toolbox_only(Path(scratch) / name, folder / name)


# ------------------------------------------------------------------ the site --


def _jupyter_lite() -> list[str]:
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"JupyterLite is missing: pip install '{DISTRIBUTION}[lite]'") from exc
    return [sys.executable, "-m", "jupyterlite_core"]


def pyodide_url() -> str | None:
    """Where the learner's browser fetches Pyodide from: the pinned kernel's default ``pyodideUrl``.

    None when jupyterlite-pyodide-kernel is not installed.
    """
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        schema = Path(folder, "@jupyterlite", "pyodide-kernel-extension", "static", "schema",
                      "kernel.v0.schema.json")
        if schema.is_file():
            return json.loads(schema.read_text(encoding="utf-8"))["properties"]["pyodideUrl"]["default"]
    return None


def stage_contents(folder: Path) -> list[str]:
    """Lay out what the learner's file browser shows: the lessons, the datasets, a README.

    The cheat sheet goes to ``docs/``: the lessons link it as ``../docs/cheatsheet.md``, which
    JupyterLab resolves from the top folder to ``docs/cheatsheet.md``.
    """
    lessons = sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise FileNotFoundError(f"no lessons in {paths.lessons_dir()}: run `pmkit build` first")
    folder.mkdir(parents=True, exist_ok=True)
    for lesson in lessons:
        shutil.copy2(lesson, folder / lesson.name)
    shutil.copytree(paths.datasets_dir(), folder / "datasets")
    (folder / "README.md").write_text(README_TEXT, encoding="utf-8")
    if paths.cheat_sheet().is_file():
        (folder / "docs").mkdir()
        shutil.copy2(paths.cheat_sheet(), folder / "docs" / paths.CHEAT_SHEET_NAME)
    return [lesson.name for lesson in lessons]


def _folder_megabytes(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def prepare_output(out: Path | str) -> Path:
    """A new or empty folder, or an earlier ``pmkit lite`` site (replaced whole)."""
    out = outside_course_notebooks(out)
    if out.is_dir() and any(out.iterdir()):
        if not (out / "jupyter-lite.json").is_file():
            raise ValueError(f"--out {out} already holds files that `pmkit lite` did not write; "
                             "choose a new or empty folder")
        shutil.rmtree(out)
    return out


def build_lite(out: Path | str = "_lite") -> LiteSite:
    """Write the JupyterLite site into ``out`` (see the module docstring)."""
    started = time.perf_counter()
    command = _jupyter_lite()
    out = prepare_output(out)
    with tempfile.TemporaryDirectory(prefix="pmkit-lite-") as scratch:
        work = Path(scratch)
        lessons = stage_contents(work / "course")
        wheel = build_toolbox_wheel(work / "wheels")
        (work / "jupyter-lite.json").write_text(json.dumps({
            "jupyter-lite-schema-version": 0,
            "jupyter-config-data": {"appName": "Product management, hands on"},
        }, indent=2) + "\n", encoding="utf-8")
        build = [*command, "build", "--lite-dir", str(work), "--output-dir", str(out.resolve()),
                 "--contents", str(work / "course"), "--piplite-wheels", str(wheel),
                 "--apps", "lab", "--no-sourcemaps", "--no-unused-shared-packages"]
        done = subprocess.run(build, cwd=work, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise RuntimeError("jupyter lite build failed: " + " | ".join(tail))
    shipped = next((out / "pypi").glob("*.whl"), None)
    return LiteSite(out=str(out), lessons=tuple(lessons), wheel=str(shipped or wheel.name),
                    megabytes=_folder_megabytes(out), seconds=time.perf_counter() - started)


def command(args: argparse.Namespace) -> int:
    """``pmkit lite``: 0 when the site was written."""
    print(build_lite(args.out).summary())
    return 0
