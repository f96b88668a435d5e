#!/usr/bin/env python3
"""Set up and run the course with nothing but Python 3.11+ (no conda needed).

    python3 course.py start   # open the course in JupyterLab
    python3 course.py test    # run the whole test suite

Both create a local virtual environment in .venv/ if it is missing and
(re)install the course into it when pyproject.toml changed since the last
install. ``start`` then copies new lessons into your workspace/ (never
overwriting yours) and opens JupyterLab on lesson 00; ``test`` runs ruff, the
unit tests and strict nbval on every notebook. Extra arguments are passed on
(to `jupyter lab` or to pytest).

Installing uses uv, a fast installer: the one on PATH, else a copy this script fetches
from the package index into a private tool folder (~/.cache/pmkit-course/uv, or under
$XDG_CACHE_HOME). Where uv cannot be had or fails, it says so in one line and uses pip
(minutes instead of seconds). PMKIT_COURSE_INSTALLER=pip (or =uv) chooses the route.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "pmkit-install.stamp"
# What each command needs installed: JupyterLab to start, and the test tools besides to test.
EXTRAS = {"start": "lab", "test": "lab,test"}
TOOLS = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pmkit-course"


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(*command: str | Path, **kwargs) -> None:
    result = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(f"[course] failed: {' '.join(map(str, command))}")


def install_fingerprint(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(f"{sys.version_info[:2]}{extras}".encode())
    return digest.hexdigest()


def installed(extras: str) -> bool:
    """True when the last install covers ``extras`` (an install for ``test`` covers ``start``)."""
    if not (PYTHON.exists() and STAMP.exists()):
        return False
    wanted = set(extras.split(","))
    covering = [e for e in EXTRAS.values() if wanted <= set(e.split(","))]
    return STAMP.read_text() in {install_fingerprint(e) for e in covering}


def private_uv() -> Path:
    """Where this script keeps the uv it fetched itself."""
    return TOOLS / "uv" / ("Scripts" if os.name == "nt" else "bin") / ("uv.exe" if os.name == "nt" else "uv")


def bootstrap_uv() -> Path | None:
    """Fetch uv from the package index into the private tool folder; None if that fails.

    ``pip install --target`` puts it in a folder of its own: nothing is installed into this
    Python, so it works on a system Python that refuses installs (PEP 668) too.
    """
    target = private_uv().parents[1]
    say(f"fetching uv, a fast installer, into {target} (once)")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--upgrade", "--target", str(target), "uv"],
        capture_output=True, text=True,
    )
    return private_uv() if result.returncode == 0 and private_uv().is_file() else None


def find_uv() -> Path | None:
    """uv on PATH, in the private tool folder, or freshly fetched there; None means use pip."""
    if os.environ.get("PMKIT_COURSE_INSTALLER", "").strip().lower() == "pip":
        return None
    on_path = shutil.which("uv")
    if on_path:
        return Path(on_path)
    return private_uv() if private_uv().is_file() else bootstrap_uv()


def install_with_uv(uv: Path, extras: str) -> bool:
    """Create .venv (with pip in it, for a learner's `%pip install`) and install the course
    with uv; False when a step fails, so the caller can fall back to pip."""
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV.name}/ with uv")
        made = subprocess.run([str(uv), "venv", "--quiet", "--seed", "--python", sys.executable, str(VENV)],
                              cwd=ROOT)
        if made.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            return False
    say(f"installing the course and its dependencies with uv (.[{extras}])")
    # No --compile-bytecode: compiling every installed module up front, as pip does, made a warm
    # install take 51 s instead of 10 s on the course's 2-core machine. Python caches each
    # module's bytecode when it is first imported instead, in the processes below that course.py
    # starts with caching allowed (see suite_environment).
    done = subprocess.run([str(uv), "pip", "install", "--quiet", "--python", str(PYTHON),
                           "-e", f".[{extras}]"], cwd=ROOT)
    return done.returncode == 0


def install_with_pip(extras: str) -> None:
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV.name}/")
        venv.create(VENV, with_pip=True)
    say(f"installing the course and its dependencies with pip (.[{extras}]; a few minutes)")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")


def ensure_environment(extras: str = EXTRAS["test"]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any python3 to say so
        sys.exit(f"[course] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if installed(extras):
        return
    uv = find_uv()
    chosen = os.environ.get("PMKIT_COURSE_INSTALLER", "").strip().lower()
    if uv is None and chosen == "uv":
        sys.exit("[course] failed: uv could not be found or fetched (PMKIT_COURSE_INSTALLER=uv)")
    if uv is None:
        if chosen != "pip":
            say("uv could not be found or fetched; installing with pip instead (slower)")
        install_with_pip(extras)
    elif not install_with_uv(uv, extras):
        if chosen == "uv":
            sys.exit("[course] failed: installing with uv (PMKIT_COURSE_INSTALLER=uv)")
        say("installing with uv failed (see above); trying pip instead (slower)")
        install_with_pip(extras)
    STAMP.write_text(install_fingerprint(extras))


def compile_bytecode(python: Path | str = PYTHON) -> None:
    """Write pmkit's bytecode caches, also where PYTHONDONTWRITEBYTECODE is set.

    pip compiles what it installs into site-packages, but the editable install leaves
    pmkit's sources here, and with PYTHONDONTWRITEBYTECODE=1 (common in containers, and
    set on some CI machines) Python never caches their bytecode: every kernel would compile
    pmkit from source again (about 0.1 s a lesson). compileall writes the caches whatever
    that variable says and rewrites only those whose source changed.
    """
    run(python, "-m", "compileall", "-q", "pmkit")


# Kernels inherit this, so set ordering and hashing repeat between runs.
SEEDED = {"PYTHONHASHSEED": "0"}


def suite_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment ``test`` runs pytest in and ``start`` runs JupyterLab in: ``base`` with
    the hash seed fixed, and bytecode caching allowed.

    Python caches a module's bytecode the first time it imports it, unless told not to: with
    PYTHONDONTWRITEBYTECODE=1 (set on some machines, this course's reference machine among
    them) every JupyterLab server and kernel would compile all it imports from source again.

    pytest keeps the assert-rewritten test modules and plugins it imports in bytecode caches
    (in .venv/ and tests/, both git-ignored), but only where Python may write bytecode. With
    PYTHONDONTWRITEBYTECODE=1 every pytest process rewrote them all again: collecting the
    suite took one process 10.6 s instead of 6.8 s (every xdist worker collects it), and each
    process spent 2-3 s more at the end, when hypothesis's plugin imports hypothesis for its
    summary.
    """
    env = {key: value for key, value in base.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **SEEDED}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment(EXTRAS[command])
    compile_bytecode()
    if command == "start":
        env = suite_environment(os.environ)
        return subprocess.call([str(PYTHON), "-m", "pmkit", "start", *rest], cwd=ROOT, env=env)
    say("running ruff, unit tests and nbval on every notebook")
    return subprocess.call([str(PYTHON), "-m", "pytest", "-n", "auto", *rest], cwd=ROOT,
                           env=suite_environment(os.environ))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
