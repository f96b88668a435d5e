"""The exercise engine behind ``lesson.check`` and ``lesson.hint``.

Three ideas keep it honest:

- An ``Exercise`` knows how to *compute* its expected answer from a
  ``Context`` (the lesson's seed and data), never a typed-in number.
- A grader (``number``, ``choice``, ``decision``, ``items`` or any function
  returning a ``Verdict``) compares an answer with that expectation and knows
  the common mistakes worth a targeted message.
- ``Lesson.check`` wraps all of it so nothing a learner passes can raise.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit import paths
from pmkit.display import GOOD, NEUTRAL, PALETTE, card, fmt, safe_repr
from pmkit.exercises import capture

STATUSES = ("correct", "incorrect", "not answered", "error")
_LESSON_NAME = re.compile(r"^(\d\d)_([a-z0-9_]+)$")


@dataclass(frozen=True)
class Verdict:
    """A grader's answer: right or not, and the sentence the learner reads."""

    correct: bool
    message: str = ""


class Context:
    """What expected answers are computed from: the seed, parameters and cached data."""

    def __init__(self, lesson: str, seed: int | None = None, **params: Any):
        self.lesson = lesson
        self.seed = seed
        self.params = params
        self._cache: dict[Any, Any] = {}

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Compute once per lesson session (expected values often share work)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def load(self, name: str) -> Any:
        """A dataset table for this lesson's seed."""
        from pmkit import datasets

        return self.cached(("load", name), lambda: datasets.load(name, seed=self.seed))

    def truth(self, name: str) -> Any:
        """The hidden ground truth behind a dataset table for this lesson's seed."""
        from pmkit import datasets

        return self.cached(("truth", name), lambda: datasets.truth(name, seed=self.seed))


Grader = Callable[[Any, Any, Context], Verdict]


LEVELS = ("remember", "understand", "apply", "analyse", "evaluate", "create")
"""Bloom's levels, lowest first: what an exercise asks a learner to do with an idea."""

_CODE_BLOCK = re.compile(r"```python\n(.*?)\n```", re.S)


def ladder(idea: str, strategy: str, blanks: str, answer: str) -> tuple[str, str, str, str]:
    """An exercise's four hints: the idea, a strategy, code with blanks, the worked step.

    The idea is about the product question, in words (no code); the strategy names the
    steps and the pandas or pmkit calls; ``blanks`` is the answer's code with ``___`` where
    the learner fills in; ``answer`` is the code that completes the exercise (it opens only
    after one checked attempt).

    >>> rungs = ladder("Late means after the promise.", "Compare two columns, then average.",
    ...                "late = (orders[___] > orders[___]).mean()",
    ...                "late = (orders['actual_days'] > orders['promised_days']).mean()")
    >>> len(rungs), rungs[2].startswith("```python")
    (4, True)
    """
    for label, text in (("idea", idea), ("strategy", strategy), ("blanks", blanks), ("answer", answer)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"a hint ladder's {label} rung should be non-empty text")
    if "`" in idea:
        raise ValueError("a hint ladder's idea rung is about the idea, in words: no code")
    if "___" not in blanks:
        raise ValueError("a hint ladder's blanks rung should leave ___ for the learner to fill")
    if "___" in answer:
        raise ValueError("a hint ladder's answer rung should be complete code, with no ___ left")
    return (idea.strip(), strategy.strip(), _as_code(blanks), _as_code(answer))


def _as_code(code: str) -> str:
    return f"```python\n{code.strip()}\n```"


def hint_code(hint: str) -> str | None:
    """The Python code in a hint rung written by ``ladder`` (None if it holds none)."""
    found = _CODE_BLOCK.search(hint)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Exercise:
    """One exercise: a question, how to compute its answer, how to grade, the hints.

    The last hint is the worked step; earlier ones nudge. ``level`` is the Bloom level the
    exercise works at; ``recalls`` names the earlier lesson ("06") a warm-up question
    retrieves.
    """

    name: str
    question: str
    expected: Callable[[Context], Any]
    grade: Grader
    hints: tuple[str, ...] = ()
    minutes: int = 3
    level: str = "apply"
    recalls: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"exercise name {self.name!r} should be a lower_snake_case identifier")
        if not self.hints:
            raise ValueError(f"exercise {self.name!r} needs at least one hint")
        if self.level not in LEVELS:
            raise ValueError(f"exercise {self.name!r}: level should be one of {', '.join(LEVELS)}, "
                             f"got {self.level!r}")
        if self.recalls is not None and not re.fullmatch(r"\d\d", str(self.recalls)):
            raise ValueError(f"exercise {self.name!r}: recalls should be a lesson id like '06', "
                             f"got {self.recalls!r}")
        object.__setattr__(self, "hints", tuple(self.hints))
        if capture.active():  # a grading kernel: the answer key stays with the grader
            object.__setattr__(self, "expected", capture.withheld(self.name))


