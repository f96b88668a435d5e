"""Written decisions graded on the evidence they cite.

A learner writes a decision the way a PM would put it in a launch review::

    "ship: conversion rose 0.8 points (95% CI +0.2 to +1.4), above our 0.5-point bar;
     returns did not move: -0.1 points, CI -0.6 to +0.4, not shown either way"

or builds the same thing as an object::

    Decision("ship", evidence=[Claim("conversion", "rose", 0.008, ci=(0.002, 0.014))])

``parse`` turns the first form into the second. ``judge`` compares a ``Decision`` with the
``Evidence`` an exercise computes for the learner's seed: every cited number against the
data (rounded to the digits the learner wrote, or within 1%), every direction claim against
the estimate *and* its interval (an interval straddling zero supports "not shown", never
"no change"), the essentials the exercise requires, and the call against the one a senior
PM would make from that evidence. Words are matched as whole words, and the words of the
call itself never count as evidence.

>>> facts = Evidence("ship", (
...     Fact("conversion", 0.008, ci=(0.002, 0.014), require="interval"),
...     Fact("returns", -0.001, ci=(-0.006, 0.004), better="down", synonyms=("returned",)),
... ))
>>> judge(parse("ship: conversion rose 0.8 points (CI +0.2 to +1.4)", ["ship", "iterate"]),
...       facts).correct
True
>>> print(judge(parse("ship: conversion fell 0.8 points", ["ship", "iterate"]), facts).message)
Right: ship, with conversion 0.8 points.
Missing: conversion's interval (both ends, or the one that decides).
Contradicts the data: conversion rose (+0.80 points, 95% CI +0.20 to +1.40 points), so why say it fell?
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmkit.display import safe_repr

# A cited number counts if it equals the evidence rounded to the digits the learner wrote,
# or lies within this share of it.
REL_TOL = 0.01
UNITS = ("fraction", "usd", "count", "number", "multiple", "months")
REQUIREMENTS = ("", "mention", "number", "interval", "direction")


class Unreadable(Exception):
    """The answer is not a decision this exercise can read (the message says why)."""


# ----------------------------------------------------------------- the data ---


@dataclass(frozen=True)
class Fact:
    """One metric of an exercise's evidence, computed for the learner's seed.

    ``estimate`` is in ``unit`` (a rate or a change in a rate is a fraction: 0.008 is
    0.8 points); ``ci`` is its interval when it is an estimate with one; ``relative``
    is the same change as a share of the baseline (0.118 = +11.8%). ``change`` says
    whether direction words ("rose", "not shown") apply; ``better`` which way is good.
    ``require`` is what a decision must say about it: "mention", "number", "interval"
    (a bound of its interval) or "direction" (which way it moved, or that it is not shown).
    ``also`` holds other true values a learner may cite for it (a baseline, a count);
    ``versus`` the reference a level is compared with ("above the bar", "more than").
    """

    name: str
    estimate: float
    unit: str = "fraction"
    ci: tuple[float, float] | None = None
    relative: float | None = None
    relative_ci: tuple[float, float] | None = None
    p_value: float | None = None
    synonyms: tuple[str, ...] = ()
    change: bool = True
    better: str = "up"
    require: str = ""
    group: str = ""
    negligible: float = 0.0
    also: tuple[float, ...] = ()
    versus: float | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit should be one of {UNITS}, got {self.unit!r}")
        if self.require not in REQUIREMENTS:
            raise ValueError(f"require should be one of {REQUIREMENTS}, got {self.require!r}")
        if self.better not in ("up", "down"):
            raise ValueError(f"better should be 'up' or 'down', got {self.better!r}")

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name.replace("_", " "), *self.synonyms)

    @property
    def straddles(self) -> bool:
        """The interval includes zero: the data cannot say which way it moved."""
        return self.ci is not None and self.ci[0] <= 0 <= self.ci[1]

    @property
    def moved(self) -> str:
        """'up', 'down' or 'unclear' (from the interval; the sign when there is none)."""
        if self.ci is not None:
            return "up" if self.ci[0] > 0 else "down" if self.ci[1] < 0 else "unclear"
        return "up" if self.estimate > 0 else "down" if self.estimate < 0 else "unclear"

    def show(self, value: float) -> str:
        """A value of this fact the way a PM would write it."""
        if self.unit == "fraction":
            return f"{100 * value:+.2f} points" if self.change else f"{100 * value:.1f}%"
        if self.unit == "usd":
            return f"{value:,.2f} USD"
        if self.unit == "multiple":
            return f"{value:.2f}x"
        return f"{value:,.4g}"

    def interval(self) -> str:
        """'95% CI +0.20 to +1.40 points' ('' without an interval)."""
        if self.ci is None:
            return ""
        low, high = self.show(self.ci[0]), self.show(self.ci[1])
        unit = " points" if low.endswith(" points") else ""
        return f"95% CI {low.removesuffix(' points')} to {high}" if unit else f"95% CI {low} to {high}"

    def described(self) -> str:
        return ", ".join(x for x in (self.show(self.estimate), self.interval()) if x)

    def candidates(self) -> list[tuple[str, float, bool]]:
        """(what, value, is_relative) a learner may rightly cite for this fact."""
        found = [("estimate", self.estimate, False)]
        if self.ci is not None:
            found += [("ci", self.ci[0], False), ("ci", self.ci[1], False)]
        if self.relative is not None and math.isfinite(self.relative):
            found.append(("relative", self.relative, True))
        if self.relative_ci is not None:
            found += [("ci", v, True) for v in self.relative_ci if math.isfinite(v)]
        found += [("also", v, False) for v in self.also]
        if self.versus is not None:
            found.append(("versus", self.versus, False))
        return found


@dataclass(frozen=True)
class Evidence:
    """What an exercise's decision is judged on: the facts and the call they support.

    ``rule`` says, in a line, how a senior PM gets from the facts to ``call`` (the
    facilitator guide prints it); ``given`` holds numbers from the question itself
    (a horizon, a confidence level) that are neither evidence nor wrong.
    """

    call: str
    facts: tuple[Fact, ...]
    rule: str = ""
    given: tuple[float, ...] = ()

    def fact(self, name: str) -> Fact | None:
        key = _norm(name)
        for f in self.facts:
            if key in {_norm(w) for w in f.words} or key == _norm(f.name):
                return f
        return None

    def summary(self) -> str:
        """The evidence in one line (for the facilitator guide)."""
        return "; ".join(f"{f.name.replace('_', ' ')} {f.described()}" for f in self.facts)


@dataclass(frozen=True)
class Claim:
    """One piece of evidence a learner cites: a metric, which way it moved, its numbers.

    Numbers are in the metric's own unit (a change in a rate as a fraction: 0.008), or
    give ``unit="%"`` / ``unit="points"`` to write them as a PM would say them.
    """

    metric: str
    direction: str | None = None
    value: float | None = None
    ci: tuple[float, float] | None = None
    unit: str = ""


@dataclass(frozen=True)
class Decision:
    """A call and the evidence for it: ``Decision("ship", evidence=[Claim(...), ...])``."""

    call: str
    evidence: Sequence[Claim] = ()
    reason: str = ""


# ------------------------------------------------------------------ reading ---


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("-", " ").replace("_", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text).split())


def _clean(text: str) -> str:
    """Lower case, plain quotes and minus signs, ranges written with 'to'."""
    text = text.lower().replace("’", "'").replace("−", "-").replace("–", " to ").replace("—", ", ")
    text = re.sub(r"(\d)\s*-\s*(?=[+-]?\d)", r"\1 to ", text)  # 0.2-1.4 -> 0.2 to 1.4
    text = re.sub(r"(\d%?)-(?=[a-z])", r"\1 ", text)  # 0.5-point -> 0.5 point
    return text


def _phrase(words: str) -> str:
    """A regex matching a phrase as whole words, spaces or hyphens between, plural allowed."""
    parts = [re.escape(w) for w in _norm(words).split()]
    return r"(?<![a-z0-9])" + r"[\s-]+".join(parts) + r"(?:s|es)?(?![a-z0-9])"


@dataclass(frozen=True)
class Number:
    """A number as the learner wrote it."""

    value: float
    unit: str  # "%", "points", "usd", "x", "" (the scale words are applied to value)
    signed: bool
    decimals: int
    text: str
    start: int = 0
    raw: float | None = None  # the value before a scale word ("96 million" -> 96)
    raw_decimals: int = 0


_NUMBER = re.compile(
    r"(?<![\w.])(?P<sign>[+-])?\s?(?P<dollar>\$)?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?"
    r"(?P<unit>\s*(?:%|percent(?:age)?\s+points?|percent\b|per\s+cent\b|pp\b|p\.p\.|points?\b|pts?\b|"
    r"usd\b|dollars?\b|x\b|times\b|million\b|m\b|thousand\b|k\b|bn\b|billion\b))?")
_P_VALUE = re.compile(r"\bp(?:\s*-?\s*values?)?\s*(?P<op>=|<=|<|>|≤|of|is|was)\s*"
                      r"(?P<num>\d*\.?\d+(?:e[+-]?\d+)?)")
_LEVEL = re.compile(r"^\s*(?:ci|confidence|interval|credible)")


def numbers(text: str) -> list[Number]:
    """The numbers in a sentence with the unit written after them; confidence levels skipped.

    >>> [(n.value, n.unit) for n in numbers("rose 0.8 points (95% CI +0.2 to +1.4), $12k")]
    [(0.8, 'points'), (0.2, ''), (1.4, ''), (12000.0, 'usd')]
    """
    text = _clean(text)
    found = []
    for m in _NUMBER.finditer(text):
        unit_word = (m.group("unit") or "").strip()
        if unit_word == "%" and _LEVEL.match(text[m.end():]):
            continue  # "95% CI": the confidence level, not evidence
        decimals = len(m.group("dec") or "")
        value = float(m.group("int").replace(",", "") + ("." + m.group("dec") if decimals else ""))
        unit = ""
        if unit_word.startswith(("%", "percent", "per")) and "point" not in unit_word:
            unit = "%"
        elif unit_word.startswith(("point", "pt", "pp", "p.p", "percentage")) or "point" in unit_word:
            unit = "points"
        elif unit_word in ("x", "times"):
            unit = "x"
        elif unit_word.startswith(("usd", "dollar")) or m.group("dollar"):
            unit = "usd"
        scale = {"million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3, "bn": 1e9, "billion": 1e9}
        raw, raw_decimals = None, decimals
        if unit_word in scale:
            raw = -value if m.group("sign") == "-" else value
            value *= scale[unit_word]
            decimals = max(0, decimals - round(math.log10(scale[unit_word])))
            unit = "usd" if m.group("dollar") else ""
        if m.group("sign") == "-":
            value = -value
        found.append(Number(value, unit, m.group("sign") is not None, decimals, m.group(0).strip(),
                            m.start(), raw, raw_decimals))
    return found


# Direction phrases, most specific first: "not significant" before "significant".
_UNCLEAR = ("not significant", "not statistically significant", "no significant", "insignificant",
            "not shown", "not proven", "unclear", "inconclusive", "can't tell", "cannot tell",
            "can not tell", "can't rule out", "cannot rule out", "can not rule out",
            "could not rule out", "not ruled out", "no evidence", "no clear", "either way",
            "includes zero", "include zero", "including zero", "straddles zero",
            "crosses zero", "spans zero", "within noise", "within the noise", "just noise",
            "is noise", "could be noise", "underpowered", "not detectable", "not cleared",
            "not conclusive", "could go either way", "too wide", "can't say", "cannot say",
            "don't know", "do not know", "not enough", "not yet shown", "uncertain",
            "not clear", "no proof", "not distinguishable", "indistinguishable")
_FLAT = ("no change", "no effect", "unchanged", "did not move", "didn't move", "not move",
         "no difference", "flat", "stable", "held steady", "no impact", "not changed",
         "did not change", "didn't change", "no movement", "nothing changed", "not affected",
         "unaffected", "not move", "no real change", "no real difference", "zero effect")
_NOT_WORSE = ("not worse", "no worse", "not harmed", "nothing harmed", "nothing is harmed",
              "no harm", "not hurt", "didn't hurt", "did not hurt", "not get worse",
              "didn't get worse", "did not get worse", "not harm", "harmless", "safe", "fine",
              "held", "no guardrail", "none of the guardrails", "no guardrails", "ok",
              "no damage", "not damaged", "within bounds")
_UP = ("rose", "rise", "rises", "rising", "risen", "up", "increase", "increased", "increases",
       "grew", "grow", "grown", "grows", "higher", "gain", "gained", "more", "climbed", "jumped",
       "lifted", "lift", "raised", "above", "beats", "beat", "exceeds", "exceeded", "ahead",
       "improves", "outperforms", "outperformed")
_DOWN = ("fell", "fall", "falls", "fallen", "drop", "dropped", "drops", "down", "decrease",
         "decreased", "decreases", "declined", "decline", "lower", "less", "shrank", "shrunk",
         "lost", "loses", "below", "cut", "reduced", "slipped", "sank")
_WORSE = ("worse", "harmed", "harm", "hurt", "hurts", "damaged", "worsened", "deteriorated")
_BETTER = ("better", "improved", "improve", "improvement", "helped", "helps")


def _any(phrases: Sequence[str], text: str) -> bool:
    return any(re.search(_phrase(p), text) for p in phrases)


def direction_of(text: str) -> str | None:
    """The direction a phrase claims: 'up', 'down', 'worse', 'better', 'flat', 'not worse',
    'unclear' or None.

    >>> [direction_of(t) for t in ("rose 2 points", "did not move, not shown either way",
    ...                            "no change", "nothing is harmed", "got worse")]
    ['up', 'unclear', 'flat', 'not worse', 'worse']
    """
    text = _clean(text)
    negated = re.search(r"\b(no|not|none|never|nor|neither)\b|n't", text)
    if _any(_UNCLEAR, text) or (negated and re.search(r"\bsignificant(ly)?\b", text)):
        return "unclear"
    if _any(_NOT_WORSE, text):
        return "not worse"
    if _any(_FLAT, text):
        return "flat"
    moves = "|".join(re.escape(w) for w in (*_UP, *_DOWN, *_BETTER))
    if re.search(r"(?:\b(?:not|never|no)|n't)\s+(?:\w+\s+){0,2}?(?:" + moves + r")\b", text):
        return "flat"  # "did not rise": a claim that it did not move
    if _any(_WORSE, text):
        return "worse"
    if _any(_BETTER, text):
        return "better"
    up, down = _any(_UP, text), _any(_DOWN, text)
    if up and not down:
        return "up"
    if down and not up:
        return "down"
    return None


@dataclass
class _Segment:
    """The words about one metric (from its mention to the next one)."""

    fact: Fact | None
    group: str
    text: str
    numbers: list[Number] = field(default_factory=list)
    p_values: list[tuple[str, float, int]] = field(default_factory=list)
    direction: str | None = None
    sentence_facts: tuple[Fact, ...] = ()
    next_fact: dict[int, Fact] = field(default_factory=dict)
    bare: bool = False  # the sentence names no metric ("nothing is harmed")
    negated: bool = False  # the mention follows "no" / "none of the" ("no guardrail got worse")


def _mentions(text: str, evidence: Evidence) -> list[tuple[int, int, Fact | None, str]]:
    """(start, end, fact, group) for each whole-word metric mention, longest match wins."""
    spans = []
    for fact in evidence.facts:
        for word in fact.words:
            spans += [(m.start(), m.end(), fact, "") for m in re.finditer(_phrase(word), text)]
    for group in {f.group for f in evidence.facts if f.group}:
        spans += [(m.start(), m.end(), None, group) for m in re.finditer(_phrase(group), text)]
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    chosen: list[tuple[int, int, Fact | None, str]] = []
    for span in spans:
        if not chosen or span[0] >= chosen[-1][1]:
            chosen.append(span)
    return chosen


def _segments(reason: str, evidence: Evidence) -> list[_Segment]:
    """Split the reason into sentences, then into the words about each metric."""
    text = _clean(reason)
    segments: list[_Segment] = []
    last: _Segment | None = None
    for sentence in re.split(r"[;!?]|\.(?!\d)|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b", text):
        if not sentence.strip():
            continue
        marks = _mentions(sentence, evidence)
        in_sentence = tuple(dict.fromkeys(m[2] for m in marks if m[2] is not None))
        cuts = [m[0] for m in marks]
        # Words before the first mention belong to it (or, with no mention, to the last one).
        pieces = []
        if marks:
            for k, (begin, _end, fact, group) in enumerate(marks):
                stop = cuts[k + 1] if k + 1 < len(marks) else len(sentence)
                start = 0 if k == 0 else begin
                pieces.append((fact, group, sentence[start:stop]))
        elif last is not None:
            pieces.append((last.fact, last.group, sentence))
        else:
            pieces.append((None, "", sentence))
        # Direction words inside a metric's own name ("unchanged traffic mix") claim nothing.
        blanked = sentence
        for begin, end, _fact, _group in marks:
            blanked = blanked[:begin] + " " * (end - begin) + blanked[end:]
        offsets = [0 if k == 0 else m[0] for k, m in enumerate(marks)] or [0]
        for (fact, group, piece), offset in zip(pieces, offsets, strict=False):
            nearby = in_sentence or ((last.fact,) if last is not None and last.fact is not None else ())
            # A number written right before a metric's name ("a 10% bar") is about that metric.
            seg = _Segment(fact, group, piece, sentence_facts=nearby, bare=not marks,
                           negated=bool(re.search(r"\b(?:no|none of the|neither|nor)\s+$",
                                                  sentence[max(0, offset - 14):offset])))
            seg.next_fact = {}
            for n in numbers(_P_VALUE.sub(lambda m: " " * len(m.group(0)), piece)):
                end = offset + n.start + len(n.text) + 1
                close = [m[2] for m in marks if m[2] is not None and 0 <= m[0] - end <= 12]
                if close:
                    seg.next_fact[n.start] = close[0]

            for m in _P_VALUE.finditer(piece):
                written = m.group("num")
                digits = _decimals(float(written)) if "e" in written else len(written.partition(".")[2])
                seg.p_values.append((m.group("op"), float(written), digits))
            masked = _P_VALUE.sub(lambda m: " " * len(m.group(0)), piece)
            seg.numbers = numbers(masked)
            seg.direction = direction_of(blanked[offset:offset + len(piece)])
            segments.append(seg)
            last = seg
        # "latency, unsubscribes and returns: not shown": one predicate for a list of metrics.
        listed = segments[len(segments) - len(pieces):]
        for k in range(len(listed) - 2, -1, -1):
            seg = listed[k]
            rest = seg.text
            for word in (seg.fact.words if seg.fact is not None else (seg.group,)):
                rest = re.sub(_phrase(word), " ", rest) if word else rest
            joined = re.fullmatch(r"[\s,;:&]*(?:and|or)?[\s,]*", rest)
            if seg.direction is None and not seg.numbers and joined:
                seg.direction = listed[k + 1].direction
    return segments


def parse(text: Any, options: Sequence[str]) -> Decision:
    """Read ``"call: evidence sentences"`` into a ``Decision`` (the call must be an option).

    >>> parse("Ship: conversion rose 0.8 points", ["ship", "iterate"]).call
    'ship'
    """
    if not isinstance(text, str):
        raise Unreadable(f"Got {safe_repr(text, 40)}; answer with one of: "
                         f"{', '.join(map(repr, options))}, a colon and your evidence.")
    said = _norm(text.split(":", 1)[0]) if ":" in text else _norm(text)
    for option in sorted(options, key=lambda o: -len(_norm(o))):
        key = _norm(option)
        if said == key or said.startswith(key + " "):
            if ":" in text:
                reason = text.split(":", 1)[1]
            else:
                # No colon: the reason is whatever follows the option's words.
                words = text.split()
                reason = " ".join(words[len(key.split()):])
            return Decision(option, (), reason.strip())
    raise Unreadable(f"Start your answer with one of: {', '.join(map(repr, options))}, "
                     "then a colon and your evidence.")


# ----------------------------------------------------------------- judging ---


@dataclass(frozen=True)
class Judgement:
    """The verdict on a decision: right or not, and the rubric lines the learner reads."""

    correct: bool
    right: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    contradicts: tuple[str, ...] = ()
    question: str = ""

    @property
    def message(self) -> str:
        lines = []
        if self.question:
            lines.append(self.question)
        if self.right:
            lines.append("Right: " + "; ".join(self.right) + ".")
        if self.missing:
            lines.append("Missing: " + "; ".join(self.missing) + ".")
        if self.contradicts:
            lines.append("Contradicts the data: " + " ".join(self.contradicts))
        return "\n".join(lines)


def _tolerance(n: Number) -> float:
    return 0.5 * 10 ** (-n.decimals)


def _readings(n: Number, fact: Fact) -> list[tuple[float, float, bool | None]]:
    """(value in the fact's unit, tolerance, relative?) for each sensible reading of ``n``.

    ``None`` for relative means the reading fits an absolute or a relative value.
    """
    tol = _tolerance(n)
    if fact.unit == "fraction":
        if n.unit == "points":
            return [(n.value / 100, tol / 100, False)]
        if n.unit == "%":
            return [(n.value / 100, tol / 100, None)]
        if n.unit == "":
            return [(n.value, tol, None), (n.value / 100, tol / 100, None)]
        return []
    if fact.unit == "multiple":
        if n.unit in ("x", ""):
            return [(n.value, tol, None)]
        if n.unit == "%":
            return [(n.value / 100, tol / 100, None), (1 + n.value / 100, tol / 100, None)]
        return []
    plain = ("", "usd") if fact.unit in ("usd", "number") else ("",)
    if n.unit in plain:
        # "96 million" may cite a fact kept in millions, or in units.
        scaled = [(n.raw, 0.5 * 10 ** (-n.raw_decimals), None)] if n.raw is not None else []
        return [(n.value, tol, None), *scaled]
    if n.unit == "%" and fact.unit in ("number", "count") and fact.relative is not None:
        return [(n.value / 100, tol / 100, True)]
    return []


def _matches(n: Number, fact: Fact) -> str | None:
    """What of ``fact`` the number ``n`` rightly cites ('estimate', 'ci', ...), or None."""
    for value, tol, relative in _readings(n, fact):
        for what, target, is_rel in fact.candidates():
            if relative is not None and relative != is_rel:
                continue
            if relative is False and is_rel:
                continue
            got, want = (value, target) if n.signed else (abs(value), abs(target))
            if abs(got - want) <= max(tol, REL_TOL * abs(want)) + 1e-12:
                return what
    return None


def _p_ok(op: str, value: float, decimals: int, p: float) -> bool:
    if op in ("<", "<=", "≤"):
        return p < value or math.isclose(p, value)
    if op == ">":
        return p > value
    return abs(p - value) <= max(0.5 * 10 ** (-decimals), REL_TOL * p) + 1e-12


def _direction_problem(claim: str | None, fact: Fact) -> str:
    """Why a direction claim contradicts the fact, or '' when it fits."""
    name = fact.name.replace("_", " ")
    if not fact.change and fact.versus is not None and claim in ("up", "down"):
        side = "up" if fact.estimate > fact.versus else "down"
        if claim != side:
            return (f"{name} is {fact.show(fact.estimate)}, {'above' if side == 'up' else 'below'} "
                    f"{fact.show(fact.versus)}: why say it is {'above' if claim == 'up' else 'below'}?")
        return ""
    if claim is None or not fact.change:
        return ""
    if claim in ("worse", "better"):
        good = claim == "better"
        claim = fact.better if good else ("down" if fact.better == "up" else "up")
    moved, shown = fact.moved, fact.described()
    bad = "down" if fact.better == "up" else "up"
    if claim in ("up", "down"):
        if moved not in ("unclear", claim):
            said = "rose" if claim == "up" else "fell"
            return f"{name} {'rose' if moved == 'up' else 'fell'} ({shown}), so why say it {said}?"
        if moved == "unclear" and (fact.estimate > 0) != (claim == "up") and fact.estimate != 0:
            return f"{name}'s estimate went the other way ({shown})."
        return ""
    if claim == "unclear":
        if moved != "unclear":
            return (f"{name}'s interval is clear of zero ({shown}): it did move. "
                    "What makes you call it not shown?")
        return ""
    if claim == "flat":
        if fact.ci is not None and fact.negligible and max(map(abs, fact.ci)) <= fact.negligible:
            return ""
        if moved != "unclear":
            return f"{name} did move ({shown}). Why say it did not?"
        return (f"{name}'s interval ({shown}) includes changes that would matter: an interval "
                "that straddles zero shows the effect is not shown, not that there is none. "
                "Can you really say it did not change?")
    if claim == "not worse":
        if moved == bad:
            return f"{name} got worse ({shown}). Why say it did not?"
        if moved == "unclear":
            return (f"{name}'s interval ({shown}) includes harm: the data has not ruled it out. "
                    "Can you promise it is not harmed?")
    return ""


def judge(decision: Decision, evidence: Evidence, *,
          question: str | Callable[[], str] = "") -> Judgement:
    """Grade a decision against the evidence (see the module docstring).

    ``question`` is the pointed question for a wrong call (a callable is asked lazily).
    """
    right: list[str] = []
    missing: list[str] = []
    contradicts: list[str] = []
    cited: dict[str, set[str]] = {f.name: set() for f in evidence.facts}
    directions: dict[str, str] = {}
    mentioned: set[str] = set()
    group_claims: dict[str, set[str | None]] = {}
    off: list[str] = []
    counted = 0

    def credit(fact: Fact, n: Number, what: str) -> None:
        nonlocal counted
        counted += 1
        if not cited[fact.name]:
            right.append(f"{fact.name.replace('_', ' ')} {n.text}")
        cited[fact.name].add(what)

    def place(n: Number, owner: Fact | None, nearby: Sequence[Fact]) -> None:
        order = ([owner] if owner else []) + [f for f in nearby if f is not owner]
        for fact in order:
            what = _matches(n, fact)
            if what:
                credit(fact, n, what)
                return
        if any(math.isclose(abs(n.value), abs(g), rel_tol=1e-9, abs_tol=1e-12) for g in evidence.given):
            return
        if owner is None:
            for fact in evidence.facts:
                what = _matches(n, fact)
                if what:
                    credit(fact, n, what)
                    return
            off.append(f"which metric is {n.text} about? It matches nothing in the evidence.")
            return
        off.append(f"{n.text} for {owner.name.replace('_', ' ')} does not match the data: "
                   "recompute it, and check its unit (points, % or fraction).")

    if decision.evidence:
        for claim in decision.evidence:
            fact = evidence.fact(claim.metric) if isinstance(claim, Claim) else None
            if fact is None:
                name = getattr(claim, "metric", claim)
                off.append(f"which metric is {safe_repr(name, 30)}? The evidence has: "
                           f"{', '.join(f.name.replace('_', ' ') for f in evidence.facts)}.")
                continue
            mentioned.add(fact.name)
            for value in ([claim.value] if claim.value is not None else []) + list(claim.ci or ()):
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    off.append(f"{safe_repr(value, 20)} for {fact.name} is not a number.")
                    continue
                text = f"{value:g}" + (claim.unit if claim.unit in ("", "%") else " " + claim.unit)
                digits = _decimals(value)
                unit = {"%": "%", "points": "points", "usd": "usd"}.get(claim.unit, "")
                place(Number(float(value), unit, True, digits, text), fact, ())
            claimed = direction_of(claim.direction) if isinstance(claim.direction, str) else None
            if claimed:
                directions[fact.name] = claimed
                problem = _direction_problem(claimed, fact)
                if problem:
                    contradicts.append(problem)
        reason_segments = _segments(decision.reason, evidence) if decision.reason else []
    else:
        reason_segments = _segments(decision.reason, evidence)
    for seg in reason_segments:
        if seg.fact is not None:
            mentioned.add(seg.fact.name)
        for n in seg.numbers:
            ahead = seg.next_fact.get(n.start)
            if ahead is not None and _matches(n, ahead):
                place(n, ahead, seg.sentence_facts)
            else:
                place(n, seg.fact, seg.sentence_facts)
        for op, value, digits in seg.p_values:
            with_p = [f for f in ([seg.fact] if seg.fact else []) + list(seg.sentence_facts)
                      if f is not None and f.p_value is not None]
            if with_p:
                if _p_ok(op, value, digits, with_p[0].p_value):
                    counted += 1
                    cited[with_p[0].name].add("p")
                else:
                    off.append(f"p {op} {value:g} does not match {with_p[0].name.replace('_', ' ')}'s "
                               f"p-value ({with_p[0].p_value:.2g}).")
        if (seg.bare or (seg.fact is not None and not seg.fact.change)) and seg.direction == "not worse":
            # "nothing is harmed" is a claim about every guardrail.
            for member in (f for f in evidence.facts if f.group):
                problem = _direction_problem("not worse", member)
                if problem and problem not in contradicts:
                    contradicts.append(problem)
        elif seg.fact is not None and seg.direction and not seg.bare:
            directions.setdefault(seg.fact.name, seg.direction)
            problem = _direction_problem(seg.direction, seg.fact)
            if problem and problem not in contradicts:
                contradicts.append(problem)
        elif seg.group and seg.fact is None and not seg.bare:
            claimed = seg.direction
            if seg.negated or re.search(r"\b(no|none of the|neither|nor)\s+" + re.escape(seg.group),
                                        seg.text):
                claimed = "unclear" if claimed == "unclear" else "not worse"
            group_claims.setdefault(seg.group, set()).add(claimed)
            for member in (f for f in evidence.facts if f.group == seg.group):
                problem = _direction_problem(claimed, member)
                if problem and problem not in contradicts:
                    contradicts.append(problem)
    contradicts.extend(off)

    for fact in evidence.facts:
        label = fact.name.replace("_", " ")
        need = fact.require
        if not need:
            continue
        # "No guardrail got significantly worse" says, of each guardrail not cleared, that
        # its harm is not shown: that is its direction.
        group_ok = bool(need == "direction" and fact.group and fact.straddles
                        and "unclear" in group_claims.get(fact.group, set()))
        if fact.name not in mentioned:
            if not group_ok:
                missing.append(f"{label}" + (" with its interval" if need == "interval" else
                                             " with its number" if need == "number" else
                                             ": which way it moved, or that it is not shown"
                                             if need == "direction" else ""))
            continue
        if need in ("number", "interval") and not cited[fact.name] - {"p"}:
            missing.append(f"{label}'s number")
        elif need == "interval" and "ci" not in cited[fact.name] and fact.ci is not None:
            missing.append(f"{label}'s interval (both ends, or the one that decides)")
        elif need == "direction" and fact.name not in directions and not group_ok:
            missing.append(f"which way {label} moved, or that it is not shown")

    if _norm(decision.call) != _norm(evidence.call):
        asked = question() if callable(question) else question
        back = ("Your numbers are right, but they do not add up to "
                f"{decision.call!r}." if counted and not contradicts else "")
        return Judgement(False, (), (), tuple(contradicts[:2]),
                         " ".join(x for x in (asked or f"Why {decision.call!r}? Which number supports it?",
                                              back) if x))
    if counted == 0:
        return Judgement(False, (), tuple(missing[:2]), tuple(contradicts[:2]),
                         f"{decision.call!r} may be the call, but which number supports it? "
                         "Cite the metric and its number (and, for a change, which way it moved).")
    first = right.pop(0) if right else ""
    right.insert(0, f"{decision.call}, with {first}" if first else decision.call)
    correct = not missing and not contradicts
    return Judgement(correct, tuple(right[:3]), tuple(missing[:2]), tuple(contradicts[:2]))


def _decimals(value: float) -> int:
    text = f"{value:.10g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return max(0, len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exponent)
    return len(text.split(".")[1]) if "." in text else 0


def read(answer: Any, options: Sequence[str]) -> Decision:
    """Either accepted form (a ``Decision``, or text) as a ``Decision`` with a valid call."""
    if isinstance(answer, Decision):
        call = parse(f"{answer.call}:", options).call if isinstance(answer.call, str) else None
        if call is None:
            raise Unreadable(f"Decision's call should be one of: {', '.join(map(repr, options))}.")
        claims = list(answer.evidence) if isinstance(answer.evidence, Sequence | tuple) else []
        if not all(isinstance(c, Claim) for c in claims):
            raise Unreadable("Decision(call, evidence=[Claim(metric, direction, value, ci=...), ...]): "
                             "every piece of evidence should be a Claim.")
        return Decision(call, tuple(claims), answer.reason if isinstance(answer.reason, str) else "")
    return parse(answer, options)


def decision_grader(options: Sequence[str], evidence: Callable[[Any], Evidence], *,
                    questions: Mapping[str, str | Callable[[Any], str]] | None = None) -> Callable:
    """A grader for ``Exercise``: reads the answer, judges it against ``evidence(ctx)``."""
    from pmkit.exercises.engine import Verdict, _Unreadable

    options = tuple(options)
    pointed = dict(questions or {})

    def grade(answer: Any, expected: Any, ctx: Any) -> Verdict:
        try:
            decision = read(answer, options)
        except Unreadable as exc:
            raise _Unreadable(str(exc)) from None
        facts = evidence(ctx)
        asked = pointed.get(decision.call, "")
        verdict = judge(decision, facts,
                        question=(lambda: asked(ctx)) if callable(asked) else asked)
        if verdict.correct:
            return Verdict(True, verdict.message + "\nThat is a decision someone can act on.")
        return Verdict(False, verdict.message)

    grade.mistakes = (  # type: ignore[attr-defined]
        *(f"deciding {option!r} against the evidence" for option in pointed),
        "a decision that cites no number, or a number the data does not show",
        "a direction the interval does not support ('no change' when it straddles zero)",
        "leaving out an essential piece of evidence",
    )
    grade.evidence = evidence  # type: ignore[attr-defined]
    grade.options = options  # type: ignore[attr-defined]
    return grade


# ------------------------------------------------------- experiment reports ---

SYNONYMS: dict[str, tuple[str, ...]] = {
    "converted": ("conversion", "conversion rate", "converted", "buyers", "purchases"),
    "latency_ms": ("latency", "load time", "page speed", "speed"),
    "unsubscribed": ("unsubscribes", "unsubscribe", "unsubscribe rate", "unsubscribed"),
    "returned": ("returns", "return rate", "returned", "return"),
    "revenue": ("revenue", "revenue per user", "sales"),
    "clicks": ("clicks", "click rate", "click through"),
}
BAR_WORDS = ("bar", "practical significance", "practically significant", "threshold",
             "worth building", "mde", "minimum detectable effect", "target", "hurdle")


def comparison_fact(c: Any, *, require: str = "", group: str = "", better: str = "up",
                    also: Sequence[float] = ()) -> Fact:
    """A pmkit ``Comparison`` (treatment against control) as a ``Fact``."""
    name = SYNONYMS.get(c.metric, (c.metric.replace("_", " "),))[0]
    rel_ci = tuple(c.relative_ci) if all(math.isfinite(v) for v in c.relative_ci) else None
    return Fact(name, float(c.difference), "fraction" if c.is_rate else "number",
                ci=(float(c.ci[0]), float(c.ci[1])), relative=float(c.relative_lift),
                relative_ci=rel_ci, p_value=float(c.p_value),
                synonyms=tuple(s for s in SYNONYMS.get(c.metric, ()) if s != name) +
                ((c.metric.replace("_", " "),) if c.metric not in SYNONYMS else ()),
                require=require, group=group, better=better, also=tuple(also))


def launch_evidence(report: Any, *, bar: float | None = None,
                    also: Sequence[float] = ()) -> Evidence:
    """The evidence of an ``analyze`` report and the launch call a senior PM makes from it.

    The rule: a failed traffic split means "don't ship"; a harmed guardrail means "iterate"
    when the primary metric won (fix the harm, test again) and "don't ship" otherwise; a win
    whose estimated relative lift is below the team's bar for practical significance is
    "iterate" (real, but not worth what it costs yet); a win that clears the bar is "ship";
    no win is "don't ship". Every guardrail that got worse must be cited with its number, every
    one that could not be cleared (its interval includes harm) with its direction.
    """
    primary = report.primary
    facts = [comparison_fact(primary, require="interval", also=also)]
    for g in report.guardrails:
        harmed = g.metric in report.harmed_guardrails
        uncleared = g.ci[0] <= 0 <= g.ci[1] or g.ci[0] > 0
        facts.append(comparison_fact(g, group="guardrail", better="down",
                                     require="number" if harmed else "direction" if uncleared else ""))
    if bar is not None:
        facts.append(Fact("bar", bar, change=False, synonyms=BAR_WORDS, require="number"))
    wins = primary.significant and primary.difference > 0
    name = facts[0].name
    if not report.srm.passed:
        call, rule = "don't ship", "the traffic split failed its sample-ratio check: no metric can be trusted"
    elif report.harmed_guardrails:
        harmed = ", ".join(report.harmed_guardrails)
        call = "iterate" if wins else "don't ship"
        rule = (f"{name} won but {harmed} got worse: fix the harm and test again" if wins
                else f"{harmed} got worse and {name} did not win")
    elif report.novelty_detected:
        call, rule = report.recommendation, "the lift fades for late arrivals: novelty"
    elif wins and bar is not None and primary.relative_lift < bar:
        call = "iterate"
        rule = (f"{name} rose {primary.relative_lift:+.1%}, real but below the {bar:.0%} bar the "
                "team set for practical significance")
    elif wins:
        call = "ship"
        rule = (f"{name}'s interval is clear of zero" + (f" and the lift clears the {bar:.0%} bar"
                                                        if bar is not None else "") +
                "; no guardrail got worse (those not cleared are watched after launch)")
    else:
        call, rule = "don't ship", f"{name}'s interval includes zero: no win to ship"
    return Evidence(call, tuple(facts), rule, given=(95.0, 0.95))
