"""The in-browser course (``pmkit lite``): the build, the toolbox wheel, and the lessons' fitness for it.

What runs here: the site builds with the network switched off (bubblewrap, where it works);
it holds every lesson, the wheel, the datasets and ipywidgets' manager; the wheel has none of
the machinery and a correct RECORD; the wheel installs with micropip into Pyodide's core under
Node (the npm ``pyodide`` package, fetched once into .venv/node_cache) and the modules that
need no compiled dependency import there. Pyodide's npm package has no numpy, pandas, scipy or
matplotlib, so the lessons themselves run in a browser only in .github/workflows/lite.yml.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

import pmkit
from pmkit import DISTRIBUTION, paths
from pmkit.course import lite
from tests.lite_env import lite_python, use_lite_jupyter_path

REPO = Path(__file__).resolve().parent.parent
NODE_CACHE = REPO / ".venv" / "node_cache"

#: Toolbox modules that must need nothing outside the standard library (the browser set-up
#: relies on them), so they import in Pyodide's bare core. The other toolbox modules may need
#: numpy, pandas, scipy, matplotlib or ipywidgets, which the npm package does not carry (the
#: CDN does): they are imported too, and must stop at one of those and nothing else.
PURE_MODULES = {"pmkit", "pmkit.paths", "pmkit.syllabus"}
COMPILED_OR_ABSENT = {"numpy", "pandas", "scipy", "matplotlib", "ipywidgets"}


def _bwrap_works() -> bool:
    if shutil.which("bwrap") is None:
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bool]:
    """One lite build for the module, with no network when bubblewrap allows it."""
    scratch = tmp_path_factory.mktemp("lite")
    out = scratch / "site"
    command = [str(lite_python()), "-m", "pmkit", "lite", "--out", str(out)]
    offline = _bwrap_works()
    if offline:  # read-only root, private loopback only: any download would fail the build
        command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                   "--bind", str(scratch), str(scratch), "--unshare-net", "--die-with-parent",
                   "--setenv", "TMPDIR", str(scratch), *command]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "JupyterLite site with" in done.stdout
    return out, offline


def test_the_build_needs_no_network(site: tuple[Path, bool]) -> None:
    out, offline = site
    if not offline:
        pytest.skip("bubblewrap cannot drop the network here; the build ran with it")
    assert (out / "jupyter-lite.json").is_file()


def test_the_site_holds_every_lesson_the_data_and_a_readme(site: tuple[Path, bool]) -> None:
    files = site[0] / "files"
    lessons = sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb"))
    assert len(lessons) >= 13
    for lesson in lessons:  # the learner versions, exactly as built
        assert (files / lesson.name).read_bytes() == lesson.read_bytes(), lesson.name
    assert not list(files.glob("*solution*")), "masters must not ship"
    manifest = json.loads((files / "datasets" / "MANIFEST.json").read_text())
    for name in manifest["files"]:
        assert (files / "datasets" / name).is_file(), name
    assert "clear this site's data" in (files / "README.md").read_text()
    # Every lesson links the cheat sheet as ../docs/cheatsheet.md: from the top folder, docs/.
    assert (files / "docs" / "cheatsheet.md").read_bytes() == paths.cheat_sheet().read_bytes()
    listing = json.loads((site[0] / "api" / "contents" / "all.json").read_text())
    listed = {entry["name"] for entry in listing["content"]}
    assert {lesson.name for lesson in lessons} <= listed


def test_the_site_has_the_pyodide_kernel_and_the_widget_manager(site: tuple[Path, bool]) -> None:
    config = json.loads((site[0] / "jupyter-lite.json").read_text())["jupyter-config-data"]
    extensions = {entry["name"] for entry in config["federated_extensions"]}
    assert {"@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager"} <= extensions
    for name in extensions:
        assert (site[0] / "extensions" / name / "package.json").is_file(), name
    piplite_urls = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["pipliteUrls"]
    assert any(url.startswith("./pypi/all.json") for url in piplite_urls)


def _wheel(site_dir: Path) -> Path:
    (wheel,) = (site_dir / "pypi").glob("*.whl")
    return wheel


def test_the_wheel_is_the_toolbox_with_lessons_and_data_and_a_true_record(site: tuple[Path, bool]) -> None:
    wheel = _wheel(site[0])
    index = json.loads((site[0] / "pypi" / "all.json").read_text())
    assert DISTRIBUTION in index
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert not [n for n in names if n.startswith(lite.MACHINERY)], "machinery in the toolbox wheel"
        assert "pmkit/paths.py" in names and "pmkit/exercises/engine.py" in names
        assert "pmkit/_course/lessons/00_welcome.ipynb" in names
        assert "pmkit/_course/datasets/truth/orders.json" in names  # the truth reveals need it
        assert not [n for n in names if n.endswith("entry_points.txt")], "the pmkit command is machinery"
        (record_name,) = [n for n in names if n.endswith(".dist-info/RECORD")]
        rows = [row.split(",") for row in archive.read(record_name).decode().splitlines()]
        assert sorted(row[0] for row in rows) == sorted(names)
        for name, digest, size in rows:
            if name == record_name:
                assert (digest, size) == ("", "")
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (f"sha256={expected}", len(data)), name


def test_the_wheel_builds_byte_identical(site: tuple[Path, bool], tmp_path: Path) -> None:
    again = lite.build_toolbox_wheel(tmp_path)
    assert again.read_bytes() == _wheel(site[0]).read_bytes()


def test_an_output_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="did not write"):
        lite.prepare_output(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_in_the_browser_progress_goes_to_the_drive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PMKIT_HOME", "PMKIT_WORKSPACE", "PMKIT_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(paths, "BROWSER_DRIVE", tmp_path)
    monkeypatch.setattr(paths, "_repo_root", lambda: None)  # a wheel install, as in the browser
    assert paths.workspace_dir() != tmp_path
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert paths.in_browser()
    assert paths.course_root() == paths.workspace_dir() == tmp_path
    assert paths.progress_file() == tmp_path / ".pmkit-progress.jsonl"


def test_site_pages_link_into_the_lite_build(site: tuple[Path, bool], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from pmkit.course.site import build_site

    repo = tmp_path / "course"
    for folder in ("lessons", "solutions"):
        (repo / folder).mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    shutil.copy(REPO / "lessons" / "00_welcome.ipynb", repo / "lessons")
    monkeypatch.setenv("PMKIT_REPO", str(repo))
    report = build_site(tmp_path / "with", lite_url="https://example.org/lite/")
    page = Path(report.pages[0]).read_text()
    href = "https://example.org/lite/lab/index.html?path=00_welcome.ipynb"
    assert f'<a href="{href}">Run this lesson in your browser</a>' in page
    assert (site[0] / "files" / href.rsplit("=", 1)[1]).is_file()  # the link's target ships
    plain = Path(build_site(tmp_path / "without").pages[0]).read_text()
    assert "Run this lesson in your browser" not in plain


# ------------------------------------------------------------------ the lessons --


def _notebooks() -> list[Path]:
    return sorted((REPO / "solutions").glob("[0-9][0-9]_*.ipynb")) + sorted(
        (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


def _setup_cell(path: Path) -> str:
    cells = [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    for position, cell in enumerate(cells):
        if "parameters" in cell.metadata.get("tags", []):
            return cells[position + 1].source
    raise AssertionError(f"{path.name} has no cell tagged parameters")


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_setup_cell_installs_the_toolbox_in_the_browser(path: Path) -> None:
    source = _setup_cell(path)
    assert source.startswith(lite.SETUP_SNIPPET), f"{path.name}: set-up cell must start with SETUP_SNIPPET"
    assert source.index("import pmkit") > len(lite.SETUP_SNIPPET) - 1


#: What a browser tab cannot do: the machinery, notebook executors and subprocesses.
FORBIDDEN_IMPORTS = ("pmkit.course", "nbformat", "nbclient", "nbconvert", "papermill", "subprocess")
SHELL_ESCAPES = ("!", "%%bash", "%%sh", "%%script", "%sx", "%system", "%pip", "%conda")


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def lesson_cell_problems(source: str) -> list[str]:
    """What in one code cell would not run in a browser kernel.

    >>> lesson_cell_problems("import pmkit\\nfrom pmkit import course")
    ['imports pmkit.course']
    >>> lesson_cell_problems("!ls\\nimport os")
    ['shell escape: !ls']
    """
    problems = [f"shell escape: {line.strip()}" for line in source.splitlines()
                if line.lstrip().startswith(SHELL_ESCAPES)]
    if source.lstrip().startswith("%%"):  # a cell magic: the body is not Python
        return problems
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    for name in _imported(ast.parse(code)):
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS):
            problems.append(f"imports {name}")
    if "os.system" in code or "os.popen" in code:
        problems.append("runs a shell command")
    return problems


def test_the_cell_lint_catches_what_it_should() -> None:
    assert lesson_cell_problems("import subprocess") == ["imports subprocess"]
    assert lesson_cell_problems("%%bash\necho hi") == ["shell escape: %%bash"]
    assert lesson_cell_problems("from pmkit.course.notebooks import read") == [
        "imports pmkit.course.notebooks", "imports pmkit.course.notebooks.read"]
    assert lesson_cell_problems("import os\nos.system('ls')") == ["runs a shell command"]
    assert lesson_cell_problems(lite.SETUP_SNIPPET + "import pmkit\n") == []


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_lesson_cell_needs_the_machinery_or_a_subprocess(path: Path) -> None:
    found = [f"cell {n}: {problem}"
             for n, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if cell.cell_type == "code" for problem in lesson_cell_problems(cell.source)]
    assert found == [], f"{path.name}: {found}"


# ------------------------------------------------------------------ Pyodide under Node --


def _pinned_pyodide_version() -> str:
    """The Pyodide release the pinned jupyterlite-pyodide-kernel loads, e.g. 314.0.6."""
    with pytest.MonkeyPatch.context() as patch:
        use_lite_jupyter_path(patch)
        url = lite.pyodide_url()
    if url is None:
        pytest.skip("jupyterlite-pyodide-kernel is not installed (pip install -e '.[lite]')")
    return url.split("/pyodide/v")[1].split("/")[0]


def _pyodide_core() -> tuple[Path, Path]:
    """Pyodide's npm package and the micropip wheel it lists, fetched once into .venv/node_cache."""
    version = _pinned_pyodide_version()
    package = NODE_CACHE / "node_modules" / "pyodide"
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed")
    manifest = package / "package.json"
    if not manifest.is_file() or json.loads(manifest.read_text()).get("version") != version:
        done = subprocess.run(["npm", "install", "--prefix", str(NODE_CACHE), f"pyodide@{version}",
                               "--no-audit", "--no-fund"], capture_output=True, text=True, check=False,
                              timeout=300)
        if done.returncode != 0:
            pytest.skip(f"npm registry unreachable, cannot fetch pyodide@{version}: "
                        + (done.stderr.strip().splitlines() or ["?"])[-1])
    lock = json.loads((package / "pyodide-lock.json").read_text())
    micropip_version = lock["packages"]["micropip"]["version"]
    wheels = NODE_CACHE / "wheels"
    wheel = wheels / f"micropip-{micropip_version}-py3-none-any.whl"
    if not wheel.is_file():  # the npm package lists micropip but leaves the wheel on the CDN
        python = ".".join(lock["info"]["python"].split(".")[:2])
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                               "--only-binary=:all:", "--python-version", python,
                               f"micropip=={micropip_version}", "-d", str(wheels)],
                              capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0 or not wheel.is_file():
            pytest.skip(f"package index unreachable, cannot fetch micropip {micropip_version}")
    return package, wheel


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test's output stays readable
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on localhost: a secure context, so JupyterLite's service worker
    (the bridge between the kernel's /drive and the browser's storage) runs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def served(site: tuple[Path, bool]) -> Iterator[str]:
    """The built site over HTTP, as a browser would fetch it."""
    with serve(site[0]) as base:
        yield base


