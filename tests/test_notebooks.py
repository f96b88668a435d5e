"""One source of truth: masters, generated lessons, and the lesson template."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pmkit.course import notebooks
from pmkit.exercises.engine import start
from pmkit.syllabus import lesson_meta

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
ALL = MASTERS + LESSONS
ids = [p.stem for p in MASTERS]


def test_there_are_masters_and_lessons() -> None:
    assert MASTERS, "no master notebooks in solutions/"
    assert [p.name for p in MASTERS] == [p.name for p in LESSONS]


def test_lessons_are_in_sync_with_masters() -> None:
    assert notebooks.out_of_sync() == []


@pytest.mark.parametrize("master", MASTERS, ids=ids)
def test_no_solution_leaks_into_the_lesson(master: Path) -> None:
    lesson_text = (ROOT / "lessons" / master.name).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in lesson_text and "END SOLUTION" not in lesson_text
    master_nb = notebooks.read(master)
    lesson_nb = notebooks.read(ROOT / "lessons" / master.name)
    public = {
        line.strip()
        for c in master_nb.cells
        for line in notebooks.strip_solutions(c.source, c.cell_type).splitlines()
    }
    lesson_sources = "\n".join(c.source for c in lesson_nb.cells)
    for cell in master_nb.cells:
        for line in notebooks.solution_lines(cell.source):
            if line not in public and len(line) > 12:
                assert line not in lesson_sources, f"solution line leaked: {line}"
    # The learner version ran with nothing answered: no check may report success.
    outputs = json.dumps([c.get("outputs", []) for c in lesson_nb.cells])
    assert ": correct." not in outputs


@pytest.mark.parametrize("path", ALL, ids=[f"{p.parent.name}/{p.stem}" for p in ALL])
def test_every_notebook_is_normalised_and_executed(path: Path) -> None:
    nb = notebooks.read(path)
    assert set(nb.metadata) == {"kernelspec", "language_info", "pmkit"}
    assert nb.metadata.kernelspec == notebooks.KERNELSPEC
    assert nb.metadata.language_info == {"name": "python"}
    counts = []
    for index, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= set(notebooks.KEPT_CELL_METADATA), f"cell {index}"
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {index} was never executed"
        counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"cell {index} raised"
            assert notebooks.WIDGET_VIEW not in output.get("data", {})
            if output.output_type == "stream":
                assert output.name == "stdout", f"cell {index} wrote to stderr: {output.text[:200]}"
    assert counts == list(range(1, len(counts) + 1))
    # Canonical formatting: the build writes exactly this text.
    assert path.read_text(encoding="utf-8") == notebooks.dumps(nb)


@pytest.mark.parametrize("master", MASTERS, ids=ids)
def test_lesson_follows_the_template(master: Path) -> None:
    nb = notebooks.read(master)
    meta = lesson_meta(nb, master)
    header = nb.cells[0]
    assert header.cell_type == "markdown" and header.source.startswith(f"# {meta.id} · {meta.title}")
    for objective in meta.objectives:
        assert objective in header.source, f"objective missing from the header: {objective}"
    assert f"{meta.minutes} minutes" in header.source
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and re.search(r"^seed = \d+", parameters[0].source, re.M)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(rf'pmkit\.exercises\.start\(\s*"{master.stem}",\s*seed=seed\b', code)
    checked = re.findall(r'lesson\.check\("([a-z0-9_]+)"', code)
    defined = list(start(master.stem).exercises)
    assert sorted(set(checked)) == sorted(defined), "every exercise is checked exactly in the notebook"
    assert len(defined) >= (1 if meta.id == "00" else 5)
    assert "pmkit.show(" in code, "at least one figure with alt text and a takeaway"
    assert "explorer(" in code, "at least one slider explorer"
    assert "truth(" in code, "a ground-truth reveal"
    for heading in ("## Summary", "## Further reading"):
        assert heading in text
    if meta.id != "00":
        assert 3 <= len(meta.objectives) <= 5


@pytest.mark.parametrize("master", MASTERS, ids=ids)
def test_learner_version_runs_and_reports_not_answered(master: Path) -> None:
    lesson = notebooks.read(ROOT / "lessons" / master.name)
    checks = [c for c in lesson.cells if c.cell_type == "code" and "lesson.check(" in c.source]
    assert checks
    for cell in checks:
        shown = json.dumps(cell.outputs)
        assert "not answered" in shown, cell.source


# ------------------------------------------------------- build and bad masters --


def _master(cells: list[dict], meta: dict | None = None) -> dict:
    meta = (
        {"id": "98", "title": "T", "objectives": ["o"], "minutes": 5, "prerequisites": [], "version": "1.0"}
        if meta is None
        else meta
    )
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"pmkit": meta},
        "cells": [
            {
                "cell_type": c.get("type", "code"),
                "id": f"c{i}",
                "metadata": {},
                "source": c["source"],
                **({"outputs": [], "execution_count": None} if c.get("type", "code") == "code" else {}),
            }
            for i, c in enumerate(cells)
        ],
    }


def _course(tmp_path: Path, master: dict | str, name: str = "98_broken.ipynb") -> Path:
    (tmp_path / "solutions").mkdir()
    (tmp_path / "lessons").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    text = master if isinstance(master, str) else json.dumps(master)
    (tmp_path / "solutions" / name).write_text(text)
    return tmp_path


def _pmkit(*args: str, repo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMKIT_REPO": str(repo), "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "pmkit", *args], capture_output=True, text=True, env=env, timeout=300
    )


BROKEN = [
    ("unbalanced", _master([{"source": "x = ...\n### BEGIN SOLUTION\nx = 1"}]), "cell 0", "never closed"),
    ("end first", _master([{"source": "x = 1\n### END SOLUTION"}]), "cell 0", "without a BEGIN"),
    (
        "nested",
        _master([{"source": "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"}]),
        "cell 0",
        "inside another",
    ),
    (
        "stub breaks python",
        _master([{"source": "if True:\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION"}]),
        "cell 0",
        "not valid Python",
    ),
    ("no metadata", _master([{"source": "x = 1"}], meta={}), "98_broken.ipynb", "lacks 'id'"),
    (
        "wrong minutes",
        _master(
            [{"source": "x = 1"}],
            meta={
                "id": "98",
                "title": "T",
                "objectives": ["o"],
                "minutes": "ten",
                "prerequisites": [],
                "version": "1",
            },
        ),
        "98_broken.ipynb",
        "'minutes' should be int",
    ),
    ("invalid json", '{"cells": [', "98_broken.ipynb", "not valid JSON"),
]


@pytest.mark.parametrize(("label", "master", "where", "what"), BROKEN, ids=[b[0] for b in BROKEN])
def test_build_rejects_a_malformed_master_in_one_line_and_writes_nothing(
    tmp_path: Path, label: str, master: dict | str, where: str, what: str
) -> None:
    repo = _course(tmp_path, master)
    result = _pmkit("build", repo=repo)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert where in lines[0] and what in lines[0] and "Traceback" not in result.stderr
    assert list((repo / "lessons").iterdir()) == []


def test_strip_solutions_keeps_indentation_and_markdown_blocks() -> None:
    code = "def f():\n    x = ...\n    ### BEGIN SOLUTION\n    x = 2\n    ### END SOLUTION\n    return x"
    assert notebooks.strip_solutions(code, "code") == (
        "def f():\n    x = ...\n    # YOUR CODE HERE\n    return x"
    )
    text = "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert notebooks.strip_solutions(text, "markdown") == "Why?\n" + notebooks.MARKDOWN_STUB
    with pytest.raises(ValueError, match="alone"):
        notebooks.solution_regions("x = 1  ### BEGIN SOLUTION")


def test_solution_only_cells_are_dropped() -> None:
    import nbformat

    nb = nbformat.from_dict(_master([{"source": "x = 1"}, {"source": "secret = 2"}]))
    nb.cells[1].metadata["tags"] = [notebooks.SOLUTION_ONLY_TAG]
    lesson = notebooks.make_lesson(nb, "98_demo.ipynb")
    assert [c.source for c in lesson.cells] == ["x = 1"]


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    """Executing a master and its lesson again reproduces the committed bytes."""
    repo = _course(tmp_path, (ROOT / "solutions" / "00_welcome.ipynb").read_text(), "00_welcome.ipynb")
    result = _pmkit("build", "00", repo=repo)
    assert result.returncode == 0, result.stderr
    for folder in ("solutions", "lessons"):
        fresh = (repo / folder / "00_welcome.ipynb").read_bytes()
        assert fresh == (ROOT / folder / "00_welcome.ipynb").read_bytes(), folder


def test_build_check_reports_drift(tmp_path: Path) -> None:
    repo = _course(tmp_path, (ROOT / "solutions" / "00_welcome.ipynb").read_text(), "00_welcome.ipynb")
    shutil.copy(ROOT / "lessons" / "00_welcome.ipynb", repo / "lessons")
    assert _pmkit("build", "--check", repo=repo).returncode == 0
    edited = json.loads((repo / "lessons" / "00_welcome.ipynb").read_text())
    edited["cells"][3]["source"] = "seed = 7"
    (repo / "lessons" / "00_welcome.ipynb").write_text(json.dumps(edited))
    result = _pmkit("build", "--check", repo=repo)
    assert result.returncode != 0 and "00_welcome.ipynb differs" in result.stdout


def test_execute_stores_one_print_as_one_output_however_the_kernel_flushes(tmp_path: Path) -> None:
    # The flush in the middle sends the text as two stream messages; a rebuild must not depend on it.
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys\nprint('FLOW_TEAM', end='')\nsys.stdout.flush()\nprint(' = 4')")])
    (cell,) = notebooks.execute(nb, tmp_path, "flush.ipynb").cells
    assert [(o.output_type, o.text) for o in cell.outputs] == [("stream", "FLOW_TEAM = 4\n")]
