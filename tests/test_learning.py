"""The learning design, checked: hints that teach, no answer on screen, every objective assessed,
retrieval practice, honest time and a written reflection (issue 24's standard).

The rules live in ``tests/learning_checks.py``; the first tests below try each rule on cases
made up to fool it, the rest hold every lesson to it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from pmkit.course import timing
from pmkit.exercises.engine import hint_code, start
from pmkit.syllabus import read_lesson_meta
from tests import learning_checks as lc
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
NAMES = [p.stem for p in LESSONS]
META = {p.stem: read_lesson_meta(p) for p in LESSONS}
PREREQUISITES = {name: meta.prerequisites for name, meta in META.items()}
IDS = {meta.id: name for name, meta in META.items()}
ONRAMP = "01_python_for_pms"
SEEDS = (42, 7, 2024)


def _id(name: str) -> int:
    return int(name[:2])


def _exercises(name: str):
    return start(name).exercises


# ------------------------------------------------------------ the rules, tested ---

@pytest.mark.parametrize("text, answer", [
    ("the rate is 11.8%", 0.118), ("about 12% of orders", 0.118), ("0.118", 0.118),
    ("a lift of 11.8 points", 0.118), ("you need 8,706 users", 8706), ("8706 per arm", 8706.0),
    ("it peaks in month 5", 5), ("break-even at period 22", 22), ("-0.021 is the change", -0.0213),
])
def test_the_answer_scan_sees_the_answer_printed_in_common_formats(text: str, answer: float) -> None:
    assert lc.shows_number(text, answer)


@pytest.mark.parametrize("text, answer", [
    ("about 0.1 of them", 0.118),  # one significant digit gives nothing away
    ("13% of orders", 0.118), ("11.8 orders", 0.118), ("8,707 users", 8706),
    ("the fifth month", 5), ("5 regions", 5), ("22 products", 22), ("0.118", 0.0118),
])
def test_the_answer_scan_ignores_near_misses(text: str, answer: float) -> None:
    assert lc.shows_number(text, answer) is None


def test_the_answer_scan_finds_a_printed_list_but_not_a_partial_one() -> None:
    assert lc.shows_items("must-be: delivery tracking, easy returns", ["easy returns", "delivery tracking"])
    assert not lc.shows_items("must-be: delivery tracking", ["easy returns", "delivery tracking"])
    assert not lc.shows_items("easy returnsx", ["easy returns", "x"])


def _toy_notebook(shown: str) -> dict:
    return {"cells": [
        {"cell_type": "code", "source": "x", "outputs": [
            {"output_type": "execute_result", "data": {"text/html": f"<p>{shown}</p>"}}]},
        {"cell_type": "code", "source": 'rate = ...\nlesson.check("rate", rate)', "outputs": []},
        {"cell_type": "code", "source": "y", "outputs": [
            {"output_type": "stream", "text": "after the check: 0.125"}]},
    ]}


def test_answers_on_screen_reports_only_what_comes_before_the_check() -> None:
    rate = start("00_welcome").exercises["late_share"]
    rate = type(rate)(**{**rate.__dict__, "name": "rate"})
    assert lc.answers_on_screen(_toy_notebook("12.5%"), [rate], {"rate": 0.125})
    assert lc.answers_on_screen(_toy_notebook("13%"), [rate], {"rate": 0.125}) == []


def test_pasting_an_answer_replaces_only_the_placeholder() -> None:
    nb = _toy_notebook("")
    lc.paste_answer(nb, "rate", "rate = 0.125")
    assert lc.source(nb["cells"][1]) == 'rate = 0.125\nlesson.check("rate", rate)'
    with pytest.raises(AssertionError, match=r"no `other = \.\.\.` line"):
        nb["cells"][1]["source"] += '\nlesson.check("other", 1)'
        lc.paste_answer(nb, "other", "other = 1")


def test_prerequisite_closure_follows_chains() -> None:
    chain = {"c": ("b",), "b": ("a",), "a": ()}
    assert lc.prerequisite_closure("c", chain) == {"a", "b"}


# ------------------------------------------------------------------ hints ---

@pytest.mark.parametrize("name", NAMES)
def test_every_hint_ladder_goes_from_idea_to_code(name: str) -> None:
    for exercise in _exercises(name).values():
        rungs = exercise.hints
        assert len(rungs) == 4, f"{exercise.name}: use ladder(idea, strategy, blanks, answer)"
        assert "`" not in rungs[0], f"{exercise.name}: the first rung is the idea, in words"
        assert hint_code(rungs[0]) is None and hint_code(rungs[1]) is None
        assert "___" in (hint_code(rungs[2]) or ""), f"{exercise.name}: rung 3 is code with blanks"
        assert "___" not in (hint_code(rungs[3]) or "___"), f"{exercise.name}: rung 4 is complete code"
        for rung in rungs:
            assert "solution" not in rung.lower(), f"{exercise.name}: a hint points to the solutions"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", NAMES)
def test_every_last_rung_passes_when_pasted_into_the_learner_notebook(
        name: str, seed: int, tmp_path: Path) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    pasted = copy.deepcopy(nb)
    for exercise in _exercises(name).values():
        lc.paste_answer(pasted, exercise.name, hint_code(exercise.hints[-1]))
    import json

    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(pasted), encoding="utf-8")
    statuses = run_notebook(path, tmp_path, seed=seed)
    wrong = {n: s for n, s in statuses.items() if s != "correct"}
    assert not wrong, f"last rungs that do not pass on seed {seed}: {wrong}"
    assert set(statuses) == set(_exercises(name))


# ------------------------------------------------------- answers on screen ---

@pytest.mark.parametrize("name", NAMES)
def test_no_answer_is_on_screen_above_its_check(name: str) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    lesson = start(name, seed=42)
    answers = {n: lesson.answer(n) for n, ex in lesson.exercises.items() if not lc.is_decision(ex)}
    assert lc.answers_on_screen(nb, lesson.exercises.values(), answers) == []


# ------------------------------------------------------------- alignment ---

@pytest.mark.parametrize("name", NAMES)
def test_every_objective_is_assessed_by_an_exercise_of_the_lesson(name: str) -> None:
    meta, exercises = META[name], _exercises(name)
    for objective in meta.objectives:
        assessed = meta.assessed_by(objective)
        assert assessed, f"objective not mapped to an exercise in metadata 'assessment': {objective!r}"
        unknown = [e for e in assessed if e not in exercises]
        assert not unknown, f"{objective!r} maps to exercises the lesson lacks: {unknown}"
        if objective.split()[0].lower() in lc.EVIDENCE_VERBS:
            assert any(lc.is_decision(exercises[e]) for e in assessed), (
                f"{objective!r} asks for judgment: map it to an exercise graded on its evidence")


@pytest.mark.parametrize("name", [n for n in NAMES if _id(n) >= 2])
def test_each_lesson_asks_for_more_than_applying_besides_its_decision(name: str) -> None:
    above = [e.name for e in _exercises(name).values() if e.level in lc.ABOVE_APPLY and not lc.is_decision(e)]
    assert above, "at least one analyse/evaluate/create exercise that is not the decision"


def test_the_mix_climbs_towards_the_capstone() -> None:
    def share(names: list[str]) -> float:
        levels = [e.level for n in names for e in _exercises(n).values() if e.recalls is None]
        return sum(level in lc.ABOVE_APPLY for level in levels) / len(levels)

    early = [n for n in NAMES if _id(n) <= 7]
    late = [n for n in NAMES if _id(n) >= 9]
    assert share(late) > share(early), (share(early), share(late))


# ------------------------------------------------------------- retrieval ---

@pytest.mark.parametrize("name", [n for n in NAMES if _id(n) >= 2])
def test_each_lesson_opens_with_a_warm_up_on_lessons_two_back(name: str) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    warm_up = lc.warm_up_checks(nb)
    assert warm_up is not None, f"no {lc.WARM_UP!r} section"
    assert 2 <= len(warm_up) <= 3, f"the warm-up checks {len(warm_up)} questions"
    order = list(lc.check_cells(nb))
    assert order[: len(warm_up)] == warm_up, "the warm-up comes before the lesson's own exercises"
    closure = lc.prerequisite_closure(name, PREREQUISITES)
    exercises = _exercises(name)
    for question in warm_up:
        recalled = exercises[question].recalls
        assert recalled is not None, f"{question}: say which lesson it recalls (recalls='NN')"
        assert int(recalled) <= _id(name) - 2, f"{question} recalls {recalled}: too recent to retrieve"
        assert recalled in IDS, f"{question} recalls lesson {recalled}, which does not exist"
        assert IDS[recalled] in closure, f"{question} recalls {IDS[recalled]}, not a prerequisite"


def test_a_mixed_which_tool_quiz_comes_before_the_capstone_task() -> None:
    capstone = NAMES[-1]
    nb = lc.load(ROOT / "lessons" / f"{capstone}.ipynb")
    quiz = lc.section_checks(nb, re.compile(r"which tool", re.I))
    assert len(quiz) >= 4, "a 'Which tool answers this?' section with four or more checked questions"
    modules = {META[IDS[_exercises(capstone)[q].recalls]].module for q in quiz
               if _exercises(capstone)[q].recalls in IDS}
    assert len(modules) >= 4, f"the quiz spans modules {sorted(modules)}: mix at least four"


@pytest.mark.parametrize("name", [n for n in NAMES if _id(n) > 1])
def test_prerequisites_say_what_is_really_needed(name: str) -> None:
    unknown = [p for p in PREREQUISITES[name] if p not in META]
    assert not unknown, f"prerequisites that are not lessons: {unknown}"
    assert all(_id(p) < _id(name) for p in PREREQUISITES[name])
    if ONRAMP in META:
        assert ONRAMP in lc.prerequisite_closure(name, PREREQUISITES), "the Python on-ramp is needed"


# ------------------------------------------------------------ the header ---

@pytest.mark.parametrize("name", NAMES)
def test_the_header_states_time_prerequisites_and_python_help(name: str) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    line = lc.header_line(lc.source(nb["cells"][0]))
    assert line, ("header needs '*Estimated time:* N minutes · *Prerequisites:* ... · "
                  "*Python help:* [cheat sheet](../docs/cheatsheet.md)'")
    assert int(line.group(1)) == META[name].minutes
    for prerequisite in PREREQUISITES[name]:
        assert f"({prerequisite}.ipynb)" in line.group(2), f"link the prerequisite {prerequisite}"
    assert (ROOT / "docs" / "cheatsheet.md").exists()


@pytest.mark.parametrize("name", NAMES)
def test_the_minutes_follow_the_time_model(name: str) -> None:
    estimate = timing.estimate(ROOT / "lessons" / f"{name}.ipynb")
    assert estimate.within_tolerance, estimate.summary()


@pytest.mark.parametrize("name", NAMES)
def test_long_drawing_cells_are_marked_optional(name: str) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    assert lc.unmarked_optional_cells(nb) == [], f"start these cells with {lc.OPTIONAL!r}"


@pytest.mark.parametrize("name", NAMES)
def test_the_summary_ends_in_a_written_reflection_on_the_discussion_prompts(name: str) -> None:
    nb = lc.load(ROOT / "lessons" / f"{name}.ipynb")
    assert 2 <= len(META[name].discussion) <= 3
    assert lc.reflect_problems(nb, META[name].discussion) == []
