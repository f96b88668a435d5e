"""``pmkit check NN``: run your workspace lesson in a fresh kernel, as CI and grading would.

A notebook that works in a long-lived kernel can still fail from scratch:
cells run out of order, a variable defined in a cell since deleted. This
command runs a *copy* of the learner's notebook top to bottom in a new kernel
(the learner's file is only read), reports each exercise, and points out any
exercise the saved notebook shows as correct but a fresh run does not.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pmkit import paths
from pmkit.course import notebooks
from pmkit.course.execute import NotebookRun, run_notebook
from pmkit.exercises.engine import record, start


def saved_correct(path: Path) -> set[str]:
    """Exercises whose saved output in the notebook says correct."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    found = set()
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            text = output.get("data", {}).get("text/plain", "") if isinstance(output, dict) else ""
            text = "".join(text) if isinstance(text, list) else str(text)
            if text.startswith("✅ ") and ": correct." in text:
                found.add(text[2:].split(":", 1)[0].strip())
    return found


@dataclass(frozen=True)
class CellError:
    """A cell that raised in the fresh run, numbered as JupyterLab shows it (1-based, all cells)."""

    cell: int
    error: str


@dataclass(frozen=True)
class CheckReport:
    path: Path
    run: NotebookRun
    stale: tuple[str, ...]  # correct in the saved notebook, not in a fresh run
    errors: tuple[CellError, ...] = ()
    unreached: tuple[tuple[str, str], ...] = ()  # (exercise, why it got no verdict)

    def text(self) -> str:
        lines = [f"Fresh run of {self.path}:"]
        for failed in self.errors:
            lines.append(f"  cell {failed.cell} failed: {failed.error}")
        if not self.run.ok and not self.errors:
            lines.append(f"  the notebook stopped: {self.run.error}")
        for name, status in self.run.statuses.items():
            lines.append(f"  {name:<28} {status}")
        for name, why in self.unreached:
            lines.append(f"  {name:<28} not reached: {why}")
        if not self.run.statuses and not self.unreached:
            lines.append("  no exercise was checked")
        for name in self.stale:
            lines.append(
                f"  note: {name} shows correct in your saved notebook but not in a fresh run; "
                "it depended on cells run out of order or since changed"
            )
        passed = sum(s == "correct" for s in self.run.statuses.values())
        lines.append(f"{passed} of {len(self.run.statuses)} checked exercises correct.")
        return "\n".join(lines)


def check(lesson: str, timeout: int = 120) -> CheckReport:
    """Run the learner's copy of ``lesson`` from scratch; the learner's file is only read."""
    workspace = paths.workspace_dir()
    (path,) = notebooks.select(sorted(workspace.glob("[0-9][0-9]_*.ipynb")), [lesson])
    with tempfile.TemporaryDirectory(prefix="pmkit-check-") as scratch:
        executed = Path(scratch) / path.name
        # Every cell runs even after one fails, so every exercise after it still gets a verdict.
        result = run_notebook(path, executed, cwd=workspace, timeout=timeout, save_each_cell=False,
                              allow_errors=True)
        cells = _executed_cells(executed)
    for name, status in result.statuses.items():
        record(path.stem, name, status, source="pmkit check")
    stale = tuple(sorted(n for n in saved_correct(path) if result.statuses.get(n) != "correct"))
    errors = cell_errors(cells)
    return CheckReport(path, result, stale, errors, unreached(_exercises(path.stem), result.statuses, cells))


def _exercises(lesson: str) -> tuple[str, ...]:
    try:
        return tuple(start(lesson).exercises)
    except ValueError:  # not a course lesson: nothing expected
        return ()


def _executed_cells(executed: Path) -> list[dict]:
    """The executed notebook's cells as the learner sees them (without papermill's own cells)."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    ours = {"injected-parameters", "papermill-error-cell-tag"}
    return [c for c in cells if not ours & set(c.get("metadata", {}).get("tags", []))]


def _error(cell: dict) -> str | None:
    """The cell's error as ``Name: message``, or None if it ran cleanly."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}"[:300]
    return None


def cell_errors(cells: list[dict]) -> tuple[CellError, ...]:
    """Every cell that raised, numbered 1-based over all cells (markdown too), as JupyterLab does.

    >>> cells = [{"cell_type": "markdown"}, {"cell_type": "code", "outputs": [
    ...     {"output_type": "error", "ename": "NameError", "evalue": "name 'x' is not defined"}]}]
    >>> cell_errors(cells)
    (CellError(cell=2, error="NameError: name 'x' is not defined"),)
    """
    return tuple(CellError(number, error) for number, cell in enumerate(cells, start=1)
                 if (error := _error(cell)) is not None)


def unreached(expected: tuple[str, ...], statuses: dict[str, str],
              cells: list[dict]) -> tuple[tuple[str, str], ...]:
    """Each expected exercise that got no verdict, with the reason: its cell failed, or has no check.

    >>> cells = [{"cell_type": "code", "source": "x = 1/0; lesson.check('a', x)", "outputs": [
    ...     {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero"}]}]
    >>> for name, why in unreached(("a", "b"), {}, cells):
    ...     print(name, "-", why)
    a - cell 1 failed before its check (ZeroDivisionError: division by zero)
    b - no cell runs lesson.check("b", ...)
    """
    missing = []
    for name in expected:
        if name in statuses:
            continue
        why = f'no cell runs lesson.check("{name}", ...)'
        for number, cell in enumerate(cells, start=1):
            source = "".join(cell.get("source", ""))
            if cell.get("cell_type") != "code" or not any(
                    f"check({quote}{name}{quote}" in source for quote in "\"'"):
                continue
            error = _error(cell)
            why = (f"cell {number} failed before its check ({error})" if error
                   else f"cell {number} ran but its check gave no verdict")
            break
        missing.append((name, why))
    return tuple(missing)


def command(args: argparse.Namespace) -> int:
    result = check(args.lesson, timeout=args.timeout)
    print(result.text())
    return 0 if result.run.ok else 1
