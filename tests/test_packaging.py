"""Install story: one list of dependencies, two README commands, CI runs the same one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pyproject_requirements() -> dict[str, str]:
    project = _pyproject()["project"]
    # Not lite: JupyterLite's kernel extension breaks the JupyterLab of an environment that holds
    # it, so `pmkit lite` runs from an environment of its own (tests/lite_env.py).
    texts = [
        *project["dependencies"],
        *(r for name, group in project["optional-dependencies"].items() if name != "lite" for r in group),
    ]
    own = project["name"]  # an extra that pulls in another extra names the project itself
    return {Requirement(t).name.lower(): str(Requirement(t).specifier) for t in texts
            if Requirement(t).name != own}


def _conda_requirements() -> dict[str, str]:
    found: dict[str, str] = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = re.match(r"^\s{2}- ([A-Za-z0-9_.-]+)\s*([<>=!~][^#\s]*)?\s*$", line)
        if match and match.group(1) not in {"python", "pip"}:
            found[match.group(1).lower()] = match.group(2) or ""
    return found


def test_environment_yml_lists_exactly_the_pyproject_dependencies() -> None:
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_installs_pmkit_and_pins_python() -> None:
    text = (ROOT / "environment.yml").read_text()
    assert "- python>=3.11" in text and "- -e ." in text and "conda-forge" in text


def test_required_layout_exists() -> None:
    for name in ("lessons", "pmkit", "datasets", "solutions", "tests", "benchmarks", ".github/workflows"):
        assert (ROOT / name).is_dir(), name
    for name in ("environment.yml", "README.md", "pyproject.toml", ".ci/run", "binder/postBuild",
                 "course.py"):
        assert (ROOT / name).is_file(), name
    assert _pyproject()["project"]["scripts"]["pmkit"] == "pmkit.course.cli:main"


def _readme_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README opens with a bash block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    first_block = text.index("```bash")
    assert text[:first_block].count("\n") <= 2, "the commands come first"
    assert _readme_commands() == ["python3 course.py start", "python3 course.py test"]


def test_ci_and_workflow_call_the_readme_test_command_verbatim() -> None:
    test_command = _readme_commands()[1]
    ci = (ROOT / ".ci/run").read_text().splitlines()
    assert test_command in [line.strip() for line in ci]
    workflow = next((ROOT / ".github/workflows").glob("*.yml")).read_text()
    assert f"run: {test_command}" in workflow


def test_learner_workspace_is_git_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "/workspace/" in ignored and ".venv/" in ignored


# --- the built wheel, installed without extras in a fresh environment ----------------------

# What a learner's kernel does first in lesson 00, then checks of its exercises, run from a folder
# outside the repository: the toolbox alone must carry the lessons, the data and the checking.
LESSON_00 = """
import importlib.util, json, sys
import pmkit, pmkit.paths as paths
notebook = json.loads((paths.lessons_dir() / "00_welcome.ipynb").read_text())
imports = [line for cell in notebook["cells"] if cell["cell_type"] == "code"
           for line in "".join(cell["source"]).splitlines() if line.startswith(("import ", "from "))]
exec("\\n".join(imports))
lesson = pmkit.exercises.start("00_welcome")
orders = pmkit.datasets.load("orders")
right = lesson.check("average_order", float(orders["order_value"].mean()))
wrong = lesson.check("average_order", 1.0)
print(json.dumps({
    "module": pmkit.__file__, "lessons": str(paths.lessons_dir()), "imports": imports,
    "orders": len(orders), "right": right.passed, "wrong": wrong.passed,
    "absent": [name for name in ("nbformat", "nbclient", "papermill", "ipykernel", "jupyterlab")
               if importlib.util.find_spec(name) is None],
    "verify": pmkit.datasets.verify(),
    "cheat_sheet": paths.cheat_sheet().is_file() and str(paths.cheat_sheet()).startswith(pmkit.__path__[0]),
}))
"""


def _uv() -> str | None:
    """uv beside this interpreter, on PATH, or in course.py's private tool folder."""
    import shutil
    import sys

    here = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if here:
        return here
    private = _course_module().private_uv()
    return str(private) if private.is_file() else None


def _run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600,
                            **kwargs)
    assert result.returncode == 0, f"{command}: {result.stdout[-1500:]}{result.stderr[-1500:]}"
    return result