IN_PYODIDE = """
import importlib, importlib.metadata, json, os, sys
import micropip
await micropip.install(__BASE__ + "/" + __PIPLITE_WHEEL__, deps=False)
import piplite
import piplite.piplite as index
index._PIPLITE_URLS = [__BASE__ + "/pypi/all.json"]  # what the kernel reads from jupyter-lite.json
index._PIPLITE_DISABLE_PYPI = True
_install = piplite.install
piplite.install = lambda name: _install(name, deps=False)  # numpy & co. are not in the npm core
os.makedirs("/drive", exist_ok=True)  # where JupyterLite mounts the browser's storage
__SNIPPET__
from pmkit import paths, syllabus
imported = {}
for name in __MODULES__:
    try:
        importlib.import_module(name)
        imported[name] = "ok"
    except ModuleNotFoundError as exc:
        imported[name] = exc.name
lessons = sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb"))
json.dumps({
    "platform": sys.platform,
    "installed": importlib.metadata.version("basketly-pmkit"),
    "imported": imported,
    "progress": str(paths.progress_file()),
    "lessons": [p.name for p in lessons],
    "first_title": syllabus.read_lesson_meta(lessons[0]).title,
    "manifest": (paths.datasets_dir() / "MANIFEST.json").is_file(),
})
"""

