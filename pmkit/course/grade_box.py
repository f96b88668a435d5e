"""Run one submission in a box of its own and bring back only its answers, as untrusted bytes.

The box is a fresh folder the grader creates (``pmkit-grade-<grader pid>-*`` in the temp
folder): ``work/`` holds the copy that runs, ``out/`` the answers file the grader
created empty and the runner's ``run.json``. With a sandbox (``sandbox.command``) those
two folders are all of the grader's disk the submission sees. The grader alone decides
how the run ended (time, memory, exit), reads the two files without following links,
with size limits, and deletes the box, whatever happened.

>>> read_limited(Path("no-such-folder"), "answers.jsonl", 10)
(None, 'missing')
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmkit.course import sandbox

PREFIX = "pmkit-grade-"
ANSWERS = "answers.jsonl"
STATUS = "run.json"
STARTUP_LOG = "startup.log"  # in the box itself, outside both folders the sandbox sees
MAX_STATUS_BYTES = 64 * 1024
# Extra seconds past the whole-notebook limit before the grader stops a run itself: the
# runner's imports and the kernel's start are not on the notebook's clock.
STARTUP_GRACE_SECONDS = 30
POLL_SECONDS = 0.25
# What every kernel gets: one core each (several share the machine), no chart rendering
# (nothing in a gradebook looks at one), no live widgets, no progress log.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PMKIT_FIGURES": "off", "PMKIT_WIDGETS": "off", "PMKIT_PROGRESS": "off",
              "PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Outcome:
    """How one run ended, as the grader saw it, and the raw files it left."""

    answers: bytes | None
    answers_problem: str
    status: dict[str, Any]
    stopped: str = ""  # "time" or "memory" when the grader stopped it
    exit_code: int | None = None
    peak_mb: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    startup_error: str = ""  # what the sandbox or the runner said before the runner took over


@dataclass(frozen=True)
class Plan:
    """How to run submissions: sandboxed or not, and the limits."""

    sandboxed: bool
    timeout: int
    total_timeout: int
    memory_mb: int
    seed: int
    processes: int = 128


# ------------------------------------------------------------ boxes --


def clean_stale_boxes(folder: Path | None = None) -> list[str]:
    """Delete boxes left by a grader that was killed (its pid is gone); names removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    for entry in folder.glob(f"{PREFIX}*"):
        owner = entry.name[len(PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not _alive(int(owner)) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_box(copy_name: str, content: bytes, uid: int | None) -> Path:
    box = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    # Traversable, not listable: the sandbox user must reach its two folders through it.
    box.chmod(0o711)
    for name in ("work", "out", "tmp"):
        (box / name).mkdir(mode=0o700)
    (box / "work" / copy_name).write_bytes(content)
    (box / "out" / ANSWERS).write_bytes(b"")
    if uid is not None:
        for path in (box / "work", box / "work" / copy_name, box / "out", box / "out" / ANSWERS, box / "tmp"):
            os.chown(path, uid, uid)
    return box


def read_limited(folder: Path, name: str, limit: int) -> tuple[bytes | None, str]:
    """A regular file's bytes (at most ``limit``), never through a link; (None, why) otherwise."""
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None, "missing"
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except FileNotFoundError:
        return None, "missing"
    except OSError as exc:
        return None, "a link or unreadable" if exc.errno in (40, 13) else f"unreadable ({exc.strerror})"
    finally:
        os.close(directory)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "not a regular file"
        data = os.read(fd, limit + 1)
        chunks = [data]
        while data and sum(map(len, chunks)) <= limit:
            data = os.read(fd, limit + 1)
            chunks.append(data)
        content = b"".join(chunks)
    finally:
        os.close(fd)
    if len(content) > limit:
        return None, f"larger than {limit} bytes"
    return content, ""


# ------------------------------------------------------------- runs --


def run(copy_name: str, content: bytes, plan: Plan, slot: int, stop: threading.Event) -> Outcome:
    """Run one submission's copy to the end, or until the grader stops it; never raises for the run."""
    from pmkit.exercises.capture import MAX_FILE_BYTES

    uid = sandbox.run_as(slot) if plan.sandboxed else None
    box = _make_box(copy_name, content, uid)
    try:
        command = _command(box, copy_name, plan, uid)
        # The runner silences its stderr first thing, so this file holds only what bubblewrap,
        # prlimit or Python said before it (a mount it cannot read, an import that failed).
        with open(box / STARTUP_LOG, "wb") as startup_log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=startup_log, cwd=box / "work", start_new_session=True,
                                       env=None if plan.sandboxed else _env(box, plan, sandboxed=False),
                                       preexec_fn=None if plan.sandboxed else _limit_memory(plan.memory_mb))
        with _RUNNING_LOCK:
            _RUNNING.add(process.pid)
        try:
            stopped, peak = _watch(process, plan, stop)
        finally:
            _kill_tree(process.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            with _RUNNING_LOCK:
                _RUNNING.discard(process.pid)
        answers, problem = read_limited(box / "out", ANSWERS, MAX_FILE_BYTES)
        status_bytes, _ = read_limited(box / "out", STATUS, MAX_STATUS_BYTES)
        startup, _ = read_limited(box, STARTUP_LOG, MAX_STATUS_BYTES)
        return Outcome(answers, problem, _status(status_bytes), stopped, process.returncode, round(peak, 1),
                       startup_error=last_line(startup))
    finally:
        shutil.rmtree(box, ignore_errors=True)


def last_line(data: bytes | None) -> str:
    """The last non-blank line of a start-up log, trimmed for a gradebook cell.

    >>> last_line(b"bwrap: Can't find source path /opt/py: Permission denied\\n")
    "bwrap: Can't find source path /opt/py: Permission denied"
    >>> last_line(None)
    ''
    """
    lines = [line.strip() for line in (data or b"").decode("utf-8", "replace").splitlines() if line.strip()]
    return " ".join(lines[-1].split())[:200] if lines else ""


def _status(data: bytes | None) -> dict[str, Any]:
    """The runner's few words, checked field by field (the notebook could have rewritten them).

    Anything but exactly the runner's three fields, of the right types, is no report at all.

    >>> _status(b'{"error": "", "failed_cell": null, "skipped_cells": [11]}')
    {'error': '', 'failed_cell': None, 'skipped_cells': [11]}
    >>> _status(b'{"statuses": {"late_share": "correct"}, "error": ""}')
    {}
    """
    try:
        raw = json.loads(data.decode("utf-8")) if data else {}
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict) or set(raw) != {"error", "failed_cell", "skipped_cells"}:
        return {}
    error, cell, skipped = raw["error"], raw["failed_cell"], raw["skipped_cells"]
    if not isinstance(error, str) or not (cell is None or _whole(cell)) or not isinstance(skipped, list) \
            or not all(_whole(c) for c in skipped):
        return {}
    return {"error": " ".join(error.split())[:300], "failed_cell": cell, "skipped_cells": skipped[:50]}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _runner_argv(work: str, out: str, tmp: str, copy_name: str, plan: Plan) -> list[str]:
    spec = {"notebook": f"{work}/{copy_name}", "executed": f"{tmp}/executed.ipynb",
            "status": f"{out}/{STATUS}", "timeout": plan.timeout, "seed": plan.seed}
    return [sys.executable, "-m", "pmkit.course.grade_runner", json.dumps(spec)]


def _env(box: Path, plan: Plan, *, sandboxed: bool) -> dict[str, str]:
    from pmkit import paths

    tmp = "/tmp" if sandboxed else str(box / "tmp")
    out = sandbox.OUT if sandboxed else str(box / "out")
    env = {**KERNEL_ENV, "HOME": tmp, "TMPDIR": tmp, "PMKIT_WORKSPACE": f"{tmp}/workspace",
           "MPLCONFIGDIR": f"{tmp}/matplotlib", "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter-runtime",
           "IPYTHONDIR": f"{tmp}/ipython", "PMKIT_GRADING_ANSWERS": f"{out}/{ANSWERS}",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])}
    if paths.repo_root() is not None:
        env["PMKIT_REPO"] = str(paths.repo_root())
    return env


