"""`pmkit run`: executed notebooks kept (failures marked), a JUnit summary, an honest exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from pmkit.course import runner
from pmkit.course.execute import NotebookRun

ROOT = Path(__file__).resolve().parents[1]


def _notebook(folder: Path, name: str, *sources: str, parameters: str | None = None) -> Path:
    cells = [new_code_cell(source) for source in sources]
    if parameters is not None:
        cell = new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        cells.insert(0, cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny course tree (PMKIT_REPO) with one clean, one broken and one slow lesson."""
    repo = tmp_path / "course"
    for folder in ("lessons", "solutions"):
        (repo / folder).mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    lessons = repo / "lessons"
    _notebook(lessons, "00_fine", "print('seed is', seed)", parameters="seed = 1")
    _notebook(lessons, "01_broken", "x = 1", "raise ValueError('boom <&>')", "y = 2")
    _notebook(lessons, "02_slow", "import time\ntime.sleep(60)")
    monkeypatch.setenv("PMKIT_REPO", str(repo))
    monkeypatch.setenv("PMKIT_WORKSPACE", str(tmp_path / "workspace"))
    return repo


def pmkit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmkit", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def _outputs(path: Path) -> str:
    nb = json.loads(path.read_text())
    return "".join(
        "".join(output.get("text", ""))
        for cell in nb["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]
    )


def test_a_clean_run_keeps_the_notebook_and_passes_the_seed(course: Path, tmp_path: Path) -> None:
    report = runner.run(["00"], seed=5, out=tmp_path / "out", jobs=1)
    assert report.ok and len(report.runs) == 1
    assert "seed is 5" in _outputs(tmp_path / "out" / "00_fine.ipynb")
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    assert [case.get("name") for case in suite.iter("testcase")] == ["00_fine"]
    assert "ran cleanly" in report.summary()


def test_cli_runs_in_parallel_and_fails_when_one_notebook_fails(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = pmkit("run", "00", "01", "--out", str(out), "--jobs", "2", env={"PMKIT_REPO": str(course)})
    assert result.returncode == 1, result.stderr
    assert "FAIL  01_broken.ipynb failed in cell 2: ValueError: boom" in result.stdout
    assert "ok    00_fine.ipynb" in result.stdout
    assert "1 of 2 notebook(s) failed (01_broken)" in result.stdout

    # The failed notebook is kept, with papermill's marker just before the cell that raised.
    kept = nbformat.read(out / "01_broken.ipynb", as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in kept.cells]
    marker = next(i for i, t in enumerate(tags) if runner.FAILURE_TAG in t and i > 0)
    assert kept.cells[marker + 1].source == "raise ValueError('boom <&>')"

    suite = ET.parse(out / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["00_fine"].find("failure") is None
    failure = cases["01_broken"].find("failure")
    assert failure is not None
    assert failure.get("message") == "ValueError: boom <&>"  # escaped in the file, intact when parsed
    assert failure.get("type") == "ValueError"
    assert str(out / "01_broken.ipynb") in (failure.text or "")


def test_a_timeout_is_reported_and_the_stuck_cell_marked(course: Path, tmp_path: Path) -> None:
    report = runner.run(["02"], out=tmp_path / "out", timeout=2)
    (result,) = report.runs
    assert not report.ok and "timed out" in result.error
    assert result.failed_cell == 1
    kept = nbformat.read(tmp_path / "out" / "02_slow.ipynb", as_version=4)
    assert runner.FAILURE_TAG in kept.cells[0].metadata["tags"]
    assert "time.sleep(60)" in kept.cells[1].source


def test_the_real_lesson_00_runs_with_a_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMKIT_WORKSPACE", str(tmp_path / "workspace"))
    report = runner.run(["00"], seed=7, out=tmp_path / "out")
    assert report.ok, report.summary()
    (result,) = report.runs
    # The learner version answers nothing, so every check reports so, and nothing crashed.
    assert result.statuses and set(result.statuses.values()) == {"not answered"}
    executed = nbformat.read(tmp_path / "out" / "00_welcome.ipynb", as_version=4)
    assert executed.metadata["papermill"]["parameters"] == {"seed": 7}
    assert not (tmp_path / "workspace").exists()  # no learner progress written


def test_a_seed_the_notebook_cannot_take_is_refused(course: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"01_broken\.ipynb has no 'parameters' cell setting seed"):
        runner.run(["01"], seed=3, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["run", "99"], "no such lesson"),
        (["run", "--jobs", "0"], "jobs should be at least 1"),
        (["run", "--timeout", "0"], "timeout should be at least 1"),
        (["run", "--seed", "-1"], "seed should be at least 0"),
        (["run", "--seed", "x"], "invalid int"),
    ],
)
def test_every_cli_error_is_one_line(course: Path, args: list[str], phrase: str, tmp_path: Path) -> None:
    result = pmkit(*args, "--out", str(tmp_path / "out"), env={"PMKIT_REPO": str(course)})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0], result.stderr


