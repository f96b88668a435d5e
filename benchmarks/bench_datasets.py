"""How fast Basketly's datasets regenerate, and how much memory that takes.

    .venv/bin/python benchmarks/bench_datasets.py            # default set, then --scale 100
    .venv/bin/python benchmarks/bench_datasets.py --scale 10 # a smaller big run

Each run happens in a fresh child process, so its peak memory (max RSS) is its own.
Targets from issue 3: the default set in at most 2 s; scale 100 (10 million+ order
lines) in at most 60 s with at most 4 GB peak memory. This prints figures and ratios
against those targets; it is not a test and never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {1: (2.0, 4.0), 100: (60.0, 4.0)}  # scale -> (seconds, GB)


def _child(scale: int, out: str) -> None:
    start = time.perf_counter()
    import pmkit.datasets as ds

    imported = time.perf_counter()
    paths = ds.generate(out, scale=scale)
    done = time.perf_counter()
    manifest = json.loads(Path(paths[-1]).read_text())
    rows = sum(entry.get("rows", 0) for entry in manifest["files"].values())
    lines = next(e["rows"] for k, e in manifest["files"].items() if k.startswith("order_lines."))
    size = sum(entry["bytes"] for entry in manifest["files"].values())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"scale": scale, "import_s": imported - start, "generate_s": done - imported,
                      "rows": rows, "order_lines": lines, "bytes": size,
                      "peak_gb": peak_kb / 1024**2, "cpu_s": time.process_time()}))


def _run(scale: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([sys.executable, __file__, "--child", "--scale", str(scale),
                                 "--out", out], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _report(r: dict) -> None:
    seconds, gb = TARGETS.get(r["scale"], (None, 4.0))
    rate = r["rows"] / r["generate_s"]
    print(f"scale {r['scale']:>3}: {r['rows']:>11,} rows ({r['order_lines']:,} order lines, "
          f"{r['bytes'] / 1e6:,.1f} MB) in {r['generate_s']:.2f} s wall "
          f"(+{r['import_s']:.2f} s import) = {rate:,.0f} rows/s; "
          f"{r['cpu_s']:.2f} s CPU in all = {r['rows'] / r['cpu_s']:,.0f} rows per CPU second; "
          f"peak memory {r['peak_gb']:.2f} GB")
    if seconds:
        # On a busy machine wall time includes waiting for a core; CPU time does not.
        print(f"          wall / target {r['generate_s'] / seconds:.2f}, "
              f"CPU / target {r['cpu_s'] / seconds:.2f}, memory / target {r['peak_gb'] / gb:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="the big run's scale (0: skip)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.scale, args.out)
        return 0
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} "
          "(other work on the machine slows every figure)")
    _report(_run(1))
    if args.scale > 1:
        _report(_run(args.scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