# ---------------------------------------------------------------- feedback ---

_ICONS = {"correct": "✅", "incorrect": "❌", "not answered": "✏️", "error": "⚠️"}
# The HTML card's marks: symbols that ordinary text fonts draw (DejaVu Sans, Segoe UI Symbol,
# Apple Symbols), where the emoji above need a colour-emoji font and else show as empty boxes.
# They sit beside the status in words and are hidden from screen readers. The plain text keeps
# the emoji: `pmkit check` and the gradebook read it.
_MARKS = {"correct": "✓", "incorrect": "✗", "not answered": "✎", "error": "⚠"}
_COLOURS = {"correct": GOOD, "incorrect": PALETTE[3], "not answered": NEUTRAL, "error": PALETTE[1]}


@dataclass(frozen=True)
class Feedback:
    """What ``check`` returns: a status, a sentence, and what to do next."""

    lesson: str
    exercise: str
    status: str
    message: str
    next_step: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        text = f"{_ICONS[self.status]} {self.exercise}: {self.status}. {self.message}".rstrip()
        return f"{text} {self.next_step}".rstrip()

    def _repr_html_(self) -> str:
        # role="status": a screen reader announces the verdict when the check's output appears.
        return card(
            f"{self.exercise}: {self.status}",
            [],
            summary=self.message,
            accent=_COLOURS[self.status],
            footer=self.next_step,
            icon=_MARKS[self.status],
            role="status",
        )


@dataclass(frozen=True)
class Hint:
    """One rung of an exercise's hint ladder."""

    exercise: str
    level: int
    total: int
    text: str

    @property
    def label(self) -> str:
        return "Worked step" if self.level == self.total and self.total > 1 else f"Hint {self.level}"

    def __repr__(self) -> str:
        return f"💡 {self.exercise}, {self.label} ({self.level}/{self.total}): {self.text}"

    def _repr_markdown_(self) -> str:
        """The hint as Markdown, so its `code` and *emphasis* render as such in every frontend.

        >>> print(Hint("orders", 1, 2, "Try `orders.mean()`.")._repr_markdown_())
        > 💡 **orders: Hint 1 (1/2)**
        >
        > Try `orders.mean()`.
        >
        > *Call hint() again for the next one.*
        """
        lines = [f"💡 **{self.exercise}: {self.label} ({self.level}/{self.total})**", "",
                 *self.text.splitlines()]
        if self.level != self.total:
            lines += ["", "*Call hint() again for the next one.*"]
        return "\n".join(f"> {line}".rstrip() for line in lines)


# ------------------------------------------------------------------ lesson ---


