"""How long a lesson really takes a learner working alone: the model behind every ``minutes``.

The model, stated once so the index, the agenda and progress all mean the same thing:

- **reading**: the lesson's prose at 200 words a minute;
- **code read**: 10 seconds for each non-blank line of code a learner reads but does not
  write (every code cell except the exercises' own);
- **exercises**: the minutes each exercise declares (``Exercise.minutes``);
- all of it times 1.3, because a learner new to the material stops, scrolls back and reruns.

A lesson's ``minutes`` in its metadata must lie within 30 % of this estimate
(``tests/test_learning.py``). Run ``python -m pmkit.course.timing lessons/00_welcome.ipynb``
to see the parts.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pmkit.syllabus import read_lesson_meta

WORDS_PER_MINUTE = 200
SECONDS_PER_CODE_LINE = 10
NOVICE_FACTOR = 1.3
TOLERANCE = 0.30
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%-]*")


@dataclass(frozen=True)
class TimeEstimate:
    """The parts of a lesson's estimated time, in minutes."""

    lesson: str
    prose_words: int
    code_lines: int
    exercise_minutes: int
    stated: int

    @property
    def minutes(self) -> float:
        """The modelled time: (reading + code read + exercises) × the novice factor."""
        reading = self.prose_words / WORDS_PER_MINUTE
        code = self.code_lines * SECONDS_PER_CODE_LINE / 60
        return (reading + code + self.exercise_minutes) * NOVICE_FACTOR

    @property
    def within_tolerance(self) -> bool:
        """Whether the metadata's minutes lie within 30 % of the model."""
        return abs(self.stated - self.minutes) <= TOLERANCE * self.minutes

    def summary(self) -> str:
        return (f"{self.lesson}: {self.prose_words} words to read, {self.code_lines} lines of "
                f"code to read, {self.exercise_minutes} minutes of exercises -> "
                f"{self.minutes:.0f} minutes modelled; metadata says {self.stated}"
                f"{'' if self.within_tolerance else ' (outside the 30% band)'}.")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def estimate(path: Path | str) -> TimeEstimate:
    """Model the time a learner needs for the notebook at ``path``.

    >>> from pmkit import paths
    >>> estimate(paths.lessons_dir() / "00_welcome.ipynb").minutes > 5
    True
    """
    path = Path(path)
    meta = read_lesson_meta(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    words = lines = 0
    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            words += len(_WORD.findall(text))
        elif cell["cell_type"] == "code" and "lesson.check(" not in text:
            lines += sum(1 for line in text.splitlines() if line.strip())
    return TimeEstimate(meta.name, words, lines, _exercise_minutes(meta.name), meta.minutes)


def _exercise_minutes(lesson: str) -> int:
    from pmkit.exercises.engine import start

    return sum(ex.minutes for ex in start(lesson).exercises.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pmkit.course.timing",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for notebook in args.notebooks:
        print(estimate(notebook).summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
