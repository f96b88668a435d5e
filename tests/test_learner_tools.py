"""`pmkit progress`, `pmkit check` and `pmkit workshop`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from pmkit import progress
from pmkit.course.workshop import team_seed

ROOT = Path(__file__).resolve().parents[1]


def pmkit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )


def _event(exercise: str, status: str, lesson: str = "00_welcome") -> dict[str, str]:
    return {"lesson": lesson, "exercise": exercise, "status": status}


def _minutes(lesson: str) -> int:
    return json.loads((ROOT / "lessons" / f"{lesson}.ipynb").read_text())["metadata"]["pmkit"]["minutes"]


def test_progress_counts_passed_attempted_and_not_started() -> None:
    report = progress.report(
        [
            _event("average_order", "incorrect"),
            _event("average_order", "correct"),
            _event("late_share", "incorrect"),
            _event("promise_call", "not answered"),
        ]
    )
    welcome = next(item for item in report.lessons if item.lesson == "00_welcome")
    assert welcome.passed == ("average_order",)
    assert welcome.attempted == ("late_share",)
    assert welcome.not_started == ("promise_call",)
    assert 0 < welcome.minutes_left < _minutes("00_welcome")  # two of three exercises still to do
    assert "late_share is attempted" in report.next_step()
    frame = report.to_frame()
    assert frame.loc["00_welcome", "passed"] == 1 and frame.loc["00_welcome", "not started"] == 1


def test_progress_command_reads_the_log(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(
        "\n".join(json.dumps(_event(e, "correct")) for e in ("average_order", "late_share", "promise_call"))
        + "\n"
    )
    result = pmkit("progress", env={"PMKIT_PROGRESS": str(log)})
    assert result.returncode == 0
    assert "00_welcome" in result.stdout and "3 of" in result.stdout


def _answer(notebook: Path, exercise: str, answer_source: str) -> None:
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and f'lesson.check("{exercise}"' in source:
            cell["source"] = source.replace(f"{exercise} = ...", f"{exercise} = {answer_source}")
    notebook.write_text(json.dumps(nb))


def test_check_runs_a_fresh_kernel_and_never_edits_the_learner_file(tmp_path: Path) -> None:
    env = {"PMKIT_WORKSPACE": str(tmp_path / "ws"), "PMKIT_PROGRESS": str(tmp_path / "log.jsonl")}
    pmkit("workspace", env=env)
    mine = tmp_path / "ws" / "00_welcome.ipynb"
    _answer(mine, "average_order", 'orders["order_value"].mean()')
    _answer(mine, "late_share", "0.5")
    # Pretend the learner's kernel once showed late_share as correct (state from an old cell).
    nb = json.loads(mine.read_text())
    nb["cells"][-1].setdefault("outputs", [])
    nb["cells"].append(
        {
            "cell_type": "code",
            "id": "stale",
            "metadata": {},
            "execution_count": 1,
            "source": "",
            "outputs": [
                {
                    "output_type": "execute_result",
                    "execution_count": 1,
                    "metadata": {},
                    "data": {"text/plain": "✅ late_share: correct. Yes"},
                }
            ],
        }
    )
    mine.write_text(json.dumps(nb))
    before = mine.read_bytes()
    result = pmkit("check", "00", env=env)
    assert result.returncode == 0, result.stderr
    assert "average_order" in result.stdout and "correct" in result.stdout
    assert "late_share                   incorrect" in result.stdout
    assert "late_share shows correct in your saved notebook" in result.stdout
    assert mine.read_bytes() == before
    assert '"source": "pmkit check"' in (tmp_path / "log.jsonl").read_text()


def test_check_reports_a_failing_cell(tmp_path: Path) -> None:
    env = {"PMKIT_WORKSPACE": str(tmp_path / "ws"), "PMKIT_PROGRESS": "off"}
    pmkit("workspace", env=env)
    notebook = tmp_path / "ws" / "00_welcome.ipynb"
    _answer(notebook, "average_order", "1 / 0")
    result = pmkit("check", "0", env=env)
    assert result.returncode == 1 and "ZeroDivisionError" in result.stdout
    # Numbered as JupyterLab shows it: 1-based over every cell, markdown included.
    cells = json.loads(notebook.read_text())["cells"]
    number = 1 + next(i for i, c in enumerate(cells) if 'check("average_order"' in "".join(c["source"]))
    assert f"cell {number} failed: ZeroDivisionError" in result.stdout
    assert f"average_order                not reached: cell {number} failed before its check" in result.stdout
    # The run went on after the error: the later exercises still got their verdict.
    assert "late_share                   not answered" in result.stdout


def test_workshop_gives_each_team_its_own_data_keys_and_a_guide(tmp_path: Path) -> None:
    out = tmp_path / "ws"
    result = pmkit(
        "workshop",
        "--teams",
        "2",
        "--seed",
        "3",
        "--out",
        str(out),
        "--lessons",
        "00",
        env={"PMKIT_PROGRESS": "off"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for team in (1, 2):
        nb = json.loads((out / f"team-{team:02d}" / "00_welcome.ipynb").read_text())
        injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
        assert f"seed = {team_seed(3, team)}" in "".join(injected[0]["source"])
    rows = list(csv.DictReader((out / "answer-keys" / "answers.csv").open()))
    by_team = {(r["team"], r["exercise"]): r["answer"] for r in rows}
    assert by_team[("team-01", "average_order")] != by_team[("team-02", "average_order")]
    guide = (out / "facilitator-guide.md").read_text()
    assert "| 0:00 | 00 · Welcome" in guide and "Discussion prompts" in guide
    assert "use > rather than >=" in guide  # a mistake the late_share checker detects
    again = pmkit("workshop", "--teams", "1", "--out", str(out), env={})
    assert again.returncode != 0 and len(again.stderr.strip().splitlines()) == 1
    assert "not empty" in again.stderr


def test_workshop_rejects_bad_team_counts(tmp_path: Path) -> None:
    result = pmkit("workshop", "--teams", "0", "--out", str(tmp_path / "w"), env={})
    assert result.returncode != 0 and "--teams" in result.stderr
    assert not (tmp_path / "w").exists()


def test_progress_follows_a_lesson_the_course_renumbered() -> None:
    """Events logged under a lesson's old number count for it under its new one."""
    old_name = [_event("baseline_rate", "correct", lesson="06_ab_testing")]
    ab = next(item for item in progress.report(old_name).lessons if item.lesson.endswith("_ab_testing"))
    assert ab.passed == ("baseline_rate",)


