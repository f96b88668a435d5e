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
"""

from __future__ import annotations

import hashlib
import os
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
EXTRAS = "lab,test"


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(*command: str | Path, **kwargs) -> None:
    result = subprocess.run([str(c) for c in command], cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(f"[course] failed: {' '.join(map(str, command))}")


def install_fingerprint() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(f"{sys.version_info[:2]}{EXTRAS}".encode())
    return digest.hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file must run on any python3 to say so
        sys.exit(f"[course] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        say(f"creating a virtual environment in {VENV.name}/")
        venv.create(VENV, with_pip=True)
    fingerprint = install_fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    say("installing the course and its dependencies (first run takes a few minutes)")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{EXTRAS}]")
    STAMP.write_text(fingerprint)


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
    """The environment ``test`` runs pytest in: ``base`` with the hash seed fixed, and
    bytecode caching allowed.

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
    ensure_environment()
    compile_bytecode()
    if command == "start":
        env = {**os.environ, **SEEDED}
        return subprocess.call([str(PYTHON), "-m", "pmkit", "start", *rest], cwd=ROOT, env=env)
    say("running ruff, unit tests and nbval on every notebook")
    return subprocess.call([str(PYTHON), "-m", "pytest", "-n", "auto", *rest], cwd=ROOT,
                           env=suite_environment(os.environ))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
