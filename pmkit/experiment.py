"""A/B tests done right: size them, check them, read them, decide.

Arm A is the control and arm B the treatment throughout; every difference is
B minus A, so a positive number means the treatment went up.

>>> from pmkit.experiment import two_proportions
>>> r = two_proportions(500, 10_000, 560, 10_000)
>>> round(r.difference, 4), round(r.p_value, 3)
(0.006, 0.058)

The statistics follow the usual large-sample recipes and match statsmodels:
pooled z-test for two rates, Welch's t-test for means, the delta method for
relative lifts and ratio metrics, CUPED (a regression on the pre-period value)
to cut noise, and mixture sequential probability ratio tests for p-values that
stay valid however often you look.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from pmkit import _validate as check
from pmkit.display import BAD, GOOD, HIGHLIGHT, NEUTRAL, PALETTE, fmt, new_axes, pct, plain
from pmkit.results import Result

__all__ = [
    "AASimulation",
    "AdjustedPValues",
    "BayesianComparison",
    "Comparison",
    "Cuped",
    "ExperimentReport",
    "MinimumDetectableEffect",
    "PeekingSimulation",
    "SampleRatioCheck",
    "SampleSize",
    "SequentialTest",
    "aa_simulation",
    "adjust_p_values",
    "always_valid_p_values",
    "analyze",
    "bayesian_ab",
    "compare_means",
    "cuped",
    "minimum_detectable_effect",
    "peeking_simulation",
    "ratio_metric",
    "sample_size",
    "sequential_test",
    "srm_check",
    "two_proportions",
]

ALTERNATIVES = ("two-sided", "larger", "smaller")
P_VALUE_METHODS = ("bonferroni", "holm", "fdr_bh")
RECOMMENDATIONS = ("ship", "iterate", "don't ship")

SAMPLE_SIZE_FORMULA = (
    "n_A = (z_(1-alpha/2) * sd_0 + z_power * sd_1)^2 / mde^2, with n_B = ratio * n_A. For a rate "
    "sd_0^2 = p(1-p)(1 + 1/ratio) uses the pooled rate p = (p_A + ratio * p_B) / (1 + ratio), as "
    "the pooled z-test does when there is no effect, and sd_1^2 = p_A(1-p_A) + p_B(1-p_B)/ratio "
    "is the spread when the change is real; for a mean sd_0^2 = sd_1^2 = sd^2 (1 + 1/ratio). "
    "Use z_(1-alpha) for a one-sided test; the exact solution also counts the tiny chance of a "
    "significant result in the wrong direction"
)


# --------------------------------------------------------------------------- input checks
# The shared checks in pmkit._validate, plus what this module needs on top.

_number = check.number


def _count(value: Any, name: str, minimum: int = 0) -> int:
    result = check.count(value, name, minimum=minimum)
    if result > 10**15:
        raise ValueError(f"{name} is implausibly large ({result}); counts above 1e15 lose precision")
    return result


def _array(values: Any, name: str, **options: Any) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise TypeError(f"{name} should be a single column of numbers, got a DataFrame; pick a column")
    return check.array(values, name, **options)


def _alpha(value: Any, name: str = "alpha") -> float:
    return _number(value, name, low=0.0, high=1.0, low_open=True, high_open=True)


def _alternative(value: Any) -> str:
    return check.one_of(value, "alternative", ALTERNATIVES)


def _conversions(conversions: Any, n: Any, arm: str) -> tuple[int, int]:
    n = _count(n, f"n_{arm}", minimum=1)
    conversions = _count(conversions, f"conversions_{arm}")
    if conversions > n:
        raise ValueError(f"conversions_{arm} ({conversions}) cannot exceed n_{arm} ({n})")
    return conversions, n


def _plain_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Report arithmetic that over- or underflows on extreme inputs as a clear ValueError."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ZeroDivisionError, OverflowError, FloatingPointError):
            raise ValueError(f"{function.__name__}: the inputs are too extreme (too large or too "
                             "close to zero) to compute a reliable answer") from None

    return guarded


def _finite(**values: float) -> None:
    """Refuse to hand back a number that overflowed on the way."""
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"the inputs are too extreme to compute a reliable {name.replace('_', ' ')}")


# --------------------------------------------------------------------------- distributions
# scipy.special is imported inside each helper so `import pmkit.experiment` stays light.

def _norm_cdf(z: Any) -> Any:
    from scipy.special import ndtr

    return ndtr(z)


def _norm_quantile(q: Any) -> Any:
    from scipy.special import ndtri

    return ndtri(q)


def _p_value(statistic: float, alternative: str, df: float = math.inf) -> float:
    """p-value of a z (df infinite) or t statistic."""
    from scipy.special import ndtr, stdtr

    def cdf(x: float) -> float:
        return float(ndtr(x)) if math.isinf(df) else float(stdtr(df, x))

    if alternative == "larger":
        return cdf(-statistic)
    if alternative == "smaller":
        return cdf(statistic)
    return min(1.0, 2.0 * cdf(-abs(statistic)))


def _critical(alpha: float, alternative: str, df: float = math.inf) -> float:
    from scipy.special import ndtri, stdtrit

    q = 1 - alpha / 2 if alternative == "two-sided" else 1 - alpha
    return float(ndtri(q)) if math.isinf(df) else float(stdtrit(df, q))


def _interval(estimate: float, se: float, critical: float, alternative: str) -> tuple[float, float]:
    low = -math.inf if alternative == "smaller" else estimate - critical * se
    high = math.inf if alternative == "larger" else estimate + critical * se
    return (float(low), float(high))


# --------------------------------------------------------------------------- comparisons
@dataclass(frozen=True, repr=False)
class Comparison(Result):
    """Treatment against control on one metric: the estimate, its interval, its p-value.

    ``difference`` is treatment minus control; ``relative_lift`` is that difference as a
    share of the control value (0.05 = 5% better), with a delta-method interval. ``df`` is
    the t-test's degrees of freedom (Welch–Satterthwaite) and infinite for a z-test.
    """

    metric: str
    control: float
    treatment: float
    difference: float
    ci: tuple[float, float]
    relative_lift: float
    relative_ci: tuple[float, float]
    p_value: float
    significant: bool
    statistic: float
    alpha: float
    alternative: str
    n_control: int
    n_treatment: int
    method: str
    is_rate: bool = False
    df: float = math.inf

    def title(self) -> str:
        return f"{self.metric.replace('_', ' ').capitalize()}: treatment vs control"

    def _card_rows(self) -> list[tuple[str, Any]]:
        # A z-test has no degrees of freedom to show; "inf" would only puzzle a reader.
        return [("degrees of freedom", value) if label == "df" else (label, value)
                for label, value in super()._card_rows()
                if label != "df" or math.isfinite(self.df)]

    def _test_words(self) -> str:
        if math.isinf(self.df):
            return ""
        return f" (Welch's t = {self.statistic:.3g} on {self.df:,.1f} degrees of freedom)"

    def _accent(self) -> str:
        if not self.significant:
            return NEUTRAL
        return GOOD if self.difference > 0 else BAD

    def _value(self, value: float) -> str:
        return pct(value) if self.is_rate else fmt(value)

    def _change(self, value: float) -> str:
        if math.isinf(value):
            return "+inf" if value > 0 else "-inf"
        if self.is_rate:
            return f"{100 * value:+.2f} points"
        return f"{value:+.3g}"

    def _interval_words(self) -> str:
        level = f"{1 - self.alpha:.0%}"
        low, high = self.ci
        if self.alternative == "larger":
            return f"{level} lower bound {self._change(low)}"
        if self.alternative == "smaller":
            return f"{level} upper bound {self._change(high)}"
        return f"{level} CI {self._change(low)} to {self._change(high)}"

    def summary(self) -> str:
        verb = "converted at" if self.is_rate else "averaged"
        lift = (f", a {self.relative_lift:+.1%} relative change" if math.isfinite(self.relative_lift)
                else "")
        verdict = ("statistically significant" if self.significant
                   else "not statistically significant")
        return (
            f"Treatment {verb} {self._value(self.treatment)} against {self._value(self.control)} for "
            f"control: {self._change(self.difference)} ({self._interval_words()}){lift}. "
            f"p = {self.p_value:.3g}{self._test_words()}, so the difference is {verdict} at the "
            f"{self.alpha:.0%} level."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row: the numbers a results table needs."""
        return pd.DataFrame([{
            "metric": self.metric, "control": self.control, "treatment": self.treatment,
            "difference": self.difference, "ci_low": self.ci[0], "ci_high": self.ci[1],
            "relative_lift": self.relative_lift, "relative_ci_low": self.relative_ci[0],
            "relative_ci_high": self.relative_ci[1], "p_value": self.p_value,
            "significant": self.significant,
        }])

    def finding(self) -> str:
        """A short headline, used as the plot title."""
        name = self.metric.replace("_", " ")
        if not self.significant:
            return f"No clear difference in {name}"
        direction = "raises" if self.difference > 0 else "lowers"
        return f"Treatment {direction} {name} by {self._change(abs(self.difference)).lstrip('+')}"

    def plot(self, ax: Any = None) -> Any:
        """The difference with its confidence interval against the zero line."""
        ax = new_axes(ax, size=(6.4, 2.4))
        low, high = self.ci
        span = max(abs(self.difference), 1e-12) * 3
        low = self.difference - span if math.isinf(low) else low
        high = self.difference + span if math.isinf(high) else high
        scale = 100 if self.is_rate else 1
        ax.errorbar([self.difference * scale], [0],
                    xerr=[[(self.difference - low) * scale], [(high - self.difference) * scale]],
                    fmt="o", color=self._accent(), capsize=6, markersize=8)
        ax.axvline(0, color=PALETTE[7], linewidth=1, linestyle="--")
        ax.set_yticks([0], [plain(self.metric)])
        unit = " (percentage points)" if self.is_rate else ""
        ax.set_xlabel(f"Treatment minus control{unit}, {1 - self.alpha:.0%} interval")
        ax.set_title(self.finding())
        return ax