def _fresh_environment(folder: Path, uv: str | None) -> Path:
    """A new virtual environment in ``folder``; returns its Python."""
    import venv

    if uv:
        _run(uv, "venv", "--quiet", "--python", sys.executable, folder)
    else:
        venv.create(folder, with_pip=True)
    return folder / "bin" / "python"


def _install(python: Path, uv: str | None, *what: str | Path) -> None:
    if uv:
        _run(uv, "pip", "install", "--quiet", "--python", python, *what)
    else:
        _run(python, "-m", "pip", "install", "--quiet", *what)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course's wheel, built once for this module's tests."""
    out = tmp_path_factory.mktemp("wheel")
    uv = _uv()
    if uv:
        _run(uv, "build", "--wheel", "--quiet", "--out-dir", out, ROOT)
    else:
        _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT)
    (built,) = out.glob("basketly_pmkit-*.whl")
    return built


def _outside_the_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in {"PMKIT_REPO", "PMKIT_HOME", "PYTHONPATH", "VIRTUAL_ENV"}}
    return elsewhere, env | {"MPLBACKEND": "Agg", "PMKIT_PROGRESS": "off"}


def test_the_wheel_without_extras_runs_a_lesson_in_a_fresh_environment(wheel: Path, tmp_path: Path) -> None:
    uv = _uv()
    python = _fresh_environment(tmp_path / "venv", uv)
    _install(python, uv, wheel)  # no extras: the toolbox's own requirements only
    elsewhere, env = _outside_the_repo(tmp_path)
    result = _run(python, "-c", LESSON_00, cwd=elsewhere, env=env)
    report = json.loads(result.stdout.splitlines()[-1])
    site = str(tmp_path / "venv")
    assert report["module"].startswith(site) and report["lessons"].startswith(site)
    assert "import pmkit" in report["imports"] and len(report["imports"]) >= 3
    manifest = json.loads((ROOT / "datasets" / "MANIFEST.json").read_text())
    assert report["orders"] == manifest["files"]["orders.csv"]["rows"]
    assert (report["right"], report["wrong"]) == (True, False)
    assert report["absent"] == ["nbformat", "nbclient", "papermill", "ipykernel", "jupyterlab"]
    assert report["verify"] == []
    assert report["cheat_sheet"]  # the lessons' ../docs/cheatsheet.md link has a sheet to reach
    # A wheel user has no course.py: doctor names the pip command with the extra that is missing.
    doctor = subprocess.run([python, "-m", "pmkit", "doctor"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=300)
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "course.py" not in doctor.stdout
    assert "pip install 'basketly-pmkit[lab]'" in doctor.stdout
    assert "[ok  ] the `pmkit` package and command come from basketly-pmkit only" in doctor.stdout


def _stand_in_for_the_other_pmkit(folder: Path) -> Path:
    """A wheel shaped like the unrelated ``pmkit`` 0.1.1 on the package index: a top-level
    ``pmkit`` package and a ``pmkit`` command of its own (its code is not needed, its shape is)."""
    import base64
    import hashlib
    import zipfile

    info = "pmkit-0.1.1.dist-info"
    files = {
        "pmkit/__init__.py": '"""Another project that is also called pmkit."""\n',
        "pmkit/cli.py": "def main():\n    print('the other pmkit')\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: pmkit\nVersion: 0.1.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "[console_scripts]\npmkit = pmkit.cli:main\n",
    }

    def record_line(name: str, text: str) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        return f"{name},sha256={digest},{len(text.encode())}"

    record = "\n".join([*(record_line(n, t) for n, t in files.items()), f"{info}/RECORD,,"]) + "\n"
    path = folder / "pmkit-0.1.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, f"{info}/RECORD": record}.items():
            archive.writestr(name, text)
    return path


def test_doctor_names_the_other_pmkit_installed_beside_the_course(wheel: Path, tmp_path: Path) -> None:
    uv = _uv()
    python = _fresh_environment(tmp_path / "venv", uv)
    _install(python, uv, "--no-deps", wheel)
    other = _stand_in_for_the_other_pmkit(tmp_path)
    _install(python, uv, other)
    elsewhere, env = _outside_the_repo(tmp_path)
    # Installed last, the other project owns pmkit/__init__.py and the pmkit command.
    command = subprocess.run([python.parent / "pmkit"], cwd=elsewhere, env=env, capture_output=True,
                             text=True)
    assert command.stdout.strip() == "the other pmkit"
    over = subprocess.run([python, "-m", "pmkit", "doctor"], cwd=elsewhere, env=env, capture_output=True,
                          text=True)
    assert over.returncode == 1 and "Traceback" not in over.stderr
    assert "is not the course's: another project named pmkit" in over.stderr
    assert len(over.stderr.strip().splitlines()) == 1
    # The course installed again on top: it works, and doctor still names the other distribution.
    _install(python, uv, "--no-deps", "--reinstall" if uv else "--force-reinstall", wheel)
    doctor = subprocess.run([python, "-m", "pmkit", "doctor"], cwd=elsewhere, env=env, capture_output=True,
                            text=True)
    assert "[FAIL] another project, pmkit 0.1.1, is installed here" in doctor.stdout, doctor.stdout
    assert "pip uninstall pmkit, then" in doctor.stdout and "--force-reinstall" in doctor.stdout


def _course_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_course_py_caches_pmkits_bytecode_even_where_python_is_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util
    import os
    import sys

    course = _course_module()
    source = tmp_path / "pmkit" / "topic.py"
    source.parent.mkdir()
    source.write_text("ANSWER = 1\n")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # as on machines that set it
    course.compile_bytecode(sys.executable)
    cache = Path(importlib.util.cache_from_source(str(source)))
    first = cache.read_bytes()
    source.write_text("ANSWER = 2  # an edit\n")
    later = source.stat().st_mtime + 2  # compileall compares whole seconds
    os.utime(source, (later, later))
    course.compile_bytecode(sys.executable)
    assert cache.read_bytes() != first  # a changed source gets a fresh cache


def test_course_py_runs_the_suite_with_a_fixed_hash_seed_and_bytecode_caches_allowed() -> None:
    course = _course_module()
    given = {"PATH": "/usr/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "random"}
    env = course.suite_environment(given)
    # pytest caches its assert-rewritten modules only where Python may write bytecode.
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONHASHSEED"] == "0" and env["PATH"] == "/usr/bin"
    assert given["PYTHONDONTWRITEBYTECODE"] == "1"  # the caller's mapping is left alone


# --- Binder / JupyterHub (repo2docker reads binder/ and ignores the top-level files then) ------

TEST_TOOLS = ("pytest", "nbval", "pytest-xdist", "hypothesis", "ruff", "statsmodels", "playwright")


def _learner_requirements() -> list[Requirement]:
    """pyproject's core requirements plus the lab extra, following the extras it names."""
    project = _pyproject()["project"]
    extras, wanted, seen = project["optional-dependencies"], ["lab"], set()
    found = [Requirement(text) for text in project["dependencies"]]
    while wanted:
        extra = wanted.pop()
        seen.add(extra)
        for requirement in map(Requirement, extras[extra]):
            if requirement.name == project["name"]:
                wanted += [e for e in requirement.extras if e not in seen]
            else:
                found.append(requirement)
    return found


