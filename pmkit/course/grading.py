"""Grade a folder of submitted notebooks: a gradebook CSV and an HTML feedback page per learner.

Grading runs learner code. Each submission is copied into a fresh temporary
folder and executed there, in its own operating-system process and its own
kernel, with three limits: seconds per cell, seconds for the whole notebook
and megabytes of memory. A notebook that loops forever, eats memory, deletes
files in its folder or is not a notebook at all costs only its own row. These
limits keep a careless or mischievous notebook from wrecking a grading run;
they are not a security sandbox (see docs/grading.md).

>>> learner_name(Path("submissions/alice.ipynb"), Path("submissions"))
'alice'
>>> learner_name(Path("submissions/bob/00_welcome.ipynb"), Path("submissions"))
'bob'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmkit import _validate
from pmkit.display import GOOD, NEUTRAL, PALETTE, card, pct
from pmkit.results import Result

NOT_ATTEMPTED = "not attempted"
# A notebook bigger than this is not a lesson someone worked through; refuse it
# before parsing so one huge file cannot exhaust the grader's own memory.
MAX_NOTEBOOK_MB = 50
# The whole notebook may take this many per-cell timeouts before it is stopped.
TOTAL_TIMEOUT_CELLS = 10
# Extra seconds the grader waits for a worker to report before killing it outright
# (the worker's own imports are not on the notebook's clock, and take a while on a busy machine).
WORKER_GRACE_SECONDS = 60
# Nothing in a gradebook looks at a chart: the lessons' charts (pmkit.show, explorers) are built,
# so their code still runs, but not rendered, which is most of a lesson's work after start-up.
# Every other runner (CI, `pmkit check`, `pmkit run`) renders.
NO_FIGURES = {"PMKIT_FIGURES": "off"}
# One core per kernel: several kernels share the machine when grading in parallel.
KERNEL_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_CHECK_OUTPUT = re.compile(
    r"^\S+ (?P<exercise>[a-z][a-z0-9_]*): (?P<status>correct|incorrect|not answered|error)\.\s*(?P<text>.*)$",
    re.DOTALL,
)


# ------------------------------------------------------------------ results --


@dataclass(frozen=True, repr=False)
class Graded(Result):
    """One submission's result: each exercise's status, the score and what went wrong.

    >>> Graded("ana", "00_welcome", "ana.ipynb", {"late_share": "correct", "promise_call": "incorrect"})
    Graded: ana, 00_welcome: 1 of 2 exercises correct.
    """

    learner: str
    lesson: str
    notebook: str
    statuses: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0

    @property
    def score(self) -> int:
        """Exercises answered correctly."""
        return sum(status == "correct" for status in self.statuses.values())

    @property
    def out_of(self) -> int:
        return len(self.statuses)

    def summary(self) -> str:
        lesson = self.lesson or "an unknown lesson"
        text = f"{self.learner}, {lesson}: {self.score} of {self.out_of} exercises correct."
        return f"{text} Problem: {self.error}" if self.error else text

    def _card_rows(self) -> list[tuple[str, Any]]:
        return list(self.statuses.items())


@dataclass(frozen=True, repr=False)
class Gradebook(Result):
    """Every graded submission, and each lesson's exercises (the gradebook's columns)."""

    rows: tuple[Graded, ...]
    exercises: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def columns(self) -> list[tuple[str, str, str]]:
        """(lesson, exercise, column name); names carry the lesson only when several are graded."""
        several = len(self.exercises) > 1
        return [(lesson, name, f"{lesson[:2]}:{name}" if several else name)
                for lesson, names in self.exercises.items() for name in names]

    def table(self) -> list[dict[str, Any]]:
        """One dict per submission, in gradebook column order."""
        table = []
        for row in self.rows:
            line: dict[str, Any] = {"learner": row.learner, "lesson": row.lesson,
                                    "score": row.score, "out_of": row.out_of}
            for lesson, name, column in self.columns():
                line[column] = row.statuses.get(name, NOT_ATTEMPTED) if lesson == row.lesson else ""
            line["error"] = row.error
            table.append(line)
        return table

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.table(), columns=self._header())

    def _header(self) -> list[str]:
        return ["learner", "lesson", "score", "out_of", *(c for _, _, c in self.columns()), "error"]

    def summary(self) -> str:
        if not self.rows:
            return "No submissions were graded."
        failed = sum(bool(row.error) for row in self.rows)
        total = sum(row.out_of for row in self.rows)
        share = sum(row.score for row in self.rows) / total if total else 0.0
        problems = f"{failed} could not be fully run" if failed else "all ran to the end"
        return (f"Graded {len(self.rows)} submission(s): {problems}; "
                f"{pct(share)} of all exercises are correct.")

    def plot(self, ax: Any = None) -> Any:
        """Share of submissions answering each exercise correctly."""
        from pmkit.display import new_axes

        ax = new_axes(ax)
        columns = self.columns()
        shares = []
        for lesson, name, _ in columns:
            graded = [row for row in self.rows if row.lesson == lesson]
            shares.append(sum(row.statuses.get(name) == "correct" for row in graded) / max(len(graded), 1))
        ax.barh([c for _, _, c in columns], shares, color=PALETTE[0])
        ax.set_xlim(0, 1)
        hardest = columns[shares.index(min(shares))][2] if shares else "none"
        ax.set(xlabel="share of submissions correct", ylabel="exercise",
               title=f"Hardest exercise: {hardest}")
        return ax

    def _repr_html_(self) -> str:
        rows = [(f"{row.learner} · {row.lesson or '?'}", f"{row.score}/{row.out_of} {row.error}".strip())
                for row in self.rows]
        return card("Gradebook", rows, summary=self.summary())


# -------------------------------------------------------------- submissions --


@dataclass(frozen=True)
class Submission:
    """A notebook to grade, whose learner it is and which lesson it answers."""

    learner: str
    path: Path
    lesson: str = ""
    problem: str = ""


def learner_name(path: Path, folder: Path) -> str:
    """The learner a submitted file belongs to: its folder's name, or the file's stem."""
    relative = Path(path).relative_to(folder)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def find_submissions(folder: Path | str) -> list[Submission]:
    """Every notebook in ``folder`` (one per learner, or one folder per learner), lesson identified.

    A notebook whose lesson cannot be told is graded against the lesson every
    other submission answers, when they all answer the same one.

    >>> [(s.learner, s.lesson) for s in find_submissions("submissions/")]   # doctest: +SKIP
    [('alice', '00_welcome'), ('bob', '00_welcome')]
    """
    folder = _folder(folder)
    found = [p for p in sorted(folder.rglob("*.ipynb")) if _is_submission(p, folder)]
    if not found:
        raise ValueError(f"no notebooks (*.ipynb) found in {folder}")
    submissions = [_identify(path, folder) for path in found]
    known = {s.lesson for s in submissions if s.lesson}
    if len(known) == 1:
        only = known.pop()
        submissions = [s if s.lesson else Submission(s.learner, s.path, only, s.problem) for s in submissions]
    return submissions


def _folder(folder: Path | str) -> Path:
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"submissions should be a folder path, got {type(folder).__name__}")
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ValueError(f"submissions folder not found: {folder}")
    return path


def _is_submission(path: Path, folder: Path) -> bool:
    parts = path.relative_to(folder).parts
    # Deeper folders are Jupyter's own (.ipynb_checkpoints) or not a learner's hand-in.
    return len(parts) <= 2 and not any(part.startswith(".") for part in parts) and path.is_file()


def _identify(path: Path, folder: Path) -> Submission:
    from pmkit.course.notebooks import read

    learner = learner_name(path, folder)
    by_name = _lesson_by_id(path.name[:2]) if re.match(r"^\d\d_", path.name) else ""
    if path.stat().st_size > MAX_NOTEBOOK_MB * 2**20:
        return Submission(learner, path, by_name, f"the file is larger than {MAX_NOTEBOOK_MB} MB")
    try:
        nb = read(path)
    except ValueError as exc:
        return Submission(learner, path, by_name, _relative_message(str(exc), folder))
    raw = nb.metadata.get("pmkit")
    lesson_id = raw.get("id") if isinstance(raw, dict) else None
    lesson = _lesson_by_id(lesson_id) if isinstance(lesson_id, str) else ""
    return Submission(learner, path, lesson or by_name)


def _relative_message(message: str, folder: Path) -> str:
    """Error text without the instructor's folder path, which means nothing in feedback."""
    return message.replace(str(folder) + os.sep, "")


