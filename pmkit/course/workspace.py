"""The learner's workspace: their own, git-ignored copies of the lessons.

Rules that protect a learner's work:

- ``prepare`` copies in lessons the workspace lacks and never touches one
  that exists, so pulling course updates and starting again is always safe.
- ``prepare`` moves a learner's copy of a lesson the course renumbered to its new
  name (matched by topic), answers and all, and says what moved.
- ``reset`` replaces a lesson with the pristine version only after saving a
  timestamped backup, and says where it went. The lesson's progress starts over;
  the events it had are saved beside the backup.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pmkit import paths
from pmkit.course import notebooks
from pmkit.exercises.engine import read_progress, record
from pmkit.progress import RESET, topic


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` did."""

    workspace: Path
    copied: tuple[str, ...]
    kept: tuple[str, ...]
    newer: tuple[str, ...]  # kept, but the course has a newer version
    moved: tuple[tuple[str, str], ...] = ()  # (old name, new name): the course renumbered it

    def summary(self) -> str:
        lines = [f"Workspace: {self.workspace}"]
        for old, new in self.moved:
            lines.append(f"  moved your {old} to {new} (the course renumbered it; your answers are kept)")
        if self.copied:
            lines.append(f"  copied in: {', '.join(self.copied)}")
        if self.kept:
            lines.append(f"  kept your copies of: {', '.join(self.kept)}")
        for name in self.newer:
            lines.append(
                f"  {name} has a newer version in the course: "
                f"`pmkit reset {name[:2]}` takes it (your copy is backed up first)"
            )
        return "\n".join(lines)


def _version(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["metadata"]["pmkit"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def prepare() -> Prepared:
    """Copy every lesson the workspace does not have yet; leave existing ones alone."""
    source = paths.lessons_dir()
    lessons = sorted(source.glob("[0-9][0-9]_*.ipynb"))
    if not lessons:
        raise FileNotFoundError(f"no lessons found in {source}")
    target = paths.workspace_dir()
    target.mkdir(parents=True, exist_ok=True)
    moved = _move_renumbered(target, lessons)
    copied, kept, newer = [], [], []
    for lesson in lessons:
        mine = target / lesson.name
        if mine.exists():
            kept.append(lesson.stem)
            if _version(mine) != _version(lesson):
                newer.append(lesson.stem)
            continue
        tmp = mine.with_name(f".{mine.name}.tmp")
        shutil.copyfile(lesson, tmp)
        tmp.replace(mine)
        copied.append(lesson.stem)
    _place_cheat_sheet(target)
    return Prepared(target, tuple(copied), tuple(kept), tuple(newer), tuple(moved))


def _place_cheat_sheet(target: Path) -> None:
    """Put the cheat sheet where the lessons' ``../docs/cheatsheet.md`` link looks for it.

    In a clone it is already there (the repository's own docs/); after a wheel install the
    workspace sits in the folder pmkit was started from, so the sheet is copied beside it once.
    A workspace somewhere else (``PMKIT_WORKSPACE``) gets nothing written outside it.
    """
    source, wanted = paths.cheat_sheet(), target.parent / "docs" / paths.CHEAT_SHEET_NAME
    if target != paths.course_root() / "workspace" or wanted.exists() or not source.is_file():
        return
    wanted.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, wanted)


def _move_renumbered(target: Path, lessons: list[Path]) -> list[tuple[str, str]]:
    """Give learners' copies of renumbered lessons their new names (never over another file).

    A copy is renumbered when its topic belongs to a course lesson of another number and its
    own name is no course lesson (so a new lesson taking an old number is copied in fresh).
    """
    current = {lesson.name for lesson in lessons}
    moved = []
    for lesson in lessons:
        new = target / lesson.name
        if new.exists():
            continue
        olds = [p for p in sorted(target.glob(f"[0-9][0-9]_{topic(lesson.stem)}.ipynb"))
                if p.name not in current]
        if len(olds) != 1:  # none, or several candidates: leave them for the learner to sort out
            continue
        olds[0].rename(new)  # same folder: atomic, and the content never changes
        moved.append((olds[0].stem, lesson.stem))
    return moved


def backup(path: Path) -> Path:
    """Save a timestamped copy of ``path`` under the workspace's ``.backups``."""
    folder = paths.backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = backup_name(folder, path.stem, path.suffix)
    shutil.copy2(path, target)
    return target


def backup_name(folder: Path, stem: str, suffix: str) -> Path:
    """A timestamped name in ``folder`` that no file has yet."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stem}-{stamp}{suffix}"
    counter = 1
    while target.exists():  # two resets in one second must not overwrite each other
        target = folder / f"{stem}-{stamp}-{counter}{suffix}"
        counter += 1
    return target


@dataclass(frozen=True)
class Reset:
    """What ``reset`` did."""

    lesson: Path
    backup: Path | None
    progress_backup: Path | None = None  # the lesson's progress events before the reset

    def summary(self) -> str:
        if self.backup is None:
            lines = [f"Restored {self.lesson.name} (there was no copy to back up)."]
        else:
            lines = [f"Backed up your {self.lesson.name} to {self.backup}", "Restored the pristine lesson."]
        if self.progress_backup is not None:
            lines.append(f"Its progress starts over; the old record is in {self.progress_backup}")
        return "\n".join(lines)


def reset(name: str) -> Reset:
    """Replace a workspace lesson with the pristine one, after a backup."""
    (lesson,) = notebooks.select(sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb")), [name])
    mine = paths.workspace_dir() / lesson.name
    saved = backup(mine) if mine.exists() else None
    mine.parent.mkdir(parents=True, exist_ok=True)
    tmp = mine.with_name(f".{mine.name}.tmp")
    shutil.copyfile(lesson, tmp)
    tmp.replace(mine)
    return Reset(mine, saved, _start_progress_over(lesson.stem, saved))


def _start_progress_over(lesson: str, notebook_backup: Path | None) -> Path | None:
    """Save the lesson's progress events beside its backup, then mark the log so they stop counting.

    The log stays append-only (kernels may be writing to it right now): a ``reset`` event ends
    what came before it for this lesson, and ``pmkit.progress`` reads it so.
    """
    events = [e for e in read_progress() if topic(str(e["lesson"])) == topic(lesson)]
    saved = None
    if events:
        if notebook_backup is not None:
            saved = notebook_backup.with_suffix(".progress.jsonl")
        else:
            saved = backup_name(paths.backups_dir(), lesson, ".progress.jsonl")
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    record(lesson, "*", RESET)
    return saved