def _comparison(metric: str, control: float, treatment: float, n_control: int, n_treatment: int,
                se: float, var_control_mean: float, var_treatment_mean: float, *, alpha: float,
                alternative: str, df: float = math.inf, statistic: float | None = None,
                method: str, is_rate: bool = False, difference: float | None = None) -> Comparison:
    """Assemble a Comparison from arm means and the standard errors of their means."""
    diff = treatment - control if difference is None else difference
    if statistic is None:
        statistic = diff / se if se > 0 else 0.0
    crit = _critical(alpha, alternative, df)
    ci = _interval(diff, se, crit, alternative)
    lift, rel_ci = math.nan, (math.nan, math.nan)  # undefined on a zero baseline
    if control != 0:
        ratio = (control + diff) / control
        # Delta method for (control + diff) / control - 1 with independent arms.
        rel_se = math.sqrt(var_treatment_mean + ratio * ratio * var_control_mean) / abs(control)
        if math.isfinite(ratio) and math.isfinite(rel_se):
            lift = ratio - 1
            rel_ci = _interval(lift, rel_se, _critical(alpha, alternative), alternative)
    p = _p_value(statistic, alternative, df)
    _finite(difference=diff, standard_error=se, p_value=p)
    return Comparison(
        metric=metric, control=float(control), treatment=float(treatment), difference=float(diff),
        ci=ci, relative_lift=float(lift),
        relative_ci=(float(rel_ci[0]), float(rel_ci[1])), p_value=float(p),
        significant=bool(p < alpha), statistic=float(statistic), alpha=alpha,
        alternative=alternative, n_control=int(n_control), n_treatment=int(n_treatment),
        method=method, is_rate=is_rate, df=float(df),
    )


@_plain_errors
def two_proportions(conversions_a: int, n_a: int, conversions_b: int, n_b: int,
                    alpha: float = 0.05, alternative: str = "two-sided",
                    metric: str = "conversion") -> Comparison:
    """Compare two conversion rates: pooled z-test, unpooled CI, delta-method relative CI.

    A is the control, B the treatment. ``alternative="larger"`` tests whether B beats A.
    When neither arm (or every user in both arms) converted there is no evidence of a
    difference and the p-value is 1.

    >>> r = two_proportions(100, 1000, 130, 1000)
    >>> round(r.difference, 3), round(r.p_value, 4), r.significant
    (0.03, 0.0355, True)
    >>> round(r.relative_lift, 2)
    0.3
    """
    xa, na = _conversions(conversions_a, n_a, "a")
    xb, nb = _conversions(conversions_b, n_b, "b")
    alpha, alternative = _alpha(alpha), _alternative(alternative)
    metric = _label(metric, "metric")
    pa, pb = xa / na, xb / nb
    pooled = (xa + xb) / (na + nb)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    statistic = (pb - pa) / pooled_se if pooled_se > 0 else 0.0
    var_a, var_b = pa * (1 - pa) / na, pb * (1 - pb) / nb
    return _comparison(metric, pa, pb, na, nb, math.sqrt(var_a + var_b), var_a, var_b,
                       alpha=alpha, alternative=alternative, statistic=statistic,
                       method="pooled two-proportion z-test", is_rate=True)


def _label(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} should be a non-empty string, got {check.safe_repr(value)}")
    return value


class _Centred(NamedTuple):
    """One column centred on its mean: see _centre."""

    mean: float  # the rounded first-pass mean
    correction: float  # the mean of the deviations, a rounding-sized rest of the mean
    deviations: np.ndarray  # values - mean
    squares: float  # sum of squared deviations from the exact mean

    def co_squares(self, other: _Centred) -> float:
        """Sum of products of the two columns' deviations from their exact means."""
        return float(self.deviations @ other.deviations) - self.deviations.size * (
            self.correction * other.correction)


def _centre(values: np.ndarray, name: str = "the column") -> _Centred:
    """Centre first, so that a large mean cannot swamp the spread.

    Sum(x^2) - n * mean^2 cancels catastrophically when the mean is large next to the spread
    (1e8 + noise of 1 keeps no correct digit). Subtracting the mean first and then the mean
    of what is left (the corrected two-pass method) keeps full precision. The mean is kept
    in two parts because at 1e9 a float holds it only to 1e-7, and differences need better.
    """
    mean = float(values.mean())
    deviations = values - mean
    correction = float(deviations.mean())
    squares = float(deviations @ deviations) - values.size * correction * correction
    if not (math.isfinite(mean) and math.isfinite(squares)):
        raise ValueError(f"{name} holds missing, infinite or enormous values; clean it first")
    return _Centred(mean, correction, deviations, squares)


def _mean_var(centred: _Centred) -> tuple[float, float]:
    return centred.mean + centred.correction, max(centred.squares, 0.0) / (
        centred.deviations.size - 1)


def _mean_difference(control: _Centred, treatment: _Centred) -> float:
    """Treatment mean minus control mean; two close floats subtract exactly."""
    return (treatment.mean - control.mean) + (treatment.correction - control.correction)


def _welch(metric: str, n_a: int, mean_a: float, var_a: float, n_b: int, mean_b: float,
           var_b: float, alpha: float, alternative: str, method: str = "Welch's t-test",
           is_rate: bool = False, difference: float | None = None) -> Comparison:
    va, vb = var_a / n_a, var_b / n_b
    se = math.sqrt(va + vb)
    if not se > 0:
        raise ValueError(f"{metric} does not vary within either group, so there is nothing to test")
    # Welch–Satterthwaite degrees of freedom, written with shares of the variance so that
    # tiny variances cannot underflow to 0 / 0.
    share = va / (va + vb)
    df = 1.0 / (share**2 / (n_a - 1) + (1 - share) ** 2 / (n_b - 1))
    return _comparison(metric, mean_a, mean_b, n_a, n_b, se, va, vb, alpha=alpha,
                       alternative=alternative, df=df, method=method, is_rate=is_rate,
                       difference=difference)


@_plain_errors
def compare_means(a: Any, b: Any, alpha: float = 0.05, alternative: str = "two-sided",
                  metric: str = "value") -> Comparison:
    """Compare the means of two groups with Welch's t-test (no equal-variance assumption).

    ``a`` is the control group's values, ``b`` the treatment's (lists, arrays or Series).

    >>> r = compare_means([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 6.0])
    >>> round(r.difference, 2), round(r.p_value, 3)
    (1.25, 0.29)
    """
    a = _array(a, "a", min_size=2)
    b = _array(b, "b", min_size=2)
    alpha, alternative = _alpha(alpha), _alternative(alternative)
    metric = _label(metric, "metric")
    with np.errstate(all="ignore"):
        centred_a, centred_b = _centre(a, "a"), _centre(b, "b")
        (mean_a, var_a), (mean_b, var_b) = _mean_var(centred_a), _mean_var(centred_b)
        _finite(mean=mean_a + mean_b, variance=var_a + var_b)
        return _welch(metric, a.size, mean_a, var_a, b.size, mean_b, var_b, alpha, alternative,
                      difference=_mean_difference(centred_a, centred_b))


@_plain_errors
def ratio_metric(numerator_a: Any, denominator_a: Any, numerator_b: Any, denominator_b: Any,
                 alpha: float = 0.05, alternative: str = "two-sided",
                 metric: str = "ratio") -> Comparison:
    """Compare a ratio of sums (clicks per page view) when users, not pages, were randomised.

    Each argument holds one value per user. The ratio is sum(numerator) / sum(denominator)
    per arm; its variance comes from the delta method, which respects that one user's page
    views are not independent of each other.

    >>> r = ratio_metric([1, 2, 0, 3], [4, 5, 2, 6], [2, 3, 1, 4], [4, 5, 3, 6])
    >>> round(r.control, 4), round(r.treatment, 4)
    (0.3529, 0.5556)
    """
    na_, da = _array(numerator_a, "numerator_a", min_size=2), _array(denominator_a, "denominator_a",
                                                                      min_size=2)
    nb_, db = _array(numerator_b, "numerator_b", min_size=2), _array(denominator_b, "denominator_b",
                                                                      min_size=2)
    check.same_length(numerator_a=na_, denominator_a=da)
    check.same_length(numerator_b=nb_, denominator_b=db)
    alpha, alternative = _alpha(alpha), _alternative(alternative)
    metric = _label(metric, "metric")
    with np.errstate(all="ignore"):
        arms = [_ratio_moments(num, den, "a" if k == 0 else "b")
                for k, (num, den) in enumerate(((na_, da), (nb_, db)))]
    (n_a, r_a, v_a), (n_b, r_b, v_b) = arms
    return _welch_z(metric, n_a, r_a, v_a, n_b, r_b, v_b, alpha, alternative,
                    method="delta-method z-test for a ratio metric")


def _ratio_moments(num: np.ndarray, den: np.ndarray, arm: str) -> tuple[int, float, float]:
    """Ratio of sums and the variance of a single user's contribution (delta method).

    The delta method linearises the ratio r = sum(y) / sum(x) around its value: each user
    contributes y - r * x, so Var(r) ~ Var(y - r * x) / (n * mean(x)^2). That variance is
    taken from the linearised values themselves: expanding it into Var(y) - 2 r Cov(x, y) +
    r^2 Var(x) cancels catastrophically when r is large or the means dwarf the spread.
    """
    n = num.size
    sy, sx = float(num.sum()), float(den.sum())
    if not (math.isfinite(sy) and math.isfinite(sx)):
        raise ValueError(f"the values of arm {arm} hold missing, infinite or enormous values; "
                         "clean them first")
    if not sx > 0:
        raise ValueError(f"the denominator of arm {arm} sums to {sx}; it must be positive")
    ratio = sy / sx
    linear = _centre(num - ratio * den, f"arm {arm}")
    unit_var = max(linear.squares, 0.0) / (n - 1) / (sx / n) ** 2
    _finite(ratio=ratio, variance=unit_var)
    return n, ratio, unit_var


def _welch_z(metric: str, n_a: int, mean_a: float, unit_var_a: float, n_b: int, mean_b: float,
             unit_var_b: float, alpha: float, alternative: str, method: str,
             is_rate: bool = False, difference: float | None = None) -> Comparison:
    """Large-sample z comparison from per-user variances."""
    va, vb = unit_var_a / n_a, unit_var_b / n_b
    se = math.sqrt(va + vb)
    if not se > 0:
        raise ValueError(f"{metric} does not vary within either group, so there is nothing to test")
    return _comparison(metric, mean_a, mean_b, n_a, n_b, se, va, vb, alpha=alpha,
                       alternative=alternative, method=method, is_rate=is_rate,
                       difference=difference)


