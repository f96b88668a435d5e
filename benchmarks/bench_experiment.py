"""How fast is ``pmkit.experiment.analyze`` on a 10-million-user experiment?

Three routes to the same statistics (sample-ratio check, CUPED-adjusted primary
metric with Welch's test, two guardrails with Holm-adjusted p-values), timed in
one run on one synthetic table:

- ``analyze`` from the DataFrame;
- a hand-written numpy computation from the raw arrays (per-arm masks, means,
  variances, covariances), the floor any helper has to approach;
- the statsmodels route: one OLS fit per metric (``y ~ treatment + pre-period``
  for the primary, ``y ~ treatment`` per guardrail) with robust standard errors.

Run with ``.venv/bin/python benchmarks/bench_experiment.py`` (about a minute,
~3 GB of memory). Goals: analyze within 1.3x of numpy and at least 3x faster
than statsmodels. It prints the ratios; it is not a test.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pandas as pd

from pmkit.experiment import analyze

N_USERS = 10_000_000
SEED = 20240611
REPEATS = 3


def make_table(n: int = N_USERS, seed: int = SEED) -> pd.DataFrame:
    """A user-level experiment with a real 3% revenue lift and a pre-period covariate."""
    rng = np.random.default_rng(seed)
    treated = rng.random(n) < 0.5
    propensity = rng.gamma(2.0, 1.0, n)  # heavy buyers buy more before and during the test
    pre_revenue = np.round(propensity * rng.gamma(2.0, 10.0, n), 2)
    lift = np.where(treated, 1.03, 1.0)
    revenue = np.round(propensity * lift * rng.gamma(2.0, 10.0, n), 2)
    latency = np.round(rng.lognormal(np.log(850), 0.3, n), 0)
    unsubscribed = (rng.random(n) < 0.01).astype(np.int64)
    variant = pd.Categorical.from_codes(treated.astype(np.int8), ["control", "treatment"])
    return pd.DataFrame({"variant": variant, "pre_revenue": pre_revenue, "revenue": revenue,
                         "latency_ms": latency, "unsubscribed": unsubscribed})


def by_hand(treated: np.ndarray, y: np.ndarray, x: np.ndarray,
            guards: list[np.ndarray]) -> dict[str, float]:
    """The same statistics written directly in numpy, as an analyst would."""
    from scipy.special import chdtrc, ndtri, stdtr

    control = ~treated
    n_t, n_c = int(treated.sum()), int(control.sum())
    expected = (n_c + n_t) / 2
    chi2 = ((n_c - expected) ** 2 + (n_t - expected) ** 2) / expected
    out = {"srm_p": float(chdtrc(1, chi2))}

    arms = []
    for mask in (control, treated):
        ya, xa = y[mask], x[mask]
        my, mx = ya.mean(), xa.mean()
        dy, dx = ya - my, xa - mx
        arms.append((ya.size, my, mx, dy @ dy, dx @ dx, dx @ dy))
    theta = (arms[0][5] + arms[1][5]) / (arms[0][4] + arms[1][4])
    var = [(syy - 2 * theta * sxy + theta**2 * sxx) / (n - 1) / n
           for n, _, _, syy, sxx, sxy in arms]
    diff = (arms[1][1] - arms[0][1]) - theta * (arms[1][2] - arms[0][2])
    se = math.sqrt(var[0] + var[1])
    df = se**4 / (var[0] ** 2 / (arms[0][0] - 1) + var[1] ** 2 / (arms[1][0] - 1))
    out["difference"] = diff
    out["p_value"] = float(2 * stdtr(df, -abs(diff / se)))
    half = float(ndtri(0.975)) * math.sqrt(var[1] / arms[0][1] ** 2
                                           + (arms[0][1] + diff) ** 2 * var[0] / arms[0][1] ** 4)
    out["relative_ci_low"] = diff / arms[0][1] - half

    guard_p = []
    for g in guards:
        gc, gt = g[control], g[treated]
        vc, vt = gc.var(ddof=1) / gc.size, gt.var(ddof=1) / gt.size
        dfg = (vc + vt) ** 2 / (vc**2 / (gc.size - 1) + vt**2 / (gt.size - 1))
        guard_p.append(float(2 * stdtr(dfg, -abs((gt.mean() - gc.mean()) / math.sqrt(vc + vt)))))
    order = np.argsort(guard_p)
    holm = np.maximum.accumulate(np.array(guard_p)[order] * (len(guard_p) - np.arange(len(order))))
    out["holm_max"] = float(min(holm.max(), 1.0))
    return out


def with_statsmodels(treated: np.ndarray, y: np.ndarray, x: np.ndarray,
                     guards: list[np.ndarray]) -> dict[str, float]:
    import statsmodels.api as sm
    from scipy.stats import chisquare
    from statsmodels.stats.multitest import multipletests

    t = treated.astype(float)
    out = {"srm_p": float(chisquare([int((~treated).sum()), int(treated.sum())]).pvalue)}
    design = np.column_stack([np.ones_like(t), t, x - x.mean()])
    fit = sm.OLS(y, design).fit(cov_type="HC1")
    out["difference"] = float(fit.params[1])
    out["p_value"] = float(fit.pvalues[1])
    plain = np.column_stack([np.ones_like(t), t])
    guard_p = [float(sm.OLS(g, plain).fit(cov_type="HC1").pvalues[1]) for g in guards]
    out["holm_max"] = float(multipletests(guard_p, method="holm")[1].max())
    return out


def best_time(run, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    print(f"building a {N_USERS:,}-user table ...", flush=True)
    table = make_table()
    treated = table["variant"].cat.codes.to_numpy() == 1
    y, x = table["revenue"].to_numpy(), table["pre_revenue"].to_numpy()
    guards = [table["latency_ms"].to_numpy(), table["unsubscribed"].to_numpy()]

    def ours():
        return analyze(table, "revenue", ["latency_ms", "unsubscribed"],
                       pre_period="pre_revenue", day=None)

    ours()  # warm up: the first call imports scipy.special
    t_ours, report = best_time(ours)
    t_numpy, hand = best_time(lambda: by_hand(treated, y, x, guards))
    t_sm, sm_out = best_time(lambda: with_statsmodels(treated, y, x, guards), repeats=1)

    # The routes must agree, or the timing means nothing.
    assert math.isclose(report.primary.difference, hand["difference"], rel_tol=1e-9)
    assert math.isclose(report.primary.difference, sm_out["difference"], rel_tol=1e-6)
    assert math.isclose(report.primary.p_value, hand["p_value"], rel_tol=1e-6, abs_tol=1e-12)
    assert math.isclose(report.srm.p_value, sm_out["srm_p"], rel_tol=1e-9)

    print(f"analyze (DataFrame, CUPED + 2 guardrails + SRM): {t_ours:7.3f} s")
    print(f"hand-written numpy on the arrays:                {t_numpy:7.3f} s")
    print(f"statsmodels OLS route:                           {t_sm:7.3f} s")
    print(f"analyze / numpy       = {t_ours / t_numpy:5.2f}x  (goal <= 1.30x)")
    print(f"statsmodels / analyze = {t_sm / t_ours:5.2f}x  (goal >= 3x)")
    print(f"CUPED cut the variance by {report.variance_reduction:.0%}; "
          f"recommendation: {report.recommendation}")
    ok = t_ours / t_numpy <= 1.3 and t_sm / t_ours >= 3
    print("goals met" if ok else "goals NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