def _lesson_by_id(lesson_id: str) -> str:
    from pmkit import paths

    if not re.fullmatch(r"\d\d", lesson_id):
        return ""
    hits = sorted(paths.lessons_dir().glob(f"{lesson_id}_*.ipynb"))
    return hits[0].stem if hits else ""


def lesson_exercises(lesson: str) -> tuple[str, ...]:
    """The exercise names of a lesson, in the order its EXERCISES list gives them.

    >>> lesson_exercises("00_welcome")
    ('average_order', 'late_share', 'promise_call')
    """
    from pmkit.exercises.engine import start

    return tuple(start(lesson).exercises)


def _hints(lesson: str) -> dict[str, tuple[str, str]]:
    """(question, first hint) per exercise; the first rung nudges without giving the answer away."""
    from pmkit.exercises.engine import start

    return {name: (ex.question, ex.hints[0]) for name, ex in start(lesson).exercises.items()}


# ------------------------------------------------------------------ grading --


def grade(submissions: Path | str, *, jobs: int | None = None, timeout: int = 60, memory: int = 2048,
          total_timeout: int | None = None,
          progress: Callable[[int, int, Graded], None] | None = None) -> Gradebook:
    """Run every submission in its own process and kernel; never raises for a bad notebook.

    ``timeout`` is seconds per cell, ``memory`` megabytes per submission and
    ``total_timeout`` seconds for a whole notebook (default: 10 cells' worth).

    >>> book = grade("submissions/", jobs=2, timeout=60)   # doctest: +SKIP
    >>> book.to_frame()[["learner", "score", "error"]]      # doctest: +SKIP
    """
    if os.name != "posix":
        raise ValueError("pmkit grade needs Linux or macOS: its limits rely on POSIX process groups")
    timeout = _validate.count(timeout, "timeout", minimum=1)
    memory = _validate.count(memory, "memory", minimum=256)
    total = _validate.count(total_timeout, "total_timeout", minimum=1) if total_timeout is not None \
        else TOTAL_TIMEOUT_CELLS * timeout
    workers = _validate.count(jobs, "jobs", minimum=1) if jobs is not None else (os.cpu_count() or 1)
    found = find_submissions(submissions)
    exercises: dict[str, tuple[str, ...]] = {}
    for lesson in sorted({s.lesson for s in found if s.lesson}):
        try:
            exercises[lesson] = lesson_exercises(lesson)
        except ValueError:
            exercises[lesson] = ()  # the rows say why; other lessons still get graded
    limits = {"timeout": timeout, "memory": memory, "total_timeout": total}
    rows: list[Graded] = []
    with ThreadPoolExecutor(max_workers=min(workers, len(found))) as pool:
        futures = [pool.submit(grade_one, s, exercises.get(s.lesson, ()), **limits) for s in found]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                rows.append(future.result())
                if progress is not None:
                    progress(done, len(found), rows[-1])
        except KeyboardInterrupt:
            # Workers sit in their own sessions, out of reach of Ctrl-C: stop them ourselves.
            pool.shutdown(wait=False, cancel_futures=True)
            _stop_running_workers()
            raise
    rows.sort(key=lambda r: (r.learner, r.lesson, r.notebook))
    return Gradebook(tuple(rows), exercises)


