"""Run one notebook headless in a fresh kernel, the way CI, grading and `pmkit check` do.

Everything that executes a course notebook with parameters goes through
``run_notebook``: papermill injects the parameters, nbclient runs the cells,
and the exercise checks record their verdicts in a private progress log, so
the caller learns each exercise's status without parsing outputs.

>>> from pathlib import Path
>>> result = run_notebook(Path("lessons/00_welcome.ipynb"), seed=7)  # doctest: +SKIP
>>> result.statuses["late_share"]                                    # doctest: +SKIP
'not answered'
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmkit.display import card
from pmkit.results import Result


@dataclass(frozen=True, repr=False)
class NotebookRun(Result):
    """The outcome of one headless run."""

    notebook: str
    ok: bool
    seconds: float
    statuses: dict[str, str] = field(default_factory=dict)
    error: str = ""
    failed_cell: int | None = None
    output: str = ""

    def summary(self) -> str:
        passed = sum(s == "correct" for s in self.statuses.values())
        checks = f"{passed} of {len(self.statuses)} checks correct" if self.statuses else "no checks ran"
        if self.ok:
            return f"{Path(self.notebook).name} ran in {self.seconds:.1f} s; {checks}."
        where = f" in cell {self.failed_cell}" if self.failed_cell is not None else ""
        return f"{Path(self.notebook).name} failed{where}: {self.error}. {checks}."

    def _repr_html_(self) -> str:
        rows = [(name, status) for name, status in self.statuses.items()]
        return card(Path(self.notebook).name, rows, summary=self.summary())


def run_notebook(
    path: Path,
    output: Path | None = None,
    *,
    cwd: Path | None = None,
    timeout: int = 120,
    kernel: str = "python3",
    save_each_cell: bool = True,
    allow_error_names: Sequence[str] = (),
    allow_errors: bool = False,
    **parameters: Any,
) -> NotebookRun:
    """Execute ``path`` with papermill; never raises for a failing notebook.

    The executed notebook (failed ones too, with papermill marking the failing
    cell) is written to ``output`` when given. ``save_each_cell`` (papermill's default)
    rewrites it as every cell starts and ends, so a run killed from outside still leaves
    what it got through; callers that read only the verdicts turn it off and save a lesson
    about 0.4 s. Errors named in ``allow_error_names`` do not stop the run (nbclient's option
    of that name); ``allow_errors`` runs every cell even after one fails (``pmkit check`` wants
    a verdict for every exercise). Either way the first error is still reported.
    """
    from pmkit.course._speedups import skip_iri_grammar

    skip_iri_grammar()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from pmkit.course._kernels import AsyncPrivateKernelManager
    from pmkit.course.notebooks import kernel_environment
    from pmkit.exercises.engine import read_progress

    path = Path(path)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pmkit-run-") as scratch:
        log = Path(scratch) / "progress.jsonl"
        target = Path(output) if output is not None else Path(scratch) / path.name
        error, failed_cell = "", None
        try:
            with kernel_environment({"PMKIT_PROGRESS": str(log)}):
                papermill.execute_notebook(
                    str(path),
                    str(target),
                    parameters=parameters,
                    kernel_name=kernel,
                    cwd=str(cwd or path.parent),
                    progress_bar=False,
                    execution_timeout=timeout,
                    shutdown_kernel="immediate",
                    request_save_on_cell_execute=save_each_cell,
                    allow_errors=allow_errors,
                    # grading and `pmkit check` run several of these at once, in several processes
                    kernel_manager_class=AsyncPrivateKernelManager,
                    allow_error_names=list(allow_error_names),
                )
        except PapermillExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}".strip()[:300]
            failed_cell = exc.exec_count
        except Exception as exc:  # a corrupt file, a kernel that died, a timeout
            error = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        statuses: dict[str, str] = {}
        for event in read_progress(log):
            if event["status"] != "hint":
                statuses[str(event["exercise"])] = str(event["status"])
    return NotebookRun(
        notebook=str(path),
        ok=not error,
        seconds=round(time.perf_counter() - started, 2),
        statuses=statuses,
        error=error,
        failed_cell=failed_cell,
        output=str(output) if output is not None else "",
    )
