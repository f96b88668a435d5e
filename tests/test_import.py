"""`import pmkit` stays light, and the learner's toolbox never reaches into the machinery.

The toolbox (everything in ``pmkit`` outside ``pmkit.course`` and ``pmkit.__main__``) must work
in a kernel that has only numpy, pandas, scipy, matplotlib and ipywidgets, a browser kernel
included (Pyodide has no pyzmq or tornado), so importing any of its modules may load neither
``pmkit.course`` nor a notebook-execution library.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import pmkit

HEAVY = ("matplotlib", "scipy", "ipywidgets", "nbclient", "papermill", "statsmodels")
MODULES = [
    "pmkit",
    "pmkit.exercises",
    "pmkit.display",
    "pmkit.widgets",
    "pmkit.results",
    "pmkit.course.grading",
    "pmkit.course.runner",
    "pmkit.course.site",
    "pmkit.course.workshop",
    "pmkit.progress",
]
# What a lesson's kernel must never need: the machinery, and the notebook-execution stack
# (with the kernel and server libraries under it).
MACHINERY = ("nbformat", "nbclient", "nbconvert", "papermill", "ipykernel", "jupyter_client", "zmq",
             "tornado")


@pytest.mark.parametrize("module", MODULES)
def test_importing_does_not_pull_in_heavy_libraries(module: str) -> None:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_submodules_load_on_attribute_access() -> None:
    import pmkit

    assert pmkit.exercises.start is not None
    with pytest.raises(AttributeError, match="no attribute"):
        _ = pmkit.nothing_here


def toolbox_modules() -> list[str]:
    """Every module of the learner's toolbox, found by walking the package on disk."""
    found = [info.name for info in pkgutil.walk_packages(pmkit.__path__, "pmkit.")]
    return ["pmkit", *(name for name in found
                       if name != "pmkit.__main__" and not name.startswith("pmkit.course"))]


# One fresh interpreter imports the modules one by one and notes, after each, what it loaded
# that a lesson's kernel must not need; the first module that brings a name in is blamed.
LOADED_BY_EACH = """
import importlib, json, sys

def forbidden():
    return {{name for name in sys.modules
             if name == "pmkit.course" or name.startswith("pmkit.course.")
             or name.split(".")[0] in {forbidden!r}}}

seen, blamed = forbidden(), {{}}
for module in {modules!r}:
    importlib.import_module(module)
    new = forbidden() - seen
    seen |= new
    if new:
        blamed[module] = sorted(new)
print(json.dumps(blamed))
"""


def _forbidden_loaded_by(modules: list[str]) -> dict[str, list[str]]:
    code = LOADED_BY_EACH.format(modules=modules, forbidden=MACHINERY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"importing the toolbox failed:\n{result.stderr[-2000:]}"
    return json.loads(result.stdout.splitlines()[-1])


def test_the_walk_finds_the_whole_toolbox_and_no_machinery() -> None:
    modules = toolbox_modules()
    for expected in ("pmkit.experiment", "pmkit.exercises.welcome", "pmkit.datasets.files",
                     "pmkit.display", "pmkit.widgets", "pmkit.syllabus", "pmkit.paths"):
        assert expected in modules
    assert not [m for m in modules if m.startswith("pmkit.course")]
    assert len(modules) >= 35


def test_no_toolbox_module_imports_the_machinery_or_the_notebook_stack() -> None:
    assert _forbidden_loaded_by(toolbox_modules()) == {}


def test_the_probe_blames_a_module_that_does_import_them() -> None:
    # The same probe must see machinery being loaded, or the test above proves nothing.
    blamed = _forbidden_loaded_by(["pmkit.experiment", "pmkit.course.doctor", "nbclient"])
    assert list(blamed) == ["pmkit.course.doctor", "nbclient"]
    assert "pmkit.course.doctor" in blamed["pmkit.course.doctor"]
    assert {"nbclient", "nbformat", "jupyter_client", "zmq"} <= {n.split(".")[0] for n in blamed["nbclient"]}
