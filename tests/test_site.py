"""`pmkit site`: one page per lesson with its figures' alt text, and an index built from lesson metadata."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from pmkit.course import site
from pmkit.display import figure_alts

ROOT = Path(__file__).resolve().parents[1]
# A 1x1 PNG: the site embeds figures as they are, so any valid image will do.
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


class Tags(HTMLParser):
    """Every <img> and <a> in a page, with their attributes."""

    def __init__(self, text: str):
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "a":
            self.links.append(dict(attrs))


def _lesson(folder: Path, lesson_id: str, slug: str, *, title: str, module: str = "1 · Basics",
            prerequisites: tuple[str, ...] = (), alt: str = "A single dot", body: str = "print(1)") -> Path:
    figure = new_output("execute_result", data={"image/png": PIXEL, "text/plain": "Takeaway: a dot."},
                        metadata={"image/png": {"alt": alt}} if alt else {}, execution_count=1)
    code = new_code_cell(body, outputs=[figure], execution_count=1)
    nb = new_notebook(cells=[new_markdown_cell(f"# {title}"), code])
    nb.metadata["pmkit"] = {"id": lesson_id, "title": title, "module": module, "minutes": 20,
                            "objectives": ["Read a chart", "Decide <with> data"],
                            "prerequisites": list(prerequisites), "version": "1.0"}
    path = folder / f"{lesson_id}_{slug}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course tree (PMKIT_REPO) holding the real lesson 00 and two small invented lessons."""
    repo = tmp_path / "course"
    for folder in ("lessons", "solutions"):
        (repo / folder).mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    shutil.copy(ROOT / "lessons" / "00_welcome.ipynb", repo / "lessons")
    _lesson(repo / "lessons", "01", "charts", title="Charts <script>alert(1)</script> & co",
            prerequisites=("00_welcome",))
    _lesson(repo / "lessons", "02", "later", title="Later", module="2 · Later",
            prerequisites=("01_charts", "99_unpublished"))
    monkeypatch.setenv("PMKIT_REPO", str(repo))
    monkeypatch.setenv("PMKIT_WORKSPACE", str(tmp_path / "workspace"))
    return repo


def test_figures_keep_their_alt_text(course: Path, tmp_path: Path) -> None:
    report = site.build_site(tmp_path / "site")
    page = (tmp_path / "site" / "00_welcome.html").read_text(encoding="utf-8")
    nb = nbformat.read(course / "lessons" / "00_welcome.ipynb", as_version=4)
    expected = [alt for cell in nb.cells if cell.cell_type == "code"
                for output in cell.outputs for alt in figure_alts(output)]
    assert len(expected) >= 2
    assert [image.get("alt") for image in Tags(page).images] == expected
    assert all((image.get("src") or "").startswith("data:image/png;base64,") for image in Tags(page).images)
    assert report.figures == len(expected) + 2


def test_the_index_is_built_from_lesson_metadata(course: Path, tmp_path: Path) -> None:
    report = site.build_site(tmp_path / "site")
    index = Path(report.index).read_text(encoding="utf-8")
    names = sorted(Path(p).name for p in report.pages)
    assert names == ["00_welcome.html", "01_charts.html", "02_later.html"]
    # Modules in lesson order, each once.
    order = [index.index(m) for m in ("0 · Getting started", "1 · Basics", "2 · Later")]
    assert order == sorted(order) and index.count("<h2>1 · Basics</h2>") == 1
    welcome = nbformat.read(course / "lessons" / "00_welcome.ipynb", as_version=4)
    minutes = welcome.metadata["pmkit"]["minutes"]
    assert "Welcome: how this course works" in index and f"About {minutes} minutes" in index
    assert "Open a lesson, run it top to bottom" in index  # an objective of lesson 00
    # Metadata is text, never markup.
    assert "<script>alert(1)</script>" not in index
    assert "Charts &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in index
    assert "Decide &lt;with&gt; data" in index
    hrefs = [link.get("href") for link in Tags(index).links]
    assert hrefs.count("00_welcome.html") == 2  # its own card and lesson 01's prerequisite
    assert "01_charts.html" in hrefs and "99_unpublished" in index  # unpublished: named, not linked
    assert "99_unpublished.html" not in hrefs
    assert site.GENERATOR in index