def _command(box: Path, copy_name: str, plan: Plan, uid: int | None) -> list[str]:
    from pmkit import paths

    if not plan.sandboxed:
        return _runner_argv(str(box / "work"), str(box / "out"), str(box / "tmp"), copy_name, plan)
    limits = sandbox.Limits(plan.memory_mb, plan.processes)
    argv = _runner_argv(sandbox.WORK, sandbox.OUT, "/tmp", copy_name, plan)
    return sandbox.command(box, argv, limits, _env(box, plan, sandboxed=True), uid,
                           paths.PACKAGE_DIR, paths.datasets_dir())


def _limit_memory(memory_mb: int) -> Any:
    """Without a sandbox: per-process limits, set in the child before it runs anything."""
    def limit() -> None:
        import resource

        size = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return limit


def _watch(process: subprocess.Popen, plan: Plan, stop: threading.Event) -> tuple[str, float]:
    """Wait for the run; stop it at the time limit, above the memory limit or when told to."""
    deadline = time.monotonic() + plan.total_timeout + STARTUP_GRACE_SECONDS
    peak = 0.0
    while process.poll() is None:
        if stop.is_set():
            return "interrupted", peak
        if time.monotonic() > deadline:
            return "time", peak
        used = memory_mb([process.pid, *descendants(process.pid, _shared_parents())])
        peak = max(peak, used)
        if used > plan.memory_mb:
            return "memory", peak
        stop.wait(POLL_SECONDS)
    return "", peak


