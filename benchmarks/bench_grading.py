"""Benchmark: `pmkit grade` against floor notebooks run alongside, as a ratio.

    .venv/bin/python benchmarks/bench_grading.py [--submissions 4] [--jobs 2] [--repeat 1]

Grades N copies of the solved lesson 00 with `pmkit grade` (each in its bubblewrap
sandbox, verdicts judged in the grader), then runs N *floor*
notebooks with the same parallelism: each in its own process and fresh kernel
(papermill, as grading does), doing only what a lesson's setup cell imports.
The floor is what any grader must pay per submission; the ratio shows what
grading adds on top: the lesson's own work, the limits, the copies and the
gradebook. Target: sandboxed grading <= 1.3 x floor. A fourth line grades the same
copies with --no-sandbox-i-accept-the-risk, so the sandbox's own cost is visible.

A third line runs the same N submissions with plain `run_notebook`, no grading
machinery, so the overhead of grading itself is visible apart from the lesson's
own cost. Floor and plain runs use the settings grading uses where they apply to
any runner (papermill writing the notebook once, not after every cell); grading
alone also skips rendering charts, which nothing in a gradebook looks at.

The three measurements alternate --repeat times and the medians are compared, so a
busy spell on a shared machine does not land on one side only.

Not a test: timings depend on the machine and its load; compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLVED = ROOT / "solutions" / "00_welcome.ipynb"
FLOOR_SOURCE = """\
import pmkit
from pmkit import datasets
from pmkit.display import PALETTE, new_axes
from pmkit.widgets import Slider, explorer
import matplotlib.pyplot as plt
import pandas as pd
"""
RUN_ONE = """\
import sys
from pathlib import Path
from pmkit.course.execute import run_notebook
result = run_notebook(Path(sys.argv[1]), Path(sys.argv[2]), timeout=300, save_each_cell=False)
sys.exit(0 if result.ok else result.summary())
"""


def _floor_notebook(path: Path) -> None:
    nb = json.loads(SOLVED.read_text(encoding="utf-8"))
    nb["cells"] = [{"cell_type": "code", "id": "floor", "metadata": {}, "execution_count": None,
                    "outputs": [], "source": FLOOR_SOURCE}]
    path.write_text(json.dumps(nb), encoding="utf-8")


def _run_each(notebooks: list[Path], out: Path, jobs: int) -> float:
    """Each notebook in its own process and kernel, ``jobs`` at a time; wall-clock seconds."""
    def one(path: Path) -> None:
        done = subprocess.run([sys.executable, "-c", RUN_ONE, str(path), str(out / f"{path.stem}.out.ipynb")],
                              capture_output=True, text=True, cwd=path.parent)
        if done.returncode != 0:
            sys.exit(f"{path.name} failed: {done.stderr[-2000:]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, notebooks))
    return time.perf_counter() - started


def _grade(folder: Path, out: Path, jobs: int, *extra: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pmkit", "grade", str(folder), "--out",
                           str(out / "gradebook.csv"), "--jobs", str(jobs), *extra],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"pmkit grade failed: {done.stderr[-2000:]}")
    scores = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()[1:]
    if not all(",3,3," in line for line in scores):
        sys.exit(f"a solved copy did not score 3/3:\n{scores}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"floor": [], "graded": [], "plain": [], "unsandboxed": []}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        base = Path(scratch)
        subs, floors, out = base / "submissions", base / "floor", base / "out"
        for folder in (subs, floors, out):
            folder.mkdir()
        copies = []
        for index in range(args.submissions):
            copy = subs / f"learner{index:02d}.ipynb"
            copy.write_bytes(SOLVED.read_bytes())
            copies.append(copy)
            _floor_notebook(floors / f"floor{index:02d}.ipynb")
        for _ in range(args.repeat):
            times["floor"].append(_run_each(sorted(floors.glob("*.ipynb")), out, args.jobs))
            times["graded"].append(_grade(subs, out, args.jobs))
            times["plain"].append(_run_each(copies, out, args.jobs))
            times["unsandboxed"].append(_grade(subs, out, args.jobs, "--no-sandbox-i-accept-the-risk"))
    floor, graded, plain, bare = (statistics.median(times[k])
                                  for k in ("floor", "graded", "plain", "unsandboxed"))
    n, j = args.submissions, args.jobs
    print(f"grading: {n} submissions {graded:.1f} s; {n} floor notebooks {floor:.1f} s; "
          f"{n} plain run_notebook {plain:.1f} s (jobs={j}, median of {args.repeat})")
    print(f"grading: ratio graded / floor = {graded / floor:.2f}  (target <= 1.3)")
    print(f"grading: ratio graded / plain run_notebook = {graded / plain:.2f}  (grading's own overhead)")
    print(f"grading: unsandboxed {bare:.1f} s; ratio sandboxed / unsandboxed = {graded / bare:.2f}")


if __name__ == "__main__":
    main()
