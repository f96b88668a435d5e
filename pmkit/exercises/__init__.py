"""Exercises with instant feedback, hint ladders and a progress log.

In a lesson::

    lesson = pmkit.exercises.start("00_welcome", seed=seed)
    answer = ...                    # the learner replaces the ... with their answer
    lesson.check("average_order", answer)
    lesson.hint("average_order")    # the idea, a strategy, code with blanks, then the worked step

Each lesson's exercises live in ``pmkit/exercises/<topic>.py`` as a module-level
``EXERCISES`` list. Expected values are *computed* from the lesson's data for
the lesson's seed, so a team working on another seed is checked correctly.

A check never raises, whatever it is given: a learner who passes a string, a
DataFrame or an object whose ``__eq__`` explodes gets a sentence back, not a
traceback.
"""

from __future__ import annotations

from pmkit.exercises.engine import (
    Context,
    Exercise,
    Feedback,
    Hint,
    Lesson,
    Verdict,
    choice,
    decision,
    items,
    ladder,
    number,
    start,
)
from pmkit.exercises.evidence import Claim, Decision, Evidence, Fact

__all__ = [
    "Claim",
    "Context",
    "Decision",
    "Evidence",
    "Exercise",
    "Fact",
    "Feedback",
    "Hint",
    "Lesson",
    "Verdict",
    "choice",
    "decision",
    "items",
    "ladder",
    "number",
    "start",
]
