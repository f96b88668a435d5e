"""What each lesson is: the card (title, objectives, minutes, ...) kept in a notebook's metadata.

Both the learner's toolbox (the progress panel) and the course machinery (build, site,
workshop) read lesson cards, so the reading lives here, with nothing but the standard
library: a notebook is JSON, and its card is ``metadata.pmkit``.

>>> meta = lesson_meta({"metadata": {"pmkit": {"id": "00", "title": "Welcome",
...     "objectives": ["Run a lesson"], "minutes": 20, "prerequisites": [], "version": "1"}}},
...     "00_welcome.ipynb")
>>> meta.name, meta.minutes
('00_welcome', 20)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUIRED_METADATA = {
    "id": str,
    "title": str,
    "objectives": list,
    "minutes": int,
    "prerequisites": list,
    "version": str,
}
NOTEBOOK_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


class NotebookError(ValueError):
    """A master or lesson notebook is malformed; the message names file and cell."""

    def __init__(self, path: Path | str, message: str, cell: int | None = None):
        where = f"{path}" if cell is None else f"{path}, cell {cell}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.cell = cell


@dataclass(frozen=True)
class LessonMeta:
    """The machine-readable lesson card stored in ``metadata.pmkit``."""

    id: str
    slug: str
    title: str
    objectives: tuple[str, ...]
    minutes: int
    prerequisites: tuple[str, ...]
    version: str
    module: str = ""
    discussion: tuple[str, ...] = ()
    team_minutes: int | None = None  # a workshop team's time, where it differs from a learner's
    assessment: tuple[tuple[str, tuple[str, ...]], ...] = ()  # objective -> exercises assessing it

    def assessed_by(self, objective: str) -> tuple[str, ...]:
        """The exercises that assess ``objective`` (empty when the lesson maps none)."""
        return dict(self.assessment).get(objective, ())

    @property
    def workshop_minutes(self) -> int:
        return self.team_minutes or self.minutes

    @property
    def name(self) -> str:
        return f"{self.id}_{self.slug}"


def lesson_meta(nb: Any, path: Path | str = "<notebook>") -> LessonMeta:
    """Validate and return a notebook's lesson metadata."""
    raw = nb["metadata"].get("pmkit")
    if not isinstance(raw, dict):
        raise NotebookError(path, "missing lesson metadata (notebook metadata 'pmkit')")
    for key, kind in REQUIRED_METADATA.items():
        if key not in raw:
            raise NotebookError(path, f"lesson metadata lacks '{key}'")
        if not isinstance(raw[key], kind) or isinstance(raw[key], bool):
            raise NotebookError(path, f"lesson metadata '{key}' should be {kind.__name__}, got {raw[key]!r}")
    name = Path(path).name
    match = NOTEBOOK_NAME.match(name)
    if match is None and name != "<notebook>":
        raise NotebookError(path, "file name should look like NN_topic.ipynb")
    if match is not None and match.group(1) != raw["id"]:
        raise NotebookError(path, f"metadata id {raw['id']!r} does not match the file name")
    if not 1 <= len(raw["objectives"]) <= 6:
        raise NotebookError(path, "give between 1 and 6 learning objectives")
    if raw["minutes"] <= 0:
        raise NotebookError(path, "estimated minutes must be positive")
    slug = Path(name).stem.split("_", 1)[1] if match else raw.get("slug", "lesson")
    assessment = raw.get("assessment", {})
    if not isinstance(assessment, dict) or not all(
        isinstance(v, list) and all(isinstance(e, str) for e in v) for v in assessment.values()
    ):
        raise NotebookError(path, "lesson metadata 'assessment' should map each objective to a "
                                  "list of exercise names")
    unknown = [o for o in assessment if o not in raw["objectives"]]
    if unknown:
        raise NotebookError(path, f"lesson metadata 'assessment' names {unknown[0]!r}, which is not "
                                  "one of the objectives")
    return LessonMeta(
        id=raw["id"],
        slug=slug,
        title=raw["title"],
        objectives=tuple(raw["objectives"]),
        minutes=raw["minutes"],
        prerequisites=tuple(raw["prerequisites"]),
        version=raw["version"],
        module=str(raw.get("module", "")),
        discussion=tuple(raw.get("discussion", ())),
        team_minutes=raw.get("team_minutes") if isinstance(raw.get("team_minutes"), int) else None,
        assessment=tuple((o, tuple(v)) for o, v in assessment.items()),
    )


def read_lesson_meta(path: Path | str) -> LessonMeta:
    """The lesson card of the notebook at ``path`` (JSON only: no notebook library needed)."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise NotebookError(path, f"cannot read the file ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(path, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("metadata"), dict):
        raise NotebookError(path, "not a notebook (no metadata)")
    return lesson_meta(nb, path)