_TABLE: dict[str, Any] = {"at": 0.0, "parents": {}}
_TABLE_LOCK = threading.Lock()


def _shared_parents() -> dict[int, int]:
    """The process table, read at most once per poll for all running submissions together.

    Reading every /proc/<pid>/stat takes tens of milliseconds on a busy machine; each
    submission's watcher reading its own five times a second cost a noticeable share of a core.
    """
    with _TABLE_LOCK:
        if time.monotonic() - _TABLE["at"] > POLL_SECONDS * 0.9:
            _TABLE["parents"], _TABLE["at"] = _parents(), time.monotonic()
        return _TABLE["parents"]


def memory_mb(pids: list[int]) -> float:
    """Proportional set size of these processes together (shared pages split, not counted twice)."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
                break
    return total / 1024


# ------------------------------------------------------- process trees --

_RUNNING: set[int] = set()  # sandbox processes of the grading run in progress
_RUNNING_LOCK = threading.Lock()


def stop_running() -> None:
    """SIGKILL every run in progress (Ctrl-C, SIGTERM, an integrity abort)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for pid in running:
        _kill_tree(pid)


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process we can see (Linux /proc; empty elsewhere)."""
    table: dict[int, int] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may hold spaces or brackets; fields after the last ')' do not.
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            table[int(stat_file.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    return table


def descendants(pid: int, parents: dict[int, int] | None = None) -> list[int]:
    """Every process started, directly or not, by ``pid`` (Linux; empty elsewhere).

    >>> import subprocess, sys
    >>> child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    >>> child.pid in descendants(os.getpid())
    True
    >>> child.kill(); child.wait()
    -9
    """
    children: dict[int, list[int]] = {}
    for child, parent in (_parents() if parents is None else parents).items():
        children.setdefault(parent, []).append(child)
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid``'s process group and every descendant's group (kernels run in their own).

    In a sandbox, killing bwrap is enough (its PID namespace dies with it); outside one,
    this reaches what the notebook started unless it detached itself.
    """
    groups = {pid}
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            groups.add(os.getpgid(child))
        _kill(child)
    groups.discard(os.getpgid(0))  # never our own group
    for group in groups:
        _kill(group, group=True)
    _kill(pid)


def _kill(pid: int, *, group: bool = False) -> None:
    """SIGKILL a process, or its whole group; one already gone is fine."""
    with contextlib.suppress(OSError):
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)