class Lesson:
    """A lesson's exercises, bound to a seed: ``check``, ``hint`` and ``status``."""

    def __init__(self, name: str, exercises: Sequence[Exercise], context: Context):
        self.name = name
        self.context = context
        self.exercises = {ex.name: ex for ex in exercises}
        if len(self.exercises) != len(exercises):
            raise ValueError(f"lesson {name} defines an exercise name twice")
        self._hint_level: dict[str, int] = {}
        self._results: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Lesson {self.name}: {len(self.exercises)} exercises ({', '.join(self.exercises)})"

    def _lookup(self, exercise: Any) -> Exercise | None:
        return self.exercises.get(exercise) if isinstance(exercise, str) else None

    def _unknown(self, exercise: Any) -> str:
        return (
            f"There is no exercise called {safe_repr(exercise)} in lesson {self.name}; "
            f"the exercises are: {', '.join(self.exercises)}."
        )

    def check(self, exercise: str, answer: Any) -> Feedback:
        """Grade ``answer`` for ``exercise``; never raises."""
        if capture.active():  # pmkit grade: record the answer; the grader judges it outside
            return Feedback(self.name, safe_repr(exercise, 40), "not answered",
                            capture.record(self.name, exercise, answer, self.context.seed))
        ex = self._lookup(exercise)
        if ex is None:
            return Feedback(self.name, safe_repr(exercise, 40), "error", self._unknown(exercise))
        feedback = self._grade(ex, answer)
        self._results[ex.name] = feedback.status
        record(self.name, ex.name, feedback.status)
        return feedback

    def _grade(self, ex: Exercise, answer: Any) -> Feedback:
        if answer is ...:
            return Feedback(
                self.name,
                ex.name,
                "not answered",
                "Not answered yet: replace the ... with your answer and run the cell again.",
                f"Stuck? lesson.hint({ex.name!r})",
            )
        if answer is None:
            return Feedback(
                self.name,
                ex.name,
                "not answered",
                "Your answer is None: did you forget to assign it, or a `return`?",
                f"Stuck? lesson.hint({ex.name!r})",
            )
        try:
            expected = ex.expected(self.context)
        except Exception as exc:  # a broken lesson must not look like a wrong answer
            return Feedback(
                self.name,
                ex.name,
                "error",
                f"This exercise could not compute its answer ({type(exc).__name__}: "
                f"{safe_repr(str(exc), 120)}). Please report it to the course authors.",
            )
        try:
            verdict = ex.grade(answer, expected, self.context)
            if not isinstance(verdict, Verdict):
                raise TypeError(f"grader returned {type(verdict).__name__}, not a Verdict")
        except _Unreadable as exc:
            return Feedback(self.name, ex.name, "incorrect", str(exc), f"lesson.hint({ex.name!r})")
        except Exception as exc:
            return Feedback(
                self.name,
                ex.name,
                "incorrect",
                f"Could not compare {safe_repr(answer, 60)} with the answer "
                f"({type(exc).__name__}). Check the type of your answer: {ex.question}",
                f"lesson.hint({ex.name!r})",
            )
        if verdict.correct:
            return Feedback(self.name, ex.name, "correct", verdict.message or "Well done.")
        return Feedback(
            self.name,
            ex.name,
            "incorrect",
            verdict.message or "Not quite.",
            f"Try again, or ask for lesson.hint({ex.name!r}).",
        )

    def hint(self, exercise: str, level: int | None = None) -> Hint | Feedback:
        """The next hint for ``exercise`` (or a given ``level``, 1-based)."""
        ex = self._lookup(exercise)
        if ex is None:
            return Feedback(self.name, safe_repr(exercise, 40), "error", self._unknown(exercise))
        total = len(ex.hints)
        if isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= total:
            chosen = level
        else:
            chosen = min(self._hint_level.get(ex.name, 0) + 1, total)
        if chosen == total > 1 and not self.answered(ex.name):
            # The worked step completes the answer: it waits until the learner has tried one.
            self._hint_level[ex.name] = total - 1
            return Feedback(
                self.name,
                ex.name,
                "not answered",
                f"The last rung shows the finished code, so it opens after you have tried: "
                f"put your best attempt in place of the ... and run its check first "
                f"(hint {total - 1} of {total} gives you the code with blanks).",
                f"lesson.check({ex.name!r}, {ex.name})",
            )
        self._hint_level[ex.name] = chosen
        record(self.name, ex.name, "hint", hint=chosen)
        return Hint(ex.name, chosen, total, ex.hints[chosen - 1])

    def answer(self, exercise: str) -> Any:
        """The expected answer (for instructors' keys and tests)."""
        if capture.active():
            raise capture.unavailable("lesson.answer")
        ex = self._lookup(exercise)
        if ex is None:
            raise ValueError(self._unknown(exercise))
        return ex.expected(self.context)

    def answered(self, exercise: str) -> bool:
        """Whether ``exercise`` has been checked with a real answer in this session."""
        return self._results.get(exercise) in ("correct", "incorrect")

    def reveal(self, exercise: str, shown: Any) -> Any:
        """``shown`` (a truth table, the tool's verdict) once ``exercise`` has been answered.

        A truth reveal judges a decision, so it waits for it: before the learner's answer
        has been checked, the reveal says what to do first instead.
        """
        ex = self._lookup(exercise)
        if ex is None:
            return Feedback(self.name, safe_repr(exercise, 40), "error", self._unknown(exercise))
        if self.answered(ex.name):
            return shown
        return Feedback(
            self.name,
            ex.name,
            "not answered",
            f"Answer the decision first: check your {ex.name!r} answer, then run this cell again "
            "to see the truth it is judged against.",
            f"lesson.check({ex.name!r}, {ex.name})",
        )

    def status(self) -> dict[str, str]:
        """Each exercise's latest status in this session ('not started' if never checked)."""
        return {name: self._results.get(name, "not started") for name in self.exercises}


