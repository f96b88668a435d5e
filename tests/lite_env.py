"""A private environment holding JupyterLite, for the tests of ``pmkit lite``.

JupyterLite's Pyodide kernel ships a JupyterLab extension that breaks a real JupyterLab (its
console says "Shared module @jupyterlite/services doesn't exist"), so the course's own
environment, where learners run JupyterLab, must never hold it. The lite tests build the site
from a second environment in ``.venv/lite-env`` instead: made once with uv (the installer
``course.py`` uses), and again when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = ROOT / ".venv" / "lite-env"
PYTHON = ENV / "bin" / "python"
STAMP = ENV / "pmkit-lite.stamp"


def course_uv() -> str | None:
    """The uv course.py installs with (on PATH, or fetched once into its tool folder)."""
    sys.path.insert(0, str(ROOT))
    try:
        import course  # course.py, at the repository root
    finally:
        sys.path.pop(0)
    found = course.find_uv()
    return None if found is None else str(found)


def lite_python() -> Path:
    """The Python of the private JupyterLite environment (made if missing), or skip."""
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == fingerprint and PYTHON.is_file():
        return PYTHON
    uv = course_uv()
    if uv is None:
        pytest.skip("uv is not installed (python3 course.py test fetches it): it builds the lite environment")
    steps = [[uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(ENV)],
             [uv, "pip", "install", "--quiet", "--python", str(PYTHON), "-e", f"{ROOT}[course,lite]"]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"cannot build the JupyterLite environment ({' '.join(step[:3])}): "
                        + (done.stderr.strip().splitlines() or ["?"])[-1])
    STAMP.write_text(fingerprint)
    return PYTHON


def use_lite_jupyter_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let this process find the private environment's JupyterLab extensions (Pyodide's URL)."""
    shared = str(lite_python().parents[1] / "share" / "jupyter")
    paths = [shared, os.environ.get("JUPYTER_PATH")]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(path for path in paths if path))