# --------------------------------------------------------------------------- sizing
@dataclass(frozen=True, repr=False)
class SampleSize(Result):
    """Users needed per arm to detect a given change with a given power."""

    per_arm: int
    treatment_arm: int
    total: int
    exact: float
    baseline: float
    mde: float
    relative_mde: float
    alpha: float
    power: float
    alternative: str
    ratio: float
    sd: float | None = None
    formula: str = field(default=SAMPLE_SIZE_FORMULA, repr=False)

    def summary(self) -> str:
        what = f"a {pct(self.baseline)} rate" if self.sd is None else f"a mean of {fmt(self.baseline)}"
        change = _points(self.mde) if self.sd is None else fmt(self.mde)
        arms = (f"{self.per_arm:,} users per arm" if self.ratio == 1 else
                f"{self.per_arm:,} control and {self.treatment_arm:,} treatment users")
        return (f"To detect a change of {change} ({self.relative_mde:+.1%} relative) on {what} "
                f"with {self.power:.0%} power at alpha = {self.alpha:g}, you need {arms} "
                f"({self.total:,} in total).")

    def plot(self, ax: Any = None) -> Any:
        """How the users needed grow as the change you want to detect shrinks."""
        ax = new_axes(ax)
        high = self.mde * 2
        if self.sd is None:  # keep the changed rate inside (0, 1)
            room = self.baseline if self.alternative == "smaller" else 1 - self.baseline
            high = min(high, 0.98 * room)
        effects = np.linspace(self.mde * 0.5, high, 40)
        needed = [_sample_size_exact(self.baseline, e, self.alpha, self.power, self.alternative,
                                     self.ratio, self.sd) for e in effects]
        scale = 100 if self.sd is None else 1
        ax.plot(effects * scale, needed, color=PALETTE[0])
        ax.scatter([self.mde * scale], [self.per_arm], color=PALETTE[1], zorder=3)
        ax.set_xlabel("Change to detect" + (" (percentage points)" if self.sd is None else ""))
        ax.set_ylabel("Users per arm")
        ax.set_title(f"{self.per_arm:,} users per arm; half the change needs 4x as many")
        return ax


def _points(share: float) -> str:
    """0.01 -> '1 percentage point', 0.015 -> '1.5 percentage points'."""
    text = f"{100 * share:.3g}"
    return f"{text} percentage point{'' if text == '1' else 's'}"


def _sizing_inputs(baseline: Any, mde: Any, alpha: Any, power: Any, relative: Any,
                   alternative: Any, ratio: Any, sd: Any) -> tuple:
    if not isinstance(relative, bool):
        raise TypeError(f"relative should be True or False, got {check.safe_repr(relative)}")
    alpha, alternative = _alpha(alpha), _alternative(alternative)
    power = _number(power, "power", low=0.0, high=1.0, low_open=True, high_open=True)
    if power <= alpha:
        raise ValueError(f"power ({power}) should exceed alpha ({alpha}); a test with less power "
                         "than its false-positive rate is no test")
    ratio = _number(ratio, "ratio", low=0.0, low_open=True)
    if sd is None:
        baseline = _number(baseline, "baseline", low=0.0, high=1.0, low_open=True, high_open=True)
    else:
        sd = _number(sd, "sd", low=0.0, low_open=True)
        baseline = _number(baseline, "baseline")
    return baseline, alpha, power, alternative, ratio, sd


def _lambda_needed(alpha: float, power: float, alternative: str, null_scale: float = 1.0) -> float:
    """The standardised distance (effect / its standard error) that gives ``power``.

    ``null_scale`` is the standard error the test assumes when there is no effect over the
    one it has when the effect is real: 1 for means, near 1 for the pooled test of two rates.
    """
    crit = null_scale * float(_norm_quantile(1 - alpha / 2 if alternative == "two-sided"
                                             else 1 - alpha))
    lam = crit + float(_norm_quantile(power))
    # A null_scale below 1 lets the approximate power at zero users exceed alpha a little; a
    # power below that is met by any sample, which is no sizing at all.
    floor = float(_norm_cdf(-crit)) * (2 if alternative == "two-sided" else 1)
    if not (lam > 0 and power > floor):
        raise ValueError(f"power ({power}) is too close to alpha ({alpha}) for this change: the "
                         "normal approximation promises it with no users at all; ask for more")
    if alternative != "two-sided":
        return lam
    # Two-sided: a significant result on the wrong side also counts, as in statsmodels, so solve
    # power = P(Z > crit - lam) + P(Z < -crit - lam). Iterating lam = crit + z(power - wrong side)
    # from the one-sided answer falls monotonically onto the root (the wrong side is below
    # floor / 2 < power, so z is always defined), shrinking the error by about exp(-2 lam crit)
    # per step: four steps at 80% power, with no scipy.optimize import (about a second of a
    # lesson). Only when power is barely above alpha does the step shrink too slowly; then
    # brentq finishes the job between 0 and the current upper bound.
    upper = lam
    for _ in range(60):
        step = crit + float(_norm_quantile(power - float(_norm_cdf(-lam - crit))))
        if abs(step - lam) <= 4e-16 * lam:
            return step
        lam = step
    from scipy.optimize import brentq

    def shortfall(x: float) -> float:
        return float(_norm_cdf(x - crit) + _norm_cdf(-x - crit)) - power

    return float(brentq(shortfall, 0.0, upper, xtol=1e-14, rtol=1e-15))


def _difference_sds(baseline: float, signed: float, ratio: float, sd: float | None
                    ) -> tuple[float, float]:
    """Standard deviations of the difference in means, per sqrt(control user), that the test
    assumes with no effect (pooled, for rates) and that it has when the effect is real."""
    if sd is not None:
        spread = sd * math.sqrt(1 + 1 / ratio)
        return spread, spread
    other = baseline + signed
    pooled = (baseline + ratio * other) / (1 + ratio)  # what the pooled rate will be near
    return (math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio)),
            math.sqrt(baseline * (1 - baseline) + other * (1 - other) / ratio))


def _sample_size_exact(baseline: float, effect: float, alpha: float, power: float,
                       alternative: str, ratio: float, sd: float | None) -> float:
    signed = -effect if alternative == "smaller" else effect
    null_sd, real_sd = _difference_sds(baseline, signed, ratio, sd)
    lam = _lambda_needed(alpha, power, alternative, null_sd / real_sd)
    return (lam * real_sd / effect) ** 2


@_plain_errors
def _absolute_effect(baseline: float, mde: Any, relative: bool, alternative: str, sd: float | None) -> float:
    """The change to size or power for, in the metric's own units (checked: a rate stays in (0, 1))."""
    mde = _number(mde, "mde", low=0.0, low_open=True)
    if relative and baseline == 0:
        raise ValueError("a relative mde needs a non-zero baseline")
    effect = mde * abs(baseline) if relative else mde
    signed = -effect if alternative == "smaller" else effect
    if sd is None and not 0 < baseline + signed < 1:
        raise ValueError(f"baseline {baseline} changed by {signed:+g} leaves the range (0, 1); "
                         "choose a smaller mde")
    return effect


def sample_size(baseline: float, mde: float, alpha: float = 0.05, power: float = 0.8, *,
                relative: bool = False, alternative: str = "two-sided", ratio: float = 1.0,
                sd: float | None = None) -> SampleSize:
    """Users per arm to detect a change of ``mde`` with probability ``power``.

    ``baseline`` is the control's conversion rate (or, with ``sd``, its mean). ``mde`` is the
    smallest change worth detecting: absolute (0.01 = one percentage point) or, with
    ``relative=True``, a share of the baseline (0.05 = 5%). ``ratio`` is treatment users per
    control user. The size is for the test that will read the result: for a rate,
    :func:`two_proportions`' pooled z-test, whose standard error pools both arms as if there
    were no effect while the difference it must find spreads as the two real rates do (the
    Fleiss formula, as in statsmodels' ``power_proportions_2indep``); for a mean, the
    large-sample Welch test::

        n_A = (z_(1-alpha/2) * sd_0 + z_power * sd_1)^2 / mde^2,  n_B = ratio * n_A
        rate: sd_0^2 = p(1 - p)(1 + 1/ratio), p = (p_A + ratio * p_B) / (1 + ratio) pooled,
              sd_1^2 = p_A(1 - p_A) + p_B(1 - p_B) / ratio
        mean: sd_0^2 = sd_1^2 = sd^2 (1 + 1/ratio)

    ``exact`` is the unrounded solution; for a two-sided test it also counts the tiny chance
    of a significant result in the wrong direction.

    >>> sample_size(0.10, 0.01).per_arm
    14751
    >>> sample_size(0.10, 0.10, relative=True).per_arm
    14751
    >>> sample_size(50.0, 2.0, sd=20.0).per_arm
    1570
    """
    baseline, alpha, power, alternative, ratio, sd = _sizing_inputs(
        baseline, mde, alpha, power, relative, alternative, ratio, sd)
    effect = _absolute_effect(baseline, mde, relative, alternative, sd)
    exact = _sample_size_exact(baseline, effect, alpha, power, alternative, ratio, sd)
    _finite(sample_size=exact)
    if exact > 1e15:
        raise ValueError("the change is too small to detect with any practical sample")
    per_arm = math.ceil(exact - 1e-9)
    treatment_arm = math.ceil(exact * ratio - 1e-9)
    return SampleSize(per_arm=per_arm, treatment_arm=treatment_arm, total=per_arm + treatment_arm,
                      exact=exact, baseline=baseline, mde=effect,
                      relative_mde=effect / abs(baseline) if baseline else math.nan,
                      alpha=alpha, power=power, alternative=alternative, ratio=ratio, sd=sd)


@dataclass(frozen=True, repr=False)
class MinimumDetectableEffect(Result):
    """The smallest change a test of a given size detects with a given power."""

    mde: float
    relative_mde: float
    per_arm: int
    baseline: float
    alpha: float
    power: float
    alternative: str
    ratio: float
    sd: float | None = None

    def summary(self) -> str:
        change = _points(self.mde) if self.sd is None else fmt(self.mde)
        return (f"With {self.per_arm:,} users per arm, the test detects a change of {change} "
                f"({self.relative_mde:+.1%} relative) with {self.power:.0%} power; smaller real "
                "effects will usually look like noise.")


def _rate_mde(p: float, n: int, alpha: float, power: float, alternative: str,
              ratio: float) -> float:
    """The change in a rate that ``n`` control users detect: sample_size solved for the mde."""
    sign = -1.0 if alternative == "smaller" else 1.0
    room = p if sign < 0 else 1 - p  # the changed rate must stay inside (0, 1)
    too_few = ValueError(f"{n} users per arm are too few to detect any change from {p}")

    def needed(effect: float) -> float:  # the mde that n users detect if the change were effect
        if not 0 < effect < room:
            raise too_few
        null_sd, real_sd = _difference_sds(p, sign * effect, ratio, None)
        return _lambda_needed(alpha, power, alternative, null_sd / real_sd) * real_sd / math.sqrt(n)

    # Start from the unpooled answer, a quadratic, then let the pooled spread settle: needed()
    # changes slowly with the effect, so each step cuts the error many times over.
    lam2 = _lambda_needed(alpha, power, alternative) ** 2
    qa, qb = n + lam2 / ratio, -sign * lam2 * (1 - 2 * p) / ratio
    qc = -lam2 * p * (1 - p) * (1 + 1 / ratio)
    effect = (-qb + math.sqrt(qb * qb - 4 * qa * qc)) / (2 * qa)
    for _ in range(100):
        step = needed(effect)
        if abs(step - effect) <= 1e-15 * effect:
            return step
        effect = step
    raise too_few


