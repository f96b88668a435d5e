"""The command line: one clear line per error, and learner work that survives every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pmkit(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pmkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["nonsense"], "invalid choice"),
        (["reset", "99"], "no such lesson"),
        (["reset"], "required"),
        (["build", "99"], "no such lesson"),
        (["build", "--jobs", "many"], "invalid int"),
        (["datasets", "generate", "--scale", "-1"], "scale"),
        (["datasets", "generate", "--seed", "1.5"], "seed"),
    ],
)
def test_every_error_is_one_line_and_non_zero(args: list[str], phrase: str) -> None:
    result = pmkit(*args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert phrase in lines[0].lower() and "Traceback" not in result.stderr


def test_help_lists_the_commands() -> None:
    result = pmkit("--help")
    assert result.returncode == 0
    for command in (
        "build",
        "doctor",
        "workspace",
        "start",
        "reset",
        "progress",
        "check",
        "run",
        "workshop",
        "grade",
        "site",
        "datasets",
    ):
        assert command in result.stdout


def _edit(notebook: Path, marker: str) -> None:
    nb = json.loads(notebook.read_text())
    nb["cells"].append({"cell_type": "markdown", "id": "learner-note", "metadata": {}, "source": marker})
    notebook.write_text(json.dumps(nb))


def test_learner_edits_survive_every_command(tmp_path: Path) -> None:
    env = {"PMKIT_WORKSPACE": str(tmp_path / "ws")}
    assert pmkit("workspace", env=env).returncode == 0
    mine = tmp_path / "ws" / "00_welcome.ipynb"
    _edit(mine, "MY ANSWER: fix the promise")
    before = mine.read_bytes()
    commands = [["workspace"], ["doctor"], ["build", "--check"], ["datasets", "verify"], ["--help"]]
    for command in commands:
        pmkit(*command, env=env, cwd=tmp_path)
        assert mine.read_bytes() == before, f"`pmkit {' '.join(command)}` touched the learner's notebook"
    # reset is the one command that replaces a lesson: it backs the learner's copy up first.
    result = pmkit("reset", "00", env=env)
    assert result.returncode == 0
    backups = list((tmp_path / "ws" / ".backups").glob("00_welcome-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert str(backups[0]) in result.stdout
    assert mine.read_bytes() == (ROOT / "lessons" / "00_welcome.ipynb").read_bytes()


def test_workspace_copies_new_lessons_and_reports_newer_versions(tmp_path: Path) -> None:
    env = {"PMKIT_WORKSPACE": str(tmp_path)}
    first = pmkit("workspace", env=env)
    assert "copied in: 00_welcome" in first.stdout
    mine = tmp_path / "00_welcome.ipynb"
    nb = json.loads(mine.read_text())
    nb["metadata"]["pmkit"]["version"] = "0.9"
    mine.write_text(json.dumps(nb))
    again = pmkit("workspace", env=env)
    assert "kept your copies of: 00_welcome" in again.stdout
    assert "newer version" in again.stdout and "pmkit reset 00" in again.stdout
    assert json.loads(mine.read_text())["metadata"]["pmkit"]["version"] == "0.9"


def test_two_resets_in_one_second_keep_both_backups(tmp_path: Path) -> None:
    env = {"PMKIT_WORKSPACE": str(tmp_path)}
    pmkit("workspace", env=env)
    for _ in range(2):
        assert pmkit("reset", "0", env=env).returncode == 0
    assert len(list((tmp_path / ".backups").iterdir())) == 2


def test_doctor_reports_and_says_what_to_fix(tmp_path: Path) -> None:
    ok = pmkit("doctor", env={"PMKIT_WORKSPACE": str(tmp_path / "ws")})
    assert "Python 3." in ok.stdout and "kernel 'python3'" in ok.stdout
    assert ok.returncode == 0, ok.stdout
    blocker = tmp_path / "file"
    blocker.write_text("")
    bad = pmkit("doctor", env={"PMKIT_WORKSPACE": str(blocker / "ws")})
    assert bad.returncode != 0 and "fix:" in bad.stdout and "not writable" in bad.stdout


def test_notebooks_find_datasets_from_any_working_directory(tmp_path: Path) -> None:
    code = "import pmkit.datasets as d; print(len(d.load('orders')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and int(result.stdout) > 0, result.stderr


def test_the_cheat_sheet_link_works_in_every_workspace_layout(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Lessons link ``../docs/cheatsheet.md``: a workspace in the standard place gets the sheet beside it."""
    from pmkit import paths
    from pmkit.course import workspace

    sheet = tmp_path / "course-docs" / "cheatsheet.md"
    sheet.parent.mkdir()
    sheet.write_text("# Cheat sheet\n")
    monkeypatch.setattr(paths, "cheat_sheet", lambda: sheet)
    monkeypatch.setenv("PMKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PMKIT_WORKSPACE", raising=False)
    prepared = workspace.prepare()
    placed = tmp_path / "home" / "docs" / "cheatsheet.md"
    assert prepared.workspace == tmp_path / "home" / "workspace"
    assert placed.read_text() == "# Cheat sheet\n"
    placed.write_text("my notes")  # the learner's copy is theirs: never overwritten
    workspace.prepare()
    assert placed.read_text() == "my notes"
    # A workspace elsewhere: nothing is written outside it.
    monkeypatch.setenv("PMKIT_WORKSPACE", str(tmp_path / "elsewhere" / "ws"))
    workspace.prepare()
    assert not (tmp_path / "elsewhere" / "docs").exists()


def test_a_renumbered_lesson_moves_with_its_answers(tmp_path: Path) -> None:
    """A copy saved under a lesson's old number takes the new name; a new lesson on that number is fresh."""
    env = {"PMKIT_WORKSPACE": str(tmp_path)}
    assert pmkit("workspace", env=env).returncode == 0
    current = tmp_path / "09_ab_testing.ipynb"
    _edit(current, "MY ANSWER: iterate")
    mine = current.read_bytes()
    old = tmp_path / "06_ab_testing.ipynb"  # where the lesson lived before the course renumbered it
    current.rename(old)
    result = pmkit("workspace", env=env)
    assert result.returncode == 0
    assert "moved your 06_ab_testing to 09_ab_testing" in result.stdout
    assert current.read_bytes() == mine and not old.exists()
    # Never over a file the learner has: with both names present nothing moves.
    old.write_bytes(mine)
    again = pmkit("workspace", env=env)
    assert "moved" not in again.stdout and old.read_bytes() == mine and current.read_bytes() == mine