def _binder_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        assert match, f"binder/requirements.txt: {line!r} is not pinned as name==version"
        pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


def test_the_binder_environment_pins_exactly_what_a_learner_needs() -> None:
    pins = _binder_pins()
    needed = _learner_requirements()
    assert {r.name for r in needed} >= {"pandas", "numpy", "scipy", "matplotlib", "ipywidgets", "jupyterlab",
                                         "ipykernel", "nbformat", "papermill"}
    for requirement in needed:
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is required by pyproject.toml but not pinned in binder/"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"binder/ pins {name}=={pins[name]}, outside pyproject's {requirement.specifier}")
    assert [tool for tool in TEST_TOOLS if tool in pins] == []  # test tools stay in environment.yml


def test_the_binder_hooks_install_the_course_and_land_in_the_workspace() -> None:
    assert not (ROOT / "postBuild").exists()  # repo2docker would ignore it beside binder/
    post_build, start = ROOT / "binder" / "postBuild", ROOT / "binder" / "start"
    assert os.access(post_build, os.X_OK) and os.access(start, os.X_OK)
    steps = [line for line in post_build.read_text().splitlines() if line and not line.startswith("#")]
    assert "python -m pip install --no-deps --no-cache-dir ." in steps  # regular, not editable
    assert steps[-1] == 'PMKIT_WORKSPACE="$HOME/workspace" pmkit workspace'
    assert start.read_text().rstrip().endswith('exec "$@"')
    readme = (ROOT / "README.md").read_text()
    assert "urlpath=lab/tree/workspace/00_welcome.ipynb" in readme  # the Binder link
    assert "urlpath=lab%2Ftree%2Fworkspace%2F00_welcome.ipynb" in readme  # the nbgitpuller link
    assert "lessons%2F00_welcome" not in readme


