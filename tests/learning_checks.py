"""What the learning-design tests look for in a notebook, as plain functions.

Kept apart from the tests so each rule is itself tested on cases made up to fool it
(``tests/test_learning.py``), and so an author can run one on a notebook of their own::

    from tests.learning_checks import answers_on_screen
    answers_on_screen(nb, "02_voice_of_the_customer", seed=42)
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pmkit.exercises.engine import Exercise

# A number as people print it: 8,706 / 8706 / -0.118 / .5 / 11.8 followed by an optional %.
_NUMBER = re.compile(r"(?<![\w.])([-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+)"
                     r"(\s?%|\s?(?:points?|pts?|pp)\b)?")
# Small whole-number answers (a month, a period) are only recognisable next to their unit.
_UNIT_BEFORE = r"(?:month|period|week|day|year|cohort|sprint|quarter|team|rank|position)s?"
DRAWING = re.compile(r"new_axes\(|plt\.|\.plot\(|explorer\(|\bax\.|\bfig\b|pmkit\.show\(")
REFLECT = "### Reflect"
YOUR_REFLECTION = "*Your reflection:*"
WARM_UP = "## Warm-up: remember"
OPTIONAL = "# Optional reading:"
EVIDENCE_VERBS = ("explain", "justify", "decide", "argue", "judge", "defend", "recommend")
ABOVE_APPLY = ("analyse", "evaluate", "create")


def source(cell: Any) -> str:
    src = cell["source"] if isinstance(cell, dict) else cell.source
    return "".join(src) if isinstance(src, list) else str(src)


def is_decision(exercise: Exercise) -> bool:
    """Graded on the evidence it cites (``engine.decision``)."""
    return hasattr(exercise.grade, "evidence")


def check_cells(nb: Any) -> dict[str, int]:
    """Each exercise's check cell: name -> cell index (the first cell that checks it)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            for name in re.findall(r'lesson\.check\(\s*"([a-z0-9_]+)"', source(cell)):
                found.setdefault(name, index)
    return found


def _strip_tags(text: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def output_texts(cell: Any) -> list[str]:
    """What a code cell showed, as text: each output once (its richest readable form)."""
    texts = []
    for output in cell.get("outputs", []) if isinstance(cell, dict) else cell.outputs:
        if output.get("output_type") == "stream":
            texts.append(source({"source": output.get("text", "")}))
            continue
        data = output.get("data", {})
        for kind in ("text/markdown", "text/html", "text/plain"):
            if kind in data:
                text = source({"source": data[kind]})
                texts.append(_strip_tags(text) if kind == "text/html" else text)
                break
        if "image/png" in data and "text/plain" not in data:
            continue
    return texts


@dataclass(frozen=True)
class Printed:
    """A number as it was printed: its value and how many decimals were written."""

    value: float
    decimals: int
    percent: bool
    significant: int


def printed_numbers(text: str) -> list[Printed]:
    """Every number in ``text`` with its written precision.

    >>> [(p.value, p.decimals, p.percent) for p in printed_numbers("12% of 8,706; 0.118")]
    [(12.0, 0, True), (8706.0, 0, False), (0.118, 3, False)]
    """
    found = []
    for match in _NUMBER.finditer(text):
        token = match.group(1).replace(",", "").replace("−", "-")
        digits = token.lstrip("+-").replace(".", "").lstrip("0")
        decimals = len(token.split(".")[1]) if "." in token else 0
        found.append(Printed(float(token), decimals, bool(match.group(2)), len(digits)))
    return found


def shows_number(text: str, expected: float) -> str | None:
    """The printed form of ``expected`` in ``text``, if any (None when it is not there).

    A printed number shows the answer when it is the answer rounded to the digits written
    (with at least two significant digits, so "0.1" does not give away 0.118), as a fraction
    or, next to a percent sign or "points", as a percentage.

    >>> shows_number("conversion rose to 11.8%", 0.118), shows_number("it is 12%", 0.118)
    ('11.8%', '12%')
    >>> shows_number("users: 8,706", 8706), shows_number("about 0.1 of them", 0.118)
    ('8706', None)
    >>> shows_number("the fifth month", 5), shows_number("churn peaks in month 5", 5)
    (None, 'month 5')
    """
    if not math.isfinite(expected):
        return None
    if float(expected).is_integer() and abs(expected) < 100:
        hit = re.search(rf"\b{_UNIT_BEFORE}\s+#?{int(expected)}\b", text, re.I)
        return hit.group(0) if hit else None
    for printed in printed_numbers(text):
        if printed.significant < 2:
            continue
        candidates = (expected * 100,) if printed.percent else (expected,)
        for candidate in candidates:
            for value in (printed.value, abs(printed.value)):
                if math.isclose(round(candidate, printed.decimals), value, rel_tol=1e-9, abs_tol=1e-12) \
                        or math.isclose(round(abs(candidate), printed.decimals), value, rel_tol=1e-9,
                                        abs_tol=1e-12):
                    if value == 0:
                        continue
                    shown = f"{printed.value:.{printed.decimals}f}"
                    return shown + ("%" if printed.percent else "")
    return None


def shows_items(text: str, expected: Sequence[str]) -> bool:
    """Whether every item of a list answer appears, as whole words, in one output."""
    return len(expected) >= 2 and all(
        re.search(rf"(?<![\w-]){re.escape(str(item))}(?![\w-])", text, re.I) for item in expected
    )


def _numbers_in(expected: Any) -> list[float]:
    if isinstance(expected, bool) or expected is None:
        return []
    scalar = hasattr(expected, "dtype") and getattr(expected, "size", 0) == 1
    if isinstance(expected, int | float) or scalar:
        try:
            return [float(expected)]
        except (TypeError, ValueError):
            return []
    if isinstance(expected, tuple | list) and expected and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in expected
    ):
        return [float(v) for v in expected]
    return []


def answers_on_screen(nb: Any, exercises: Iterable[Exercise], answers: dict[str, Any]) -> list[str]:
    """Exercises whose expected value appears above their own check cell, with where and how.

    Numbers are looked for in outputs and prose; a list of labels in any single output.
    Decisions are left out: their call is judged on evidence, and the evidence is meant to be
    on screen.
    """
    cells = nb["cells"]
    where = check_cells(nb)
    problems = []
    for exercise in exercises:
        if is_decision(exercise) or exercise.name not in where:
            continue
        expected = answers[exercise.name]
        numbers = _numbers_in(expected)
        labels = (list(expected) if isinstance(expected, list | tuple) and expected
                  and all(isinstance(v, str) for v in expected) else [])
        for index in range(where[exercise.name]):
            cell = cells[index]
            texts = [source(cell)] if cell["cell_type"] == "markdown" else output_texts(cell)
            for text in texts:
                for number in numbers:
                    shown = shows_number(text, number)
                    if shown:
                        problems.append(f"{exercise.name}: {shown} (the answer {number:g}) is shown "
                                        f"in cell {index}, above its check")
                if labels and cell["cell_type"] == "code" and shows_items(text, labels):
                    problems.append(f"{exercise.name}: all of {labels} are printed in cell {index}, "
                                    "above its check")
    return sorted(set(problems))


def paste_answer(nb: Any, name: str, code: str) -> None:
    """Put ``code`` in place of the learner's ``name = ...`` line in the exercise's check cell."""
    index = check_cells(nb)[name]
    cell = nb["cells"][index]
    text = source(cell)
    pattern = re.compile(rf"^{re.escape(name)}\s*=\s*\.\.\.\s*$", re.M)
    if not pattern.search(text):
        raise AssertionError(f"{name}: its check cell (cell {index}) has no `{name} = ...` line")
    cell["source"] = pattern.sub(lambda _: code, text, count=1)


def header_line(text: str) -> re.Match[str] | None:
    """The header's time, prerequisites and Python-help line."""
    return re.search(
        r"^\*Estimated time:\* (\d+) minutes · \*Prerequisites:\* (.+?) · "
        r"\*Python help:\* \[cheat sheet\]\(\.\./docs/cheatsheet\.md\)\s*$",
        text,
        re.M,
    )


def prerequisite_closure(name: str, prerequisites: dict[str, tuple[str, ...]]) -> set[str]:
    """Every lesson ``name`` builds on, directly or through others."""
    seen: set[str] = set()
    todo = list(prerequisites.get(name, ()))
    while todo:
        lesson = todo.pop()
        if lesson not in seen:
            seen.add(lesson)
            todo.extend(prerequisites.get(lesson, ()))
    return seen


def unmarked_optional_cells(nb: Any) -> list[int]:
    """Drawing or explorer cells of 8+ lines a learner may skip, not marked as such."""
    found = []
    for index, cell in enumerate(nb["cells"]):
        text = source(cell)
        if cell["cell_type"] != "code" or "lesson.check(" in text or "exercises.start(" in text:
            continue
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) >= 8 and DRAWING.search(text) and not lines[0].startswith(OPTIONAL):
            found.append(index)
    return found


