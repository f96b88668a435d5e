"""The program ``pmkit grade`` runs for one submission, inside its sandbox.

It executes the copy with papermill and a kernel started right here (same sandbox, same
limits), with ``PMKIT_GRADING_ANSWERS`` set, so every ``lesson.check`` appends the
learner's answer to the answers file instead of judging it. It then writes a few words
about how the run ended (``run.json``). Nothing it writes is trusted by the grader: the
answers are validated as plain data and judged outside, and ``run.json`` only ever fills
this submission's own error column.

    python -m pmkit.course.grade_runner '{"notebook": ..., "status": ..., "timeout": 60, "seed": 42}'
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

# What a truth-reveal cell raises while grading: that cell is skipped and the run goes on.
ALLOWED = "UnavailableWhileGrading"


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute the notebook; report its error, if any, and the cell it happened in."""
    # Loaded before the clock starts: the time limit is for the notebook, not our imports.
    from pmkit.course._speedups import skip_iri_grammar

    skip_iri_grammar()
    from pmkit.course.execute import run_notebook

    notebook, executed = Path(spec["notebook"]), Path(spec["executed"])
    result = run_notebook(notebook, executed, cwd=notebook.parent, timeout=int(spec["timeout"]),
                          save_each_cell=False, allow_error_names=[ALLOWED], seed=int(spec["seed"]))
    if not result.error or not result.error.startswith(ALLOWED):
        return {"error": result.error, "failed_cell": result.failed_cell, "skipped_cells": []}
    # papermill names the first error of any kind; find the first that stopped the run, if any.
    error, cell, skipped = "", None, []
    for ename, evalue, count in _errors(executed):
        if ename == ALLOWED:
            skipped.append(count)
        elif not error:
            error, cell = f"{ename}: {evalue}".strip()[:300], count
    return {"error": error, "failed_cell": cell, "skipped_cells": skipped}


def _errors(executed: Path) -> list[tuple[str, str, int | None]]:
    """(error name, message, execution count) of every error output in the executed notebook."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    found = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append((str(output.get("ename")), str(output.get("evalue")),
                              cell.get("execution_count")))
    return found


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    status = Path(spec["status"])
    # Nothing printed reaches the grader: it reads only the answers file and this status.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        outcome = run(spec)
    except MemoryError:
        outcome = {"error": "MemoryError: the grading runner itself ran out of memory", "failed_cell": None}
    except Exception as exc:
        outcome = {"error": f"{type(exc).__name__}: {exc}"[:300], "failed_cell": None}
    status.write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