@_plain_errors
def minimum_detectable_effect(baseline: float, n: int, alpha: float = 0.05, power: float = 0.8,
                              *, alternative: str = "two-sided", ratio: float = 1.0,
                              sd: float | None = None) -> MinimumDetectableEffect:
    """The smallest absolute change that ``n`` control users (and ``ratio * n`` treated) detect.

    The inverse of :func:`sample_size`: ``sample_size(baseline, mde).exact`` gives back ``n``.

    >>> round(minimum_detectable_effect(0.10, 14_749).mde, 4)
    0.01
    """
    baseline, alpha, power, alternative, ratio, sd = _sizing_inputs(
        baseline, 1.0, alpha, power, False, alternative, ratio, sd)
    n = _count(n, "n", minimum=2)
    if sd is not None:
        effect = _lambda_needed(alpha, power, alternative) * sd * math.sqrt((1 + 1 / ratio) / n)
    else:
        effect = _rate_mde(baseline, n, alpha, power, alternative, ratio)
    _finite(mde=effect)
    return MinimumDetectableEffect(
        mde=effect, relative_mde=effect / abs(baseline) if baseline else math.nan, per_arm=n,
        baseline=baseline, alpha=alpha, power=power, alternative=alternative, ratio=ratio, sd=sd)


# --------------------------------------------------------------------------- trust checks
@dataclass(frozen=True, repr=False)
class SampleRatioCheck(Result):
    """Did each arm get the share of users the design promised? (chi-square test)"""

    variants: tuple[str, ...]
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float
    alpha: float
    passed: bool

    def _accent(self) -> str:
        return GOOD if self.passed else BAD

    def summary(self) -> str:
        total = sum(self.observed)
        shares = ", ".join(f"{v} {pct(o / total)} (planned {pct(e / total)})"
                           for v, o, e in zip(self.variants, self.observed, self.expected,
                                              strict=True))
        if self.passed:
            return f"The traffic split matches the design: {shares}; p = {self.p_value:.3g}."
        return (f"Sample ratio mismatch: {shares}; p = {self.p_value:.2g}. Something in assignment "
                "or logging is broken, so do not trust this test's results until it is found.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"variant": self.variants, "observed": self.observed,
                             "expected": self.expected})

    def plot(self, ax: Any = None) -> Any:
        """Observed users per arm against the planned split."""
        ax = new_axes(ax)
        x = np.arange(len(self.variants))
        ax.bar(x - 0.2, self.observed, width=0.4, label="observed", color=PALETTE[0])
        ax.bar(x + 0.2, self.expected, width=0.4, label="planned", color=PALETTE[5], hatch=HIGHLIGHT)
        ax.set_xticks(x, self.variants)
        ax.set_ylabel("Users")
        ax.set_xlabel("Variant")
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))  # bars reach the top
        ax.set_title("Split matches the design" if self.passed
                     else f"Sample ratio mismatch (p = {self.p_value:.1g})")
        return ax


@_plain_errors
def srm_check(counts: Any, expected_ratios: Any = None, alpha: float = 0.001) -> SampleRatioCheck:
    """Chi-square test that users split across arms as designed (equal split by default).

    ``counts`` is a list of users per arm, or a mapping / Series from arm name to users.
    The strict default ``alpha = 0.001`` keeps false alarms rare across many tests.

    >>> srm_check([50_000, 50_400]).passed
    True
    >>> srm_check({"control": 50_000, "treatment": 51_500}).passed
    False
    """
    if isinstance(counts, pd.Series):
        counts = counts.to_dict()
    if isinstance(counts, Mapping):
        names = tuple(str(k) for k in counts)
        values = list(counts.values())
    else:
        if isinstance(counts, str | bytes) or not isinstance(counts, Sequence | np.ndarray):
            raise TypeError(f"counts should be a list or mapping of users per arm, "
                            f"got {check.safe_repr(counts)}")
        values = list(counts)
        names = tuple(f"arm {k + 1}" for k in range(len(values)))
    observed = [_count(v, f"counts[{name!r}]") for v, name in zip(values, names, strict=True)]
    if len(observed) < 2:
        raise ValueError(f"counts needs at least two arms, got {len(observed)}")
    total = sum(observed)
    if total == 0:
        raise ValueError("counts are all zero; there are no users to check")
    alpha = _alpha(alpha)
    if expected_ratios is None:
        ratios = np.ones(len(observed))
    else:
        if isinstance(expected_ratios, Mapping):
            if set(map(str, expected_ratios)) != set(names):
                raise ValueError(f"expected_ratios names {sorted(map(str, expected_ratios))} "
                                 f"should match the arms {sorted(names)}")
            expected_ratios = [dict(zip(map(str, expected_ratios), expected_ratios.values(),
                                        strict=True))[n] for n in names]
        ratios = _array(expected_ratios, "expected_ratios", min_size=2)
        check.same_length(counts=observed, expected_ratios=ratios)
        if (ratios <= 0).any():
            raise ValueError("expected_ratios should all be positive")
    expected = ratios / ratios.sum() * total
    obs = np.asarray(observed, dtype=float)
    chi2 = float(((obs - expected) ** 2 / expected).sum())
    from scipy.special import chdtrc

    p = float(chdtrc(len(observed) - 1, chi2))
    _finite(chi_square=chi2)
    return SampleRatioCheck(variants=names, observed=tuple(observed),
                            expected=tuple(float(e) for e in expected), chi2=chi2, p_value=p,
                            alpha=alpha, passed=bool(p >= alpha))


@dataclass(frozen=True, repr=False)
class Cuped(Result):
    """A metric with the predictable part of its noise removed using pre-period data."""

    theta: float
    correlation: float
    variance_reduction: float
    covariate_mean: float
    adjusted: np.ndarray = field(repr=False, compare=False)

    def title(self) -> str:
        return "CUPED"

    def summary(self) -> str:
        return (f"The pre-period value explains {self.variance_reduction:.0%} of the metric's "
                f"variance (correlation {self.correlation:.2f}), so CUPED cuts the noise by that "
                "much: the same test needs that much less traffic.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"adjusted": self.adjusted})


@_plain_errors
def cuped(y: Any, x: Any, treatment: Any = None) -> Cuped:
    """Remove the part of ``y`` that the pre-period value ``x`` predicts (CUPED).

    ``adjusted = y - theta * (x - mean(x))`` with ``theta = cov(x, y) / var(x)``: the mean is
    unchanged, the variance shrinks by corr(x, y)^2. Pass ``treatment`` (0/1 or True/False per
    user) to estimate theta within arms, which makes the adjusted difference in means equal to
    the treatment coefficient of the regression ``y ~ treatment + x``.

    >>> r = cuped([3.0, 5.0, 4.0, 8.0], [1.0, 2.0, 2.0, 4.0])
    >>> round(r.theta, 3), round(float(r.adjusted.mean()), 3)
    (1.684, 5.0)
    """
    y = _array(y, "y", min_size=3)
    x = _array(x, "x", min_size=3)
    check.same_length(y=y, x=x)
    with np.errstate(all="ignore"):
        if treatment is None:
            xc, yc = x - x.mean(), y - y.mean()
        else:
            t = _array(treatment, "treatment")
            check.same_length(y=y, treatment=t)
            if not np.isin(t, (0.0, 1.0)).all():
                raise ValueError("treatment should hold only 0/1 or True/False")
            groups = [t == 0, t == 1]
            if min(int(g.sum()) for g in groups) < 2:
                raise ValueError("each arm needs at least two users")
            xc, yc = x.copy(), y.copy()
            for g in groups:
                xc[g] -= x[g].mean()
                yc[g] -= y[g].mean()
        sxx = float(xc @ xc)
        if not sxx > 0:
            raise ValueError("x does not vary, so it cannot explain anything about y")
        theta = float(xc @ yc) / sxx
        syy = float(yc @ yc)
        corr = float(xc @ yc) / math.sqrt(sxx * syy) if syy > 0 else 0.0
        adjusted = y - theta * (x - x.mean())
    _finite(theta=theta, correlation=corr)
    return Cuped(theta=theta, correlation=corr, variance_reduction=corr**2,
                 covariate_mean=float(x.mean()), adjusted=adjusted)


# --------------------------------------------------------------------------- many metrics
@dataclass(frozen=True, repr=False)
class AdjustedPValues(Result):
    """p-values corrected for testing several metrics at once."""

    names: tuple[str, ...]
    p_values: tuple[float, ...]
    adjusted: tuple[float, ...]
    reject: tuple[bool, ...]
    method: str
    alpha: float

    def title(self) -> str:
        return "Adjusted p-values"

    def summary(self) -> str:
        raw = sum(p < self.alpha for p in self.p_values)
        kept = sum(self.reject)
        return (f"{raw} of {len(self.p_values)} comparisons look significant on their own; after "
                f"the {_METHOD_NAMES[self.method]} correction, {kept} remain.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"metric": self.names, "p_value": self.p_values,
                             "adjusted": self.adjusted, "significant": self.reject})

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax, size=(6.4, 1.4 + 0.22 * len(self.names)))
        y = np.arange(len(self.names))
        ax.scatter(self.p_values, y, label="raw", color=PALETTE[1])
        ax.scatter(self.adjusted, y, label="adjusted", color=PALETTE[0], marker="s")
        ax.axvline(self.alpha, color=PALETTE[3], linestyle="--", linewidth=1)
        ax.set_yticks(y, self.names)
        ax.invert_yaxis()
        ax.set_xlabel("p-value")
        # Beside the plot: adjusted p-values pile up at 1, where a legend inside would sit.
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        ax.set_title(f"{sum(self.reject)} of {len(self.names)} comparisons survive the "
                     f"{_METHOD_NAMES[self.method]} correction")
        return ax


_METHOD_NAMES = {"bonferroni": "Bonferroni", "holm": "Holm", "fdr_bh": "Benjamini–Hochberg"}


