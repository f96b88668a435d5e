"""Benchmark: the notebook suite and `import pmkit`, as ratios against baselines run alongside.

    .venv/bin/python benchmarks/bench_notebooks.py [--repeat 5] [--rounds 3]

1. nbval over every notebook in lessons/ and solutions/ (the CI command's notebook part:
   strict nbval, 2 xdist workers, --dist loadfile) against the same number of *floor*
   notebooks, each only importing pandas and matplotlib and drawing one plot, run by the same
   command. Target: <= 1.5.
2. Process time of `python -c "import pmkit"` against `python -c "import pandas"` (median of
   --repeat runs each), and the same for what a lesson's setup cell imports. Target: <= 1.2.

Not a test: timings depend on the machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FLOOR_SOURCE = """\
import pandas as pd
import matplotlib.pyplot as plt

frame = pd.DataFrame({"x": range(100), "y": [v * v for v in range(100)]})
fig, ax = plt.subplots()
ax.plot(frame["x"], frame["y"])
plt.show()
"""


def _code_cells(path: Path) -> int:
    return sum(cell.cell_type == "code" for cell in nbformat.read(path, as_version=4).cells)


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pytest(paths: list[str], cwd: Path, sanitize: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds for strict nbval over ``paths`` (CPU: pytest, its workers and
    their kernels together); exits unless every code cell passed.

    Counting the passed cells matters: when pytest's rootdir is not ``cwd`` (an option
    pointing at a file elsewhere pulls it there) the notebooks' test ids collide and
    xdist quietly runs one notebook instead of all of them.
    """
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        # The CI run's own set-up for both sides: kernel addresses, environment, start-up.
        "-p",
        "pmkit.course._pytest_plugin",
        "--rootdir",
        str(cwd),
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        sanitize,
        "-n",
        "2",
        "--dist",
        "loadfile",
        *paths,
    ]
    # The environment `python3 course.py test` gives pytest (hash seed, bytecode caches); the
    # kernels' own settings come from pmkit's plugin, as in CI.
    env = _course_py().suite_environment(os.environ)
    start, cpu_start = time.perf_counter(), _cpu_of_children()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed, cpu = time.perf_counter() - start, _cpu_of_children() - cpu_start
    if result.returncode != 0:
        sys.exit(f"pytest failed in {cwd}:\n{result.stdout[-3000:]}")
    expected = sum(_code_cells(cwd / path) for path in paths)
    passed = re.search(r"(\d+) passed", result.stdout)
    if passed is None or int(passed.group(1)) != expected:
        sys.exit(f"pytest in {cwd} ran {passed and passed.group(1)} cells, expected {expected}:\n"
                 f"{result.stdout[-3000:]}")
    return elapsed, cpu


def notebook_ratio(rounds: int) -> None:
    course = sorted(
        str(p.relative_to(ROOT)) for d in ("lessons", "solutions") for p in (ROOT / d).glob("*.ipynb")
    )
    with tempfile.TemporaryDirectory() as tmp:
        floor_dir = Path(tmp)
        # The floor gets its own config (an empty one) and the same sanitize file, inside its folder.
        (floor_dir / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", floor_dir / "nbval_sanitize.cfg")
        for index in range(len(course)):
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
            nbformat.write(nb, floor_dir / f"floor_{index:02d}.ipynb")
        floors, suites = [], []
        # Alternate the two so a busy spell on a shared machine does not land on one side only.
        for _ in range(rounds):
            floor_notebooks = sorted(p.name for p in floor_dir.glob("*.ipynb"))
            floors.append(_pytest(floor_notebooks, floor_dir, "nbval_sanitize.cfg"))
            suites.append(_pytest(course, ROOT, "tests/nbval_sanitize.cfg"))
    n = len(course)
    floor_walls, suite_walls = [w for w, _ in floors], [w for w, _ in suites]
    floor, suite = statistics.median(floor_walls), statistics.median(suite_walls)
    print(f"notebooks: {n} course notebooks {suite:.1f} s, {n} floor notebooks {floor:.1f} s "
          f"(median of {rounds}; course {_spread(suite_walls)}, floor {_spread(floor_walls)})")
    print(f"notebooks: ratio course / floor = {suite / floor:.2f}  (target <= 1.5)")
    if rounds > 1:
        paired = statistics.median(c / f for c, f in zip(suite_walls, floor_walls, strict=True))
        print(f"notebooks: median of the {rounds} rounds' own ratios = {paired:.2f}")
    # Not the target, a second view: CPU seconds move less than wall time when other work
    # shares the machine, so they show whether a change in the ratio is the course's own.
    floor_cpu, suite_cpu = (statistics.median(c for _, c in runs) for runs in (floors, suites))
    print(f"notebooks: CPU seconds course {suite_cpu:.1f}, floor {floor_cpu:.1f}, "
          f"ratio {suite_cpu / floor_cpu:.2f} (median of {rounds})")


def _spread(times: list[float]) -> str:
    return " / ".join(f"{t:.1f}" for t in times)


def _import_time(statement: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_ratio(repeat: int) -> None:
    pandas = _import_time("import pandas", repeat)
    pmkit = _import_time("import pmkit", repeat)
    lesson = _import_time("import pmkit, pmkit.exercises, pmkit.datasets, pmkit.widgets", repeat)
    print(
        f"import: pandas {pandas * 1000:.0f} ms, pmkit {pmkit * 1000:.0f} ms, "
        f"a lesson's pmkit imports {lesson * 1000:.0f} ms (median of {repeat})"
    )
    print(f"import: ratio pmkit / pandas = {pmkit / pandas:.2f}  (target <= 1.2)")
    print(f"import: ratio lesson imports / pandas = {lesson / pandas:.2f}")


@functools.cache
def _course_py():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="alternating notebook runs (median)")
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args()
    # What `python3 course.py test` does before the suite, for this interpreter: pmkit's bytecode
    # cached, also where PYTHONDONTWRITEBYTECODE is set, so no run compiles it.
    _course_py().compile_bytecode(sys.executable)
    import_ratio(args.repeat)
    if not args.skip_notebooks:
        notebook_ratio(args.rounds)


if __name__ == "__main__":
    main()
