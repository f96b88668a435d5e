"""Voice of the customer: NPS, pain points, Kano, RICE and the PR/FAQ.

Customer obsession starts by listening at scale. This module turns what
customers say and score into numbers a PM can act on:

- ``nps`` and ``nps_by_segment``: Net Promoter Score with its uncertainty.
- ``pain_points``: themes found in reviews, tickets or NPS comments with a
  documented keyword ``LEXICON``, ranked by frequency × severity.
- ``kano_category``, ``kano_coefficients`` and ``kano_survey``: which
  features customers take for granted and which ones delight them.
- ``rice_score`` and ``rice_ranking``: what to fix first.
- ``prfaq``: a working-backwards press release and FAQ, checked for its parts.

>>> nps([10, 9, 8, 3]).score
25.0
"""

from __future__ import annotations

import html
import math
import numbers
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from pmkit import _validate
from pmkit.display import (
    BAD,
    GOOD,
    HIGHLIGHT,
    MARKERS,
    NEUTRAL,
    PALETTE,
    card,
    fmt,
    new_axes,
    pct,
    plain,
    safe_repr,
)
from pmkit.results import Result

__all__ = [
    "FIVE_QUESTIONS",
    "KANO_ANSWERS",
    "KANO_CATEGORIES",
    "KANO_TABLE",
    "LEXICON",
    "NPS",
    "PRFAQ",
    "KanoCoefficients",
    "KanoSurvey",
    "NPSBySegment",
    "PainPoints",
    "RiceRanking",
    "TopThemeOdds",
    "cited_numbers",
    "dominant_category",
    "find_themes",
    "kano_category",
    "kano_coefficients",
    "kano_survey",
    "nps",
    "nps_by_segment",
    "pain_points",
    "prfaq",
    "rank_themes",
    "rice_ranking",
    "rice_score",
    "severity_from_rating",
    "theme_matrix",
    "top_theme_odds",
]


# ------------------------------------------------------------- validation ---


def _z(alpha: Any) -> float:
    """The two-sided normal critical value for ``alpha`` (0.05 gives 1.96)."""
    alpha = _validate.probability(alpha, "alpha", open_interval=True)
    # The standard library's inverse normal CDF is exact to ~1e-15, so no scipy import.
    return statistics.NormalDist().inv_cdf(1 - alpha / 2)


def _as_list(values: Any, name: str) -> list[Any]:
    """An ordered sequence as a list (a string, mapping or table is not one)."""
    if isinstance(values, str | bytes) or values is None or not isinstance(values, Iterable):
        raise TypeError(f"{name} should be a list or Series, got {safe_repr(values)}")
    if isinstance(values, Mapping | set | frozenset | pd.DataFrame):
        raise TypeError(f"{name} should be an ordered list or Series, got a {type(values).__name__}")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"{name} should be one-dimensional, got shape {values.shape}")
    return list(values)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# -------------------------------------------------------------------- NPS ---

PROMOTER_MIN, DETRACTOR_MAX = 9, 6


def _nps_answers(scores: Any, name: str = "scores") -> np.ndarray:
    values = _validate.array(scores, name, min_size=2, low=0, high=10)
    if not np.all(values == np.round(values)):
        raise ValueError(f"{name} should be whole numbers from 0 to 10 (the NPS scale)")
    return values


def _nps_numbers(promoters: int, passives: int, detractors: int, z: float
                 ) -> tuple[float, float, float, float]:
    """Score, standard error and CI bounds, all in NPS points (-100..100)."""
    n = promoters + passives + detractors
    p_promoter, p_detractor = promoters / n, detractors / n
    score = p_promoter - p_detractor
    # NPS is a difference of two shares of one multinomial sample:
    # Var = (p_P + p_D - (p_P - p_D)^2) / n.
    variance = max(p_promoter + p_detractor - score**2, 0.0) / n
    se = math.sqrt(variance)
    low, high = max(score - z * se, -1.0), min(score + z * se, 1.0)
    return 100 * score, 100 * se, 100 * low, 100 * high


def _signed(value: float) -> str:
    return f"{value:+.0f}" if abs(value) >= 0.5 else "0"