@_plain_errors
def adjust_p_values(p: Any, method: str = "holm", alpha: float = 0.05) -> AdjustedPValues:
    """Correct p-values for multiple metrics: "bonferroni", "holm" or "fdr_bh".

    Bonferroni and Holm keep the chance of *any* false positive below ``alpha``;
    Benjamini–Hochberg ("fdr_bh") keeps the expected share of false discoveries below it.
    ``p`` is a list of p-values or a mapping from metric name to p-value.

    >>> adjust_p_values([0.01, 0.04, 0.03], method="holm").adjusted
    (0.03, 0.06, 0.06)
    """
    method = check.one_of(method, "method", P_VALUE_METHODS)
    alpha = _alpha(alpha)
    if isinstance(p, pd.Series):
        p = p.to_dict()
    if isinstance(p, Mapping):
        names = tuple(str(k) for k in p)
        p = list(p.values())
    else:
        names = None
    values = _array(p, "p", low=0.0, high=1.0)
    names = names or tuple(f"metric {k + 1}" for k in range(values.size))
    m = values.size
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if method == "bonferroni":
        adjusted_sorted = ranked * m
    elif method == "holm":
        adjusted_sorted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:
        adjusted_sorted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    return AdjustedPValues(names=names, p_values=tuple(float(v) for v in values),
                           adjusted=tuple(float(v) for v in adjusted),
                           reject=tuple(bool(v <= alpha) for v in adjusted), method=method,
                           alpha=alpha)


# --------------------------------------------------------------------------- Bayesian view
@dataclass(frozen=True, repr=False)
class BayesianComparison(Result):
    """Beta-binomial view: how likely B beats A, and what choosing wrongly would cost."""

    probability_b_beats_a: float
    expected_loss_b: float
    expected_loss_a: float
    lift_interval: tuple[float, float]
    rate_a: float
    rate_b: float
    draws: int
    seed: int

    def summary(self) -> str:
        return (f"There is a {self.probability_b_beats_a:.1%} chance that B's true rate beats A's. "
                f"Choosing B risks an expected loss of {100 * self.expected_loss_b:.3f} points of "
                f"conversion, against {100 * self.expected_loss_a:.3f} for staying with A.")

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        ax.bar(["A better", "B better"],
               [1 - self.probability_b_beats_a, self.probability_b_beats_a],
               color=[PALETTE[1], PALETTE[0]])
        ax.set_ylabel("Posterior probability")
        ax.set_ylim(0, 1)
        ax.set_title(f"B beats A with probability {self.probability_b_beats_a:.0%}")
        return ax


@_plain_errors
def bayesian_ab(conversions_a: int, n_a: int, conversions_b: int, n_b: int, *,
                prior: tuple[float, float] = (1.0, 1.0), draws: int = 200_000,
                seed: int = 0) -> BayesianComparison:
    """Probability that B's conversion rate beats A's, with the expected loss of each choice.

    Each rate gets a Beta(prior + conversions, prior + non-conversions) posterior; the answer
    is estimated from ``draws`` seeded posterior draws. Expected loss is the average amount by
    which the chosen arm falls short of the other, counting only the cases where it does.

    >>> r = bayesian_ab(100, 1000, 130, 1000, seed=1)
    >>> round(r.probability_b_beats_a, 2)
    0.98
    """
    xa, na = _conversions(conversions_a, n_a, "a")
    xb, nb = _conversions(conversions_b, n_b, "b")
    if not isinstance(prior, tuple | list) or len(prior) != 2:
        raise TypeError(f"prior should be a pair (successes, failures), got {check.safe_repr(prior)}")
    pa_, pb_ = (_number(v, f"prior[{k}]", low=0.0, low_open=True) for k, v in enumerate(prior))
    draws = _count(draws, "draws", minimum=1000)
    if draws > 20_000_000:
        raise ValueError(f"draws should be at most 20,000,000, got {draws}")
    seed = _count(seed, "seed")
    rng = np.random.default_rng(seed)
    a = rng.beta(pa_ + xa, pb_ + na - xa, size=draws)
    b = rng.beta(pa_ + xb, pb_ + nb - xb, size=draws)
    with np.errstate(all="ignore"):
        lift = b / a - 1
    low, high = np.quantile(lift[np.isfinite(lift)], [0.025, 0.975]) if np.isfinite(lift).any() \
        else (math.nan, math.nan)
    return BayesianComparison(
        probability_b_beats_a=float((b > a).mean()),
        expected_loss_b=float(np.maximum(a - b, 0).mean()),
        expected_loss_a=float(np.maximum(b - a, 0).mean()),
        lift_interval=(float(low), float(high)), rate_a=xa / na, rate_b=xb / nb, draws=draws,
        seed=seed)


# --------------------------------------------------------------------------- peeking
@_plain_errors
def always_valid_p_values(estimates: Any, variances: Any, tau: float) -> np.ndarray:
    """Always-valid p-values (mixture SPRT) for a running estimate of a difference.

    ``estimates[k]`` is the difference observed at look ``k`` and ``variances[k]`` the
    variance of that estimate; ``tau`` is the size of effect you consider plausible (the
    spread of the normal mixture). Stopping the first time the p-value drops below alpha
    keeps the false-positive rate at most alpha however often you look.

    >>> always_valid_p_values([0.0, 0.01, 0.02], [1e-4, 5e-5, 2.5e-5], tau=0.02).round(3)
    array([1.   , 1.   , 0.002])
    """
    est = _array(estimates, "estimates")
    var = _array(variances, "variances")
    check.same_length(estimates=est, variances=var)
    if (var <= 0).any():
        raise ValueError("variances should all be positive")
    tau = _number(tau, "tau", low=0.0, low_open=True)
    return _mixture_p_values(est, var, tau)


def _mixture_p_values(est: np.ndarray, var: np.ndarray, tau: float) -> np.ndarray:
    """Vectorised over the last axis (looks); works on a 2-D stack of experiments too."""
    t2 = tau * tau
    with np.errstate(all="ignore"):
        # log of the mixture likelihood ratio; under no effect it rarely grows large.
        log_lr = 0.5 * np.log(var / (var + t2)) + est**2 * t2 / (2 * var * (var + t2))
        p = np.minimum(1.0, np.exp(-log_lr))
    return np.minimum.accumulate(p, axis=-1)


@dataclass(frozen=True, repr=False)
class SequentialTest(Result):
    """A test you may check every day: always-valid p-values per look and when to stop."""

    p_values: tuple[float, ...]
    differences: tuple[float, ...]
    alpha: float
    tau: float
    stopped_at: int | None

    def summary(self) -> str:
        looks = len(self.p_values)
        if self.stopped_at is None:
            return (f"After {looks} looks the always-valid p-value is {self.p_values[-1]:.3g}, "
                    f"above {self.alpha:g}: keep running or stop without a winner.")
        diff = self.differences[self.stopped_at - 1]
        return (f"The always-valid p-value fell below {self.alpha:g} at look {self.stopped_at} of "
                f"{looks} (difference {100 * diff:+.2f} points): you may stop there and call it.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"look": np.arange(1, len(self.p_values) + 1),
                             "difference": self.differences, "p_value": self.p_values})

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        looks = np.arange(1, len(self.p_values) + 1)
        ax.plot(looks, self.p_values, marker="o", color=PALETTE[0], label="always-valid p-value")
        ax.axhline(self.alpha, color=PALETTE[3], linestyle="--", label=f"alpha = {self.alpha:g}")
        ax.set_xlabel("Look")
        ax.set_ylabel("p-value")
        ax.set_ylim(0, 1.02)
        ax.legend(frameon=False)
        ax.set_title("Safe to stop at look " + str(self.stopped_at) if self.stopped_at
                     else "No look crossed the line yet")
        return ax


@_plain_errors
def sequential_test(conversions_a: Any, n_a: Any, conversions_b: Any, n_b: Any,
                    alpha: float = 0.05, tau: float | None = None) -> SequentialTest:
    """Always-valid test of two conversion rates from running totals at each look.

    Each argument is a sequence of *cumulative* counts, one entry per look (for example per
    day). ``tau`` is the size of difference you consider plausible; by default a tenth of the
    overall conversion rate (a 10% relative lift).

    >>> r = sequential_test([50, 100, 150], [1000, 2000, 3000], [60, 125, 190], [1000, 2000, 3000])
    >>> r.stopped_at is None
    True
    """
    xa, na, xb, nb = (_array(v, name, low=0.0) for v, name in (
        (conversions_a, "conversions_a"), (n_a, "n_a"), (conversions_b, "conversions_b"),
        (n_b, "n_b")))
    check.same_length(conversions_a=xa, n_a=na, conversions_b=xb, n_b=nb)
    for arm, x, n in (("a", xa, na), ("b", xb, nb)):
        if (n < 1).any():
            raise ValueError(f"n_{arm} should be at least 1 at every look")
        if (x > n).any():
            raise ValueError(f"conversions_{arm} cannot exceed n_{arm}")
        if (np.diff(n) < 0).any() or (np.diff(x) < 0).any():
            raise ValueError(f"conversions_{arm} and n_{arm} should be running totals (never fall)")
        if (x != np.round(x)).any() or (n != np.round(n)).any():
            raise ValueError(f"conversions_{arm} and n_{arm} should be whole numbers")
    alpha = _alpha(alpha)
    pa, pb = xa / na, xb / nb
    pooled = (xa[-1] + xb[-1]) / (na[-1] + nb[-1])
    tau = _number(tau, "tau", low=0.0, low_open=True) if tau is not None else 0.1 * pooled
    if not tau > 0:
        raise ValueError("no conversions yet: pass tau, the size of difference you expect")
    var = pa * (1 - pa) / na + pb * (1 - pb) / nb
    # A look where both rates are 0 or 1 carries no information yet.
    var = np.where(var > 0, var, np.inf)
    p = _mixture_p_values(pb - pa, var, tau)
    crossed = np.flatnonzero(p <= alpha)
    return SequentialTest(p_values=tuple(float(v) for v in p),
                          differences=tuple(float(v) for v in pb - pa), alpha=alpha, tau=tau,
                          stopped_at=int(crossed[0]) + 1 if crossed.size else None)


@dataclass(frozen=True, repr=False)
class PeekingSimulation(Result):
    """A/A tests checked repeatedly: how often each stopping rule cries wolf."""

    false_positive_rate_one_look: float
    false_positive_rate_peeking: float
    false_positive_rate_sequential: float
    alpha: float
    looks: int
    experiments: int
    peeking_by_look: tuple[float, ...] = field(repr=False)
    sequential_by_look: tuple[float, ...] = field(repr=False)

    def summary(self) -> str:
        return (f"In {self.experiments:,} simulated tests with no real effect, checking once gave "
                f"false winners {self.false_positive_rate_one_look:.1%} of the time; stopping at the "
                f"first of {self.looks} peeks that showed p < {self.alpha:g} gave "
                f"{self.false_positive_rate_peeking:.1%}, and the always-valid sequential test "
                f"{self.false_positive_rate_sequential:.1%}.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"look": np.arange(1, self.looks + 1),
                             "peeking": self.peeking_by_look,
                             "sequential": self.sequential_by_look})

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        looks = np.arange(1, self.looks + 1)
        ax.plot(looks, self.peeking_by_look, marker="o", color=PALETTE[3],
                label="stop at first p < alpha")
        ax.plot(looks, self.sequential_by_look, marker="s", color=PALETTE[0],
                label="always-valid p-value")
        ax.axhline(self.alpha, color=PALETTE[7], linestyle="--", linewidth=1, label="promised rate")
        ax.set_xlabel("Number of looks so far")
        ax.set_ylabel("Share of A/A tests declared winners")
        ax.legend(frameon=False)
        ax.set_title(f"Peeking {self.looks} times turns {self.alpha:.0%} false winners into "
                     f"{self.false_positive_rate_peeking:.0%}")
        return ax