def test_reset_starts_the_lesson_over_and_keeps_the_old_record(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    env = {"PMKIT_PROGRESS": str(log), "PMKIT_WORKSPACE": str(tmp_path / "ws")}
    events = [_event("average_order", "correct"), _event("late_share", "correct"),
              _event("baseline_rate", "correct", lesson="09_ab_testing")]
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    assert pmkit("workspace", env=env).returncode == 0
    result = pmkit("reset", "00", env=env)
    assert result.returncode == 0 and "progress starts over" in result.stdout
    (saved,) = (tmp_path / "ws" / ".backups").glob("00_welcome-*.progress.jsonl")
    assert str(saved) in result.stdout
    assert [json.loads(line) for line in saved.read_text().splitlines()] == events[:2]
    report = progress.report(engine_events(log))
    welcome = next(item for item in report.lessons if item.lesson == "00_welcome")
    ab = next(item for item in report.lessons if item.lesson == "09_ab_testing")
    assert welcome.passed == () and not welcome.done
    assert ab.passed == ("baseline_rate",)  # other lessons keep theirs
    # Checked again after the reset, an exercise counts again.
    log.write_text(log.read_text() + json.dumps(_event("average_order", "correct")) + "\n")
    welcome = next(i for i in progress.report(engine_events(log)).lessons if i.lesson == "00_welcome")
    assert welcome.passed == ("average_order",)


def engine_events(log: Path) -> list[dict]:
    from pmkit.exercises.engine import read_progress

    return read_progress(log)
