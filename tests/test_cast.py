"""One Basketly, one cast: every person a lesson names is in the cast, in their own role."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pmkit.datasets import cast

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
CAST = cast.CAST
NAMES = {person.name for person in CAST}
# "Dana, the delivery product manager" / "Priya, a Basketly shopper": a name and what it is.
APPOSITIVE = re.compile(r"\b([A-Z][a-z]+), (?:a|an|the|our|Basketly's) ((?:[\w'-]+ ){0,5}?"
                        r"(?:manager|analyst|engineer|shopper|customer|designer|lead|head|PM|director|"
                        r"scientist|member|buyer|seller|founder))\b")
# "Ren asks", "Priya leads": a first name acting in the story.
ACTING = re.compile(r"\b([A-Z][a-z]{2,}) (?:says|asks|wants|thinks|writes|proposes|argues|leads|runs|"
                    r"owns|decides|replies|answers|worries|suggests|pitches|insists)\b")
# "Priya leads Basketly's checkout team": what a cast member is accountable for.
LEADS = re.compile(r"\b([A-Z][a-z]+) (?:leads|runs|owns) (?:Basketly's |the |our )?([\w-]+)")
NOT_PEOPLE = {"Sales", "Marketing", "Support", "Finance", "Design", "Platform", "Basketly",
              "Innovation", "Engineering", "Legal", "Operations", "Leadership", "Everyone", "Nobody",
              "Amazon", "Each", "Every", "This", "The", "She", "Her", "His", "Their", "Team", "Someone"}


def _text(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def _role_words(name: str) -> set[str]:
    person = next(p for p in CAST if p.name == name)
    return set(re.findall(r"[\w'-]+", f"{person.role} {person.owns}".lower())) | {"pm", "basketly"}


def problems(text: str) -> list[str]:
    """Names a text uses that are not the cast, or cast members cast in another role."""
    found = []
    for name, what in APPOSITIVE.findall(text):
        if name in NOT_PEOPLE:
            continue
        if name not in NAMES:
            found.append(f"{name} ({what}) is not in the cast")
            continue
        stray = set(re.findall(r"[\w'-]+", what.lower())) - _role_words(name) - {"newly", "hired", "new"}
        if stray:
            found.append(f"{name} is the {cast.role_of(name)}, not {what!r}")
    for name, what in LEADS.findall(text):
        if name in NAMES and what.lower() not in _role_words(name):
            found.append(f"{name} is the {cast.role_of(name)}: {what} is not theirs")
    for name in ACTING.findall(text):
        if name not in NAMES and name not in NOT_PEOPLE:
            found.append(f"{name} acts in the story but is not in the cast")
    return sorted(set(found))


def test_the_checker_catches_strangers_and_miscast_members_but_not_the_cast() -> None:
    assert problems("Ren, the checkout product manager, asks Kai, the experimentation analyst.") == []
    assert problems("Priya, a Basketly shopper since 2023") == [
        "Priya is the customer-experience product manager, not 'Basketly shopper'"]
    assert problems("Omar, the pricing manager, reviews it.") == ["Omar (pricing manager) is not in the cast"]
    assert problems("Zoe proposes a merger.") == ["Zoe acts in the story but is not in the cast"]
    assert problems("Amara, the checkout product manager") != []
    assert problems("Priya leads Basketly's checkout team.") == [
        "Priya is the customer-experience product manager: checkout is not theirs"]
    assert problems("Ren leads the checkout team.") == []


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_lesson_names_only_the_cast_in_their_roles(master: Path) -> None:
    assert problems(_text(master)) == []


def test_the_datasets_readme_lists_the_cast() -> None:
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert cast.markdown() in readme
    assert len(NAMES) == len(CAST), "two cast members share a name"


def test_an_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not in Basketly's cast; the cast is: Jonas, Dana"):
        cast.role_of("Omar")
