"""``pmkit workshop``: everything an instructor hands out, per team.

For ``--teams 3 --seed 5 --out ws`` it writes::

    ws/README.md                 what is where
    ws/facilitator-guide.md      agenda with minutes, objectives, prompts, common mistakes
    ws/team-01/NN_topic.ipynb    lessons executed by papermill with the team's own seed
    ws/answer-keys/team-01.md    every exercise's expected answer for that seed
    ws/answer-keys/answers.csv   the same for all teams, one row per answer

Teams get different data (seed ``base * 100 + team``), so answers cannot be
copied across tables, and each team's key is computed by the same code the
checks use. The output folder must be new or empty: nothing is overwritten.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pmkit import paths
from pmkit.course import notebooks
from pmkit.course.execute import NotebookRun, run_notebook
from pmkit.display import safe_repr
from pmkit.exercises.engine import Lesson, common_mistakes, start
from pmkit.syllabus import LessonMeta, read_lesson_meta


def team_seed(base: int, team: int) -> int:
    """The data seed of team ``team`` (1-based) in a workshop seeded with ``base``."""
    return base * 100 + team


@dataclass(frozen=True)
class Agenda:
    lessons: tuple[LessonMeta, ...]
    seeds: tuple[int, ...] = ()  # one per team: the guide lists each team's expected calls

    def guide(self) -> str:
        """The facilitator guide as Markdown."""
        total = sum(m.workshop_minutes for m in self.lessons)
        lines = [
            "# Facilitator guide",
            "",
            f"{len(self.lessons)} lesson(s), about {total} minutes of learner time plus discussion.",
            "Each team works on its own seed of the Basketly data, so numbers differ between tables;",
            "answer keys per team are in `answer-keys/`.",
            "",
            "## Agenda",
            "",
            "| start | lesson | minutes | prerequisites |",
            "|---|---|---|---|",
        ]
        clock = 0
        for meta in self.lessons:
            lines.append(
                f"| {clock // 60}:{clock % 60:02d} | {meta.id} · {meta.title} | {meta.workshop_minutes} "
                f"| {', '.join(meta.prerequisites) or 'none'} |"
            )
            clock += meta.workshop_minutes + 10  # ten minutes of discussion after each lesson
        lines.append(f"| {clock // 60}:{clock % 60:02d} | end | | |")
        for meta in self.lessons:
            lines += [
                "",
                f"## {meta.id} · {meta.title}",
                "",
                f"*{meta.workshop_minutes} minutes.*",
                "",
                "**Objectives**",
                "",
            ]
            lines += [f"- {objective}" for objective in meta.objectives]
            if meta.discussion:
                lines += ["", "**Discussion prompts**", ""]
                lines += [f"- {prompt}" for prompt in meta.discussion]
            mistakes = _mistakes(meta.name)
            if mistakes:
                lines += ["", "**Common mistakes the checkers detect**", ""]
                for exercise, found in mistakes:
                    lines += [f"- `{exercise}`: " + "; ".join(found)]
            calls = [(team, row) for team, seed in enumerate(self.seeds, start=1)
                     for row in decision_rows(meta.name, seed)]
            if calls:
                lines += ["", "**Expected calls, and the evidence behind them**", "",
                          "| team | decision | expected call | why | evidence |", "|---|---|---|---|---|"]
                lines += [f"| team-{team:02d} | `{r['exercise']}` | {r['call']} | {r['rule']} | "
                          f"{r['evidence']} |".replace("\n", " ") for team, r in calls]
        return "\n".join(lines) + "\n"


def _opened(lesson: str, seed: int) -> Lesson | None:
    """The lesson's exercises for a seed, or None for a lesson without exercises."""
    try:
        return start(lesson, seed=seed)
    except ValueError:
        return None


def decision_rows(lesson: str, seed: int) -> list[dict[str, str]]:
    """Each decision exercise's expected call for one seed, the rule and the evidence behind it."""
    opened = _opened(lesson, seed)
    if opened is None:
        return []
    rows = []
    for name, exercise in opened.exercises.items():
        facts = getattr(exercise.grade, "evidence", None)
        if facts is None:
            continue
        try:
            evidence = facts(opened.context)
        except Exception as exc:  # a broken exercise is reported in the guide, not raised
            rows.append({"exercise": name, "call": "(could not compute)", "rule": type(exc).__name__,
                         "evidence": ""})
            continue
        rows.append({"exercise": name, "call": evidence.call, "rule": evidence.rule.replace("|", "/"),
                     "evidence": evidence.summary().replace("|", "/")})
    return rows


