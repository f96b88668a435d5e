"""``pmkit run``: execute lessons headless, keep every executed notebook, write a JUnit summary.

CI systems read JUnit XML natively, so a broken lesson shows up as a failed
test with its error, next to the executed notebook (papermill marks the cell
that failed). Each notebook runs in its own fresh kernel through
``pmkit.course.execute.run_notebook``, several at once when ``jobs`` allows.

>>> print(junit_xml([NotebookRun("lessons/00_welcome.ipynb", ok=True, seconds=1.5)]))
<?xml version='1.0' encoding='utf-8'?>
<testsuites name="pmkit run" tests="1" failures="0" errors="0" time="1.500">
  <testsuite name="lessons" tests="1" failures="0" errors="0" skipped="0" time="1.500">
    <testcase classname="lessons" name="00_welcome" time="1.500" file="lessons/00_welcome.ipynb" />
  </testsuite>
</testsuites>
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import html
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit import _validate, paths
from pmkit.course.execute import NotebookRun
from pmkit.display import BAD, GOOD
from pmkit.results import Result

JUNIT_NAME = "junit.xml"
# The tag papermill gives its own error markers, so one search finds every marked failure.
FAILURE_TAG = "papermill-error-cell-tag"


@dataclass(frozen=True, repr=False)
class RunReport(Result):
    """Every notebook's run, and where the JUnit summary was written."""

    runs: tuple[NotebookRun, ...]
    junit: str
    seconds: float

    @property
    def ok(self) -> bool:
        return all(run.ok for run in self.runs)

    @property
    def failed(self) -> tuple[NotebookRun, ...]:
        return tuple(run for run in self.runs if not run.ok)

    def summary(self) -> str:
        total = len(self.runs)
        if self.ok:
            head = f"All {total} notebook(s) ran cleanly in {self.seconds:.1f} s."
        else:
            names = ", ".join(Path(run.notebook).stem for run in self.failed)
            head = f"{len(self.failed)} of {total} notebook(s) failed ({names}) in {self.seconds:.1f} s."
        return f"{head} JUnit summary: {self.junit}."

    def _accent(self) -> str:
        return GOOD if self.ok else BAD

    def _card_rows(self) -> list[tuple[str, Any]]:
        return [(Path(run.notebook).stem, "ok" if run.ok else run.error) for run in self.runs]

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(
            {
                "notebook": [Path(run.notebook).stem for run in self.runs],
                "ok": [run.ok for run in self.runs],
                "seconds": [run.seconds for run in self.runs],
                "failed_cell": [run.failed_cell for run in self.runs],
                "error": [run.error for run in self.runs],
                "output": [run.output for run in self.runs],
            }
        )


def notebooks_to_run(names: Sequence[str] = (), *, solutions: bool = False) -> list[Path]:
    """The lessons (or masters) to run, filtered by number or name."""
    from pmkit.course.notebooks import select
    from pmkit.syllabus import NotebookError

    folder = paths.solutions_dir() if solutions else paths.lessons_dir()
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise NotebookError(folder, "no notebooks (NN_topic.ipynb) to run")
    return select(found, [str(name) for name in names])


def parameter_names(path: Path) -> set[str]:
    """Names assigned in a notebook's cell tagged ``parameters`` (empty if it has none)."""
    from pmkit.course.notebooks import read

    for cell in read(path).cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                return set()
            return {
                target.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)
            }
    return set()


def _check_parameters(notebooks: Sequence[Path], parameters: dict[str, Any]) -> None:
    # papermill only warns about a parameter the notebook does not declare, and the
    # run would silently use the notebook's own value; refuse instead.
    for path in notebooks:
        missing = sorted(set(parameters) - parameter_names(path))
        if missing:
            raise ValueError(
                f"{path.name} has no 'parameters' cell setting {', '.join(missing)}, "
                "so that value would be ignored"
            )


def outside_course_notebooks(out: Path | str) -> Path:
    """``out`` as an absolute path, if it lies outside lessons/, solutions/ and the workspace."""
    out = Path(out).expanduser().resolve()
    protected = {"lessons/": paths.lessons_dir(), "the workspace": paths.workspace_dir()}
    if paths.repo_root() is not None:
        protected["solutions/"] = paths.solutions_dir()
    for label, folder in protected.items():
        folder = folder.resolve()
        if out == folder or folder in out.parents:
            raise ValueError(
                f"--out {out} is inside {label}, where course notebooks live; choose another folder"
            )
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    return out