@dataclass(frozen=True, repr=False)
class NPS(Result):
    """A Net Promoter Score with its counts and uncertainty."""

    score: float
    n: int
    promoters: int
    passives: int
    detractors: int
    standard_error: float
    ci: tuple[float, float]
    alpha: float = 0.05

    def title(self) -> str:
        return "Net Promoter Score"

    def _accent(self) -> str:
        return GOOD if self.ci[0] > 0 else BAD if self.ci[1] < 0 else NEUTRAL

    def summary(self) -> str:
        level = round(100 * (1 - self.alpha))
        return (
            f"NPS is {_signed(self.score)} ({level}% CI {_signed(self.ci[0])} to {_signed(self.ci[1])}) "
            f"from {self.n:,} answers: {pct(self.promoters / self.n, 0)} promoters, "
            f"{pct(self.passives / self.n, 0)} passives, {pct(self.detractors / self.n, 0)} detractors."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per group: count and share."""
        counts = [self.detractors, self.passives, self.promoters]
        return pd.DataFrame({
            "group": ["detractors (0-6)", "passives (7-8)", "promoters (9-10)"],
            "count": counts,
            "share": [c / self.n for c in counts],
        })

    def plot(self, ax: Any = None) -> Any:
        """A single stacked bar: detractors, passives, promoters."""
        ax = new_axes(ax, size=(6.4, 1.8))
        left = 0.0
        colours = (BAD, NEUTRAL, GOOD)
        hatches = (HIGHLIGHT, "..", "")  # detractors, passives, promoters: not by colour alone
        ink = ("black", "white", "black")  # the label colour with >= 4.5:1 on each bar
        for (_, row), colour, hatch, text in zip(self.to_frame().iterrows(), colours, hatches, ink,
                                                 strict=True):
            ax.barh([0], [row["share"]], left=left, color=colour, hatch=hatch, label=row["group"])
            if row["share"] >= 0.06:
                ax.text(left + row["share"] / 2, 0, pct(row["share"], 0), ha="center",
                        va="center", color=text, fontweight="bold",
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1})
            left += row["share"]
        ax.set_xlim(0, 1)
        ax.set_yticks([])
        ax.set_xlabel("share of respondents")
        ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.45), frameon=False)
        ax.set_title(f"NPS {_signed(self.score)} (± {self.standard_error * _z(self.alpha):.0f} points)")
        return ax


def nps(scores: Any, *, alpha: float = 0.05) -> NPS:
    """Net Promoter Score of 0-10 answers: % promoters (9-10) minus % detractors (0-6).

    The standard error treats the answers as one multinomial sample; the
    confidence interval is the normal approximation, clipped to [-100, 100].

    >>> result = nps([10, 10, 9, 8, 7, 6, 3, 10])
    >>> result.score, result.promoters, result.detractors
    (25.0, 4, 2)
    >>> round(result.standard_error, 1)
    29.3
    """
    values = _nps_answers(scores)
    promoters = int((values >= PROMOTER_MIN).sum())
    detractors = int((values <= DETRACTOR_MAX).sum())
    passives = values.size - promoters - detractors
    alpha_value = _validate.probability(alpha, "alpha", open_interval=True)
    score, se, low, high = _nps_numbers(promoters, passives, detractors, _z(alpha_value))
    return NPS(score, int(values.size), promoters, passives, detractors, se, (low, high), alpha_value)


@dataclass(frozen=True, repr=False)
class NPSBySegment(Result):
    """NPS per customer segment, highest first."""

    table: pd.DataFrame = field(repr=False)
    segment: str
    alpha: float = 0.05

    def title(self) -> str:
        return f"NPS by {self.segment}"

    def _gap(self) -> tuple[pd.Series, pd.Series, float, float]:
        best, worst = self.table.iloc[0], self.table.iloc[-1]
        gap = best["nps"] - worst["nps"]
        margin = _z(self.alpha) * math.hypot(best["standard_error"], worst["standard_error"])
        return best, worst, gap, margin

    def summary(self) -> str:
        best, worst, gap, margin = self._gap()
        verdict = "larger than" if gap > margin else "within"
        tail = "" if gap > margin else ", so it may be noise"
        return (
            f"NPS ranges from {_signed(best['nps'])} ({best[self.segment]}) to "
            f"{_signed(worst['nps'])} ({worst[self.segment]}); the {gap:.1f}-point gap is "
            f"{verdict} its ± {margin:.1f}-point margin of error{tail}."
        )

    def _card_rows(self) -> list[tuple[str, Any]]:
        return [
            (str(row[self.segment]),
             f"{_signed(row['nps'])} ({_signed(row['ci_low'])} to {_signed(row['ci_high'])}), "
             f"n = {row['n']:,}")
            for _, row in self.table.iterrows()
        ]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Each segment's NPS with its confidence interval."""
        ax = new_axes(ax)
        table = self.table.iloc[::-1]
        labels = [str(v) for v in table[self.segment]]
        errors = np.vstack([table["nps"] - table["ci_low"], table["ci_high"] - table["nps"]])
        ax.errorbar(table["nps"], labels, xerr=errors, fmt="o", color=PALETTE[0], capsize=4)
        ax.axvline(0, color=NEUTRAL, linewidth=1, linestyle="--")
        ax.set_xlabel(f"NPS with {round(100 * (1 - self.alpha))}% confidence interval")
        ax.set_ylabel(plain(self.segment))
        ax.margins(y=0.25)
        best, worst, _, _ = self._gap()
        ax.set_title(f"Highest NPS: {best[self.segment]}; lowest: {worst[self.segment]}")
        return ax


def nps_by_segment(data: Any, segment: str, score: str = "score", *, alpha: float = 0.05
                   ) -> NPSBySegment:
    """NPS for each value of the ``segment`` column, highest first.

    >>> answers = pd.DataFrame({"plan": ["free"] * 4 + ["plus"] * 4,
    ...                         "score": [3, 6, 9, 10, 9, 10, 10, 8]})
    >>> nps_by_segment(answers, "plan").to_frame()[["plan", "n", "nps"]]
       plan  n   nps
    0  plus  4  75.0
    1  free  4   0.0
    """
    if not isinstance(segment, str) or not isinstance(score, str):
        raise TypeError("segment and score should be column names (strings)")
    _validate.columns(data, [segment, score], "the survey table")
    z = _z(alpha)
    alpha_value = float(alpha)
    if data[segment].isna().any():
        raise ValueError(f"column {segment!r} has missing values; fill or drop them first")
    _nps_answers(data[score], score)
    rows = []
    for name, group in data.groupby(segment, sort=True, observed=True):
        if len(group) < 2:
            raise ValueError(f"segment {name!r} has {len(group)} answer(s); NPS needs at least 2")
        values = group[score].to_numpy(dtype=float)
        promoters = int((values >= PROMOTER_MIN).sum())
        detractors = int((values <= DETRACTOR_MAX).sum())
        passives = values.size - promoters - detractors
        value, se, low, high = _nps_numbers(promoters, passives, detractors, z)
        rows.append({segment: name, "n": int(values.size), "promoters": promoters,
                     "passives": passives, "detractors": detractors, "nps": value,
                     "standard_error": se, "ci_low": low, "ci_high": high})
    if len(rows) < 2:
        raise ValueError(f"column {segment!r} has {len(rows)} segment(s); comparing needs 2 or more")
    table = pd.DataFrame(rows).sort_values(["nps", segment], ascending=[False, True],
                                           ignore_index=True)
    return NPSBySegment(table, segment, alpha_value)


# ------------------------------------------------------------ pain points ---

#: The keywords that mark each theme in review, ticket and NPS text. A keyword
#: matches a whole word or phrase, case-insensitively; a trailing ``*`` also
#: matches longer words (``refund*``: refund, refunds, refunded). A text can
#: carry several themes. Keyword counting finds mentions, not sentiment, so
#: read a sample of each theme before acting on it, and extend the lexicon
#: (pass your own dict) when a new complaint shows up in the unmatched texts.
LEXICON: dict[str, tuple[str, ...]] = {
    "late delivery": ("late", "delay*", "took ages", "took forever", "promised date", "still waiting",
                      "never arrived", "never on time", "could be faster", "tired of waiting"),
    "damaged packaging": ("crushed", "dented", "torn", "damaged", "soaked", "squashed", "smashed"),
    "sizing": ("size", "sizing", "size chart", "too tight", "too loose", "runs small", "runs large",
               "fits"),
    "price": ("overpriced", "expensive", "cheaper elsewhere", "worth the money", "prices went up",
              "pricey", "price hike"),
    "support": ("support", "customer service", "help desk", "agent", "never replied", "no reply"),
    "missing parts": ("missing", "incomplete", "no screws", "parts missing"),
    "battery life": ("battery", "charging", "drains"),
    "app problems": ("app", "crash*", "freez*", "froze", "glitch*", "bug*"),
}

SEVERITY_KINDS = ("count", "severity", "stars lost")


def _keyword_pattern(keyword: str) -> str:
    stem = keyword.strip().lower()
    if stem.endswith("*"):
        return re.escape(stem[:-1].strip()) + r"\w*"
    return re.escape(stem)


def _compile_lexicon(lexicon: Any) -> dict[str, re.Pattern[str]]:
    if lexicon is None:
        lexicon = LEXICON
    if not isinstance(lexicon, Mapping) or not lexicon:
        raise TypeError(f"lexicon should be a non-empty dict of theme -> keywords, got {safe_repr(lexicon)}")
    compiled = {}
    for theme, keywords in lexicon.items():
        if not isinstance(theme, str) or not theme.strip():
            raise TypeError(f"lexicon themes should be non-empty strings, got {safe_repr(theme)}")
        words = [keywords] if isinstance(keywords, str) else keywords
        if isinstance(words, Mapping) or not isinstance(words, Iterable):
            raise TypeError(f"keywords for theme {theme!r} should be a list of strings")
        words = list(words)
        if not words or not all(isinstance(w, str) and w.strip(" *") for w in words):
            raise ValueError(f"theme {theme!r} needs at least one keyword, each a non-empty string")
        alternatives = "|".join(_keyword_pattern(w) for w in words)
        # Keywords are lower-case and callers match lower-cased text: about a third faster than
        # re.IGNORECASE over thousands of reviews.
        compiled[theme] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    return compiled


def _texts(values: Any, name: str = "texts") -> list[str]:
    items = _as_list(values, name)
    if not items:
        raise ValueError(f"{name} is empty; pass at least one text")
    missing = sum(_is_missing(v) for v in items)
    if missing:
        raise ValueError(f"{name} has {missing} missing value(s); drop them or fill them with ''")
    for value in items:
        if not isinstance(value, str):
            raise TypeError(f"{name} should contain only text, found {safe_repr(value, 40)}")
    return [_straighten(v) for v in items]


def _straighten(text: str) -> str:
    """Curly apostrophes, common in pasted reviews, as straight ones, so both match alike."""
    return text.replace("’", "'")


def find_themes(text: str, lexicon: Mapping[str, Sequence[str]] | None = None) -> tuple[str, ...]:
    """The themes one text mentions, in lexicon order.

    >>> find_themes("It arrived late and the box was crushed")
    ('late delivery', 'damaged packaging')
    """
    if not isinstance(text, str):
        raise TypeError(f"text should be a string, got {safe_repr(text)}")
    patterns = _compile_lexicon(lexicon)
    text = _straighten(text).lower()  # the theme patterns are lower case
    return tuple(theme for theme, pattern in patterns.items() if pattern.search(text))


def severity_from_rating(ratings: Any, *, worst: float = 1, best: float = 5) -> np.ndarray:
    """Turn ratings into a 0-1 severity: the worst rating is 1, the best is 0.

    Works for star ratings (``worst=1, best=5``) and NPS answers (``worst=0, best=10``).

    >>> severity_from_rating([1, 3, 5]).tolist()
    [1.0, 0.5, 0.0]
    """
    low = _validate.number(worst, "worst")
    high = _validate.number(best, "best")
    if low == high:
        raise ValueError("worst and best ratings must differ")
    values = _validate.array(ratings, "ratings", low=min(low, high), high=max(low, high))
    return (high - values) / (high - low)


@dataclass(frozen=True, repr=False)
class PainPoints(Result):
    """Themes ranked by frequency × severity."""

    table: pd.DataFrame = field(repr=False)
    n_texts: int
    unmatched: float
    severity_kind: str = "severity"

    def title(self) -> str:
        return "Pain points"

    def _mentioned(self) -> pd.DataFrame:
        return self.table[self.table["mentions"] > 0]

    def top(self, k: int = 3) -> list[str]:
        """The ``k`` highest-ranked themes that were mentioned at all."""
        k = _validate.count(k, "k", minimum=1)
        return self._mentioned()["theme"].head(k).tolist()

    def _severity_words(self, value: float) -> str:
        if self.severity_kind == "stars lost":
            return f", costing {value:.1f} stars on average"
        if self.severity_kind == "severity":
            return f" with average severity {value:.2f}"
        return ""

    def summary(self) -> str:
        mentioned = self._mentioned()
        if mentioned.empty:
            return f"None of the {self.n_texts:,} texts mentions a known theme."
        lead = mentioned.iloc[0]
        text = (f"The top pain point is {lead['theme']}: in {pct(lead['frequency'])} of "
                f"{self.n_texts:,} texts{self._severity_words(lead['severity'])}.")
        followers = mentioned["theme"].iloc[1:3].tolist()
        return text + (f" Next: {' and '.join(followers)}." if followers else "")

    def _card_rows(self) -> list[tuple[str, Any]]:
        rows = [(f"{int(r['rank'])}. {r['theme']}",
                 f"{pct(r['frequency'])} of texts, {self.severity_kind} {r['severity']:.2f}, "
                 f"score {r['score']:.3f}")
                for _, r in self.table.iterrows()]
        return [*rows, ("no theme found", pct(self.unmatched))]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of each theme's frequency × severity score."""
        ax = new_axes(ax)
        table = self.table.iloc[::-1]
        colours = [PALETTE[3] if r == 1 else PALETTE[0] for r in table["rank"]]
        hatches = [HIGHLIGHT if r == 1 else "" for r in table["rank"]]
        ax.barh(table["theme"].astype(str), table["score"], color=colours, hatch=hatches)
        ax.set_xlabel("share of texts mentioning it" if self.severity_kind == "count"
                      else f"frequency × {self.severity_kind}")
        ax.set_ylabel("theme")
        mentioned = self._mentioned()
        lead = str(mentioned["theme"].iloc[0]) if not mentioned.empty else "no theme"
        ax.set_title(f"{lead[:1].upper() + lead[1:]} is the biggest pain point")
        return ax


def _rank(hits: pd.DataFrame, severity: Any, ratings: Any) -> PainPoints:
    """Rank the themes of a texts × themes table of mentions."""
    n = len(hits)
    flags = hits.to_numpy(dtype=float)
    mentions = flags.sum(axis=0)
    unmatched = ~hits.any(axis=1).to_numpy()
    if severity is not None and ratings is not None:
        raise ValueError("give severity or ratings, not both")
    if ratings is not None:
        stars = _validate.array(ratings, "ratings")
        _validate.same_length(texts=hits, ratings=stars)
        if not unmatched.any():
            raise ValueError("every text mentions a theme, so there is no baseline rating to "
                             "measure stars lost against; pass severity instead")
        baseline = stars[unmatched].mean()
        kind = "stars lost"
        # Stars lost: how far texts with the theme rate below texts with no complaint at all.
        weights = baseline - stars
    elif severity is not None:
        weights = _validate.array(severity, "severity", low=0)
        _validate.same_length(texts=hits, severity=weights)
        kind = "severity"
    else:
        weights, kind = np.ones(n), "count"
    mean_severity = np.divide(weights @ flags, mentions, out=np.zeros(len(mentions)), where=mentions > 0)
    frequency = mentions / n
    table = pd.DataFrame({"theme": list(hits.columns), "mentions": mentions.astype(int),
                          "frequency": frequency, "severity": mean_severity,
                          "score": frequency * mean_severity})
    table = table.sort_values(["score", "mentions", "theme"], ascending=[False, False, True],
                              ignore_index=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return PainPoints(table, n, float(unmatched.mean()), kind)


def pain_points(texts: Any, severity: Any = None, *, ratings: Any = None,
                lexicon: Mapping[str, Sequence[str]] | None = None) -> PainPoints:
    """Find the ``LEXICON`` themes in ``texts`` and rank them by frequency × severity.

    ``frequency`` is the share of texts that mention a theme. Its severity is either
    the average ``severity`` of those texts (any non-negative scale, e.g. from
    ``severity_from_rating``) or, given ``ratings`` (stars, NPS answers), the stars
    lost: how far those texts rate below the texts that mention no theme.
    With neither, every mention weighs 1 and the ranking is by frequency.

    >>> texts = ["late again", "late and a rude agent", "great", "love it"]
    >>> ranked = pain_points(texts, ratings=[2, 1, 5, 4]).to_frame()
    >>> ranked[["theme", "mentions", "severity", "score"]].head(2)
               theme  mentions  severity  score
    0  late delivery         2       3.0  1.500
    1        support         1       3.5  0.875
    """
    return _rank(theme_matrix(texts, lexicon), severity, ratings)


def theme_matrix(texts: Any, lexicon: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """One row per text, one True/False column per theme: does the text mention it?

    >>> theme_matrix(["late and crushed", "lovely"]).iloc[:, :2]
       late delivery  damaged packaging
    0           True               True
    1          False              False
    """
    patterns = tuple(_compile_lexicon(lexicon).items())
    flags = _theme_flags(tuple(_texts(texts)), patterns)
    return pd.DataFrame(flags, columns=[theme for theme, _ in patterns], copy=True)


@lru_cache(maxsize=4)
def _theme_flags(texts: tuple[str, ...], patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> np.ndarray:
    """``theme_matrix`` as a read-only array, remembered for the last few inputs.

    A lesson asks about the same ten thousand reviews several times (ranked, sampled, cited
    in a PR/FAQ): the answer depends only on the texts and the keywords, so it is found once.
    """
    items = [text.lower() for text in texts]  # the theme patterns are lower case
    # All texts in one string, one scan per theme: a search per text and theme is ten times
    # slower on the course's reviews. A newline between texts keeps matches apart: keyword
    # patterns hold no newline (checked), and the lookarounds see it as a text's edge.
    joined = "\n".join(items)
    starts = np.cumsum([0, *(len(text) + 1 for text in items[:-1])])
    flags = np.column_stack([_mentioned(pattern, items, joined, starts) for _, pattern in patterns])
    flags.flags.writeable = False
    return flags


def _mentioned(pattern: re.Pattern[str], items: list[str], joined: str, starts: np.ndarray) -> np.ndarray:
    """Which of ``items`` (joined by newlines into ``joined``, starting at ``starts``) match."""
    if "\n" in pattern.pattern:  # a keyword with a line break could match across two texts
        return np.fromiter((pattern.search(text) is not None for text in items), dtype=bool,
                           count=len(items))
    found = np.zeros(len(items), dtype=bool)
    # No match crosses a newline, so each lies inside one text; scanning on from the end of one
    # still finds the first match of every later text.
    positions = [match.start() for match in pattern.finditer(joined)]
    found[np.searchsorted(starts, positions, side="right") - 1] = True
    return found


@dataclass(frozen=True, repr=False)
class TopThemeOdds(Result):
    """How often a random sample of texts names each theme as the top pain point."""

    table: pd.DataFrame = field(repr=False)
    sample_size: int
    repeats: int
    true_top: str

    def title(self) -> str:
        return "Top theme from a sample"

    def summary(self) -> str:
        odds = self.table.set_index("theme")["share"]
        right = float(odds.get(self.true_top, 0.0))
        return (f"Reading {self.sample_size:,} texts names {self.true_top} (the top pain point in all "
                f"the data) as the top one in {pct(right, 0)} of {self.repeats:,} random samples.")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Bars: the share of samples in which each theme came out on top."""
        ax = new_axes(ax)
        table = self.table.iloc[::-1]
        colours = [PALETTE[2] if t == self.true_top else PALETTE[0] for t in table["theme"]]
        hatches = [HIGHLIGHT if t == self.true_top else "" for t in table["theme"]]
        ax.barh(table["theme"].astype(str), table["share"], color=colours, hatch=hatches)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"share of {self.repeats:,} samples in which it ranks first")
        ax.set_ylabel("theme")
        right = float(self.table.set_index("theme")["share"].get(self.true_top, 0.0))
        ax.set_title(f"With {self.sample_size:,} texts, the real top theme wins {pct(right, 0)} of the time")
        return ax


def top_theme_odds(texts: Any, ratings: Any = None, *, sample_size: int, repeats: int = 200,
                   seed: int = 0, lexicon: Mapping[str, Sequence[str]] | None = None) -> TopThemeOdds:
    """How reliably ``sample_size`` texts, drawn at random, find the top pain point.

    Each of ``repeats`` samples is ranked like ``pain_points`` (stars lost when
    ``ratings`` are given, frequency otherwise); the table gives the share of
    samples each theme tops ("no theme" when a sample finds none).

    >>> texts = ["late"] * 30 + ["overpriced"] * 20 + ["fine"] * 50
    >>> top_theme_odds(texts, sample_size=100, repeats=20).true_top
    'late delivery'
    """
    hits = theme_matrix(texts, lexicon)
    total = len(hits)
    size = _validate.count(sample_size, "sample_size", minimum=1)
    if size > total:
        raise ValueError(f"sample_size ({size}) is larger than the number of texts ({total})")
    rounds = _validate.count(repeats, "repeats", minimum=1)
    if rounds > 10_000:
        raise ValueError(f"repeats should be at most 10,000, got {rounds}")
    rng = np.random.default_rng(_validate.count(seed, "seed"))
    flags = hits.to_numpy(dtype=float)
    if ratings is None:
        weights = np.ones(total)
        true_top = _rank(hits, None, None)
    else:
        weights = _validate.array(ratings, "ratings")
        _validate.same_length(texts=hits, ratings=weights)
        true_top = _rank(hits, None, weights)
    picks = np.stack([rng.choice(total, size, replace=False) for _ in range(rounds)])
    sample = flags[picks]  # repeats × sample_size × themes
    mentions = sample.sum(axis=1)
    if ratings is None:
        scores = mentions / size
    else:
        stars = weights[picks]
        clean = sample.sum(axis=2) == 0
        baseline = np.divide((stars * clean).sum(axis=1), clean.sum(axis=1),
                             out=np.full(rounds, np.nan), where=clean.sum(axis=1) > 0)
        theme_stars = np.divide(np.einsum("rn,rnt->rt", stars, sample), mentions,
                                out=np.zeros_like(mentions), where=mentions > 0)
        scores = np.where(mentions > 0, (baseline[:, None] - theme_stars) * mentions / size, 0.0)
        scores = np.nan_to_num(scores, nan=0.0)
    winners = np.where(scores.max(axis=1) > 0, scores.argmax(axis=1), -1)
    themes = list(hits.columns)
    counts = pd.Series([themes[w] if w >= 0 else "no theme" for w in winners]).value_counts()
    table = pd.DataFrame({"theme": [*themes, "no theme"]})
    table["share"] = table["theme"].map(counts).fillna(0).to_numpy() / rounds
    table = table[(table["share"] > 0) | table["theme"].isin(themes)]
    table = table.sort_values(["share", "theme"], ascending=[False, True], ignore_index=True)
    return TopThemeOdds(table, size, rounds, true_top.top(1)[0] if true_top.top(1) else "no theme")


def rank_themes(themes: Any, severity: Any = None, *, ratings: Any = None) -> PainPoints:
    """Rank texts that already carry one theme label each (e.g. ticket topics).

    >>> topics = ["refund", "where is my order", "refund", "account"]
    >>> rank_themes(topics, severity=[72, 8, 48, 4]).top(2)
    ['refund', 'where is my order']
    """
    labels = _texts(themes, "themes")
    if ratings is not None and severity is None:
        raise ValueError("rank_themes needs severity: labelled texts have no theme-free baseline")
    hits = pd.get_dummies(pd.Series(labels, dtype=object)).astype(bool)
    return _rank(hits, severity, ratings)


# ------------------------------------------------------------------- Kano ---

#: The five standard answers to a Kano question, in questionnaire order (1-5).
KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")
#: Category names, keyed by the letters of the published evaluation table.
KANO_CATEGORIES = {
    "A": "attractive", "O": "one-dimensional", "M": "must-be",
    "I": "indifferent", "R": "reverse", "Q": "questionable",
}
#: The standard Kano evaluation table (Berger et al., 1993): rows are the
#: answer to the functional question ("if the product has this feature"),
#: columns the answer to the dysfunctional one ("if it does not"), both in
#: ``KANO_ANSWERS`` order.
KANO_TABLE = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)
_ANSWER_ALIASES = {
    "like": 1, "i like it": 1, "like it": 1, "i like it that way": 1,
    "expect": 2, "i expect it": 2, "expect it": 2, "must be": 2, "it must be that way": 2,
    "neutral": 3, "i am neutral": 3, "i'm neutral": 3, "i don't care": 3,
    "tolerate": 4, "live with": 4, "i can live with it": 4, "can live with it": 4,
    "i can tolerate it": 4, "live with it": 4,
    "dislike": 5, "i dislike it": 5, "dislike it": 5, "i dislike it that way": 5,
}
# Ties go to the category that costs most to get wrong (Berger et al.'s M > O > A > I rule).
_KANO_PRIORITY = ("must-be", "one-dimensional", "attractive", "indifferent", "reverse", "questionable")
_CATEGORY_ALIASES = {**{v: v for v in KANO_CATEGORIES.values()},
                     **{k.lower(): v for k, v in KANO_CATEGORIES.items()},
                     "performance": "one-dimensional", "must be": "must-be",
                     "one dimensional": "one-dimensional", "delighter": "attractive"}


def _kano_answer(value: Any, name: str) -> int:
    if isinstance(value, str):
        key = " ".join(value.lower().replace("’", "'").replace("-", " ").replace(".", " ").split())
        if key in _ANSWER_ALIASES:
            return _ANSWER_ALIASES[key]
        raise ValueError(f"{name} {value!r} is not a Kano answer; use 1-5 or one of "
                         f"{', '.join(map(repr, KANO_ANSWERS))}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} should be a Kano answer (1-5 or a word), got {safe_repr(value)}")
    if not (isinstance(value, numbers.Integral) or (math.isfinite(value) and float(value).is_integer())):
        raise ValueError(f"{name} should be a whole number from 1 to 5, got {value}")
    if not 1 <= value <= 5:
        raise ValueError(f"{name} should be from 1 (like) to 5 (dislike), got {value}")
    return int(value)


def _is_scalar_answer(value: Any) -> bool:
    return isinstance(value, str | numbers.Number) or value is None


def kano_category(functional: Any, dysfunctional: Any) -> str | list[str]:
    """Classify Kano answers with the standard evaluation table.

    Answers are 1-5 or words (``like``, ``expect``, ``neutral``, ``tolerate``,
    ``dislike``). One pair gives a category name; two equal-length lists give a list.

    >>> kano_category("like", "dislike")
    'one-dimensional'
    >>> kano_category([1, 3], [3, 5])
    ['attractive', 'must-be']
    """
    if _is_scalar_answer(functional) and _is_scalar_answer(dysfunctional):
        row = _kano_answer(functional, "functional")
        col = _kano_answer(dysfunctional, "dysfunctional")
        return KANO_CATEGORIES[KANO_TABLE[row - 1][col - 1]]
    if _is_scalar_answer(functional) or _is_scalar_answer(dysfunctional):
        raise TypeError("give functional and dysfunctional both as single answers or both as lists")
    rows = _as_list(functional, "functional")
    cols = _as_list(dysfunctional, "dysfunctional")
    _validate.same_length(functional=rows, dysfunctional=cols)
    if not rows:
        raise ValueError("functional and dysfunctional are empty; pass at least one answer pair")
    return [
        KANO_CATEGORIES[KANO_TABLE[_kano_answer(f, "functional") - 1][_kano_answer(d, "dysfunctional") - 1]]
        for f, d in zip(rows, cols, strict=True)
    ]


def _category_counts(categories: Any) -> dict[str, int]:
    if isinstance(categories, Mapping):
        counts = dict.fromkeys(KANO_CATEGORIES.values(), 0)
        for key, value in categories.items():
            counts[_category_name(key)] += _validate.count(value, f"count of {key!r}")
        return counts
    names = [_category_name(c) for c in _as_list(categories, "categories")]
    return {c: names.count(c) for c in KANO_CATEGORIES.values()}


def _category_name(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a Kano category should be a name such as 'must-be', got {safe_repr(value)}")
    key = " ".join(value.strip().lower().replace("_", " ").split())
    if key in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[key]
    raise ValueError(f"{value!r} is not a Kano category; use one of "
                     f"{', '.join(map(repr, KANO_CATEGORIES.values()))}")


@dataclass(frozen=True, repr=False)
class KanoCoefficients(Result):
    """Customer-satisfaction coefficients: how much a feature adds (better) or costs if absent (worse)."""

    better: float
    worse: float
    n: int
    counts: dict[str, int] = field(repr=False)

    def title(self) -> str:
        return "Kano coefficients"

    def summary(self) -> str:
        return (f"Having it lifts satisfaction for {pct(self.better, 0)} of {self.n:,} usable "
                f"answers (better {self.better:.2f}); lacking it upsets {pct(-self.worse, 0)} "
                f"(worse {self.worse:.2f}).")


def kano_coefficients(categories: Any) -> KanoCoefficients:
    """Better = (A+O)/(A+O+M+I) and Worse = -(O+M)/(A+O+M+I), from categories or counts.

    Reverse and questionable answers are left out, as in Berger et al. (1993).

    >>> c = kano_coefficients(["must-be", "must-be", "attractive", "indifferent"])
    >>> c.better, c.worse
    (0.25, -0.5)
    """
    counts = _category_counts(categories)
    a, o, m, i = (counts[k] for k in ("attractive", "one-dimensional", "must-be", "indifferent"))
    usable = a + o + m + i
    if usable == 0:
        raise ValueError("no attractive, one-dimensional, must-be or indifferent answers to compute from")
    return KanoCoefficients((a + o) / usable, -(o + m) / usable, usable, counts)


def dominant_category(counts: Mapping[str, int]) -> str:
    """The most common category, ties broken must-be > one-dimensional > attractive > indifferent.

    >>> dominant_category({"attractive": 3, "must-be": 3, "indifferent": 1})
    'must-be'
    """
    tallies = _category_counts(counts)
    if sum(tallies.values()) == 0:
        raise ValueError("all counts are zero; nothing to classify")
    return max(_KANO_PRIORITY, key=lambda c: (tallies[c], -_KANO_PRIORITY.index(c)))


@dataclass(frozen=True, repr=False)
class KanoSurvey(Result):
    """Each feature's Kano category and better/worse coefficients."""

    table: pd.DataFrame = field(repr=False)
    feature: str

    def title(self) -> str:
        return "Kano survey"

    def category(self, name: Any) -> str:
        """The dominant category of one feature."""
        hits = self.table[self.table[self.feature] == name]
        if hits.empty:
            raise ValueError(f"no feature {safe_repr(name)}; features: "
                             f"{', '.join(map(str, self.table[self.feature]))}")
        return str(hits["category"].iloc[0])

    def summary(self) -> str:
        parts = []
        for label in ("must-be", "one-dimensional", "attractive"):
            names = self.table.loc[self.table["category"] == label, self.feature].astype(str).tolist()
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        if not parts:
            return f"None of the {len(self.table)} features matters much to customers (all indifferent)."
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] + "."

    def _card_rows(self) -> list[tuple[str, Any]]:
        return [(str(r[self.feature]), f"{r['category']} (better {r['better']:.2f}, worse {r['worse']:.2f})")
                for _, r in self.table.iterrows()]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """The classic Kano map: better (satisfaction gained) against |worse| (pain if missing)."""
        ax = new_axes(ax, size=(6.4, 4.8))
        colours = {"must-be": PALETTE[3], "one-dimensional": PALETTE[0], "attractive": PALETTE[2],
                   "indifferent": NEUTRAL, "reverse": PALETTE[4], "questionable": PALETTE[7]}
        markers = dict(zip(colours, MARKERS, strict=False))
        for category, group in self.table.groupby("category", sort=False):
            ax.scatter(-group["worse"], group["better"], color=colours[category], label=category, s=50,
                       marker=markers[category])
        placed: list[tuple[float, float]] = []
        for _, row in self.table.iterrows():
            point = (-row["worse"], row["better"])
            # Features with similar coefficients sit together; put every other label below.
            crowded = any(math.dist(point, other) < 0.08 for other in placed)
            right = point[0] > 0.6  # keep labels on the right-hand side inside the axes
            ax.annotate(str(row[self.feature]), point, fontsize=8, textcoords="offset points",
                        xytext=(-4 if right else 4, -11 if crowded else 4),
                        ha="right" if right else "left")
            placed.append(point)
        ax.axhline(0.5, color=NEUTRAL, linewidth=1, linestyle="--")
        ax.axvline(0.5, color=NEUTRAL, linewidth=1, linestyle="--")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="|worse|: dissatisfaction if missing",
               ylabel="better: satisfaction if present")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
        musts = (self.table["category"] == "must-be").sum()
        delights = (self.table["category"] == "attractive").sum()
        ax.set_title(f"{musts} must-be and {delights} attractive feature(s)")
        return ax


def kano_survey(data: Any, feature: str = "feature", functional: str = "functional",
                dysfunctional: str = "dysfunctional") -> KanoSurvey:
    """Classify every answer pair, then each feature by its most common category.

    >>> answers = pd.DataFrame({"feature": ["wrap"] * 3 + ["tracking"] * 3,
    ...                         "functional": ["like", "like", "neutral"] + ["expect"] * 3,
    ...                         "dysfunctional": ["neutral"] * 3 + ["dislike"] * 3})
    >>> kano_survey(answers).to_frame()[["feature", "category", "better", "worse"]]
        feature     category    better  worse
    0  tracking      must-be  0.000000   -1.0
    1      wrap   attractive  0.666667    0.0
    """
    for name, value in (("feature", feature), ("functional", functional),
                        ("dysfunctional", dysfunctional)):
        if not isinstance(value, str):
            raise TypeError(f"{name} should be a column name (a string), got {safe_repr(value)}")
    _validate.columns(data, [feature, functional, dysfunctional], "the Kano answers")
    if data.empty:
        raise ValueError("the Kano answers table is empty")
    if data[feature].isna().any():
        raise ValueError(f"column {feature!r} has missing values; fill or drop them first")
    categories = kano_category(data[functional].tolist(), data[dysfunctional].tolist())
    frame = pd.DataFrame({feature: data[feature].to_numpy(), "category": categories})
    rows = []
    for name, group in frame.groupby(feature, sort=True):
        counts = _category_counts(group["category"].tolist())
        row: dict[str, Any] = {feature: name, "n": len(group), **counts,
                               "category": dominant_category(counts)}
        usable = sum(counts[c] for c in ("attractive", "one-dimensional", "must-be", "indifferent"))
        if usable:
            coefficients = kano_coefficients(counts)
            row["better"], row["worse"] = coefficients.better, coefficients.worse
        else:
            row["better"] = row["worse"] = float("nan")
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {c: k for k, c in enumerate(_KANO_PRIORITY)}
    table = table.sort_values([feature], key=lambda s: s.astype(str)).sort_values(
        "category", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    return KanoSurvey(table, feature)


# ------------------------------------------------------------------- RICE ---


def _rice_parts(reach: Any, impact: Any, confidence: Any, effort: Any
                ) -> tuple[np.ndarray, ...] | tuple[float, ...]:
    parts = {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}
    if all(isinstance(v, numbers.Number) and not isinstance(v, complex) for v in parts.values()):
        r = _validate.number(reach, "reach", low=0)
        i = _validate.number(impact, "impact", low=0)
        c = _confidence(confidence)
        e = _validate.number(effort, "effort", low=0, low_open=True)
        return r, i, c, e
    arrays = {}
    for name, value in parts.items():
        if isinstance(value, complex):
            raise TypeError(f"{name} should be a real number, got {value}")
        if isinstance(value, numbers.Number):
            value = [value]
        arrays[name] = _validate.array(value, name, low=0.0)
    sizes = {len(a) for a in arrays.values()} - {1}
    if len(sizes) > 1:
        _validate.same_length(**{k: v for k, v in arrays.items() if len(v) != 1})
    size = sizes.pop() if sizes else 1
    arrays = {k: np.broadcast_to(v, size).astype(float) for k, v in arrays.items()}
    if arrays["confidence"].max() > 1:
        raise ValueError("confidence should be a probability in [0, 1] (80% is 0.8); "
                         f"its largest value is {arrays['confidence'].max()}")
    if arrays["effort"].min() <= 0:
        raise ValueError("effort should be > 0 (person-months or similar); "
                         f"its smallest value is {arrays['effort'].min()}")
    return arrays["reach"], arrays["impact"], arrays["confidence"], arrays["effort"]


def _confidence(value: Any) -> float:
    number = _validate.number(value, "confidence")
    if not 0 <= number <= 1:
        raise ValueError(f"confidence should be a probability in [0, 1] (80% is 0.8), got {number}")
    return number


def rice_score(reach: Any, impact: Any, confidence: Any, effort: Any) -> float | np.ndarray:
    """RICE = reach × impact × confidence / effort (Intercom's prioritisation score).

    Reach is people per period, impact a multiplier (typically 0.25-3),
    confidence a probability, effort person-months. Lists give an array.

    >>> rice_score(reach=2000, impact=2, confidence=0.8, effort=4)
    800.0
    >>> rice_score([100, 400], 1, [1.0, 0.5], 2).tolist()
    [50.0, 100.0]
    """
    r, i, c, e = _rice_parts(reach, impact, confidence, effort)
    result = r * i * c / e
    return float(result) if isinstance(result, float) else np.asarray(result, dtype=float)


@dataclass(frozen=True, repr=False)
class RiceRanking(Result):
    """Backlog items ranked by RICE score, best first."""

    table: pd.DataFrame = field(repr=False)
    item: str

    def title(self) -> str:
        return "RICE ranking"

    def top(self, k: int = 3) -> list[str]:
        """The names of the ``k`` best items."""
        k = _validate.count(k, "k", minimum=1)
        return self.table[self.item].head(k).astype(str).tolist()

    def summary(self) -> str:
        lead = self.table.iloc[0]
        text = f"Do {lead[self.item]} first (RICE {fmt(float(lead['rice']))})"
        after = self.top(3)[1:]
        return text + (f", then {' and '.join(after)}." if after else ".")

    def _card_rows(self) -> list[tuple[str, Any]]:
        return [(f"{int(r['rank'])}. {r[self.item]}", fmt(float(r["rice"])))
                for _, r in self.table.head(10).iterrows()]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None, top: int = 10) -> Any:
        """Horizontal bars of the best ``top`` items' RICE scores."""
        top = _validate.count(top, "top", minimum=1)
        ax = new_axes(ax)
        shown = self.table.head(top).iloc[::-1]
        colours = [PALETTE[2] if r == 1 else PALETTE[0] for r in shown["rank"]]
        hatches = [HIGHLIGHT if r == 1 else "" for r in shown["rank"]]
        ax.barh(shown[self.item].astype(str), shown["rice"], color=colours, hatch=hatches)
        ax.set_xlabel("RICE score (reach × impact × confidence / effort)")
        ax.set_ylabel(plain(self.item))
        ax.set_title(f"{self.table[self.item].iloc[0]} ranks first")
        return ax


def rice_ranking(data: Any, item: str = "item", reach: str = "reach", impact: str = "impact",
                 confidence: str = "confidence", effort: str = "effort") -> RiceRanking:
    """Score every row of a backlog table with RICE and rank them.

    >>> backlog = pd.DataFrame({"item": ["faster refunds", "dark mode"], "reach": [900, 3000],
    ...                         "impact": [2, 0.25], "confidence": [0.8, 0.5], "effort": [3, 2]})
    >>> rice_ranking(backlog).top(2)
    ['faster refunds', 'dark mode']
    """
    names = {"item": item, "reach": reach, "impact": impact, "confidence": confidence, "effort": effort}
    for label, value in names.items():
        if not isinstance(value, str):
            raise TypeError(f"{label} should be a column name (a string), got {safe_repr(value)}")
    _validate.columns(data, list(names.values()), "the backlog")
    if data.empty:
        raise ValueError("the backlog is empty")
    if data[item].isna().any():
        raise ValueError(f"column {item!r} has missing values; name every backlog item")
    scores = rice_score(*(data[names[k]].to_numpy() for k in ("reach", "impact", "confidence", "effort")))
    table = data[list(dict.fromkeys(names.values()))].copy().reset_index(drop=True)
    table["rice"] = np.broadcast_to(scores, len(table))
    table = table.sort_values(["rice", item], ascending=[False, True], ignore_index=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return RiceRanking(table, item)


# ----------------------------------------------------------------- PR/FAQ ---

#: The five customer questions a working-backwards document must answer,
#: keyed by the PR/FAQ part that answers each.
FIVE_QUESTIONS = {
    "customer": "Who is the customer?",
    "problem": "What is the customer problem or opportunity?",
    "benefit": "What is the most important customer benefit?",
    "evidence": "How do you know what customers need or want?",
    "experience": "What does the customer experience look like?",
}
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?%?")


def cited_numbers(text: str) -> tuple[float, ...]:
    """The numbers a piece of prose cites (percent signs dropped, thousands separators read).

    >>> cited_numbers("1,240 reviews; 23.5% mention late delivery, NPS -12")
    (1240.0, 23.5, -12.0)
    """
    if not isinstance(text, str):
        raise TypeError(f"text should be a string, got {safe_repr(text)}")
    found = []
    for token in _NUMBER.findall(text):
        digits = token.rstrip("%").replace(",", "")
        try:
            value = float(digits)
        except ValueError:  # pragma: no cover - the pattern only admits numbers
            continue
        if math.isfinite(value):
            found.append(value)
    return tuple(found)


def _part(value: Any, name: str, *, max_words: int | None = None) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the PR/FAQ part {name!r} should be text, got {safe_repr(value)}")
    text = " ".join(value.split())
    if not text:
        raise ValueError(f"the PR/FAQ part {name!r} is empty: {FIVE_QUESTIONS.get(name, 'fill it in')}")
    if max_words is not None and len(text.split()) > max_words:
        raise ValueError(f"the {name} should fit in {max_words} words; it has {len(text.split())}")
    return text


def _pairs(value: Any, name: str, first: str, second: str) -> tuple[tuple[str, str], ...]:
    items = list(value.items()) if isinstance(value, Mapping) else _as_list(value, name)
    if not items:
        raise ValueError(f"the PR/FAQ needs at least one entry in {name}")
    pairs = []
    for entry in items:
        if isinstance(entry, Mapping):
            entry = (entry.get(first), entry.get(second))
        if isinstance(entry, str) or not isinstance(entry, Sequence) or len(entry) != 2:
            raise TypeError(f"each entry in {name} should be a ({first}, {second}) pair, "
                            f"got {safe_repr(entry)}")
        pairs.append((_part(entry[0], f"{name} {first}"), _part(entry[1], f"{name} {second}")))
    return tuple(pairs)


@dataclass(frozen=True, repr=False)
class PRFAQ(Result):
    """A working-backwards press release and FAQ. Build it with ``prfaq``."""

    headline: str
    customer: str
    problem: str
    benefit: str
    evidence: str
    experience: str
    quotes: tuple[tuple[str, str], ...]
    faq: tuple[tuple[str, str], ...]
    subheading: str = ""
    dateline: str = "Basketly"
    #: The questions colleagues ask (cost, risk, how we will know): for the review, not the press.
    internal_faq: tuple[tuple[str, str], ...] = ()

    def title(self) -> str:
        return self.headline

    def summary(self) -> str:
        return (f"A PR/FAQ that answers the five customer questions for this customer: "
                f"{self.customer}. Its evidence cites {len(cited_numbers(self.evidence))} "
                f"number(s); its FAQ answers {len(self.faq)} customer and {len(self.internal_faq)} "
                f"internal question(s).")

    def five_questions(self) -> pd.DataFrame:
        """Each of the five customer questions with the part that answers it."""
        return pd.DataFrame({"question": list(FIVE_QUESTIONS.values()),
                             "answer": [getattr(self, part) for part in FIVE_QUESTIONS]})

    def cited_numbers(self) -> tuple[float, ...]:
        """Every number the document cites, in reading order."""
        return cited_numbers(self.to_text())

    def _sections(self) -> list[tuple[str, str]]:
        return [
            ("", f"{self.dateline} — {self.benefit}"),
            ("Who it is for", self.customer),
            ("The problem", self.problem),
            ("How it works", self.experience),
            ("How we know", self.evidence),
        ]

    def to_markdown(self) -> str:
        """The document as Markdown."""
        lines = [f"# {self.headline}"]
        if self.subheading:
            lines.append(f"*{self.subheading}*")
        for heading, text in self._sections():
            lines.extend([f"**{heading}.** {text}" if heading else text])
        lines.extend(f'> "{words}" — {speaker}' for speaker, words in self.quotes)
        lines.append("## FAQ")
        for question, answer in self.faq:
            lines.extend([f"**{question}**", answer])
        if self.internal_faq:
            lines.append("## Internal FAQ")
            for question, answer in self.internal_faq:
                lines.extend([f"**{question}**", answer])
        return "\n\n".join(lines) + "\n"

    def to_text(self) -> str:
        """The document as plain text."""
        lines = [self.headline.upper()]
        if self.subheading:
            lines.append(self.subheading)
        lines.extend(f"{heading}: {text}" if heading else text for heading, text in self._sections())
        lines.extend(f'"{words}" ({speaker})' for speaker, words in self.quotes)
        lines.append("FAQ")
        lines.extend(f"Q: {question}\nA: {answer}" for question, answer in self.faq)
        if self.internal_faq:
            lines.append("INTERNAL FAQ")
            lines.extend(f"Q: {question}\nA: {answer}" for question, answer in self.internal_faq)
        return "\n\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        e = html.escape
        parts = [f"<p style='margin:2px 0'><em>{e(self.subheading)}</em></p>" if self.subheading else ""]
        for heading, text in self._sections():
            label = f"<strong>{e(heading)}.</strong> " if heading else ""
            parts.append(f"<p style='margin:4px 0'>{label}{e(text)}</p>")
        parts.extend(f"<blockquote style='margin:4px 12px;font-style:italic'>“{e(words)}” — "
                     f"{e(speaker)}</blockquote>" for speaker, words in self.quotes)
        parts.append("<div style='font-weight:700;margin-top:8px'>FAQ</div>")
        parts.extend(f"<p style='margin:4px 0'><strong>{e(q)}</strong><br>{e(a)}</p>"
                     for q, a in self.faq)
        if self.internal_faq:
            parts.append("<div style='font-weight:700;margin-top:8px'>Internal FAQ</div>")
            parts.extend(f"<p style='margin:4px 0'><strong>{e(q)}</strong><br>{e(a)}</p>"
                         for q, a in self.internal_faq)
        body = card(self.headline, [], accent=PALETTE[0])
        # The card gives the house frame and heading; the document body goes inside it.
        return body.removesuffix("</div>") + "".join(parts) + "</div>"

    def __repr__(self) -> str:
        return self.to_text().rstrip()


def prfaq(*, headline: str, customer: str, problem: str, benefit: str, evidence: str,
          experience: str, quotes: Any, faq: Any, subheading: str = "",
          dateline: str = "Basketly", internal_faq: Any = None) -> PRFAQ:
    """Build a working-backwards PR/FAQ, checking every part is there.

    The five customer questions map to ``customer``, ``problem``, ``benefit``,
    ``evidence`` (must cite at least one number) and ``experience``. ``quotes``
    are (speaker, words) pairs and ``faq`` (question, answer) pairs or a dict: the
    external FAQ, what customers and the press would ask. ``internal_faq`` (optional, same
    form) holds what colleagues ask in the review: what it costs, what could go wrong, how
    the team will know it worked.

    >>> doc = prfaq(
    ...     headline="Basketly delivers on time or the fee is back",
    ...     customer="Busy parents who order weekly groceries",
    ...     problem="One order in five arrives late, so dinner plans fall apart.",
    ...     benefit="Groceries arrive inside the promised hour.",
    ...     evidence="Late delivery is the top theme in 1,200 reviews (23%).",
    ...     experience="Pick a one-hour slot; track the van live; get the fee back if late.",
    ...     quotes=[("A parent in the West", "I finally trust the slot I pick.")],
    ...     faq={"What if the van is late?": "The delivery fee is refunded automatically."})
    >>> doc.cited_numbers()
    (1200.0, 23.0)
    """
    parts = {
        "headline": _part(headline, "headline", max_words=20),
        "customer": _part(customer, "customer"),
        "problem": _part(problem, "problem"),
        "benefit": _part(benefit, "benefit"),
        "evidence": _part(evidence, "evidence"),
        "experience": _part(experience, "experience"),
    }
    if not cited_numbers(parts["evidence"]):
        raise ValueError("the evidence part should cite at least one number from the data "
                         "(how do you know what customers need?)")
    quote_pairs = _pairs(quotes, "quotes", "speaker", "words")
    faq_pairs = _pairs(faq, "faq", "question", "answer")
    internal_pairs = _pairs(internal_faq, "internal_faq", "question", "answer") if internal_faq else ()
    for question, _ in (*faq_pairs, *internal_pairs):
        if not question.endswith("?"):
            raise ValueError(f"FAQ question {question!r} should end with a question mark")
    extra_subheading = _part(subheading, "subheading") if subheading else ""
    return PRFAQ(**parts, quotes=quote_pairs, faq=faq_pairs, subheading=extra_subheading,
                 dateline=_part(dateline, "dateline"), internal_faq=internal_pairs)