def _mistakes(lesson: str) -> list[tuple[str, tuple[str, ...]]]:
    try:
        exercises = start(lesson).exercises.values()
    except ValueError:
        return []
    return [(ex.name, common_mistakes(ex)) for ex in exercises if common_mistakes(ex)]


def answer_rows(lesson: str, seed: int) -> list[dict[str, str]]:
    """Every exercise's expected answer for one seed (errors are reported, not raised)."""
    opened = _opened(lesson, seed)
    if opened is None:
        return []
    rows = []
    for name, exercise in opened.exercises.items():
        try:
            value = opened.answer(name)
            shown = f"{value:.6g}" if isinstance(value, float) else safe_repr(value, 200)
        except Exception as exc:
            shown = f"(could not compute: {type(exc).__name__})"
        rows.append(
            {
                "lesson": lesson,
                "exercise": name,
                "question": exercise.question,
                "answer": shown,
                "worked step": exercise.hints[-1],
            }
        )
    return rows


def _run(args: tuple[str, str, int, int]) -> NotebookRun:
    source, target, seed, timeout = args
    return run_notebook(Path(source), Path(target), seed=seed, timeout=timeout)


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(
            f"{out} already exists and is not empty; choose a new folder "
            "(a workshop folder is never overwritten)"
        )


def build(
    teams: int,
    seed: int,
    out: Path,
    lessons: list[str] | None = None,
    jobs: int | None = None,
    timeout: int = 120,
) -> list[NotebookRun]:
    """Write the workshop folder; return every notebook run (failed ones too)."""
    if isinstance(teams, bool) or not isinstance(teams, int) or teams < 1:
        raise ValueError(f"--teams should be a whole number of at least 1, got {teams!r}")
    if teams > 200:
        raise ValueError(f"--teams {teams} is more than 200; split the workshop")
    _check_out(out)
    chosen = notebooks.select(sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb")), lessons or [])
    metas = tuple(read_lesson_meta(p) for p in chosen)
    out.mkdir(parents=True, exist_ok=True)
    keys = out / "answer-keys"
    keys.mkdir()
    all_rows = []
    jobs_list = []
    for team in range(1, teams + 1):
        folder = out / f"team-{team:02d}"
        folder.mkdir()
        team_rows = []
        for path in chosen:
            jobs_list.append((str(path), str(folder / path.name), team_seed(seed, team), timeout))
            team_rows += [
                {"team": f"team-{team:02d}", "seed": str(team_seed(seed, team)), **row}
                for row in answer_rows(path.stem, team_seed(seed, team))
            ]
        (keys / f"team-{team:02d}.md").write_text(_key_markdown(team, team_seed(seed, team), team_rows))
        all_rows += team_rows
    (keys / "answers.csv").write_text(_csv(all_rows))
    seeds = tuple(team_seed(seed, team) for team in range(1, teams + 1))
    (out / "facilitator-guide.md").write_text(Agenda(metas, seeds).guide())
    (out / "README.md").write_text(_readme(teams, seed, metas))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(jobs_list)))
    if workers == 1:
        return [_run(j) for j in jobs_list]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(_run, jobs_list))


def _key_markdown(team: int, seed: int, rows: list[dict[str, str]]) -> str:
    lines = [
        f"# Answer key, team {team:02d} (seed {seed})",
        "",
        "| lesson | exercise | answer |",
        "|---|---|---|",
    ]
    lines += [f"| {r['lesson']} | `{r['exercise']}` | {r['answer'].replace('|', '/')} |" for r in rows]
    return "\n".join(lines) + "\n"


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    fields = ["team", "seed", "lesson", "exercise", "question", "answer", "worked step"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _readme(teams: int, seed: int, metas: tuple[LessonMeta, ...]) -> str:
    seeds = ", ".join(f"team-{t:02d}: {team_seed(seed, t)}" for t in range(1, teams + 1))
    return (
        f"# Workshop folder\n\n{teams} team(s), {len(metas)} lesson(s). Seeds: {seeds}.\n\n"
        "- `team-NN/`: hand this folder to team NN; its lessons use the team's own data.\n"
        "- `answer-keys/`: keep these to yourself.\n"
        "- `facilitator-guide.md`: the agenda, objectives, prompts and common mistakes.\n"
    )


def command(args: argparse.Namespace) -> int:
    runs = build(args.teams, args.seed, Path(args.out), args.lessons, args.jobs)
    failed = [r for r in runs if not r.ok]
    print(f"Workshop for {args.teams} team(s) written to {args.out} ({len(runs)} notebooks executed).")
    for run in failed:
        print(f"  FAILED {run.summary()}")
    return 1 if failed else 0