def reflect_problems(nb: Any, discussion: Sequence[str]) -> list[str]:
    """What is wrong with the Reflect section that follows the Summary (empty when fine)."""
    cells = nb["cells"]
    summary = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
               and source(c).lstrip().startswith("## Summary")]
    if not summary:
        return ["no '## Summary' cell"]
    after = cells[summary[0] + 1: summary[0] + 3]
    if len(after) < 2 or not source(after[0]).lstrip().startswith(REFLECT):
        return [f"the cell after the Summary should start with {REFLECT!r}"]
    problems = [f"discussion prompt missing from Reflect: {prompt!r}" for prompt in discussion
                if prompt not in source(after[0])]
    if not (after[1]["cell_type"] == "markdown" and source(after[1]).lstrip().startswith(YOUR_REFLECTION)):
        problems.append(f"a markdown cell starting {YOUR_REFLECTION!r} should follow Reflect")
    return problems


def warm_up_checks(nb: Any) -> list[str] | None:
    """The exercises checked in the warm-up section (None when there is no warm-up)."""
    cells = nb["cells"]
    starts = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
              and source(c).lstrip().startswith(WARM_UP)]
    if not starts:
        return None
    names: list[str] = []
    for cell in cells[starts[0] + 1:]:
        text = source(cell)
        if cell["cell_type"] == "markdown" and re.match(r"\s*## ", text):
            break
        if cell["cell_type"] == "code":
            names += [n for n in re.findall(r'lesson\.check\(\s*"([a-z0-9_]+)"', text) if n not in names]
    return names


def section_checks(nb: Any, heading: re.Pattern[str]) -> list[str]:
    """Exercises checked between a ``## `` heading matching ``heading`` and the next one."""
    cells = nb["cells"]
    names: list[str] = []
    inside = False
    for cell in cells:
        text = source(cell)
        if cell["cell_type"] == "markdown" and re.match(r"\s*## ", text):
            inside = bool(heading.search(text.splitlines()[0]))
            continue
        if inside and cell["cell_type"] == "code":
            names += re.findall(r'lesson\.check\(\s*"([a-z0-9_]+)"', text)
    return names


def load(path: Any) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