def grade_one(submission: Submission, exercises: Sequence[str], *, timeout: int = 60, memory: int = 2048,
              total_timeout: int = 600) -> Graded:
    """Grade one submission in a separate process; every failure becomes the row's ``error``.

    >>> grade_one(Submission("zed", Path("zed.ipynb"), "00_welcome", "not valid JSON"), ["late_share"])
    Graded: zed, 00_welcome: 0 of 1 exercises correct. Problem: not valid JSON
    """
    started = time.perf_counter()
    blank = dict.fromkeys(exercises, NOT_ATTEMPTED)

    def row(statuses: dict[str, str], error: str, messages: dict[str, str] | None = None) -> Graded:
        known = {**blank, **{k: v for k, v in statuses.items() if k in blank}}
        return Graded(submission.learner, submission.lesson, str(submission.path), known,
                      {k: v for k, v in (messages or {}).items() if k in blank}, error,
                      round(time.perf_counter() - started, 2))

    if submission.problem:
        return row({}, submission.problem)
    if not submission.lesson:
        return row({}, "cannot tell which lesson this notebook answers (no lesson metadata, "
                       "and its file name does not start with a lesson number)")
    if not exercises:
        return row({}, f"lesson {submission.lesson} has no exercises to grade")
    try:
        with tempfile.TemporaryDirectory(prefix="pmkit-grade-", ignore_cleanup_errors=True) as scratch:
            result = _run_worker(submission.path, Path(scratch), timeout, memory, total_timeout)
    except OSError as exc:  # e.g. the file vanished or became unreadable since it was found
        return row({}, f"could not copy the submission to run it: {exc.strerror or exc}")
    return row(result.get("statuses", {}), result.get("error", ""), result.get("messages", {}))


