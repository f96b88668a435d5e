"""Where a learner stands, lesson by lesson, and what to do next.

Progress comes from the append-only log that every ``lesson.check`` writes.
An exercise counts as *passed* once any check of it was correct, *attempted*
when it was checked with an answer that was not (yet) right, and *not started*
otherwise. Minutes left scale each lesson's estimate by the share of its
exercises not yet passed.

Events are matched to lessons by topic (``ab_testing`` in ``09_ab_testing``), so a
lesson that the course renumbers keeps its progress. ``pmkit reset`` appends a
``reset`` event: what came before it no longer counts for that lesson.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pmkit import paths
from pmkit.display import card
from pmkit.results import Result
from pmkit.syllabus import read_lesson_meta


@dataclass(frozen=True)
class LessonProgress:
    lesson: str
    title: str
    exercises: tuple[str, ...]
    passed: tuple[str, ...]
    attempted: tuple[str, ...]
    minutes: int

    @property
    def not_started(self) -> tuple[str, ...]:
        return tuple(e for e in self.exercises if e not in self.passed and e not in self.attempted)

    @property
    def minutes_left(self) -> int:
        if not self.exercises:
            return 0
        return round(self.minutes * (1 - len(self.passed) / len(self.exercises)))

    @property
    def done(self) -> bool:
        return len(self.passed) == len(self.exercises)


@dataclass(frozen=True, repr=False)
class ProgressReport(Result):
    """Progress across every lesson present, with the next thing to do."""

    lessons: tuple[LessonProgress, ...]

    def title(self) -> str:
        return "Your progress"

    def next_lesson(self) -> str | None:
        """The lesson to open next: the first with an exercise attempted or not yet passed."""
        for item in self.lessons:
            if item.attempted or not item.done:
                return item.lesson
        return None

    def next_step(self) -> str:
        for item in self.lessons:
            if item.attempted:
                return f"Finish {item.lesson}: {item.attempted[0]} is attempted but not yet correct."
            if not item.done:
                first = item.not_started[0] if item.not_started else ""
                return f"Continue with {item.lesson} ({item.title}): next exercise {first}."
        return "Every exercise is passed. Try the capstone again with another seed."

    def summary(self) -> str:
        total = sum(len(i.exercises) for i in self.lessons)
        passed = sum(len(i.passed) for i in self.lessons)
        left = sum(i.minutes_left for i in self.lessons)
        return f"{passed} of {total} exercises passed; about {left} minutes left. {self.next_step()}"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "lesson": i.lesson,
                    "title": i.title,
                    "passed": len(i.passed),
                    "attempted": len(i.attempted),
                    "not started": len(i.not_started),
                    "minutes left": i.minutes_left,
                }
                for i in self.lessons
            ],
            columns=["lesson", "title", "passed", "attempted", "not started", "minutes left"],
        ).set_index("lesson")

    def __str__(self) -> str:
        return f"{self.to_frame().to_string()}\n\n{self.summary()}"

    def _repr_html_(self) -> str:
        return card(self.title(), [], summary=self.summary()) + table_html(self.to_frame().reset_index())


def table_html(frame: pd.DataFrame) -> str:
    """A table whose every header sits over its column: text left, numbers right, one header row.

    >>> page = table_html(pd.DataFrame({"lesson": ["00_welcome"], "passed": [2]}))
    >>> page.count("<tr>"), page.count("text-align:left"), page.count("text-align:right")
    (2, 2, 2)
    """
    import html

    sides = ["right" if pd.api.types.is_numeric_dtype(frame[c]) else "left" for c in frame.columns]

    def cells(tag: str, values: Any) -> str:
        return "".join(f"<{tag} style='text-align:{side};padding:2px 10px'>{html.escape(str(value))}</{tag}>"
                       for side, value in zip(sides, values, strict=True))

    rows = "".join(f"<tr>{cells('td', row)}</tr>" for row in frame.itertuples(index=False))
    return f"<table style='border-collapse:collapse'><tr>{cells('th', frame.columns)}</tr>{rows}</table>"


RESET = "reset"  # the status of the event ``pmkit reset`` appends


def topic(lesson: str) -> str:
    """A lesson's topic, the part of its name that survives renumbering.

    >>> topic("09_ab_testing"), topic("ab_testing")
    ('ab_testing', 'ab_testing')
    """
    number, _, rest = lesson.partition("_")
    return rest if number.isdigit() and rest else lesson


def statuses_from_events(events: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """Every status each (lesson topic, exercise) has had since that lesson was last reset."""
    seen: dict[tuple[str, str], set[str]] = {}
    for event in events:
        lesson = topic(str(event["lesson"]))
        if event["status"] == RESET:
            seen = {key: value for key, value in seen.items() if key[0] != lesson}
            continue
        seen.setdefault((lesson, str(event["exercise"])), set()).add(str(event["status"]))
    return seen


def report(events: list[dict[str, Any]] | None = None) -> ProgressReport:
    """Progress for every lesson in the course (from the progress log by default)."""
    from pmkit.exercises.engine import read_progress, start

    seen = statuses_from_events(read_progress() if events is None else events)
    items = []
    for path in sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb")):
        meta = read_lesson_meta(path)
        try:
            names = tuple(start(path.stem).exercises)
        except ValueError:
            names = ()
        key = topic(path.stem)
        passed = tuple(n for n in names if "correct" in seen.get((key, n), set()))
        attempted = tuple(
            n for n in names if n not in passed and seen.get((key, n), set()) & {"incorrect", "error"}
        )
        items.append(LessonProgress(path.stem, meta.title, names, passed, attempted, meta.minutes))
    return ProgressReport(tuple(items))


class ProgressPanel:
    """The progress table with a refresh button in JupyterLab; the table alone elsewhere."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        current = report() if paths.progress_file() is not None else ProgressReport(())
        data: dict[str, Any] = {"text/plain": _summary(current), "text/html": _html(current)}
        widget = self._widget()
        if widget is not None:
            view = widget._repr_mimebundle_().get("application/vnd.jupyter.widget-view+json")
            if view is not None:
                data["application/vnd.jupyter.widget-view+json"] = view
        return data

    def __repr__(self) -> str:
        return _summary(report() if paths.progress_file() is not None else ProgressReport(()))

    @staticmethod
    def _widget() -> Any:
        try:
            import ipywidgets as widgets
            from IPython import get_ipython
        except ImportError:
            return None
        if get_ipython() is None or not hasattr(get_ipython(), "kernel"):
            return None
        table = widgets.HTML(_html(report()))
        button = widgets.Button(description="Refresh", icon="refresh")

        def refresh(_: Any) -> None:
            table.value = _html(report())

        button.on_click(refresh)
        return widgets.VBox([button, table])


NOT_RECORDED = ("Progress is not recorded in this run (PMKIT_PROGRESS=off). In your own JupyterLab "
                "this panel lists, lesson by lesson, the exercises you passed, attempted and not started.")


def _summary(current: ProgressReport) -> str:
    # Without a log there is nothing of the learner's to show; the course's lesson list is
    # left out too, so a headless build of this lesson does not depend on the other lessons.
    return current.summary() if paths.progress_file() is not None else NOT_RECORDED


def _html(current: ProgressReport) -> str:
    if paths.progress_file() is not None:
        return current._repr_html_()
    return card("Your progress", [], summary=NOT_RECORDED)


def panel() -> ProgressPanel:
    """Display your progress in a notebook: ``pmkit.progress.panel()``."""
    return ProgressPanel()

