"""Where the course lives on disk.

pmkit runs in two shapes: from a clone of the course repository (editable
install, the usual case) and from a plain ``pip install`` that carries the
lessons and datasets inside the package (``pmkit/_course``). Every other module
asks this one for paths, so notebooks find the datasets from any working
directory in both shapes.

Environment variables override the defaults, for tests and for hosted setups:

``PMKIT_REPO``       a course source tree to build from instead of the one pmkit
                     sits in (instructors' forks, tests)
``PMKIT_HOME``       the course folder that holds ``workspace/`` (default: the
                     repository root, or the current directory for a wheel install)
``PMKIT_WORKSPACE``  the learner's workspace folder
``PMKIT_PROGRESS``   the progress log file (``off`` disables recording)
``PMKIT_FIGURES``    ``off`` builds charts without rendering them (``pmkit grade``
                     sets it for its kernels; see ``pmkit.display.figures_enabled``)
``PMKIT_WIDGETS``    ``off`` gives explorers their static chart only (every headless
                     run sets it; see ``pmkit.widgets.live_widgets_enabled``)

In the browser (JupyterLite's Pyodide kernel, ``sys.platform == "emscripten"``) the
learner's files live in the browser's storage, which the kernel mounts at ``/drive``: the
lessons sit at its top, so that folder is both the course root and the workspace, and the
progress log written there survives a reload (see ``pmkit.course.lite``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: The cheat sheet's file name; lessons link to it as ``../docs/cheatsheet.md``.
CHEAT_SHEET_NAME = "cheatsheet.md"

#: Where JupyterLite's Pyodide kernel mounts the browser-stored files the learner sees.
BROWSER_DRIVE = Path("/drive")


def in_browser() -> bool:
    """True in a browser kernel (Pyodide, as JupyterLite runs it).

    >>> in_browser()
    False
    """
    return sys.platform == "emscripten"


def browser_drive() -> Path | None:
    """The browser's storage as a folder, when running in a browser kernel that mounts it."""
    return BROWSER_DRIVE if in_browser() and BROWSER_DRIVE.is_dir() else None


def _repo_root() -> Path | None:
    """The source checkout this package sits in, if it sits in one."""
    if env := os.environ.get("PMKIT_REPO"):
        return Path(env).expanduser().resolve()
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "solutions").is_dir():
        return candidate
    return None


def repo_root() -> Path | None:
    """The course repository (with ``solutions/``), or None for a wheel install."""
    return _repo_root()


def course_root() -> Path:
    """The folder that holds the learner's ``workspace/``."""
    if env := os.environ.get("PMKIT_HOME"):
        return Path(env).expanduser().resolve()
    return _repo_root() or browser_drive() or Path.cwd()


def _content_dir(name: str) -> Path:
    repo = _repo_root()
    if repo is not None:
        return repo / name
    return PACKAGE_DIR / "_course" / name


def lessons_dir() -> Path:
    """Generated learner notebooks (never edited by hand)."""
    return _content_dir("lessons")


def solutions_dir() -> Path:
    """Master notebooks; only present in a source checkout."""
    repo = _repo_root()
    if repo is None:
        raise FileNotFoundError("solutions/ ships only with the course repository; clone it to build lessons")
    return repo / "solutions"


def datasets_dir() -> Path:
    """Committed default-seed datasets."""
    return _content_dir("datasets")


def cheat_sheet() -> Path:
    """The one-page Python and pmkit cheat sheet every lesson links to (``docs/cheatsheet.md``)."""
    return _content_dir("docs") / CHEAT_SHEET_NAME


def workspace_dir() -> Path:
    """The learner's own, git-ignored copies of the lessons."""
    if env := os.environ.get("PMKIT_WORKSPACE"):
        return Path(env).expanduser().resolve()
    if (drive := browser_drive()) is not None:  # the lessons the learner edits sit at its top
        return drive
    return course_root() / "workspace"


def backups_dir() -> Path:
    """Where ``pmkit reset`` keeps timestamped copies of replaced notebooks."""
    return workspace_dir() / ".backups"


def switched_off(variable: str) -> bool:
    """True when the environment variable ``variable`` says ``off`` (any case, any spaces).

    >>> import os
    >>> os.environ["PMKIT_EXAMPLE"] = " OFF "
    >>> switched_off("PMKIT_EXAMPLE"), switched_off("PMKIT_NOT_SET")
    (True, False)
    >>> del os.environ["PMKIT_EXAMPLE"]
    """
    return os.environ.get(variable, "").strip().lower() == "off"


def progress_file() -> Path | None:
    """The learner's progress log, or None when recording is switched off."""
    env = os.environ.get("PMKIT_PROGRESS")
    if env is not None:
        return None if env.strip().lower() in {"", "off", "0", "none"} else Path(env).expanduser()
    return workspace_dir() / ".pmkit-progress.jsonl"
