"""Grade a folder of submitted notebooks: a gradebook CSV and an HTML feedback page per learner.

Grading runs learner code, so the verdicts are not worked out where that code runs.
Each submission runs in a bubblewrap sandbox of its own (``pmkit.course.sandbox``,
``pmkit.course.grade_box``) where every ``lesson.check`` only records the learner's
answer as plain data (``pmkit.exercises.capture``). This process reads those answers,
checks their type and size, and judges them with the lesson's own exercises for the
grader's seed. Expected values never enter the sandbox, and nothing the submission
prints, logs or claims about its verdicts is read. Time, memory (all of a submission's
processes together) and a process count are limited; the gradebook, an integrity report
(checksums, lessons claimed and graded, links refused, entries skipped, the pmkit
install's hash before and after) and the feedback pages are written here, atomically,
once every run has ended. See docs/grading.md for what this protects and what not.

>>> learner_name(Path("submissions/alice.ipynb"), Path("submissions"))
'alice'
>>> learner_name(Path("submissions/bob/00_welcome.ipynb"), Path("submissions"))
'bob'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import hashlib
import html
import json
import os
import re
import shutil
import signal
import stat
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
    mode: str = ""
    integrity: tuple[str, ...] = ()
    submission: str = ""
    report: dict[str, Any] = field(default_factory=dict, compare=False)

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
    run: dict[str, Any] = field(default_factory=dict, compare=False)

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
            line["mode"] = row.mode
            line["integrity"] = "; ".join(row.integrity) or ("ok" if row.mode else "")
            line["submission"] = row.submission
            table.append(line)
        return table

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.table(), columns=self._header())

    def _header(self) -> list[str]:
        return ["learner", "lesson", "score", "out_of", *(c for _, _, c in self.columns()), "error",
                "mode", "integrity", "submission"]

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
    """A notebook to grade, whose learner it is, which lesson it claims and which it is graded as."""

    learner: str
    path: Path
    lesson: str = ""
    problem: str = ""
    relative: str = ""
    claimed: str = ""


@dataclass(frozen=True)
class Scan:
    """What a submissions folder holds: the notebooks to grade and every entry left out, with why."""

    submissions: tuple[Submission, ...]
    skipped: tuple[tuple[str, str], ...] = ()


def learner_name(path: Path, folder: Path) -> str:
    """The learner a submitted file belongs to: its folder's name, or the file's stem."""
    relative = Path(path).relative_to(folder)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def find_submissions(folder: Path | str, lesson: str | None = None) -> list[Submission]:
    """Every notebook in ``folder`` (one per learner, or one folder per learner), lesson identified.

    A notebook whose lesson cannot be told is graded against the lesson every
    other submission answers, when they all answer the same one; ``lesson``
    (``"00"`` or ``"00_welcome"``) grades every notebook as that lesson.

    >>> [(s.learner, s.lesson) for s in find_submissions("submissions/")]   # doctest: +SKIP
    [('alice', '00_welcome'), ('bob', '00_welcome')]
    """
    return list(scan(folder, lesson).submissions)


def scan(folder: Path | str, lesson: str | None = None) -> Scan:
    """Walk the submissions folder without following links; symbolic links are refused rows."""
    folder = _folder(folder)
    insisted = _insisted_lesson(lesson) if lesson is not None else ""
    found: list[Submission] = []
    skipped: list[tuple[str, str]] = []
    for entry in _entries(folder):
        relative = entry.relative_to(folder).as_posix()
        depth = len(entry.relative_to(folder).parts)
        if entry.name.startswith("."):
            skipped.append((relative, "hidden (Jupyter's checkpoints or the system's own files)"))
        elif entry.is_symlink():
            folder_link = depth == 1 and not entry.name.endswith(".ipynb")
            what = "the learner folder" if folder_link else "the notebook"
            target = os.readlink(entry)
            if entry.name.endswith(".ipynb") or depth == 1:
                found.append(Submission(learner_name(entry, folder), entry, insisted, relative=relative,
                                        problem=f"refused: {what} is a symbolic link (to {target!r}); "
                                                "hand in the file itself"))
            skipped.append((relative, f"a symbolic link to {target!r}: never followed"))
        elif entry.is_dir():
            if depth > 1:
                skipped.append((relative, "a folder inside a learner's folder: "
                                          "only notebooks one level deep count"))
        elif not entry.name.endswith(".ipynb"):
            skipped.append((relative, "not a notebook (*.ipynb)"))
        elif not entry.is_file():
            skipped.append((relative, "not a regular file"))
        else:
            found.append(_identify(entry, folder, insisted))
    if not found:
        raise ValueError(f"no notebooks (*.ipynb) found in {folder}")
    known = {s.lesson for s in found if s.lesson}
    if len(known) == 1:
        only = known.pop()
        found = [s if s.lesson else Submission(s.learner, s.path, only, s.problem, s.relative, s.claimed)
                 for s in found]
    return Scan(tuple(found), tuple(skipped))


def _entries(folder: Path) -> list[Path]:
    """The folder's entries and, in each real (not linked) learner folder, that folder's entries."""
    entries: list[Path] = []
    for top in sorted(folder.iterdir()):
        entries.append(top)
        if top.is_dir() and not top.is_symlink() and not top.name.startswith("."):
            entries.extend(sorted(top.iterdir()))
    return entries


def _insisted_lesson(lesson: str) -> str:
    text = str(lesson)
    name = _lesson_by_id(text[:2]) if re.fullmatch(r"\d\d(_[a-z0-9_]+)?", text) else ""
    if not name or (len(text) > 2 and name != text):
        raise ValueError(f"--lesson should be a lesson number like 00 or a name like 00_welcome, "
                         f"got {lesson!r}")
    return name


def _folder(folder: Path | str) -> Path:
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"submissions should be a folder path, got {type(folder).__name__}")
    path = Path(folder).expanduser()
    if path.is_symlink():
        raise ValueError(f"the submissions folder {folder} is a symbolic link: pass the folder itself")
    path = path.resolve()
    if not path.is_dir():
        raise ValueError(f"submissions folder not found: {folder}")
    return path


def _identify(path: Path, folder: Path, insisted: str = "") -> Submission:
    from pmkit.course.notebooks import read

    learner = learner_name(path, folder)
    relative = path.relative_to(folder).as_posix()
    by_name = _lesson_by_id(path.name[:2]) if re.match(r"^\d\d_", path.name) else ""
    if path.stat().st_size > MAX_NOTEBOOK_MB * 2**20:
        return Submission(learner, path, insisted or by_name, f"the file is larger than {MAX_NOTEBOOK_MB} MB",
                          relative, by_name)
    try:
        nb = read(path)
    except ValueError as exc:
        return Submission(learner, path, insisted or by_name, _relative_message(str(exc), folder),
                          relative, by_name)
    raw = nb.metadata.get("pmkit")
    lesson_id = raw.get("id") if isinstance(raw, dict) else None
    claimed = (_lesson_by_id(lesson_id) if isinstance(lesson_id, str) else "") or by_name
    return Submission(learner, path, insisted or claimed, relative=relative, claimed=claimed)


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


# ------------------------------------------------------------------- shards --


def parse_shard(text: str | None) -> tuple[int, int]:
    """``"K/N"`` as (K, N); None is the whole class, (1, 1).

    >>> parse_shard("2/4"), parse_shard(None)
    ((2, 4), (1, 1))
    """
    if text is None:
        return 1, 1
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard should be K/N with 1 <= K <= N (for example 2/4), got {text!r}")
    return int(match[1]), int(match[2])


def shard_of(relatives: Sequence[str], shard: tuple[int, int]) -> list[str]:
    """The submissions shard K of N grades: every N-th in sorted path order, starting at the K-th.

    >>> shard_of(["c", "a", "d", "b", "e"], (2, 2))
    ['b', 'd']
    """
    k, n = shard
    return sorted(relatives)[k - 1::n]


def class_digest(relatives: Iterable[str]) -> str:
    """SHA-256 of the class list, so merged shards can prove they graded the same class."""
    return hashlib.sha256("\n".join(sorted(relatives)).encode()).hexdigest()


# ---------------------------------------------------------------- integrity --


class IntegrityError(ValueError):
    """The installed pmkit changed during a grading run: its gradebook cannot be trusted.

    A ValueError, so the command line reports it as its one-line error.
    """


def package_digest(folder: Path | None = None) -> str:
    """SHA-256 over the installed pmkit package: every file's path and bytes (caches left out).

    >>> len(package_digest())
    64
    """
    from pmkit import paths

    folder = Path(folder or paths.PACKAGE_DIR)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or not (path.is_file() or path.is_symlink()):
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _read_submission(path: Path) -> bytes:
    """The submitted bytes, never through a link (a file swapped for one since the scan is refused)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is no longer a regular file")
        chunks, size = [], 0
        while chunk := os.read(fd, 2**20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_NOTEBOOK_MB * 2**20:
                raise OSError(f"the file is larger than {MAX_NOTEBOOK_MB} MB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(_read_submission(path)).hexdigest()
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"


# ------------------------------------------------------------------ grading --

SANDBOX_FLAG = "--no-sandbox-i-accept-the-risk"


def grade(submissions: Path | str, *, jobs: int | None = None, timeout: int = 60, memory: int = 2048,
          total_timeout: int | None = None, lesson: str | None = None, shard: str | None = None,
          sandboxed: bool = True, seed: int | None = None,
          progress: Callable[[int, int, Graded], None] | None = None) -> Gradebook:
    """Run every submission in its own sandbox and judge its recorded answers here; never raises for one.

    ``timeout`` is seconds per cell, ``memory`` megabytes for all of a submission's
    processes together and ``total_timeout`` seconds for a whole notebook (default:
    10 cells' worth). ``sandboxed=False`` runs without bubblewrap (see docs/grading.md).

    >>> book = grade("submissions/", jobs=2, timeout=60)   # doctest: +SKIP
    >>> book.to_frame()[["learner", "score", "error"]]      # doctest: +SKIP
    """
    from pmkit.course import grade_box, sandbox
    from pmkit.datasets import DEFAULT_SEED

    if os.name != "posix":
        raise ValueError("pmkit grade needs Linux or macOS: its limits rely on POSIX process groups")
    timeout = _validate.count(timeout, "timeout", minimum=1)
    memory = _validate.count(memory, "memory", minimum=256)
    total = _validate.count(total_timeout, "total_timeout", minimum=1) if total_timeout is not None \
        else TOTAL_TIMEOUT_CELLS * timeout
    workers = _validate.count(jobs, "jobs", minimum=1) if jobs is not None else (os.cpu_count() or 1)
    the_seed = DEFAULT_SEED if seed is None else _validate.count(seed, "seed", minimum=0)
    part = parse_shard(shard)
    if sandboxed and (why := sandbox.available()):
        raise ValueError(f"cannot sandbox the submissions: {why}; or accept the risk with {SANDBOX_FLAG}")
    mode = "sandbox" if sandboxed else "unsandboxed"
    found = scan(submissions, lesson)
    everyone = [s.relative for s in found.submissions]
    mine = set(shard_of(everyone, part))
    chosen = [s for s in found.submissions if s.relative in mine]
    exercises: dict[str, tuple[str, ...]] = {}
    # Columns follow the whole class, so every shard of it writes the same header.
    for name in sorted({s.lesson for s in found.submissions if s.lesson}):
        try:
            exercises[name] = lesson_exercises(name)
        except ValueError:
            exercises[name] = ()  # the rows say why; other lessons still get graded
    plan = grade_box.Plan(sandboxed, timeout, total, memory, the_seed)
    grade_box.clean_stale_boxes()
    before = package_digest()
    rows: list[Graded] = []
    stop = threading.Event()
    slots = _Slots(min(workers, max(len(chosen), 1)))
    judge = _Judge(the_seed)
    with ThreadPoolExecutor(max_workers=slots.size) as pool, _terminate_as_interrupt():
        futures = [pool.submit(_run_one, s, exercises.get(s.lesson, ()), plan, slots, stop) for s in chosen]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                submission, outcome, started, sha_before = future.result()
                row = judge.row(submission, exercises.get(submission.lesson, ()), outcome, plan, mode,
                                started, sha_before)
                rows.append(row)
                if package_digest() != before:
                    raise IntegrityError(
                        f"the installed pmkit package changed while grading (noticed after {row.learner}'s "
                        "submission): no gradebook was written; reinstall pmkit and grade again, sandboxed")
                if progress is not None:
                    progress(done, len(chosen), row)
        except BaseException:
            # Workers sit in their own sessions, out of reach of Ctrl-C: stop them ourselves.
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            grade_box.stop_running()
            raise
    rows.sort(key=lambda r: (r.learner, r.lesson, r.notebook))
    run = {"mode": mode, "memory": _memory_mode(sandboxed, memory), "seed": the_seed,
           "pmkit_sha256": {"before": before, "after": package_digest()},
           "shard": f"{part[0]}/{part[1]}",
           "class": {"count": len(everyone), "sha256": class_digest(everyone),
                     "submissions": sorted(everyone)},
           "skipped": [{"entry": e, "why": w} for e, w in found.skipped],
           "limits": {"timeout": timeout, "total_timeout": total, "memory_mb": memory,
                      "processes": plan.processes}}
    return Gradebook(tuple(rows), exercises, run)


def _memory_mode(sandboxed: bool, memory: int) -> str:
    per_process = f"each process at most {memory} MB of address space (setrlimit)"
    together = f"all of a submission's processes together at most {memory} MB (measured by the grader)"
    if not sandboxed:
        return f"{per_process}; {together}; no process-count limit without a sandbox"
    return (f"{per_process}; {together}; "
            "a process-count limit (RLIMIT_NPROC, a user id or namespace per sandbox)")


class _Slots:
    """Grading slots: each running submission holds one, and its sandbox user id follows from it."""

    def __init__(self, size: int):
        self.size = size
        self._free = list(range(size))
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def take(self) -> Any:
        with self._lock:
            slot = self._free.pop(0)
        try:
            yield slot
        finally:
            with self._lock:
                self._free.append(slot)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Any:
    """SIGTERM stops a grading run the way Ctrl-C does: every sandbox killed, every box deleted."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_one(submission: Submission, exercises: Sequence[str], plan: Any, slots: _Slots,
             stop: threading.Event) -> tuple[Submission, Any, float, str]:
    """In a pool thread: run one submission; what comes back is judged by the main thread."""
    from pmkit.course import grade_box

    started = time.perf_counter()
    if submission.problem or not submission.lesson or not exercises:
        return submission, None, started, _sha256_of(submission.path)
    try:
        content = _read_submission(submission.path)
    except OSError as exc:  # e.g. the file vanished, became unreadable or a link since it was found
        return submission, f"could not read the submission to run it: {exc.strerror or exc}", started, ""
    sha_before = hashlib.sha256(content).hexdigest()
    with slots.take() as slot:
        try:
            outcome = grade_box.run(submission.path.name, content, plan, slot, stop)
        except OSError as exc:
            outcome = f"could not set up the submission's sandbox: {exc.strerror or exc}"
    return submission, outcome, started, sha_before


def grade_one(submission: Submission, exercises: Sequence[str], *, timeout: int = 60, memory: int = 2048,
              total_timeout: int = 600, sandboxed: bool = True, seed: int | None = None) -> Graded:
    """Grade one submission (in its sandbox); every failure becomes the row's ``error``.

    >>> grade_one(Submission("zed", Path("zed.ipynb"), "00_welcome", "not valid JSON"), ["late_share"])
    Graded: zed, 00_welcome: 0 of 1 exercises correct. Problem: not valid JSON
    """
    from pmkit.course import grade_box
    from pmkit.datasets import DEFAULT_SEED

    the_seed = DEFAULT_SEED if seed is None else seed
    plan = grade_box.Plan(sandboxed, timeout, total_timeout, memory, the_seed)
    _, outcome, started, sha_before = _run_one(submission, exercises, plan, _Slots(1), threading.Event())
    mode = "sandbox" if sandboxed else "unsandboxed"
    return _Judge(the_seed).row(submission, exercises, outcome, plan, mode, started, sha_before)


class _Judge:
    """Turns a run's outcome into a row: the verdicts are worked out here, from the lesson and seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self._lessons: dict[str, Any] = {}

    def lesson(self, name: str) -> Any:
        from pmkit.exercises.engine import start

        if name not in self._lessons:
            self._lessons[name] = start(name, seed=self.seed)
        return self._lessons[name]

    def row(self, submission: Submission, exercises: Sequence[str], outcome: Any, plan: Any, mode: str,
            started: float, sha_before: str) -> Graded:
        blank = dict.fromkeys(exercises, NOT_ATTEMPTED)
        notes: list[str] = []
        if submission.claimed and submission.claimed != submission.lesson:
            notes.append(f"lesson mismatch: the notebook says {submission.claimed}, "
                         f"graded as {submission.lesson}")
        report: dict[str, Any] = {"submission": submission.relative, "claimed_lesson": submission.claimed,
                                  "graded_as": submission.lesson, "mode": mode, "sha256_before": sha_before}

        def finish(statuses: dict[str, str], error: str, messages: dict[str, str] | None = None,
                   row_mode: str = mode) -> Graded:
            after = _sha256_of(submission.path)
            report["sha256_after"] = after
            if sha_before and after != sha_before:
                notes.append("the submitted file changed while it was graded")
            report["notes"] = list(notes)
            return Graded(submission.learner, submission.lesson, str(submission.path), {**blank, **statuses},
                          messages or {}, error, round(time.perf_counter() - started, 2), row_mode,
                          tuple(notes), submission.relative, report)

        if submission.problem:
            return finish({}, submission.problem, row_mode="not run")
        if not submission.lesson:
            return finish({}, "cannot tell which lesson this notebook answers (no lesson metadata, "
                              "and its file name does not start with a lesson number)", row_mode="not run")
        if not exercises:
            return finish({}, f"lesson {submission.lesson} has no exercises to grade", row_mode="not run")
        if isinstance(outcome, str):
            return finish({}, outcome)
        return self._judged(submission, exercises, outcome, plan, notes, report, finish)

    def _judged(self, submission: Submission, exercises: Sequence[str], outcome: Any, plan: Any,
                notes: list[str], report: dict[str, Any], finish: Callable[..., Graded]) -> Graded:
        from pmkit.exercises import capture

        error = _run_error(outcome, plan)
        report["peak_memory_mb"] = outcome.peak_mb
        if outcome.status.get("skipped_cells"):
            cells = ", ".join(map(str, outcome.status["skipped_cells"]))
            notes.append(f"cell(s) {cells} skipped: they read what grading hides "
                         "(datasets.truth, lesson.answer)")
        if outcome.answers is None:
            why = f"no answers came back (the answers file is {outcome.answers_problem})"
            return finish({}, _join(error, why))
        try:
            answers = capture.read_answers(outcome.answers, submission.lesson)
        except ValueError as exc:
            return finish({}, _join(error, f"the answers file is damaged, so no answer counts: {exc}"))
        others = sorted(answers.lessons - {submission.lesson})
        if others:
            notes.append(f"the notebook's checks are for {', '.join(o[:40] for o in others)}, "
                         f"graded as {submission.lesson}")
        if answers.seeds - {self.seed}:
            used = ", ".join(str(s) for s in sorted(answers.seeds - {self.seed}, key=str))
            notes.append(f"the notebook used seed {used}; graded against seed {self.seed}")
        lesson = self.lesson(submission.lesson)
        statuses: dict[str, str] = {}
        messages: dict[str, str] = {}
        for name in exercises:
            if name in answers.unreadable:
                statuses[name], messages[name] = "incorrect", f"unreadable answer: {answers.unreadable[name]}"
            elif name in answers.values:
                feedback = lesson._grade(lesson.exercises[name], answers.values[name])
                statuses[name], messages[name] = feedback.status, " ".join(feedback.message.split())[:400]
        return finish(statuses, error, messages)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _run_error(outcome: Any, plan: Any) -> str:
    """How the run ended, in words an instructor can act on: the grader's own findings first."""
    if outcome.stopped == "time":
        return f"stopped after {plan.total_timeout} s (the time limit for a whole notebook)"
    if outcome.stopped == "memory":
        return (f"stopped: the notebook's processes together used more than {plan.memory_mb} MB "
                "(the memory limit per submission)")
    if outcome.stopped == "interrupted":
        return "interrupted"
    if not outcome.status:
        said = f": {outcome.startup_error}" if outcome.startup_error else ""
        return f"the grading run ended without a readable report (exit code {outcome.exit_code}){said}"
    error = _plain_error(outcome.status["error"], outcome.status["failed_cell"], plan)
    if not error and outcome.exit_code != 0:
        return f"the grading run ended abnormally (exit code {outcome.exit_code})"
    return error


def _plain_error(error: str, cell: int | None, plan: Any) -> str:
    """The notebook's failure in words an instructor can act on."""
    if not error:
        return ""
    error = " ".join(error.split())  # one line per gradebook cell
    where = f" (cell {cell})" if cell is not None else ""
    if "CellTimeoutError" in error or "timed out" in error:
        return f"a cell ran longer than {plan.timeout} s (the per-cell time limit)"
    if error.startswith("MemoryError"):
        return f"MemoryError{where}: the notebook needed more than {plan.memory_mb} MB"
    if "DeadKernelError" in error:
        return f"the kernel died{where}; likely over the {plan.memory_mb} MB memory limit: {error}"[:300]
    return f"{error}{where}"[:400]


def descendants(pid: int) -> list[int]:
    """Every process started, directly or not, by ``pid`` (see ``grade_box.descendants``)."""
    from pmkit.course.grade_box import descendants as found

    return found(pid)


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


def integrity_path(out: Path) -> Path:
    """Where the integrity report goes: next to the gradebook.

    >>> integrity_path(Path("marks/gradebook.csv")).as_posix()
    'marks/gradebook-integrity.json'
    """
    return out.with_name(f"{out.stem}-integrity.json")


def check_output(out: Path | str, submissions: Path | None = None) -> Path:
    """Validate ``--out`` before any grading: a .csv whose folder exists or can be made, writable.

    Creates the missing folders; returns the resolved path. Every problem is a ``ValueError``.

    >>> check_output("results/gradebook.txt")
    Traceback (most recent call last):
    ...
    ValueError: --out should be a .csv file, got results/gradebook.txt
    """
    shown = str(out)
    path = Path(out).expanduser()
    if path.suffix.lower() != ".csv":
        raise ValueError(f"--out should be a .csv file, got {shown}")
    path = path.parent.resolve() / path.name
    if submissions is not None:
        for target in (path, feedback_folder(path), integrity_path(path)):
            if target == submissions or submissions in target.parents:
                raise ValueError(f"--out must lie outside the submissions folder {submissions}: "
                                 "grading never writes among submissions")
    for ancestor in [path.parent, *path.parent.parents]:
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                raise ValueError(f"--out {shown}: {ancestor} is a file, not a folder")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise ValueError(f"--out {shown}: cannot write in {ancestor}")
            break
    if path.is_dir():
        raise ValueError(f"--out {shown} is a folder: give the gradebook's file name, "
                         f"e.g. {shown}/gradebook.csv")
    if integrity_path(path).is_dir():
        raise ValueError(f"{integrity_path(path)} is a folder: move it or choose another --out")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write(book: Gradebook, out: Path | str) -> list[str]:
    """Write the gradebook CSV, the integrity report and one HTML page per learner, atomically.

    Everything is written to temporary names beside the targets first; earlier output is
    then moved aside (returns one sentence per file moved) and the new files renamed into place.

    >>> write(grade("submissions/"), "gradebook.csv")   # doctest: +SKIP
    ['backed up the existing gradebook.csv to gradebook.backup-20260301-141500.csv']
    """
    out = check_output(out)
    folder, report = feedback_folder(out), integrity_path(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.stem}-writing-", dir=out.parent))
    try:
        with open(staging / out.name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=book._header())
            writer.writeheader()
            for line in book.table():
                writer.writerow({k: _csv_safe(v) for k, v in line.items()})
        pages = staging / folder.name
        pages.mkdir()
        by_learner: dict[str, list[Graded]] = {}
        for row in book.rows:
            by_learner.setdefault(row.learner, []).append(row)
        used: set[str] = set()
        for learner, rows in by_learner.items():
            (pages / _page_name(learner, used)).write_text(feedback_html(rows), encoding="utf-8")
        document = {**book.run, "rows": [row.report for row in book.rows]}
        (staging / report.name).write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        notes = []
        for existing in (out, folder, report):
            moved = backup(existing)
            if moved is not None:
                notes.append(f"backed up the existing {existing.name} to {moved.name}")
        for name in (folder.name, report.name, out.name):  # the gradebook last: it appears complete
            os.replace(staging / name, out.parent / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return notes


def _page_name(learner: str, used: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", learner).strip("._") or "learner"
    name, counter = base, 2
    while name.lower() in used:
        name, counter = f"{base}_{counter}", counter + 1
    used.add(name.lower())
    return f"{name}.html"



# ------------------------------------------------------------------- merging --


def merge(gradebooks: Sequence[Path | str], out: Path | str) -> list[str]:
    """Combine shard gradebooks into one, refusing gaps, overlaps and shards of another class.

    Each shard's ``-integrity.json`` says which shard it is and which class (the list of
    every submission) it was cut from; the merged gradebook must hold each submission once.
    Returns one sentence per file moved aside. Feedback pages stay in each shard's folder.

    >>> merge(["shard-1.csv", "shard-2.csv"], "gradebook.csv")   # doctest: +SKIP
    []
    """
    if not gradebooks:
        raise ValueError("pmkit grade merge needs the shard gradebooks: "
                         "pmkit grade merge a.csv b.csv --out all.csv")
    target = check_output(out)
    shards = [_read_shard(Path(p)) for p in gradebooks]
    header = shards[0][1]
    classes = {(s[2]["class"]["sha256"], s[2]["shard"].split("/")[1]) for s in shards}
    if len(classes) != 1:
        raise ValueError("these gradebooks are shards of different classes or shard counts: "
                         "grade every shard from the same submissions folder with the same N")
    total = int(shards[0][2]["shard"].split("/")[1])
    seen: dict[int, str] = {}
    for path, columns, report, _ in shards:
        k = int(report["shard"].split("/")[0])
        if k in seen:
            raise ValueError(f"shard {k}/{total} is given twice ({seen[k]} and {path.name})")
        seen[k] = path.name
        if columns != header:
            raise ValueError(f"{path.name} has other columns than {shards[0][0].name}: not shards of one run")
    missing = sorted(set(range(1, total + 1)) - set(seen))
    if missing:
        raise ValueError(f"shard(s) {', '.join(f'{k}/{total}' for k in missing)} missing: a gap in the class")
    owner: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for path, _, _, lines in shards:
        for line in lines:
            where = line.get("submission", "")
            if where in owner:
                raise ValueError(f"{where} is graded in both {owner[where]} and {path.name}: shards overlap")
            owner[where] = path.name
            rows.append(line)
    expected = set(shards[0][2]["class"]["submissions"])
    gaps = sorted(expected - set(owner))
    if gaps or set(owner) - expected:
        raise ValueError("the shards do not cover the class exactly: "
                         f"missing {', '.join(gaps[:5]) or 'none'}, "
                         f"unexpected {', '.join(sorted(set(owner) - expected)[:5]) or 'none'}")
    rows.sort(key=lambda line: (line["learner"], line["lesson"], line.get("submission", "")))
    report = {"merged_from": [p.name for p, *_ in shards], "class": shards[0][2]["class"],
              "shard": f"1/1 (merged from {total})",
              "pmkit_sha256": [s[2].get("pmkit_sha256") for s in shards],
              "mode": sorted({s[2].get("mode", "") for s in shards}),
              "rows": [row for s in shards for row in s[2].get("rows", [])]}
    staging = Path(tempfile.mkdtemp(prefix=f".{target.stem}-writing-", dir=target.parent))
    try:
        with open(staging / target.name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)  # already defused by each shard's writer
        (staging / integrity_path(target).name).write_text(json.dumps(report, indent=1, sort_keys=True),
                                                           encoding="utf-8")
        notes = []
        for existing in (target, integrity_path(target)):
            moved = backup(existing)
            if moved is not None:
                notes.append(f"backed up the existing {existing.name} to {moved.name}")
        for name in (integrity_path(target).name, target.name):
            os.replace(staging / name, target.parent / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return notes


def _read_shard(path: Path) -> tuple[Path, list[str], dict[str, Any], list[dict[str, str]]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            lines = list(reader)
            columns = list(reader.fieldnames or [])
        report = json.loads(integrity_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"cannot merge {path.name}: {Path(exc.filename).name} not found") from None
    except (OSError, ValueError, csv.Error) as exc:
        raise ValueError(f"cannot merge {path.name}: {exc}") from None
    ok = isinstance(report, dict) and isinstance(report.get("class"), dict) and \
        re.fullmatch(r"\d+/\d+", str(report.get("shard", ""))) and "submission" in columns
    if not ok:
        raise ValueError(f"cannot merge {path.name}: its integrity report does not say which shard it is")
    return path, columns, report, lines


# ---------------------------------------------------------------------- CLI --


class _Progress:
    """tqdm's bar on stderr, one tick per graded submission."""

    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc="grading", unit="submission", file=sys.stderr,
                        dynamic_ncols=True, mininterval=0)

    def __call__(self, done: int, total: int, row: Graded) -> None:
        verdict = "problem" if row.error else f"{row.score}/{row.out_of}"
        self.bar.set_postfix_str(f"{row.learner}: {verdict}"[:60], refresh=False)
        self.bar.update(1)
        if done == total:
            self.bar.close()


def command(args: Any) -> int:
    """``pmkit grade SUBMISSIONS --out gradebook.csv ...``; ``pmkit grade merge A.csv B.csv --out A.csv``."""
    if args.submissions == "merge":
        for note in merge(args.shards, args.out):
            print(note)
        print(f"gradebook: {Path(args.out).expanduser().resolve()}")
        return 0
    if args.shards:
        raise ValueError(f"pmkit grade takes one submissions folder, got also {' '.join(args.shards)}")
    folder = _folder(args.submissions)
    out = check_output(args.out, folder)
    parse_shard(args.shard)
    progress: _Progress | None = None

    def tick(done: int, total: int, row: Graded) -> None:
        nonlocal progress
        if progress is None:
            progress = _Progress(total)
        progress(done, total, row)

    book = grade(folder, jobs=args.jobs, timeout=args.timeout, memory=args.memory,
                 total_timeout=args.total_timeout, lesson=args.lesson, shard=args.shard,
                 sandboxed=not args.no_sandbox, progress=tick)
    for note in write(book, out):
        print(note)
    if not book.rows:
        print(f"shard {args.shard} holds no submissions")
    print(book.summary())
    if book.run.get("mode") == "unsandboxed":
        print("WARNING: graded WITHOUT a sandbox: the submissions could read and change anything this "
              "account can (see docs/grading.md)")
    print(f"gradebook: {out}")
    print(f"integrity: {integrity_path(out)}")
    print(f"feedback:  {feedback_folder(out)}{os.sep}")
    return 0