def prepare_output(out: Path | str) -> Path:
    """Create the output folder, refusing any place where a notebook could be overwritten.

    Accepted: a new folder, an empty one, or one an earlier ``pmkit run`` wrote
    (it holds ``junit.xml``). Refused: lessons/, solutions/ and the workspace,
    and any other folder with files in it.
    """
    out = outside_course_notebooks(out)
    if out.is_dir() and any(out.iterdir()) and not (out / JUNIT_NAME).is_file():
        raise ValueError(
            f"--out {out} already holds files that `pmkit run` did not write; choose a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _run_one(notebook: str, output: str, timeout: int, parameters: dict[str, Any]) -> NotebookRun:
    """One notebook in a worker; never raises, so one crash cannot hide the other results."""
    from pmkit.course.execute import run_notebook

    try:
        result = run_notebook(Path(notebook), Path(output), timeout=timeout, **parameters)
        if not result.ok and Path(output).is_file():
            cell = mark_failed_cell(Path(output), result.error)
            if result.failed_cell is None and cell is not None:
                result = dataclasses.replace(result, failed_cell=cell)
        return result
    except Exception as exc:
        error = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return NotebookRun(notebook=notebook, ok=False, seconds=0.0, error=error, output=output)


def mark_failed_cell(path: Path, error: str) -> int | None:
    """Flag the cell a failed run stopped in, unless papermill already did; its execution count.

    papermill marks a cell that raised, but not one that timed out or lost its
    kernel: that one is the last cell that started (the highest execution count).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if any(FAILURE_TAG in cell.metadata.get("tags", []) for cell in nb.cells):
        return None
    started = [(cell.execution_count, index) for index, cell in enumerate(nb.cells)
               if cell.cell_type == "code" and cell.get("execution_count") is not None]
    if not started:
        return None
    count, index = max(started)
    marker = nbformat.v4.new_markdown_cell(
        f'<span id="pmkit-failed-cell" style="color:red">The run stopped in the next cell: '
        f"{html.escape(error)}</span>"
    )
    marker.metadata["tags"] = [FAILURE_TAG]
    nb.cells.insert(index, marker)
    nbformat.write(nb, path)
    return count


def run(names: Sequence[str] = (), *, seed: int | None = None, out: Path | str = "_run",
        jobs: int | None = None, solutions: bool = False, timeout: int = 120,
        echo: bool = False) -> RunReport:
    """Execute notebooks headless into ``out``, write ``out/junit.xml``, return the report.

    ``seed`` is passed as a papermill parameter when given; ``echo`` prints one
    line per notebook as it finishes.
    """
    if seed is not None:
        seed = _validate.count(seed, "seed")
    timeout = _validate.count(timeout, "timeout", minimum=1)
    if jobs is not None:
        jobs = _validate.count(jobs, "jobs", minimum=1)
    chosen = notebooks_to_run(names, solutions=solutions)
    parameters = {} if seed is None else {"seed": seed}
    _check_parameters(chosen, parameters)
    folder = prepare_output(out)

    started = time.perf_counter()
    tasks = [(str(path), str(folder / path.name), timeout, parameters) for path in chosen]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    runs: dict[str, NotebookRun] = {}
    if workers == 1:
        for task in tasks:
            runs[task[0]] = _report(_run_one(*task), echo)
    else:
        with ProcessPoolExecutor(workers) as pool:
            futures = [pool.submit(_run_one, *task) for task in tasks]
            for future in as_completed(futures):
                result = _report(future.result(), echo)
                runs[result.notebook] = result
    ordered = tuple(runs[task[0]] for task in tasks)
    junit = folder / JUNIT_NAME
    suite = "solutions" if solutions else "lessons"
    junit.write_text(junit_xml(ordered, suite=suite) + "\n", encoding="utf-8")
    return RunReport(runs=ordered, junit=str(junit), seconds=round(time.perf_counter() - started, 2))


def _report(result: NotebookRun, echo: bool) -> NotebookRun:
    if echo:
        print(("ok    " if result.ok else "FAIL  ") + result.summary(), flush=True)
    return result


def junit_xml(runs: Sequence[NotebookRun], suite: str = "lessons") -> str:
    """A JUnit XML report with one test case per notebook (the format CI systems display)."""
    import xml.etree.ElementTree as ET

    failures = sum(not run.ok for run in runs)
    total_time = f"{sum(run.seconds for run in runs):.3f}"
    counts = {"tests": str(len(runs)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "pmkit run", **counts, "time": total_time})
    group = ET.SubElement(root, "testsuite", {"name": suite, **counts, "skipped": "0", "time": total_time})
    for result in runs:
        case = ET.SubElement(group, "testcase", {
            "classname": suite, "name": Path(result.notebook).stem,
            "time": f"{result.seconds:.3f}", "file": _relative(result.notebook),
        })
        if not result.ok:
            kind = result.error.split(":", 1)[0] if ":" in result.error else "NotebookError"
            failure = ET.SubElement(case, "failure", {"message": result.error, "type": kind})
            where = f"In [{result.failed_cell}]" if result.failed_cell is not None else "before any cell ran"
            failure.text = f"{result.error}\nFailed at: {where}\nExecuted notebook: {result.output}"
        if result.statuses:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{name}: {status}" for name, status in result.statuses.items()
            )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _relative(path: str) -> str:
    # CI annotations link files relative to the checkout.
    root = paths.repo_root()
    try:
        return str(Path(path).resolve().relative_to(root)) if root else path
    except ValueError:
        return path


def command(args: argparse.Namespace) -> int:
    """``pmkit run``: 0 when every notebook ran cleanly, 1 otherwise."""
    report = run(args.lessons, seed=args.seed, out=args.out, jobs=args.jobs,
                 solutions=args.solutions, timeout=args.timeout, echo=True)
    print(report.summary())
    return 0 if report.ok else 1