def _start(home: Path, **env: str) -> dict[str, str]:
    """Run binder/start in a fake home folder; the command it execs reports its environment."""
    report = "import json, os; print(json.dumps({k: os.environ.get(k, '') for k in "
    report += "('PMKIT_WORKSPACE', 'PMKIT_REPO', 'PYTHONPATH')}))"
    base = {k: v for k, v in os.environ.items() if k not in {"PMKIT_REPO", "PMKIT_WORKSPACE", "PYTHONPATH"}}
    path = f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"  # where `pmkit` is
    result = _run("bash", ROOT / "binder" / "start", sys.executable, "-c", report, cwd=home,
                  env=base | {"HOME": str(home), "PATH": path, "PMKIT_PROGRESS": "off", **env})
    return json.loads(result.stdout.splitlines()[-1])


def test_binder_start_prepares_the_workspace_and_runs_pmkit_from_a_pulled_course(tmp_path: Path) -> None:
    seen = _start(tmp_path)
    assert seen["PMKIT_WORKSPACE"] == str(tmp_path / "workspace")
    assert (tmp_path / "workspace" / "00_welcome.ipynb").is_file()
    pulled = _start(tmp_path, PMKIT_REPO=str(ROOT))  # as if nbgitpuller had cloned the course there
    assert pulled["PMKIT_REPO"] == str(ROOT) and pulled["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)
    not_yet = _start(tmp_path, PMKIT_REPO=str(tmp_path / "not-pulled-yet"))
    assert not_yet["PMKIT_REPO"] == "" and not_yet["PYTHONPATH"] == ""


# --- course.py's install route ------------------------------------------------------------------

@pytest.fixture
def course_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """course.py pointed at a scratch folder with a pyproject.toml and a stand-in .venv."""
    course = _course_module()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    for name, value in {"ROOT": tmp_path, "VENV": venv, "PYTHON": venv / "bin" / "python",
                        "STAMP": venv / "pmkit-install.stamp"}.items():
        monkeypatch.setattr(course, name, value)
    monkeypatch.delenv("PMKIT_COURSE_INSTALLER", raising=False)
    return course


def test_an_install_for_test_covers_start_but_not_the_other_way_round(course_in) -> None:
    course = course_in
    assert not course.installed("lab")
    course.STAMP.write_text(course.install_fingerprint("lab"))
    assert course.installed("lab") and not course.installed("lab,test")
    course.STAMP.write_text(course.install_fingerprint("lab,test"))
    assert course.installed("lab") and course.installed("lab,test")
    (course.ROOT / "pyproject.toml").write_text("[project]\nname = 'changed'\n")
    assert not course.installed("lab")  # a changed pyproject.toml means installing again


def test_uv_is_used_when_found_and_pip_takes_over_with_a_one_line_notice(
        course_in, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    course = course_in
    calls: list[str] = []
    monkeypatch.setattr(course, "find_uv", lambda: Path("/opt/uv"))
    monkeypatch.setattr(course, "install_with_uv", lambda uv, extras: calls.append(f"uv {extras}") or True)
    monkeypatch.setattr(course, "install_with_pip", lambda extras: calls.append(f"pip {extras}"))
    course.ensure_environment("lab")
    assert calls == ["uv lab"] and course.installed("lab")
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(course, "install_with_uv", lambda uv, extras: calls.append(f"uv {extras}") and False)
    course.ensure_environment("lab,test")
    assert calls[1:] == ["uv lab,test", "pip lab,test"]
    notice = capsys.readouterr().out.strip().splitlines()
    assert notice == ["[course] installing with uv failed (see above); trying pip instead (slower)"]
    monkeypatch.setattr(course, "find_uv", lambda: None)
    course.STAMP.unlink()
    course.ensure_environment("lab")
    assert calls[-1] == "pip lab"
    assert capsys.readouterr().out.strip() == (
        "[course] uv could not be found or fetched; installing with pip instead (slower)")


def test_pmkit_course_installer_pip_skips_uv_even_when_it_is_on_path(
        course_in, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMKIT_COURSE_INSTALLER", "pip")
    assert course_in.find_uv() is None
    monkeypatch.setenv("PMKIT_COURSE_INSTALLER", "")
    monkeypatch.setenv("PATH", str(course_in.ROOT))
    (course_in.ROOT / "uv").write_text("#!/bin/sh\n")
    (course_in.ROOT / "uv").chmod(0o755)
    assert course_in.find_uv() == course_in.ROOT / "uv"
