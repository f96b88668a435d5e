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
from pmkit.exercises.engine import record


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
class CheckReport:
    path: Path
    run: NotebookRun
    stale: tuple[str, ...]  # correct in the saved notebook, not in a fresh run

    def text(self) -> str:
        lines = [f"Fresh run of {self.path}:"]
        if not self.run.ok:
            where = f" in cell {self.run.failed_cell}" if self.run.failed_cell is not None else ""
            lines.append(f"  the notebook stopped{where}: {self.run.error}")
        for name, status in self.run.statuses.items():
            lines.append(f"  {name:<28} {status}")
        if not self.run.statuses:
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
        result = run_notebook(path, Path(scratch) / path.name, cwd=workspace, timeout=timeout,
                              save_each_cell=False)
    for name, status in result.statuses.items():
        record(path.stem, name, status, source="pmkit check")
    stale = tuple(sorted(n for n in saved_correct(path) if result.statuses.get(n) != "correct"))
    return CheckReport(path, result, stale)


def command(args: argparse.Namespace) -> int:
    result = check(args.lesson, timeout=args.timeout)
    print(result.text())
    return 0 if result.run.ok else 1