NODE_SCRIPT = """
import { loadPyodide } from %(module)s;
const pyodide = await loadPyodide();
await pyodide.loadPackage(%(micropip)s);
try {
  console.log("RESULT " + await pyodide.runPythonAsync(%(code)s));
} catch (error) {  // a Python traceback: print it alone, not the minified source around it
  console.log("PYTHON ERROR " + error.message);
  process.exit(1);
}
"""


def _toolbox_modules(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        files = [n for n in archive.namelist() if n.startswith("pmkit/") and n.endswith(".py")]
    return sorted(n[:-3].replace("/", ".").removesuffix(".__init__") for n in files)


def test_the_wheel_installs_in_pyodide_and_the_pure_modules_import(
        site: tuple[Path, bool], served: str, tmp_path: Path) -> None:
    package, micropip_wheel = _pyodide_core()
    (piplite_wheel,) = (site[0] / "extensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static"
                        / "pypi").glob("piplite-*.whl")
    modules = _toolbox_modules(_wheel(site[0]))
    code = (IN_PYODIDE.replace("__SNIPPET__", lite.SETUP_SNIPPET)
            .replace("__BASE__", json.dumps(served)).replace("__MODULES__", json.dumps(modules))
            .replace("__PIPLITE_WHEEL__", json.dumps(str(piplite_wheel.relative_to(site[0])))))
    script = tmp_path / "run.mjs"
    script.write_text(NODE_SCRIPT % {"module": json.dumps(str(package / "pyodide.mjs")),
                                     "micropip": json.dumps(str(micropip_wheel)),
                                     "code": json.dumps(code)})
    done = subprocess.run(["node", str(script)], capture_output=True, text=True, check=False, timeout=180,
                          env={**os.environ, "NODE_NO_WARNINGS": "1"})
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-500:]
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result["platform"] == "emscripten"
    assert result["installed"] == pmkit.__version__
    assert result["progress"] == "/drive/.pmkit-progress.jsonl"
    assert result["lessons"] == sorted(p.name for p in paths.lessons_dir().glob("[0-9][0-9]_*.ipynb"))
    assert result["first_title"]
    assert result["manifest"] is True
    imported = result["imported"]
    # Measured with jupyterlite-pyodide-kernel 0.8.6 (Pyodide 314.0.6): these also import
    # in the bare core today: pmkit._validate, display, results, widgets, exercises (engine,
    # welcome, capstone). Only the three below are promised: the rest may take numpy at top level.
    assert {name for name, status in imported.items() if status == "ok"} >= PURE_MODULES, imported
    # Every other module stops only at a compiled (or ipywidgets) dependency, never at the machinery.
    missing = {status.split(".")[0] for name, status in imported.items() if status != "ok"}
    assert missing <= COMPILED_OR_ABSENT, missing