def common_mistakes(exercise: Exercise) -> tuple[str, ...]:
    """The mistakes an exercise's grader recognises, in words (for facilitator guides)."""
    found = getattr(exercise.grade, "mistakes", ())
    return tuple(m for m in found if isinstance(m, str))


def start(lesson: str, seed: int | None = None, **params: Any) -> Lesson:
    """Open a lesson's exercises for a seed: ``lesson = start("00_welcome", seed=seed)``."""
    if not isinstance(lesson, str) or not _LESSON_NAME.match(lesson):
        raise ValueError(f"lesson should be named like '00_welcome', got {safe_repr(lesson)}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed should be a whole number or None, got {safe_repr(seed)}")
    topic = _LESSON_NAME.match(lesson).group(2)
    if capture.active():  # a grading kernel sees no answer keys: the exercise modules stay out
        return Lesson(lesson, (), Context(lesson, None if seed is None else int(seed), **params))
    try:
        module = importlib.import_module(f"pmkit.exercises.{topic}")
    except ModuleNotFoundError:
        raise ValueError(f"no exercises for lesson {lesson!r}; known: {', '.join(known_lessons())}") from None
    opened = Lesson(lesson, module.EXERCISES, Context(lesson, None if seed is None else int(seed), **params))
    _settle_kernel()
    return opened


def _settle_kernel() -> None:
    """In a notebook kernel, take what the lesson's setup loaded out of later garbage collections.

    By the time a lesson calls ``start`` its setup cell has imported pandas, numpy and pmkit,
    which stay loaded all session: about 250,000 long-lived objects that every full pass of
    Python's cyclic garbage collector walks again. Measured on a two-core machine, a lesson
    soon pays 0.25-0.3 s for such a pass; after ``gc.freeze()`` it no longer sees them
    (13 lessons: 3.8 s of collection down to 2.2 s).
    Objects created later are collected as usual, so closed figures and dropped frames are still
    freed. Outside a kernel (tests, the grader's own process) nothing changes.
    """
    import sys

    if "ipykernel" not in sys.modules:
        return
    import gc

    gc.freeze()


def known_lessons() -> list[str]:
    """Topics that have an exercises module."""
    from importlib import resources

    return sorted(
        p.name.removesuffix(".py")
        for p in resources.files("pmkit.exercises").iterdir()
        if p.name.endswith(".py") and p.name not in {"__init__.py", "engine.py", "capture.py"}
    )


# ---------------------------------------------------------------- progress ---


def record(lesson: str, exercise: str, status: str, **extra: Any) -> None:
    """Append one event to the learner's progress log; silently skip if impossible.

    An append-only JSON-lines log needs no locking: one short ``write`` per
    event, so two kernels checking at once never corrupt it.
    """
    target = paths.progress_file()
    if target is None:
        return
    event = {
        "time": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "lesson": lesson,
        "exercise": exercise,
        "status": status,
        **extra,
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "a", encoding="utf-8") as log:
            log.write(json.dumps(event) + "\n")
    except OSError:
        pass  # progress is a convenience; an unwritable folder must not break a lesson


def read_progress(path: Any = None) -> list[dict[str, Any]]:
    """Every well-formed event in the progress log (damaged lines are skipped)."""
    target = paths.progress_file() if path is None else path
    events: list[dict[str, Any]] = []
    if target is None:
        return events
    try:
        lines = Path(target).read_text(encoding="utf-8").splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and {"lesson", "exercise", "status"} <= event.keys():
            events.append(event)
    return events