def _simulate_aa(experiments: int, n_per_arm: int, looks: int, baseline: float,
                 seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Running totals (experiments x looks) for two identical arms."""
    rng = np.random.default_rng(seed)
    step = np.diff(np.linspace(0, n_per_arm, looks + 1).round().astype(np.int64))
    control, treatment = (rng.binomial(step, baseline, size=(experiments, looks))
                          .cumsum(axis=1).astype(float) for _ in range(2))
    n = np.broadcast_to(step.cumsum(), (experiments, looks)).astype(float)
    return control, n, treatment, n


def _z_p_values(xa: np.ndarray, na: np.ndarray, xb: np.ndarray, nb: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        pooled = (xa + xb) / (na + nb)
        se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = np.where(se > 0, (xb / nb - xa / na) / se, 0.0)
    return 2 * _norm_cdf(-np.abs(z))


def _simulation_inputs(experiments: Any, n_per_arm: Any, baseline: Any, alpha: Any,
                       seed: Any) -> tuple[int, int, float, float, int]:
    experiments = _count(experiments, "experiments", minimum=10)
    n_per_arm = _count(n_per_arm, "n_per_arm", minimum=2)
    baseline = _number(baseline, "baseline", low=0.0, high=1.0, low_open=True, high_open=True)
    if experiments > 200_000:
        raise ValueError(f"experiments should be at most 200,000, got {experiments}")
    if n_per_arm > 10**12:
        raise ValueError("n_per_arm is too large to simulate")
    return experiments, n_per_arm, baseline, _alpha(alpha), _count(seed, "seed")


@_plain_errors
def peeking_simulation(experiments: int = 2000, n_per_arm: int = 20_000, looks: int = 20,
                       baseline: float = 0.10, alpha: float = 0.05, tau: float | None = None,
                       seed: int = 0) -> PeekingSimulation:
    """Simulate A/A tests (no real effect) checked ``looks`` times as data arrives.

    Compares three rules: look once at the end; stop at the first look with p < alpha
    (peeking); stop at the first look where the always-valid p-value is below alpha.

    >>> r = peeking_simulation(experiments=1000, looks=10, seed=1)
    >>> r.false_positive_rate_peeking > 2 * r.false_positive_rate_sequential
    True
    """
    experiments, n_per_arm, baseline, alpha, seed = _simulation_inputs(
        experiments, n_per_arm, baseline, alpha, seed)
    looks = _count(looks, "looks", minimum=1)
    if looks > min(n_per_arm, 1000):
        raise ValueError(f"looks should be between 1 and {min(n_per_arm, 1000)}, got {looks}")
    if experiments * looks > 5_000_000:
        raise ValueError("experiments x looks should stay below 5 million to fit in memory")
    tau = 0.1 * baseline if tau is None else _number(tau, "tau", low=0.0, low_open=True)
    xa, na, xb, nb = _simulate_aa(experiments, n_per_arm, looks, baseline, seed)
    naive = _z_p_values(xa, na, xb, nb)
    with np.errstate(all="ignore"):
        pa, pb = xa / na, xb / nb
        var = pa * (1 - pa) / na + pb * (1 - pb) / nb
    var = np.where(var > 0, var, np.inf)
    sequential = _mixture_p_values(pb - pa, var, tau)
    # Share of tests already stopped with a "winner" by each look.
    peeking_by_look = np.logical_or.accumulate(naive < alpha, axis=1).mean(axis=0)
    sequential_by_look = (sequential <= alpha).mean(axis=0)
    return PeekingSimulation(
        false_positive_rate_one_look=float((naive[:, -1] < alpha).mean()),
        false_positive_rate_peeking=float(peeking_by_look[-1]),
        false_positive_rate_sequential=float(sequential_by_look[-1]),
        alpha=alpha, looks=looks, experiments=experiments,
        peeking_by_look=tuple(float(v) for v in peeking_by_look),
        sequential_by_look=tuple(float(v) for v in sequential_by_look))


@dataclass(frozen=True, repr=False)
class AASimulation(Result):
    """Many A/A tests: the p-values you get when nothing changed."""

    p_values: np.ndarray = field(repr=False, compare=False)
    false_positive_rate: float
    alpha: float
    experiments: int

    def summary(self) -> str:
        return (f"{self.false_positive_rate:.1%} of {self.experiments:,} A/A tests (identical arms) "
                f"came out 'significant' at alpha = {self.alpha:g}: that is what a false "
                "positive is, and alpha is how often you agreed to see one.")

    def plot(self, ax: Any = None) -> Any:
        ax = new_axes(ax)
        ax.hist(self.p_values, bins=20, range=(0, 1), color=PALETTE[0], edgecolor="white")
        ax.axvline(self.alpha, color=PALETTE[3], linestyle="--")
        ax.set_xlabel("p-value of an A/A test")
        ax.set_ylabel("Number of tests")
        ax.set_title(f"With no real effect p-values are spread evenly: "
                     f"{self.false_positive_rate:.0%} fall below {self.alpha:g}")
        return ax


@_plain_errors
def aa_simulation(experiments: int = 1000, n_per_arm: int = 10_000, baseline: float = 0.10,
                  alpha: float = 0.05, seed: int = 0) -> AASimulation:
    """Run ``experiments`` simulated A/A tests and report how many look significant.

    >>> r = aa_simulation(experiments=2000, seed=3)
    >>> 0.03 < r.false_positive_rate < 0.07
    True
    """
    experiments, n_per_arm, baseline, alpha, seed = _simulation_inputs(
        experiments, n_per_arm, baseline, alpha, seed)
    xa, na, xb, nb = _simulate_aa(experiments, n_per_arm, 1, baseline, seed)
    p = _z_p_values(xa, na, xb, nb)[:, 0]
    return AASimulation(p_values=p, false_positive_rate=float((p < alpha).mean()), alpha=alpha,
                        experiments=experiments)



# --------------------------------------------------------------------------- the report card
GUARDRAIL_DIRECTIONS = ("higher is worse", "lower is worse")


@dataclass(frozen=True, repr=False)
class ExperimentReport(Result):
    """Everything a launch review needs from one A/B test, ending in a recommendation."""

    experiment: str
    recommendation: str
    reasons: tuple[str, ...]
    srm: SampleRatioCheck
    primary: Comparison
    guardrails: tuple[Comparison, ...]
    harmed_guardrails: tuple[str, ...]
    guardrail_adjusted_p: tuple[float, ...]
    cuped_applied: bool
    variance_reduction: float
    novelty_detected: bool
    early: Comparison | None = None
    late: Comparison | None = None
    # False: the card, summary and plot show the evidence only, so a reader makes the call
    # before seeing the tool's (``with_verdict()`` shows it afterwards).
    verdict: bool = field(default=True, compare=False)

    def title(self) -> str:
        return f"Experiment report: {self.experiment}"

    def with_verdict(self) -> ExperimentReport:
        """The same report, showing its recommendation."""
        return replace(self, verdict=True)

    def _accent(self) -> str:
        if not self.verdict:
            return NEUTRAL
        return {"ship": GOOD, "iterate": PALETTE[1]}.get(self.recommendation, BAD)

    def summary(self) -> str:
        if not self.verdict:
            parts = [f"{m.metric} {_effect_words(m)}" for m in (self.primary, *self.guardrails)]
            return "Evidence (your call to make): " + "; ".join(parts) + "."
        return f"Recommendation: {self.recommendation}. " + " ".join(self.reasons)

    def _card_rows(self) -> list[tuple[str, Any]]:
        p = self.primary
        top = [("recommendation", self.recommendation)] if self.verdict else []
        rows = [*top,
                ("traffic split", f"{'OK' if self.srm.passed else 'MISMATCH'} "
                                  f"(p = {self.srm.p_value:.2g})"),
                (f"primary: {p.metric}", _effect_words(p))]
        if self.cuped_applied:
            rows.append(("CUPED variance cut", f"{self.variance_reduction:.0%}"))
        for g in self.guardrails:
            flag = " HARMED" if g.metric in self.harmed_guardrails and self.verdict else ""
            rows.append((f"guardrail: {g.metric}", _effect_words(g) + flag))
        if self.early is not None and self.late is not None:
            rows.append(("early users / late users",
                         f"{_effect_words(self.early)} / {_effect_words(self.late)}"))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """One row per metric: role, estimates, intervals, p-values and whether it hurt."""
        rows = [self.primary.to_frame().assign(role="primary", harmed=False)]
        rows += [g.to_frame().assign(role="guardrail", harmed=g.metric in self.harmed_guardrails,
                                     holm_p_value=p)
                 for g, p in zip(self.guardrails, self.guardrail_adjusted_p, strict=True)]
        frame = pd.concat(rows, ignore_index=True)
        return frame[["role", *[c for c in frame.columns if c != "role"]]]

    def plot(self, ax: Any = None) -> Any:
        """Relative change of every metric with its interval: the launch review at a glance."""
        metrics = [self.primary, *self.guardrails]
        ax = new_axes(ax, size=(6.4, 1.2 + 0.5 * len(metrics)))
        for k, m in enumerate(metrics):
            # Harmed, a win, or neither: in colour, and in the point's shape and the line's style.
            status = (2 if m.metric in self.harmed_guardrails
                      else 1 if (k == 0 and m.significant and m.difference > 0) else 0)
            colour = (NEUTRAL, GOOD, BAD)[status]
            low, high = (100 * v for v in m.relative_ci)
            if math.isfinite(low) and math.isfinite(high):
                ax.plot([low, high], [k, k], color=colour, linewidth=3, linestyle=(":", "-", "-.")[status])
            ax.scatter([100 * m.relative_lift], [k], color=colour, zorder=3, marker=("o", "^", "X")[status])
        ax.axvline(0, color=PALETTE[7], linewidth=1, linestyle="--")
        ax.set_yticks(range(len(metrics)),
                      [f"{plain(m.metric)} (primary)" if k == 0 else plain(m.metric)
                       for k, m in enumerate(metrics)])
        ax.invert_yaxis()
        ax.set_xlabel(f"Relative change, treatment vs control (%), {1 - self.primary.alpha:.0%} "
                      "interval")
        ax.set_title(f"{self.experiment}: {self.recommendation}" if self.verdict else self.experiment)
        return ax


def _effect_words(c: Comparison) -> str:
    lift = f"{c.relative_lift:+.1%}" if math.isfinite(c.relative_lift) else c._change(c.difference)
    return f"{lift} (p = {c.p_value:.2g})"


def _parse_metric(metric: Any) -> tuple[str, str | None]:
    """'revenue' -> ('revenue', None); 'clicks / page_views' or a pair -> a ratio metric."""
    if isinstance(metric, tuple | list) and len(metric) == 2:
        return _label(metric[0], "metric numerator"), _label(metric[1], "metric denominator")
    metric = _label(metric, "metric")
    if "/" in metric:
        parts = [part.strip() for part in metric.split("/")]
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"a ratio metric looks like 'clicks / page_views', got {metric!r}")
        return parts[0], parts[1]
    return metric, None


def _parse_guardrails(guardrails: Any) -> dict[str, str]:
    if guardrails is None:
        return {}
    if isinstance(guardrails, str):
        guardrails = [guardrails]
    if isinstance(guardrails, Mapping):
        parsed = {_label(k, "guardrail"): check.one_of(v, f"direction of guardrail {k!r}",
                                                       GUARDRAIL_DIRECTIONS)
                  for k, v in guardrails.items()}
    elif isinstance(guardrails, Sequence):
        parsed = {_label(g, "guardrail"): "higher is worse" for g in guardrails}
    else:
        raise TypeError("guardrails should be a list of column names or a mapping from column "
                        f"name to 'higher is worse' / 'lower is worse', got "
                        f"{check.safe_repr(guardrails)}")
    return parsed


def _numeric_column(table: pd.DataFrame, name: str) -> np.ndarray:
    column = table[name]
    if column.dtype.kind not in "biuf":
        raise TypeError(f"column {name!r} should hold numbers, got dtype {column.dtype}")
    values = column.to_numpy(dtype=float, na_value=np.nan)
    return values


def _arm_masks(table: pd.DataFrame, variant: str, control: Any, treatment: Any
               ) -> tuple[np.ndarray, int, int]:
    """Boolean treatment mask and arm sizes; refuses rows in neither arm."""
    column = table[variant]
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Comparing small integer codes is far cheaper than comparing millions of strings.
        categories = list(column.cat.categories)
        codes = column.cat.codes.to_numpy()
        in_t = codes == (categories.index(treatment) if treatment in categories else -2)
        in_c = codes == (categories.index(control) if control in categories else -2)
    else:
        values = column.to_numpy()
        in_t = values == treatment
        in_c = values == control
    n_t, n_c = int(np.count_nonzero(in_t)), int(np.count_nonzero(in_c))
    if n_t + n_c != len(column):
        odd = pd.unique(column[~(in_t | in_c)])[:5]
        raise ValueError(f"column {variant!r} should hold only {control!r} and {treatment!r}; "
                         f"it also holds {', '.join(map(check.safe_repr, odd))}")
    for arm, n in ((control, n_c), (treatment, n_t)):
        if n < 2:
            raise ValueError(f"arm {arm!r} has {n} user(s); each arm needs at least two")
    return in_t, n_c, n_t


def _plain_comparison(name: str, y: np.ndarray, in_t: np.ndarray, n_c: int, n_t: int,
                      alpha: float, is_rate: bool) -> Comparison:
    y_c, y_t = y[~in_t], y[in_t]
    if is_rate:
        # A 0/1 metric gets exactly what two_proportions gives (pooled z-test, unpooled
        # interval): one recipe for a rate wherever it is read.
        return two_proportions(int(y_c.sum()), n_c, int(y_t.sum()), n_t, alpha=alpha,
                               metric=name)
    centred_c, centred_t = _centre(y_c), _centre(y_t)
    (mean_c, var_c), (mean_t, var_t) = _mean_var(centred_c), _mean_var(centred_t)
    return _welch(name, n_c, mean_c, var_c, n_t, mean_t, var_t, alpha, "two-sided",
                  difference=_mean_difference(centred_c, centred_t))


def _cuped_comparison(name: str, y: np.ndarray, x: np.ndarray, x_t: np.ndarray,
                      in_t: np.ndarray, n_c: int, n_t: int, alpha: float,
                      is_rate: bool) -> tuple[Comparison, float]:
    """Welch test on y - theta * x with theta from the pooled within-arm regression.

    Each arm is centred on its own means first (see _centre), and the adjusted variance is
    taken from the residuals themselves rather than from Syy - 2 theta Sxy + theta^2 Sxx,
    which cancels when the pre-period predicts the metric well.
    """
    arms = [(_centre(y[~in_t]), _centre(x[~in_t])), (_centre(y[in_t]), _centre(x_t))]
    within_xx = sum(cx.squares for _, cx in arms)
    if not within_xx > 0:
        raise ValueError("the pre-period column does not vary within arms; CUPED cannot use it")
    theta = sum(cx.co_squares(cy) for cy, cx in arms) / within_xx
    adjusted = []
    for cy, cx in arms:
        residual = cy.deviations - theta * cx.deviations
        rest = cy.correction - theta * cx.correction  # the residuals' mean
        squares = float(residual @ residual) - residual.size * rest * rest
        adjusted.append((cy.mean + cy.correction, max(squares, 0.0) / (residual.size - 1)))
    (my_c, var_c), (my_t, var_t) = adjusted
    (cy_c, cx_c), (cy_t, cx_t) = arms
    difference = _mean_difference(cy_c, cy_t) - theta * _mean_difference(cx_c, cx_t)
    raw_var = (cy_c.squares + cy_t.squares) / (n_c + n_t - 2)
    reduction = 1 - (var_c * (n_c - 1) + var_t * (n_t - 1)) / (n_c + n_t - 2) / raw_var \
        if raw_var > 0 else 0.0
    comparison = _welch(name, n_c, my_c, var_c, n_t, my_t, var_t, alpha, "two-sided",
                        method="Welch's t-test on CUPED-adjusted values", is_rate=is_rate,
                        difference=difference)
    return comparison, float(reduction)


def _ratio_comparison(name: str, num: np.ndarray, den: np.ndarray, in_t: np.ndarray,
                      alpha: float) -> Comparison:
    try:
        (n_c, r_c, v_c), (n_t, r_t, v_t) = (_ratio_moments(num[rows], den[rows], arm)
                                            for arm, rows in (("control", ~in_t),
                                                              ("treatment", in_t)))
    except ValueError as error:
        if "clean" not in str(error):
            raise
        raise ValueError(f"{name} holds missing, infinite or enormous values; clean it first"
                         ) from None
    return _welch_z(name, n_c, r_c, v_c, n_t, r_t, v_t, alpha, "two-sided",
                    method="delta-method z-test for a ratio metric")


def _novelty(y: np.ndarray, day: np.ndarray, in_t: np.ndarray, name: str, alpha: float,
             is_rate: bool) -> tuple[Comparison, Comparison, bool] | None:
    """Effect in the first vs the last quarter of arrivals; a fading effect flags novelty."""
    first, last = np.quantile(day, [0.25, 0.75])
    if not first < last:
        return None
    halves = []
    for rows in (day <= first, day >= last):
        t = in_t[rows]
        n_t = int(np.count_nonzero(t))
        n_c = t.size - n_t
        if min(n_t, n_c) < 2:
            return None
        try:
            halves.append(_plain_comparison(name, y[rows], t, n_c, n_t, alpha, is_rate))
        except ValueError:
            return None
    early, late = halves
    gap = early.difference - late.difference
    # Each half's standard error read back from its (two-sided) interval: for a rate the
    # statistic is a pooled z, whose standard error assumes no effect and would not do here.
    gap_se = math.hypot(*((c.ci[1] - c.ci[0]) / (2 * _critical(c.alpha, "two-sided", c.df))
                          for c in halves))
    faded = (early.significant and early.difference > 0 and late.difference < early.difference / 2
             and gap_se > 0 and _p_value(gap / gap_se, "larger") < alpha)
    return early, late, bool(faded)


@_plain_errors
def analyze(table: pd.DataFrame, metric: Any = "converted", guardrails: Any = None, *,
            experiment: str | None = None, pre_period: str | None = "pre_revenue",
            day: str | None = "day", variant: str = "variant", control: str = "control",
            treatment: str = "treatment", treatment_share: float = 0.5, alpha: float = 0.05,
            srm_alpha: float = 0.001, verdict: bool = True) -> ExperimentReport:
    """Turn a user-level experiment table into a launch report card with a recommendation.

    One row per user: a ``variant`` column (control / treatment), the ``metric`` column
    (or a ratio such as ``"clicks / page_views"``), the ``guardrails`` columns (a list means
    higher is worse; a mapping may say ``"lower is worse"``), and optionally a pre-period
    column for CUPED and a ``day`` column for the novelty check. Steps: the sample-ratio gate,
    the primary metric (CUPED-adjusted when ``pre_period`` exists), each guardrail (harm
    judged on Holm-adjusted p-values), whether the lift fades for users who arrived late
    (novelty), then "ship", "iterate" or "don't ship" with reasons. ``verdict=False`` keeps
    the recommendation out of the card, summary and plot (evidence only, for a reader who
    decides first); ``report.with_verdict()`` shows it.

    Each metric is read with the test that suits it. A 0/1 column is a rate and gets exactly
    what :func:`two_proportions` gives (pooled z-test, unpooled interval), so a conversion
    rate has one difference, interval and p-value wherever it is read. Other columns get
    Welch's t-test (:func:`compare_means`) and ratios the delta method (:func:`ratio_metric`).
    With CUPED the primary metric becomes y - theta * pre-period: those values are no longer
    0/1 and their variance is no longer p(1 - p), so even a rate is then read with Welch's t
    on the adjusted values (the regression-adjusted comparison, as ``y ~ treatment + pre``).

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 20_000
    >>> arm = np.where(rng.random(n) < 0.5, "treatment", "control")
    >>> bought = (rng.random(n) < np.where(arm == "treatment", 0.12, 0.10)).astype(int)
    >>> slow = rng.normal(800, 100, n)
    >>> users = pd.DataFrame({"variant": arm, "converted": bought, "latency_ms": slow})
    >>> report = analyze(users, "converted", ["latency_ms"])
    >>> report.recommendation, report.srm.passed, report.primary.significant
    ('ship', True, True)
    """
    check.columns(table, [variant], "the experiment table")
    table = _one_experiment(table, experiment)
    name = experiment if experiment is not None else _experiment_name(table)
    numerator, denominator = _parse_metric(metric)
    guards = _parse_guardrails(guardrails)
    alpha, srm_alpha = _alpha(alpha), _alpha(srm_alpha, "srm_alpha")
    share = _number(treatment_share, "treatment_share", low=0.0, high=1.0, low_open=True,
                    high_open=True)
    for column, what in ((pre_period, "pre_period"), (day, "day")):
        if column is not None:
            _label(column, what)
    needed = [numerator, *([denominator] if denominator else []), *guards]
    check.columns(table, needed, "the experiment table")
    in_t, n_c, n_t = _arm_masks(table, variant, control, treatment)
    srm = srm_check({control: n_c, treatment: n_t}, {control: 1 - share, treatment: share},
                    alpha=srm_alpha)

    metric_name = numerator if denominator is None else f"{numerator} / {denominator}"
    y = _numeric_column(table, numerator)
    is_rate = denominator is None and _is_binary(y)
    cuped_applied, reduction = False, math.nan
    if denominator is not None:
        primary = _ratio_comparison(metric_name, y, _numeric_column(table, denominator), in_t,
                                    alpha)
    elif pre_period is not None and pre_period in table.columns:
        x = _numeric_column(table, pre_period)
        primary, reduction = _cuped_comparison(metric_name, y, x, x[in_t], in_t, n_c, n_t,
                                               alpha, is_rate)
        cuped_applied = True
    else:
        primary = _plain_comparison(metric_name, y, in_t, n_c, n_t, alpha, is_rate)

    guard_results = []
    for column in guards:
        values = _numeric_column(table, column)
        guard_results.append(_plain_comparison(column, values, in_t, n_c, n_t, alpha,
                                               _is_binary(values)))
    # Several guardrails mean several chances of a false alarm; Holm keeps the chance of any
    # false alarm at alpha while still catching a real harm.
    adjusted = (adjust_p_values([g.p_value for g in guard_results], "holm", alpha).adjusted
                if guard_results else ())
    harmed = [g.metric for g, p, direction in zip(guard_results, adjusted, guards.values(),
                                                  strict=True)
              if p < alpha and (g.difference > 0) == (direction == "higher is worse")]

    early = late = None
    faded = False
    if denominator is None and day is not None and day in table.columns:
        split = _novelty(y, _numeric_column(table, day), in_t, metric_name, alpha, is_rate)
        if split is not None:
            early, late, faded = split
    recommendation, reasons = _decide(srm, primary, guard_results, harmed, faded, early, late)
    return ExperimentReport(
        experiment=name, recommendation=recommendation, reasons=tuple(reasons), srm=srm,
        primary=primary, guardrails=tuple(guard_results), harmed_guardrails=tuple(harmed),
        guardrail_adjusted_p=tuple(adjusted), cuped_applied=cuped_applied,
        variance_reduction=reduction, novelty_detected=faded,
        early=early, late=late, verdict=bool(verdict))


def _is_binary(values: np.ndarray) -> bool:
    head = values[:1000]
    if not ((head == 0) | (head == 1)).all():
        return False  # the common case for revenue-like columns, decided cheaply
    return bool(((values == 0) | (values == 1)).all())


def _one_experiment(table: pd.DataFrame, experiment: str | None) -> pd.DataFrame:
    if experiment is None:
        if "experiment" in table.columns and len(table):
            column = table["experiment"]
            if (column != column.iloc[0]).any():
                names = ", ".join(map(str, pd.unique(column)[:8]))
                raise ValueError(f"the table holds several experiments ({names}); "
                                 "pass experiment= to pick one")
        return table
    _label(experiment, "experiment")
    check.columns(table, ["experiment"], "the experiment table")
    rows = table[table["experiment"] == experiment]
    if rows.empty:
        names = ", ".join(map(str, pd.unique(table["experiment"])[:8]))
        raise ValueError(f"no rows for experiment {experiment!r}; the table holds: {names}")
    return rows


def _experiment_name(table: pd.DataFrame) -> str:
    if "experiment" in table.columns and len(table):
        return str(table["experiment"].iloc[0])
    return "experiment"


def _decide(srm: SampleRatioCheck, primary: Comparison, guardrails: Sequence[Comparison],
            harmed: Sequence[str], faded: bool, early: Comparison | None,
            late: Comparison | None) -> tuple[str, list[str]]:
    """The launch call and the reasons for it, most serious first."""
    metric = primary.metric
    effect = f"{metric} {_effect_words(primary)}"
    if not srm.passed:
        treated = srm.observed[1] / sum(srm.observed)
        planned = srm.expected[1] / sum(srm.expected)
        return "don't ship", [
            f"The traffic split failed the sample-ratio check: treatment got {pct(treated)} of "
            f"users against {pct(planned)} planned (p = {srm.p_value:.2g}).",
            "Some users went missing or were counted twice, so every comparison is suspect; "
            "find the cause, fix it and rerun before reading the metrics."]
    harms = [g for g in guardrails if g.metric in harmed]
    harm_words = "; ".join(f"{g.metric} {_effect_words(g)}" for g in harms)
    wins = primary.significant and primary.difference > 0
    if harms and wins:
        return "iterate", [
            f"The primary metric improved ({effect}), but guardrails got worse: {harm_words}.",
            "Do not ship as is: fix what hurts the guardrail and test again."]
    if harms:
        return "don't ship", [f"Guardrails got worse ({harm_words}) and the primary metric did "
                              f"not improve ({effect})."]
    if wins and faded and early is not None and late is not None:
        fading = (f"{metric} rose overall ({effect}), but the lift fades: the first quarter of "
                  f"users to arrive show {_effect_words(early)}, the last quarter "
                  f"{_effect_words(late)}.")
        if late.significant and late.difference > 0:
            return "iterate", [fading, "Part of the gain is novelty; run the test longer to see "
                                       "where the lasting effect settles before shipping."]
        return "don't ship", [fading, "That is a novelty effect with no evidence of a lasting "
                                      "gain: do not ship for the lift."]
    if wins:
        checked = ", ".join(g.metric for g in guardrails) or "none set"
        return "ship", [f"The primary metric improved ({effect}) and no guardrail got worse "
                        f"(checked: {checked})."]
    if primary.significant:
        return "don't ship", [f"The primary metric got worse ({effect})."]
    return "don't ship", [
        f"No detectable change in {metric} ({effect}, {1 - primary.alpha:.0%} CI "
        f"{primary._change(primary.ci[0])} to {primary._change(primary.ci[1])}).",
        "Keep the current version; a bolder idea, or a larger test if a smaller effect would "
        "still matter, is the next step."]



# --------------------------------------------------------------------------- a test that ran
@dataclass(frozen=True, repr=False)
class Power(Result):
    """The chance that a test of a given size detects a given change (its power)."""

    power: float
    per_arm: int
    baseline: float
    mde: float
    relative_mde: float
    alpha: float
    alternative: str
    ratio: float
    sd: float | None = None

    def summary(self) -> str:
        change = _points(self.mde) if self.sd is None else fmt(self.mde)
        miss = 1 - self.power
        return (f"With {self.per_arm:,} users per arm, a real change of {change} "
                f"({self.relative_mde:+.1%} relative) reaches significance at alpha = "
                f"{self.alpha:g} with probability {self.power:.0%}: the test misses it "
                f"{miss:.0%} of the time.")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"per_arm": [self.per_arm], "mde": [self.mde],
                             "relative_mde": [self.relative_mde], "power": [self.power]})

    def plot(self, ax: Any = None) -> Any:
        """Power against the size of the real change, for this test's users."""
        ax = new_axes(ax)
        room = (self.baseline if self.alternative == "smaller" else 1 - self.baseline
                ) if self.sd is None else math.inf
        effects = np.linspace(self.mde * 0.1, min(self.mde * 2.5, 0.98 * room), 60)
        powers = [_power(self.baseline, e, self.per_arm, self.alpha, self.alternative,
                         self.ratio, self.sd) for e in effects]
        scale = 100 if self.sd is None else 1
        ax.plot(effects * scale, powers, color=PALETTE[0])
        ax.axhline(0.8, color=PALETTE[7], linestyle="--", linewidth=1)
        ax.scatter([self.mde * scale], [self.power], color=PALETTE[1], zorder=3)
        ax.set_xlabel("Real change" + (" (percentage points)" if self.sd is None else ""))
        ax.set_ylabel("Power (chance of a significant result)")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{self.per_arm:,} users per arm: {self.power:.0%} power for this change")
        return ax


def _power(baseline: float, effect: float, n: float, alpha: float, alternative: str,
           ratio: float, sd: float | None) -> float:
    """Power of the test sample_size sizes for (pooled z for rates, z for means)."""
    signed = -effect if alternative == "smaller" else effect
    null_sd, real_sd = _difference_sds(baseline, signed, ratio, sd)
    two = alternative == "two-sided"
    crit = float(_norm_quantile(1 - alpha / 2 if two else 1 - alpha))
    distance = effect * math.sqrt(n)
    hit = float(_norm_cdf((distance - crit * null_sd) / real_sd))
    if two:  # a significant result in the wrong direction counts too, as in statsmodels
        hit += float(_norm_cdf((-distance - crit * null_sd) / real_sd))
    return hit


@_plain_errors
def power_of_test(baseline: float, mde: float, n: int, alpha: float = 0.05, *,
                  relative: bool = False, alternative: str = "two-sided", ratio: float = 1.0,
                  sd: float | None = None) -> Power:
    """The power a test with ``n`` control users (and ``ratio * n`` treated) has for ``mde``.

    Use it on a test that ran: a null result means little unless the test could have seen
    the change that matters. The inverse of :func:`sample_size` (same tests, same formula):
    ``sample_size(baseline, mde).exact`` users give ``power`` back.

    >>> round(power_of_test(0.10, 0.01, 14_751).power, 3)
    0.8
    >>> round(power_of_test(0.15, 0.10, 5_000, relative=True).power, 2)
    0.54
    """
    baseline, alpha, _, alternative, ratio, sd = _sizing_inputs(
        baseline, mde, alpha, (1 + _alpha(alpha)) / 2, relative, alternative, ratio, sd)
    effect = _absolute_effect(baseline, mde, relative, alternative, sd)
    n = _count(n, "n", minimum=2)
    value = _power(baseline, effect, n, alpha, alternative, ratio, sd)
    _finite(power=value)
    return Power(power=value, per_arm=n, baseline=baseline, mde=effect,
                 relative_mde=effect / abs(baseline) if baseline else math.nan, alpha=alpha,
                 alternative=alternative, ratio=ratio, sd=sd)


__all__ += ["Power", "power_of_test"]
