"""How fast the Monte Carlo delivery forecasts run, against a plain Python loop.

    .venv/bin/python benchmarks/bench_agile.py

The target from the issue: 10,000 trials "in milliseconds". The loop below is
the obvious way to write the same forecast one future at a time; the ratio
shows what vectorising buys. This prints figures; it is not a test.
"""

from __future__ import annotations

import time

import numpy as np

from pmkit import agile


def loop_forecast_when(history: np.ndarray, items: int, trials: int, seed: int) -> np.ndarray:
    """One simulated future at a time: the reference the vectorised version must beat."""
    rng = np.random.default_rng(seed)
    weeks = np.empty(trials, dtype=np.int64)
    for trial in range(trials):
        done, week = 0.0, 0
        while done < items:
            done += history[rng.integers(history.size)]
            week += 1
        weeks[trial] = week
    return weeks


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    history = np.random.default_rng(0).poisson(2.4, 104).astype(float)
    for trials in (10_000, 100_000):
        when = best_of(5, lambda t=trials: agile.forecast_when(history, 30, trials=t))
        how_many = best_of(5, lambda t=trials: agile.forecast_how_many(history, 12, trials=t))
        print(f"{trials:>7,} trials: forecast_when {when * 1000:7.1f} ms, "
              f"forecast_how_many {how_many * 1000:7.1f} ms")
    loop = best_of(1, lambda: loop_forecast_when(history, 30, 10_000, 0))
    vectorised = best_of(5, lambda: agile.forecast_when(history, 30, trials=10_000))
    print(f"plain loop, 10,000 trials: {loop * 1000:.0f} ms; vectorised is {loop / vectorised:.0f}x faster")
    big = best_of(1, lambda: agile.forecast_when(history, 3_000, trials=10_000))
    print(f"3,000 items (about 1,250 weeks each), 10,000 trials: {big * 1000:.0f} ms")


if __name__ == "__main__":
    main()