# ----------------------------------------------------------------- graders ---


class _Unreadable(Exception):
    """The answer is not the kind of thing the exercise asks for (message says why)."""


_NUMERIC_TEXT = re.compile(r"^\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*(%?)\s*$")


def _as_float(answer: Any) -> float:
    if isinstance(answer, bool):
        raise _Unreadable(f"{answer} is a yes/no value; this exercise wants a number.")
    if isinstance(answer, str):
        found = _NUMERIC_TEXT.match(answer)
        if found is None:
            raise _Unreadable(f"{safe_repr(answer, 40)} is text; this exercise wants a number.")
        return float(found.group(1).replace(",", ""))
    if isinstance(answer, numbers.Real):
        return float(answer)
    size = getattr(answer, "size", None)
    if isinstance(size, int) and size == 1 and hasattr(answer, "item"):
        return _as_float(answer.item())
    if isinstance(size, int) and size != 1:
        raise _Unreadable(
            f"Got {size} values ({type(answer).__name__}); this exercise wants a single number."
        )
    if isinstance(answer, Mapping | Iterable):
        raise _Unreadable(f"Got a {type(answer).__name__}; this exercise wants a single number.")
    raise _Unreadable(f"Got {safe_repr(answer, 40)}; this exercise wants a single number.")


def _percent_text(answer: Any) -> bool:
    """'11.8%': a number written as a percentage (read as 0.118 where a fraction is asked)."""
    return isinstance(answer, str) and bool(_NUMERIC_TEXT.match(answer)) and answer.strip().endswith("%")


def _rounded_from(value: float, target: float) -> bool:
    """True when ``value`` is ``target`` rounded to some number of decimals or significant digits."""
    if value == target or value == 0:
        return False
    for digits in range(0, 7):
        if math.isclose(value, round(target, digits), rel_tol=1e-12, abs_tol=1e-12):
            return True
    for significant in range(1, 7):
        if target and math.isclose(value, float(f"{target:.{significant}g}"), rel_tol=1e-12):
            return True
    return False


def _close(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


WrongValue = tuple[Callable[[Context], float], str]


def number(
    rel_tol: float = 1e-3, abs_tol: float = 1e-9, *, mistakes: Sequence[WrongValue] = (), unit: str = ""
) -> Grader:
    """Grade a single number; spot percent-vs-fraction, sign and known wrong values.

    ``mistakes`` pairs a function computing a tempting wrong answer (e.g. the
    rate with the wrong denominator) with the message a learner who gave it
    should read.
    """

    def grade(answer: Any, expected: Any, ctx: Context) -> Verdict:
        value = _as_float(answer)
        target = float(expected)
        if math.isnan(value) or math.isinf(value):
            return Verdict(False, f"Your answer is {value}: check for a division by zero or missing data.")
        shown = f"{fmt(target, 4)}{unit}"
        # '11.8%' may state a fraction (0.118) or a percentage (11.8): both readings are tried.
        readings = (value / 100, value) if _percent_text(answer) else (value,)
        if any(_close(v, target, rel_tol, abs_tol) for v in readings):
            return Verdict(True, f"Yes: {shown}.")
        value = readings[0]
        # Known slips first: they name the cause, the generic messages below only the size.
        for wrong, message in mistakes:
            if _close(value, float(wrong(ctx)), rel_tol, abs_tol):
                return Verdict(False, message)
        as_percent, as_fraction = target * 100, target / 100
        if target != 0 and (_close(value, as_percent, rel_tol, abs_tol) or _rounded_from(value, as_percent)):
            return Verdict(False, "That looks like a percentage; give it as a fraction (0.25, not 25).")
        if target != 0 and (_close(value, as_fraction, rel_tol, abs_tol)
                            or _rounded_from(value, as_fraction)):
            return Verdict(False, "That looks like a fraction; this one wants a percentage (25, not 0.25).")
        if target != 0 and _close(value, -target, rel_tol, abs_tol):
            return Verdict(False, "Right size, wrong sign: check which way round you subtracted.")
        if "users" in unit and value < target and math.ceil(value) == target:
            return Verdict(False, "That is the unrounded formula; round up to whole users "
                                  "(nobody recruits part of a user).")
        if _rounded_from(value, target):
            return Verdict(False, "That is the answer rounded too early: keep the full precision "
                                  "and round only when you present it.")
        if target != 0 and _close(value, target, 0.05, abs_tol):
            return Verdict(False, f"{fmt(value, 4)}{unit} is close, but not the answer: check "
                                  "which rows and which formula you used.")
        side = "high" if value > target else "low"
        return Verdict(False, f"{fmt(value, 4)}{unit} is too {side}.")

    grade.mistakes = (  # type: ignore[attr-defined]
        *(message for _, message in mistakes),
        "a percentage given where a fraction is asked (or the reverse)",
        "a flipped sign",
        "rounding too early (only when the answer is the expected value rounded)",
    )
    return grade


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("-", " ").replace("_", " ")
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text).split())


