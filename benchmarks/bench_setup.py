"""Benchmark: from a fresh clone to JupyterLab serving lesson 00, uv route against pip route.

    python3 benchmarks/bench_setup.py [--routes uv pip] [--timeout 900]

For each route (``PMKIT_COURSE_INSTALLER=uv`` / ``=pip``) it clones this repository into a
temporary folder, runs ``python3 course.py start --no-browser`` there and polls the server
until the notebook API answers HTTP 200 for the learner's ``workspace/00_welcome.ipynb`` (the
server's root is the workspace) and the lab page for it loads. Each route runs twice: *cold*
with empty caches (a new ``XDG_CACHE_HOME``, so pip's and uv's download caches and
course.py's private copy of uv start empty) and *warm*
with the caches the cold run filled, in another fresh clone. uv is kept off PATH, as on a
learner's machine, so the uv route includes fetching uv itself.

Printed: seconds to a ready environment (course.py's "Opening JupyterLab" line) and to the
first HTTP 200, per route and cache, and the uv/pip ratios. Target: uv cold under 60 s on
the course's 2-core reference machine.

Not a test: timings depend on the machine and the network; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-setup"
READY_LINE = "Opening JupyterLab"


def _head() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _path_without_uv() -> str:
    """PATH minus every folder that holds a uv, so the uv route has to fetch its own."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "uv").exists())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """End the server this benchmark started, and its kernels, by its process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def one_run(route: str, cache: Path, work: Path, timeout: float) -> dict[str, float]:
    """Clone, start, wait for HTTP 200; seconds from the start of the clone."""
    clone = work / "clone"
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_CACHE_DIR", "PIP_CACHE_DIR", "PMKIT_REPO",
                        "PMKIT_HOME", "PMKIT_WORKSPACE", "CONDA_PREFIX"}}
    env |= {"XDG_CACHE_HOME": str(cache), "PMKIT_COURSE_INSTALLER": route, "PATH": _path_without_uv(),
            "PYTHONUNBUFFERED": "1"}
    port = _free_port()
    started = time.perf_counter()
    # The commit checked out here: a clone of a worktree would otherwise check out the main branch.
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", _head()], check=True)
    cloned = time.perf_counter() - started
    process = subprocess.Popen(
        [sys.executable, "course.py", "start", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    marks: dict[str, float] = {"clone": cloned}
    log: list[str] = []
    steps: list[str] = []

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            log.append(line)
            if line.startswith("[course]"):  # each set-up step, timed from the start of the clone
                steps.append(f"{time.perf_counter() - started:6.1f} s  {line.strip()}")
            if READY_LINE in line and "environment" not in marks:
                marks["environment"] = time.perf_counter() - started

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    # `jupyter lab workspace/00_welcome.ipynb` serves the notebook's folder as its root.
    api = f"{base}/api/contents/00_welcome.ipynb?content=0&token={TOKEN}"
    lab = f"{base}/lab/tree/00_welcome.ipynb?token={TOKEN}"
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise SystemExit(f"{route}: course.py exited {process.returncode}:\n{''.join(log)[-3000:]}")
            if _answers(api) and _answers(lab):
                marks["serving"] = time.perf_counter() - started
                print("\n".join(f"    {step}" for step in steps), flush=True)
                return marks
            time.sleep(0.25)
        raise SystemExit(f"{route}: no HTTP 200 within {timeout:.0f} s:\n{''.join(log)[-3000:]}")
    finally:
        _stop(process)
        reader.join(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", nargs="+", default=["uv", "pip"], choices=["uv", "pip"])
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per run")
    args = parser.parse_args()
    results: dict[tuple[str, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
        for route in args.routes:
            cache = Path(tmp) / f"cache-{route}"
            cache.mkdir()
            for state in ("cold", "warm"):
                work = Path(tmp) / f"{route}-{state}"
                work.mkdir()
                results[route, state] = one_run(route, cache, work, args.timeout)
                marks = results[route, state]
                print(f"{route:>3} {state}: environment ready {marks['environment']:6.1f} s, "
                      f"lesson 00 served {marks['serving']:6.1f} s (clone {marks['clone']:.1f} s)",
                      flush=True)
                shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{'':14}" + "".join(f"{r + ' ' + s:>12}" for r in args.routes for s in ("cold", "warm")))
    for what, label in (("environment", "environment"), ("serving", "lesson 00 up")):
        row = "".join(f"{results[r, s][what]:>11.1f}s" for r in args.routes for s in ("cold", "warm"))
        print(f"{label:<14}{row}")
    if set(args.routes) == {"uv", "pip"}:
        for state in ("cold", "warm"):
            uv, pip = results["uv", state]["serving"], results["pip", state]["serving"]
            print(f"uv / pip, {state}: {uv / pip:.2f}  (pip takes {pip / uv:.1f}x as long)")
    if "uv" in args.routes:
        cold = results["uv", "cold"]["serving"]
        print(f"uv cold: {cold:.1f} s to lesson 00 (target under 60 s): {'met' if cold < 60 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
