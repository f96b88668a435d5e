"""One bubblewrap sandbox per graded submission: what it sees, what it may use, who it runs as.

``pmkit grade`` runs each submission's kernel inside ``bwrap`` (Debian's ``bubblewrap``):

- new PID, network, IPC and UTS namespaces; ``--die-with-parent`` and ``--new-session``.
  When the runner ends, the PID namespace ends and the kernel takes every process the
  notebook started (daemons included) with it.
- a file system built from nothing: the system (``/usr``, ``/etc``) and the Python install
  read-only, the pmkit package read-only (lessons import helpers from their exercise modules,
  so those are there; in a grading run their ``expected`` functions refuse to run), the
  datasets the lessons load read-only without ``truth/``, a private ``/tmp``,
  and two folders of this submission's own: the copy being run and the folder the answers
  file lives in. No other submission, ``solutions/``, ``lessons/``, gradebook or grader file
  exists in there.
- as root, the kernel runs as a user id of its own (one per grading slot, used by nobody
  else), unprivileged, so ``RLIMIT_NPROC`` counts exactly this submission's processes;
  otherwise in a user namespace, where Linux (5.14+) counts processes per namespace.
- per-process limits (address space, no core files) and a process-count limit; the grader
  also adds up the memory of all of the sandbox's processes and stops it above ``--memory``.

>>> plan = Limits(memory_mb=1024, processes=64)
>>> "--nproc=64:64" in prlimit_args(plan)
True
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BWRAP = "bwrap"
# Inside the sandbox: where the copy runs and where the answers file is written.
WORK = "/submission"
OUT = "/grading"
# Base for the per-slot user ids as root: far above any real account, distinct per grader process.
UID_BASE = 1_000_000
SLOTS_PER_GRADER = 64
# The private /tmp and /dev/shm are memory the process accounting does not see: capped.
TMP_MB = 512
# No file the submission writes (its copy's folder and the answers folder are on the grader's disk)
# may grow past this.
FILE_MB = 256
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)"


@dataclass(frozen=True)
class Limits:
    """What one submission may use."""

    memory_mb: int
    processes: int = 128  # threads count too: a kernel with its runner needs about 40


def prlimit_args(limits: Limits) -> list[str]:
    """``prlimit`` options for the runner and everything it starts."""
    address_space = limits.memory_mb * 2**20
    file_size = FILE_MB * 2**20
    return [f"--as={address_space}:{address_space}", "--core=0:0", f"--fsize={file_size}:{file_size}",
            f"--nproc={limits.processes}:{limits.processes}"]


@functools.cache
def available() -> str:
    """'' when a sandbox can start here, else one line naming the fix.

    Tries a real one, with the mounts grading uses, running this Python: a kernel may forbid
    namespaces even where ``bwrap`` is installed, and an unprivileged grader may be unable to
    read the Python it would mount (one installed under another user's home).
    """
    if sys.platform != "linux":
        return ("sandboxed grading needs Linux (bubblewrap); on other systems grade in a container "
                "(docs/grading.md)")
    if shutil.which(BWRAP) is None:
        return f"no sandbox: {INSTALL_HINT}"
    probe = [BWRAP, *_namespaces(), "--die-with-parent", "--new-session", *_system_mounts(),
             *_python_mounts(), "--proc", "/proc", "--dev", "/dev", "--", sys.executable, "-c", ""]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc}); see docs/grading.md"
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[:160] or f"exit code {done.returncode}"
        if "source path" in done.stderr:
            return (f"bubblewrap cannot mount the Python that grading runs ({reason}): grade with a Python "
                    "and a course this user can read (a virtual environment of its own), or in a container")
        return (f"bubblewrap cannot create namespaces here ({reason}): allow unprivileged user namespaces "
                "(sysctl kernel.unprivileged_userns_clone=1) or grade as root or in a container")
    return ""


def _as_root() -> bool:
    return os.geteuid() == 0


def _namespaces() -> list[str]:
    # As root bwrap needs no user namespace, and going without one keeps the dedicated
    # user id real: RLIMIT_NPROC and the kernel's permission checks see it as itself.
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    return common if _as_root() else ["--unshare-user", *common]


def slot_uid(slot: int) -> int:
    """The user id of a grading slot: unique per grader process and slot on this machine.

    >>> slot_uid(1) - slot_uid(0)
    1
    """
    return UID_BASE + (os.getpid() % 2**20) * SLOTS_PER_GRADER + slot % SLOTS_PER_GRADER


def run_as(slot: int) -> int | None:
    """The user id the sandbox runs as, or None (not root: the caller's own, in a user namespace)."""
    return slot_uid(slot) if _as_root() else None


def _system_mounts() -> list[str]:
    args: list[str] = []
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "etc"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def _python_mounts() -> list[str]:
    seen: list[str] = []
    for prefix in (sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent.parent)):
        real = os.path.realpath(prefix)
        if real.startswith(("/usr/", "/etc/")) or real in seen:
            continue
        seen.append(real)
    args: list[str] = []
    for real in seen:
        args += ["--ro-bind", real, real]
    # The virtual environment may be reached through a symlinked path; keep its spelling too.
    if os.path.realpath(sys.prefix) != sys.prefix and not sys.prefix.startswith("/usr/"):
        args += ["--ro-bind", os.path.realpath(sys.prefix), sys.prefix]
    return args


def _parent_folders(args: list[str]) -> list[str]:
    """``--dir`` for every folder above a mount point, world-traversable (bwrap makes them 0700)."""
    targets = [args[i + 2] for i, a in enumerate(args[:-2]) if a in ("--ro-bind", "--bind")]
    targets += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--tmpfs"]
    made: list[str] = []
    for target in targets:
        for parent in reversed(Path(target).parents):
            name = str(parent)
            if name != "/" and name not in made:
                made.append(name)
    return [item for name in made for item in ("--perms", "0755", "--dir", name)]


def command(box: Path, runner: list[str], limits: Limits, env: dict[str, str], uid: int | None,
            package: Path, datasets: Path) -> list[str]:
    """The full ``bwrap`` command line that runs ``runner`` on the copy in ``box``."""
    # The private /tmp comes first: a course checked out or installed under /tmp (CI clones often
    # are) is mounted into it afterwards, instead of being hidden by it.
    tmp = ["--perms", "1777", "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    args = [BWRAP, *_namespaces(), "--die-with-parent", "--new-session",
            *_system_mounts(), *_python_mounts(),
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(TMP_MB * 2**20), "--tmpfs", "/dev/shm",
            "--ro-bind", str(package), str(package)]
    if (package / "_course" / "lessons").is_dir():  # a wheel install carries the lessons
        args += ["--tmpfs", str(package / "_course" / "lessons")]
    if datasets.is_dir():
        args += ["--ro-bind", str(datasets), str(datasets)]
        if (datasets / "truth").is_dir():
            args += ["--tmpfs", str(datasets / "truth")]
    args += ["--bind", str(box / "work"), WORK, "--bind", str(box / "out"), OUT, "--chdir", WORK,
             "--clearenv"]
    args = [*args[:1], *tmp, *_parent_folders(args), *args[1:]]
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    args.append("--")
    if uid is not None:
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    args += ["prlimit", *prlimit_args(limits), "--", *runner]
    return args