def _match_option(answer: Any, options: Sequence[str]) -> tuple[str, str]:
    """The option the answer starts with (longest first) and the rest of the text."""
    if not isinstance(answer, str):
        raise _Unreadable(
            f"Got {safe_repr(answer, 40)}; answer with one of: {', '.join(map(repr, options))}."
        )
    said = _norm(answer)
    for option in sorted(options, key=lambda o: -len(_norm(o))):
        key = _norm(option)
        if said == key or said.startswith(key + " "):
            return option, said[len(key) :].strip()
    raise _Unreadable(f"Start your answer with one of: {', '.join(map(repr, options))}.")


def choice(
    options: Sequence[str], *, mistakes: Mapping[str, str | Callable[[Context], str]] | None = None
) -> Grader:
    """Grade one option from a fixed list (case, spacing and hyphens don't matter)."""
    options = tuple(options)
    messages = dict(mistakes or {})

    def grade(answer: Any, expected: Any, ctx: Context) -> Verdict:
        picked, _ = _match_option(answer, options)
        if _norm(picked) == _norm(str(expected)):
            return Verdict(True, f"Yes: {expected}.")
        message = messages.get(picked, f"Not {picked!r}. Look at the evidence again.")
        return Verdict(False, message(ctx) if callable(message) else message)

    grade.mistakes = tuple(f"answering {option!r}" for option in messages)  # type: ignore[attr-defined]
    return grade


def decision(
    options: Sequence[str],
    evidence: Callable[[Context], Any],
    *,
    questions: Mapping[str, str | Callable[[Context], str]] | None = None,
) -> Grader:
    """Grade a written decision on the evidence it cites (see ``pmkit.exercises.evidence``).

    ``evidence(ctx)`` returns the ``Evidence`` for the learner's seed: the facts, what a
    decision must cite, and the call they support. A wrong call gets the pointed question
    from ``questions``; a right call with a wrong number, a false direction, a missing
    essential or no number at all is sent back with a rubric: what was right, what is
    missing, what contradicts the data.
    """
    from pmkit.exercises.evidence import decision_grader

    return decision_grader(options, evidence, questions=questions)


def items(*, ordered: bool = False, key: Callable[[Any], Any] = str) -> Grader:
    """Grade a collection of labels (a top-k list, a set of features)."""

    def grade(answer: Any, expected: Any, ctx: Context) -> Verdict:
        if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            raise _Unreadable(f"Got {safe_repr(answer, 40)}; this exercise wants a list.")
        given = [key(a) for a in list(answer)]
        wanted = [key(e) for e in expected]
        if ordered and given == wanted:
            return Verdict(True, f"Yes, in the right order: {', '.join(wanted)}.")
        if not ordered and sorted(given) == sorted(wanted):
            return Verdict(True, f"Yes: {', '.join(wanted)}.")
        if ordered and sorted(given) == sorted(wanted):
            return Verdict(False, "The right items, in the wrong order.")
        extra = [g for g in given if g not in wanted]
        missing = [w for w in wanted if w not in given]
        parts = []
        if missing:
            parts.append(f"{len(missing)} item(s) missing")
        if extra:
            parts.append(f"{safe_repr(extra[0], 30)} does not belong")
        return Verdict(False, "; ".join(parts) + "." if parts else "Not quite.")

    grade.mistakes = ("the right items in the wrong order",) if ordered else ()  # type: ignore[attr-defined]
    return grade