def _run_worker(original: Path, scratch: Path, timeout: int, memory: int,
                total_timeout: int) -> dict[str, Any]:
    # The kernel works in run/ on a copy with the submitted file's own name, so a
    # notebook that deletes "itself" or its folder deletes only the copy.
    run_dir, out_dir = scratch / "run", scratch / "out"
    run_dir.mkdir()
    out_dir.mkdir()
    copy = run_dir / original.name
    shutil.copyfile(original, copy)
    spec = {"notebook": str(copy), "output": str(out_dir / "executed.ipynb"), "cwd": str(run_dir),
            "timeout": timeout, "memory": memory, "total_timeout": total_timeout}
    env = {**os.environ, **KERNEL_THREADS, **NO_FIGURES, "PMKIT_WORKSPACE": str(scratch / "workspace")}
    process = subprocess.Popen([sys.executable, "-m", "pmkit.course.grading", json.dumps(spec)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                               cwd=run_dir, env=env, start_new_session=True)
    with _RUNNING_LOCK:
        _RUNNING.add(process.pid)
    try:
        out, _ = process.communicate(timeout=total_timeout + WORKER_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)
        process.communicate()
        return {"error": f"stopped after {total_timeout} s (the time limit for a whole notebook)"}
    finally:
        _kill_tree(process.pid)  # nothing a submission started outlives its grading
        with _RUNNING_LOCK:
            _RUNNING.discard(process.pid)
    try:
        result = json.loads(out.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"the grading process stopped unexpectedly (exit code {process.returncode})"}
    return result if isinstance(result, dict) else {"error": "the grading process sent no result"}


# ------------------------------------------------------------ process trees --

_RUNNING: set[int] = set()  # worker processes of the grading run in progress
_RUNNING_LOCK = threading.Lock()


def _stop_running_workers() -> None:
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for pid in running:
        _kill_tree(pid)


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process we can see (Linux /proc; empty elsewhere)."""
    table: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces or brackets; fields after the last ')' do not.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return table


def descendants(pid: int) -> list[int]:
    """Every process started, directly or not, by ``pid`` (Linux; empty elsewhere).

    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    >>> child.pid in descendants(os.getpid())
    True
    >>> child.kill(); child.wait()
    -9
    """
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid``'s process group and every descendant's group (kernels run in their own)."""
    groups = {pid}
    for child in descendants(pid):
        try:
            groups.add(os.getpgid(child))
        except OSError:
            continue
        _kill(child)
    groups.discard(os.getpgid(0))  # never our own group
    for group in groups:
        _kill(group, group=True)


def _kill(pid: int, *, group: bool = False) -> None:
    """SIGKILL a process, or its whole group; one already gone is fine."""
    with contextlib.suppress(OSError):
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)


# ------------------------------------------------------------------- worker --


