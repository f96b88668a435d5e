"""Install story: one list of dependencies, two README commands, CI runs the same one."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pyproject_requirements() -> dict[str, str]:
    project = _pyproject()["project"]
    texts = [
        *project["dependencies"],
        *(r for group in project["optional-dependencies"].values() for r in group),
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
    for name in ("environment.yml", "README.md", "pyproject.toml", ".ci/run", "postBuild", "course.py"):
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


def test_a_non_editable_install_carries_lessons_and_datasets(tmp_path: Path) -> None:
    """Built as a wheel and installed elsewhere, pmkit still finds its lessons and data."""
    import subprocess
    import sys

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("basketly_pmkit-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import pmkit, pmkit.paths as p, pmkit.datasets as d; "
        "print(pmkit.__file__); print(p.lessons_dir()); print(len(d.load('orders'))); "
        "print(sorted(x.name for x in p.lessons_dir().glob('*.ipynb'))[0])"
    )
    import os

    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("PMKIT_REPO", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    module_file, lessons, orders, first = result.stdout.splitlines()
    assert module_file.startswith(str(site)) and lessons.startswith(str(site))
    assert int(orders) > 1000 and first == "00_welcome.ipynb"


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
