"""The learner's workspace: their own, git-ignored copies of the lessons.

Rules that protect a learner's work:

- ``prepare`` copies in lessons the workspace lacks and never touches one
  that exists, so pulling course updates and starting again is always safe.
- ``reset`` replaces a lesson with the pristine version only after saving a
  timestamped backup, and says where it went.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pmkit import paths
from pmkit.course import notebooks


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` did."""

    workspace: Path
    copied: tuple[str, ...]
    kept: tuple[str, ...]
    newer: tuple[str, ...]  # kept, but the course has a newer version

    def summary(self) -> str:
        lines = [f"Workspace: {self.workspace}"]
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
    return Prepared(target, tuple(copied), tuple(kept), tuple(newer))


def backup(path: Path) -> Path:
    """Save a timestamped copy of ``path`` under the workspace's ``.backups``."""
    folder = paths.backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    counter = 1
    while target.exists():  # two resets in one second must not overwrite each other
        target = folder / f"{path.stem}-{stamp}-{counter}{path.suffix}"
        counter += 1
    shutil.copy2(path, target)
    return target


@dataclass(frozen=True)
class Reset:
    """What ``reset`` did."""

    lesson: Path
    backup: Path | None

    def summary(self) -> str:
        if self.backup is None:
            return f"Restored {self.lesson.name} (there was no copy to back up)."
        return f"Backed up your {self.lesson.name} to {self.backup}\nRestored the pristine lesson."


def reset(name: str) -> Reset:
    """Replace a workspace lesson with the pristine one, after a backup."""
    (lesson,) = notebooks.select(sorted(paths.lessons_dir().glob("[0-9][0-9]_*.ipynb")), [name])
    mine = paths.workspace_dir() / lesson.name
    saved = backup(mine) if mine.exists() else None
    mine.parent.mkdir(parents=True, exist_ok=True)
    tmp = mine.with_name(f".{mine.name}.tmp")
    shutil.copyfile(lesson, tmp)
    tmp.replace(mine)
    return Reset(mine, saved)