def _stop_children() -> None:
    """SIGKILL every process this one started, each with its group (a kernel has its own)."""
    own = os.getpgid(0)
    for child in descendants(os.getpid()):
        try:
            group = os.getpgid(child)
        except OSError:
            continue
        # Our own group holds this worker too: there, kill just that process.
        if group == own:
            _kill(child)
        else:
            _kill(group, group=True)


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs inside the per-submission process: limit memory, run the copy, report."""
    import resource

    limit = int(spec["memory"]) * 2**20
    # Set before the kernel starts, so the kernel (a child) inherits it.
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # A kernel killed at its memory limit should not leave a core file the size of that limit.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Loaded before the clock starts: the time limit is for the notebook, not our imports.
    from pmkit.course._speedups import skip_iri_grammar

    skip_iri_grammar()
    import papermill  # noqa: F401

    from pmkit.course.execute import run_notebook

    finished, stopped = threading.Event(), threading.Event()

    def enforce_deadline() -> None:
        if finished.wait(int(spec["total_timeout"])):
            return
        stopped.set()
        # Keep at it: a kernel still starting when time ran out appears only later.
        while not finished.wait(0.5):
            _stop_children()

    watchdog = threading.Thread(target=enforce_deadline, daemon=True)
    watchdog.start()
    try:
        run = run_notebook(Path(spec["notebook"]), Path(spec["output"]), cwd=Path(spec["cwd"]),
                           timeout=int(spec["timeout"]), save_each_cell=False)
    finally:
        finished.set()
    error = _plain_error(run.error, run.failed_cell, spec)
    if stopped.is_set():
        error = f"stopped after {spec['total_timeout']} s (the time limit for a whole notebook)"
    return {"statuses": run.statuses, "error": error, "messages": check_messages(Path(spec["output"]))}


def _plain_error(error: str, cell: int | None, spec: dict[str, Any]) -> str:
    """The notebook's failure in words an instructor can act on."""
    if not error:
        return ""
    error = " ".join(error.split())  # one line per gradebook cell
    where = f" (cell {cell})" if cell is not None else ""
    if "CellTimeoutError" in error or "timed out" in error:
        return f"a cell ran longer than {spec['timeout']} s (the per-cell time limit)"
    if error.startswith("MemoryError"):
        return f"MemoryError{where}: the notebook needed more than {spec['memory']} MB"
    if "DeadKernelError" in error:
        return f"the kernel died{where}; likely over the {spec['memory']} MB memory limit: {error}"[:300]
    return f"{error}{where}"


def check_messages(executed: Path) -> dict[str, str]:
    """The sentence each exercise check last showed the learner, read from the executed notebook.

    Anything unreadable gives no messages rather than an error:

    >>> check_messages(Path("no-such-notebook.ipynb"))
    {}
    """
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    messages: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            text = output.get("data", {}).get("text/plain") if isinstance(output, dict) else None
            text = "".join(text) if isinstance(text, list) else text
            match = _CHECK_OUTPUT.match(text) if isinstance(text, str) else None
            if match:
                messages[match["exercise"]] = " ".join(match["text"].split())[:400]
    return messages


def _worker_main(argv: Sequence[str]) -> int:
    # Only this process may write the result: the kernel inherits a /dev/null stdout
    # instead of ours, so nothing a learner prints can forge or garble it.
    report = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        result = _worker(json.loads(argv[0]))
    except MemoryError:
        result = {"error": "the grader itself ran out of memory: raise --memory"}
    except Exception as exc:
        result = {"error": f"grading failed: {type(exc).__name__}: {exc}"[:300]}
    report.write(json.dumps(result) + "\n")
    report.flush()
    return 0


# ------------------------------------------------------------------ outputs --


def feedback_html(rows: Iterable[Graded]) -> str:
    """One learner's feedback page; everything from a submission is escaped.

    >>> page = feedback_html([Graded("<b>eve</b>", "00_welcome", "eve.ipynb", {"late_share": "correct"})])
    >>> "<b>eve</b>" in page, "&lt;b&gt;eve&lt;/b&gt;" in page
    (False, True)
    """
    rows = list(rows)
    learner = rows[0].learner if rows else ""
    cards = [_lesson_card(row) for row in rows]
    title = html.escape(f"Feedback for {learner}")
    return ("<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title></head>\n<body style='font-family:system-ui,sans-serif'>"
            f"<h1>{title}</h1>\n" + "\n".join(cards) + "\n</body></html>\n")


