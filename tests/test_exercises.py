"""The exercise engine: grading, common mistakes, hints, progress, and never raising."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmkit.exercises import engine
from pmkit.exercises.engine import (
    Context,
    Exercise,
    Lesson,
    Verdict,
    choice,
    decision,
    hint_code,
    items,
    ladder,
    number,
    read_progress,
)
from pmkit.exercises.evidence import Evidence, Fact


def _lesson(*exercises: Exercise) -> Lesson:
    return Lesson("99_demo", list(exercises), Context("99_demo", seed=1))


RATE = Exercise(
    name="rate",
    question="A conversion rate as a fraction.",
    expected=lambda ctx: 0.125,
    grade=number(mistakes=[(lambda ctx: 0.25, "Wrong denominator: divide by all visitors.")]),
    hints=("first", "second", "worked step"),
)
CALL = Exercise(
    name="call",
    question="ship or don't ship",
    expected=lambda ctx: "don't ship",
    grade=decision(
        ["ship", "don't ship", "iterate"],
        lambda ctx: Evidence("don't ship", (
            Fact("conversion", 0.001, ci=(-0.004, 0.006)),
            Fact("returns", 0.02, ci=(0.01, 0.03), better="down", require="number",
                 synonyms=("returns guardrail",)),
        )),
        questions={"ship": "Ship while the returns guardrail got worse?"},
    ),
    hints=("look at the guardrails",),
)


def test_correct_number_passes_and_wrong_number_says_which_way() -> None:
    lesson = _lesson(RATE)
    assert lesson.check("rate", 0.125).passed
    assert lesson.check("rate", np.float64(0.12500001)).passed
    high = lesson.check("rate", 0.2)
    assert high.status == "incorrect" and "too high" in high.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (12.5, "percentage"),
        (-0.125, "wrong sign"),
        (0.25, "Wrong denominator"),
        (0.12, "rounded too early"),
        (0.126, "close, but not the answer"),
        ("0.126", "close, but not the answer"),
        ("12.6%", "close, but not the answer"),
        ("about a tenth", "is text"),
        (True, "yes/no"),
        ([0.1, 0.2], "single number"),
        (float("nan"), "nan"),
    ],
)
def test_common_mistakes_get_targeted_messages(answer: object, phrase: str) -> None:
    feedback = _lesson(RATE).check("rate", answer)
    assert feedback.status == "incorrect"
    assert phrase.lower() in feedback.message.lower()


def test_not_answered_and_none() -> None:
    lesson = _lesson(RATE)
    assert lesson.check("rate", ...).status == "not answered"
    none = lesson.check("rate", None)
    assert none.status == "not answered" and "None" in none.message


def test_one_element_series_counts_as_a_number() -> None:
    assert _lesson(RATE).check("rate", pd.Series([0.125])).passed


@pytest.mark.parametrize("answer", ["0.125", " 12.5% ", "12.5%"])
def test_numbers_written_as_text_are_read(answer: str) -> None:
    assert _lesson(RATE).check("rate", answer).passed


def test_decision_needs_the_right_call_and_a_reason_naming_evidence() -> None:
    lesson = _lesson(CALL)
    assert "guardrail got worse" in lesson.check("call", "Ship: conversion is up 3%").message
    assert "which number supports it" in lesson.check("call", "don't ship").message
    assert "which number supports it" in lesson.check("call", "Don't ship: it just feels wrong").message
    assert lesson.check("call", "Don’t-ship: the returns guardrail rose by 2 points").passed
    assert "does not match" in lesson.check("call", "don't ship: returns rose by 5 points").message
    assert "Start your answer" in lesson.check("call", "maybe later").message


def test_choice_and_items() -> None:
    pick = Exercise(
        "pick",
        "q",
        lambda ctx: "must-be",
        choice(["must-be", "delighter"], mistakes={"delighter": "Customers expect it: absence angers them."}),
        ("h",),
    )
    top = Exercise("top", "q", lambda ctx: ["a", "b", "c"], items(ordered=True), ("h",))
    lesson = _lesson(pick, top)
    assert lesson.check("pick", "Must be").passed
    assert "absence angers" in lesson.check("pick", "delighter").message
    assert lesson.check("top", ["a", "b", "c"]).passed
    assert "wrong order" in lesson.check("top", ("c", "b", "a")).message
    assert "missing" in lesson.check("top", ["a"]).message
    assert "wants a list" in lesson.check("top", "abc").message


def test_hint_ladder_climbs_and_stops_at_the_worked_step() -> None:
    lesson = _lesson(RATE)
    lesson.check("rate", 0.3)  # one checked attempt opens the worked step
    levels = [lesson.hint("rate").level for _ in range(4)]
    assert levels == [1, 2, 3, 3]
    assert lesson.hint("rate", level=1).text == "first"
    assert "Worked step" in repr(lesson.hint("rate", level=3))


def test_the_worked_step_waits_for_a_checked_attempt() -> None:
    lesson = _lesson(RATE)
    assert [lesson.hint("rate").level for _ in range(2)] == [1, 2]
    held = lesson.hint("rate")
    assert held.status == "not answered" and "after you have tried" in held.message
    assert lesson.hint("rate", level=3).status == "not answered"
    lesson.check("rate", ...)  # a placeholder is not an attempt
    assert lesson.hint("rate").status == "not answered"
    lesson.check("rate", 0.3)
    assert lesson.hint("rate").text == "worked step"


def test_ladder_rungs_go_from_idea_to_code() -> None:
    rungs = ladder("Late means after the promise.", "Compare two columns, then take the mean.",
                   "late = (orders[___] > orders[___]).mean()",
                   "late = (orders['actual_days'] > orders['promised_days']).mean()")
    assert len(rungs) == 4 and rungs[0] == "Late means after the promise."
    assert hint_code(rungs[2]) == "late = (orders[___] > orders[___]).mean()"
    assert hint_code(rungs[3]).startswith("late = (orders['actual_days']")
    assert hint_code(rungs[0]) is None


@pytest.mark.parametrize("idea, blanks, answer, complaint", [
    ("Use `mean()`.", "x = ___", "x = 1", "no code"),
    ("The idea.", "x = 1", "x = 1", "leave ___"),
    ("The idea.", "x = ___", "x = ___", "no ___ left"),
    ("", "x = ___", "x = 1", "non-empty"),
])
def test_ladder_refuses_rungs_that_do_not_teach(idea, blanks, answer, complaint) -> None:
    with pytest.raises(ValueError, match=complaint):
        ladder(idea, "A strategy.", blanks, answer)


def test_exercise_level_and_recalls_are_validated() -> None:
    recall = Exercise("r", "q", lambda ctx: 1, number(), ("h",), level="analyse", recalls="06")
    assert (recall.level, recall.recalls) == ("analyse", "06")
    with pytest.raises(ValueError, match="level should be one of"):
        Exercise("r", "q", lambda ctx: 1, number(), ("h",), level="synthesise")
    with pytest.raises(ValueError, match="recalls should be a lesson id"):
        Exercise("r", "q", lambda ctx: 1, number(), ("h",), recalls="lesson 6")


def test_unknown_exercise_is_feedback_not_an_exception() -> None:
    lesson = _lesson(RATE)
    feedback = lesson.check("rat", 1)
    assert feedback.status == "error" and "rate" in feedback.message
    assert lesson.hint(42).status == "error"


def test_a_broken_expected_value_is_reported_as_a_course_error() -> None:
    broken = Exercise("broken", "q", lambda ctx: 1 / 0, number(), ("h",))
    feedback = _lesson(broken).check("broken", 1.0)
    assert feedback.status == "error" and "report it" in feedback.message


def test_feedback_reprs_are_plain_and_html() -> None:
    feedback = _lesson(RATE).check("rate", 0.125)
    assert repr(feedback).startswith("✅ rate: correct.")
    assert "<div" in feedback._repr_html_() and "correct" in feedback._repr_html_()


def test_exercise_definition_is_validated() -> None:
    with pytest.raises(ValueError, match="hint"):
        Exercise("x", "q", lambda ctx: 1, number(), ())
    with pytest.raises(ValueError, match="snake_case"):
        Exercise("Bad Name", "q", lambda ctx: 1, number(), ("h",))


def test_progress_is_appended_and_damaged_lines_are_skipped(tmp_path, monkeypatch) -> None:
    log = tmp_path / "progress.jsonl"
    monkeypatch.setenv("PMKIT_PROGRESS", str(log))
    lesson = _lesson(RATE)
    lesson.check("rate", 0.3)
    lesson.check("rate", 0.125)
    with open(log, "a", encoding="utf-8") as f:
        f.write("{not json\n")
    events = read_progress(log)
    assert [e["status"] for e in events] == ["incorrect", "correct"]


def test_unwritable_progress_folder_does_not_break_a_check(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("PMKIT_PROGRESS", str(blocker / "progress.jsonl"))
    assert _lesson(RATE).check("rate", 0.125).passed


def test_start_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="00_welcome"):
        engine.start("welcome")
    with pytest.raises(ValueError, match="known"):
        engine.start("98_nothing_here")
    with pytest.raises(TypeError, match="seed"):
        engine.start("00_welcome", seed="7")


class _Hostile:
    """An answer whose every dunder explodes."""

    def __eq__(self, other):
        raise RuntimeError("eq")

    def __float__(self):
        raise RuntimeError("float")

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")

    __hash__ = None


class _HostileRepr(_Hostile):
    """Also refuses to be printed (kept out of hypothesis, which prints its examples)."""

    def __repr__(self):
        raise RuntimeError("repr")


@pytest.mark.parametrize("answer", [_HostileRepr(), [_HostileRepr()], {"k": _HostileRepr()}])
@pytest.mark.parametrize("which", ["rate", "call", "top"])
def test_check_survives_answers_that_cannot_be_printed(answer: object, which: str) -> None:
    top = Exercise("top", "q", lambda ctx: ["a"], items(), ("h",))
    feedback = _lesson(RATE, CALL, top).check(which, answer)
    assert feedback.status == "incorrect"


ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary()
    | st.complex_numbers()
    | st.just(...)
    | st.just(_Hostile())
    | st.just(float("inf"))
    | st.builds(np.array, st.lists(st.floats(), max_size=3))
    | st.builds(pd.Series, st.lists(st.integers(-(2**62), 2**62), max_size=3), dtype=st.just("int64"))
    | st.builds(lambda: pd.DataFrame({"a": [1, 2]})),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=3), children, max_size=3)
        | st.tuples(children, children)
        | st.frozensets(st.integers(), max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(answer=ANYTHING, which=st.sampled_from(["rate", "call", "pick", "top", 7, None]))
def test_check_never_raises_on_any_learner_input(answer: object, which: object) -> None:
    pick = Exercise("pick", "q", lambda ctx: "a", choice(["a", "b"]), ("h",))
    top = Exercise("top", "q", lambda ctx: ["a"], items(), ("h",))
    feedback = _lesson(RATE, CALL, pick, top).check(which, answer)
    assert feedback.status in engine.STATUSES
    assert isinstance(repr(feedback), str) and isinstance(feedback._repr_html_(), str)


def test_verdict_is_required_from_custom_graders() -> None:
    odd = Exercise("odd", "q", lambda ctx: 1, lambda a, e, c: True, ("h",))
    assert _lesson(odd).check("odd", 1).status == "incorrect"
    ok = Exercise("ok", "q", lambda ctx: 1, lambda a, e, c: Verdict(a == e, "fine"), ("h",))
    assert _lesson(ok).check("ok", 1).passed
    assert math.isclose(_lesson(RATE).answer("rate"), 0.125)


@pytest.mark.parametrize("in_kernel", [True, False])
def test_start_freezes_the_setup_out_of_garbage_collection_only_in_a_kernel(in_kernel: bool) -> None:
    import subprocess
    import sys

    fake_kernel = "import sys, types; sys.modules['ipykernel'] = types.ModuleType('ipykernel'); " \
        if in_kernel else ""
    code = (f"{fake_kernel}import gc, pmkit.exercises as ex; before = gc.get_freeze_count(); "
            "ex.start('00_welcome'); print(before, gc.get_freeze_count())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = map(int, result.stdout.split())
    assert before == 0
    assert (after > 10_000) if in_kernel else (after == 0)