def test_output_never_goes_where_notebooks_live(course: Path, tmp_path: Path) -> None:
    for protected in (course / "lessons", course / "solutions" / "run", tmp_path / "workspace" / "x"):
        with pytest.raises(ValueError, match="where course notebooks live"):
            runner.prepare_output(protected)


def test_a_folder_with_other_files_is_refused_and_left_alone(course: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "00_fine.ipynb").write_text("my own work")
    with pytest.raises(ValueError, match="did not write"):
        runner.run(["00"], out=mine)
    assert (mine / "00_fine.ipynb").read_text() == "my own work"
    # An earlier run's folder (it has junit.xml) may be reused.
    (mine / "junit.xml").write_text("<testsuites/>")
    assert runner.prepare_output(mine) == mine.resolve()


def test_junit_xml_counts_and_escapes() -> None:
    runs = [
        NotebookRun("lessons/00_a.ipynb", ok=True, seconds=1.25, statuses={"q1": "correct"}),
        NotebookRun("lessons/01_b.ipynb", ok=False, seconds=2.0, error='KeyError: "col" & <tag>',
                    failed_cell=4, output="_run/01_b.ipynb"),
    ]
    root = ET.fromstring(runner.junit_xml(runs, suite="solutions"))
    assert (root.get("tests"), root.get("failures"), root.get("time")) == ("2", "1", "3.250")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "solutions"
    first, second = suite.findall("testcase")
    assert first.findtext("system-out") == "q1: correct"
    failure = second.find("failure")
    assert failure is not None and failure.get("message") == 'KeyError: "col" & <tag>'
    assert "In [4]" in (failure.text or "") and "_run/01_b.ipynb" in (failure.text or "")


def test_report_table_and_card(tmp_path: Path) -> None:
    runs = (NotebookRun("a/00_a.ipynb", ok=True, seconds=1.0),
            NotebookRun("a/01_b.ipynb", ok=False, seconds=2.0, error="ValueError: x", failed_cell=3))
    report = runner.RunReport(runs=runs, junit="out/junit.xml", seconds=3.0)
    frame = report.to_frame()
    assert frame["ok"].tolist() == [True, False] and frame["failed_cell"].tolist()[1] == 3
    assert report.summary() == "1 of 2 notebook(s) failed (01_b) in 3.0 s. JUnit summary: out/junit.xml."
    assert "ValueError: x" in report._repr_html_()


def test_parameter_names_reads_the_tagged_cell(course: Path) -> None:
    assert runner.parameter_names(course / "lessons" / "00_fine.ipynb") == {"seed"}
    assert runner.parameter_names(course / "lessons" / "01_broken.ipynb") == set()
    assert "seed" in runner.parameter_names(ROOT / "lessons" / "00_welcome.ipynb")


def test_solutions_are_chosen_from_the_masters(course: Path) -> None:
    master = _notebook(course / "solutions", "00_fine", "x = 1")
    assert runner.notebooks_to_run(["0"], solutions=True) == [master]
    lessons = [path.stem for path in runner.notebooks_to_run()]
    assert lessons == ["00_fine", "01_broken", "02_slow"]


def test_a_notebook_that_cannot_start_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    result = runner._run_one(str(tmp_path / "00_missing.ipynb"), str(tmp_path / "out.ipynb"), 5, {})
    assert not result.ok and "No such file" in result.error