def _lesson_card(row: Graded) -> str:
    try:
        hints = _hints(row.lesson) if row.lesson else {}
    except ValueError:
        hints = {}
    facts = []
    for name, status in row.statuses.items():
        said = row.messages.get(name, "")
        facts.append((name, f"{status}. {said}".strip()))
        if status != "correct" and name in hints:
            question, nudge = hints[name]
            facts.append(("", f"The question: {question} A first hint: {nudge}"))
    accent = GOOD if row.out_of and row.score == row.out_of and not row.error else \
        (PALETTE[3] if row.error else NEUTRAL)
    footer = f"What stopped the run: {row.error}" if row.error else ""
    return card(f"{row.lesson or 'Unknown lesson'} ({Path(row.notebook).name})", facts,
                summary=f"{row.score} of {row.out_of} exercises correct.", accent=accent, footer=footer)


def _csv_safe(value: Any) -> Any:
    # A spreadsheet treats a cell starting with = + - @ as a formula; names come from learners.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def backup(path: Path) -> Path | None:
    """Move an existing file or folder aside under a timestamped name; return where it went.

    >>> backup(Path("no-such-gradebook.csv")) is None
    True
    """
    if not path.exists():
        return None
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.backup-{stamp}-{counter}{path.suffix}")
        counter += 1
    path.rename(target)
    return target


def feedback_folder(out: Path) -> Path:
    """Where the HTML pages go: next to the gradebook.

    >>> feedback_folder(Path("marks/gradebook.csv")).as_posix()
    'marks/gradebook-feedback'
    """
    return out.with_name(f"{out.stem}-feedback")


def write(book: Gradebook, out: Path | str) -> list[str]:
    """Write the gradebook CSV and one HTML page per learner; back up earlier output first.

    Returns one sentence per file moved aside.

    >>> write(grade("submissions/"), "gradebook.csv")   # doctest: +SKIP
    ['backed up the existing gradebook.csv to gradebook.backup-20260301-141500.csv']
    """
    out = Path(out).expanduser().resolve()
    folder = feedback_folder(out)
    notes = []
    for existing in (out, folder):
        moved = backup(existing)
        if moved is not None:
            notes.append(f"backed up the existing {existing.name} to {moved.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=book._header())
        writer.writeheader()
        for line in book.table():
            writer.writerow({k: _csv_safe(v) for k, v in line.items()})
    folder.mkdir()
    by_learner: dict[str, list[Graded]] = {}
    for row in book.rows:
        by_learner.setdefault(row.learner, []).append(row)
    used: set[str] = set()
    for learner, rows in by_learner.items():
        (folder / _page_name(learner, used)).write_text(feedback_html(rows), encoding="utf-8")
    return notes


def _page_name(learner: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", learner).strip("._") or "learner"
    name, counter = base, 2
    while name.lower() in used:
        name, counter = f"{base}_{counter}", counter + 1
    used.add(name.lower())
    return f"{name}.html"


# ---------------------------------------------------------------------- CLI --


class _ProgressBar:
    """A one-line text progress bar on stderr."""

    def __init__(self, stream: Any = None, width: int = 24):
        self.stream = stream or sys.stderr
        self.width = width
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, row: Graded) -> None:
        filled = round(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        verdict = "problem" if row.error else f"{row.score}/{row.out_of}"
        line = f"grading [{bar}] {done}/{total}  {row.learner}: {verdict}"
        if self.live:
            end = "\n" if done == total else ""
            self.stream.write(f"\r{line[:100]:<100}{end}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def command(args: Any) -> int:
    """``pmkit grade SUBMISSIONS --out gradebook.csv --jobs J --timeout T --memory MB --total-timeout S``."""
    folder = _folder(args.submissions)
    out = Path(args.out).expanduser().resolve()
    for target in (out, feedback_folder(out)):
        if target == folder or folder in target.parents:
            raise ValueError(f"--out must lie outside the submissions folder {folder}: "
                             "grading never writes among submissions")
    if out.suffix.lower() == ".ipynb":
        raise ValueError(f"--out should be a .csv file, got {args.out}")
    book = grade(folder, jobs=args.jobs, timeout=args.timeout, memory=args.memory,
                 total_timeout=args.total_timeout, progress=_ProgressBar())
    for note in write(book, out):
        print(note)
    print(book.summary())
    print(f"gradebook: {out}")
    print(f"feedback:  {feedback_folder(out)}{os.sep}")
    return 0


if __name__ == "__main__":  # the per-submission worker process
    sys.exit(_worker_main(sys.argv[1:]))