def test_pages_link_to_the_index_and_their_neighbours(course: Path, tmp_path: Path) -> None:
    site.build_site(tmp_path / "site")
    middle = (tmp_path / "site" / "01_charts.html").read_text(encoding="utf-8")
    hrefs = [link.get("href") for link in Tags(middle).links]
    assert {"index.html", "00_welcome.html", "02_later.html"} <= set(hrefs)
    assert "<title>01 · Charts &lt;script&gt;" in middle
    # No script is fetched from the network: the page works offline (MathJax degrades to plain TeX).
    assert "require.js" not in middle


def test_links_to_lessons_and_the_cheat_sheet_lead_to_their_pages(course: Path, tmp_path: Path) -> None:
    (course / "docs").mkdir()
    (course / "docs" / "cheatsheet.md").write_text(
        "# Cheat sheet\n\n`orders.groupby(\"region\")` groups rows. "
        "Practise in [Charts](../lessons/01_charts.ipynb).\n")
    path = _lesson(course / "lessons", "03", "linked", title="Linked", prerequisites=("01_charts",))
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += ("\n\n*Prerequisites:* [01 · Charts](01_charts.ipynb), [99](99_unpublished.ipynb)"
                           " · *Python help:* [cheat sheet](../docs/cheatsheet.md)")
    nbformat.write(nb, path)
    site.build_site(tmp_path / "site")
    hrefs = [link.get("href") for link in Tags((tmp_path / "site" / "03_linked.html").read_text()).links]
    assert {"01_charts.html", "cheatsheet.html", "99_unpublished.ipynb"} <= set(hrefs)
    assert "../docs/cheatsheet.md" not in hrefs and "01_charts.ipynb" not in hrefs
    sheet = (tmp_path / "site" / "cheatsheet.html").read_text(encoding="utf-8")
    assert "groups rows" in sheet and "<title>Python and pmkit cheat sheet</title>" in sheet
    assert {"index.html", "01_charts.html"} <= {link.get("href") for link in Tags(sheet).links}
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "cheatsheet.html" in [link.get("href") for link in Tags(index).links]


def test_a_course_without_a_cheat_sheet_gets_no_link_to_one(course: Path, tmp_path: Path) -> None:
    site.build_site(tmp_path / "site")
    assert not (tmp_path / "site" / "cheatsheet.html").exists()
    assert "cheatsheet.html" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_a_figure_without_alt_text_stops_the_build(course: Path, tmp_path: Path) -> None:
    _lesson(course / "lessons", "03", "bare", title="Bare", alt="")
    with pytest.raises(ValueError, match=r"without alt text in 03_bare, cell 1"):
        site.build_site(tmp_path / "site")
    assert not (tmp_path / "site").exists()  # nothing half-written


def test_solutions_flag_publishes_the_masters(course: Path, tmp_path: Path) -> None:
    _lesson(course / "solutions", "01", "charts", title="Charts",
            body="answer = ...\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    report = site.build_site(tmp_path / "site", solutions=True)
    assert [Path(p).name for p in report.pages] == ["01_charts.html"]
    assert "answer" in (tmp_path / "site" / "01_charts.html").read_text(encoding="utf-8")


def test_output_folder_rules(course: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("<p>my own page</p>")
    with pytest.raises(ValueError, match="did not write"):
        site.build_site(mine)
    assert (mine / "index.html").read_text() == "<p>my own page</p>"
    with pytest.raises(ValueError, match="where course notebooks live"):
        site.build_site(course / "lessons" / "html")
    # Rebuilding over an earlier site is fine.
    site.build_site(tmp_path / "site")
    assert site.build_site(tmp_path / "site").pages


def test_cli_writes_the_site_and_reports_errors_in_one_line(course: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PMKIT_REPO": str(course)}
    out = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pmkit", "site", "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Wrote 3 lesson page(s)" in done.stdout and (out / "index.html").is_file()

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep")
    refused = subprocess.run([sys.executable, "-m", "pmkit", "site", "--out", str(tmp_path / "taken")],
                             capture_output=True, text=True, env=env, timeout=300)
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not write" in lines[0]


def test_a_broken_lesson_gives_a_clear_error(course: Path, tmp_path: Path) -> None:
    (course / "lessons" / "04_broken.ipynb").write_text(json.dumps({"cells": "nope"}))
    with pytest.raises(ValueError, match=r"04_broken\.ipynb: not a valid notebook"):
        site.build_site(tmp_path / "site")
