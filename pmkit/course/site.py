"""``pmkit site``: the course as static HTML pages, for sharing without Jupyter.

Each lesson becomes one page (nbconvert's JupyterLab look, with the outputs
``pmkit build`` stored in the notebook) and ``index.html`` lists the lessons
by module from their metadata: title, minutes, objectives, prerequisites.
Figures keep their alt text, so a screen reader can describe every chart.

>>> from pmkit.syllabus import LessonMeta
>>> meta = LessonMeta(id="00", slug="welcome", title="Welcome", objectives=("Run a lesson",),
...                   minutes=15, prerequisites=(), version="1.0", module="0 · Getting started")
>>> "Welcome" in index_page([meta]) and 'href="00_welcome.html"' in index_page([meta])
True
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmkit import paths
from pmkit.course.notebooks import read
from pmkit.course.runner import outside_course_notebooks
from pmkit.display import PALETTE, figure_alts
from pmkit.results import Result
from pmkit.syllabus import LessonMeta, NotebookError, lesson_meta

GENERATOR = '<meta name="generator" content="pmkit site">'
INDEX_NAME = "index.html"

# Extends nbconvert's JupyterLab template: figures get their alt text (the stock
# template drops it) and every page gets links back to the index and on to the next lesson.
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block body_header %}{{ super() }}{{ resources.pmkit_nav }}{% endblock body_header %}
{% block body_footer %}{{ resources.pmkit_nav }}{{ super() }}{% endblock body_footer %}
{% block data_png scoped %}
{%- set alt = output.metadata.get('image/png', {}).get('alt', '') -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- endblock data_png %}
"""
TEMPLATE_NAME = "pmkit_page.html.j2"

STYLE = f"""
body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #1b1b1b; }}
h2 {{ border-bottom: 2px solid {PALETTE[0]}; padding-bottom: .2em; margin-top: 2em; }}
.lesson {{ border-left: 4px solid {PALETTE[0]}; padding: .2em 1em; margin: 1em 0; }}
.lesson h3 {{ margin: .2em 0; }}
.facts {{ color: #555; }}
"""


@dataclass(frozen=True, repr=False)
class SiteReport(Result):
    """What ``build_site`` wrote."""

    index: str
    pages: tuple[str, ...]
    figures: int

    def summary(self) -> str:
        return (f"Wrote {len(self.pages)} lesson page(s) with {self.figures} figure(s), "
                f"all with alt text; open {self.index}.")


def page_name(meta: LessonMeta) -> str:
    """The file name of a lesson's page: ``00_welcome.html``."""
    return f"{meta.name}.html"


def missing_alt_text(nb: Any, name: str) -> list[str]:
    """Where a PNG figure has no alt text, as 'lesson, cell N' strings."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if any(not alt.strip() for alt in figure_alts(output)):
                found.append(f"{name}, cell {index}")
    return found


def count_figures(nb: Any) -> int:
    """How many PNG figures a notebook's outputs hold."""
    return sum(
        len(figure_alts(output))
        for cell in nb.cells if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def _exporter() -> Any:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({TEMPLATE_NAME: PAGE_TEMPLATE})],
        template_file=TEMPLATE_NAME,
    )


def _nav(metas: Sequence[LessonMeta], position: int) -> str:
    links = ['<a href="index.html">Course index</a>']
    if position > 0:
        before = metas[position - 1]
        links.append(f'<a href="{page_name(before)}" rel="prev">← {html.escape(before.title)}</a>')
    if position + 1 < len(metas):
        after = metas[position + 1]
        links.append(f'<a href="{page_name(after)}" rel="next">{html.escape(after.title)} →</a>')
    return ('<nav class="pmkit-nav" style="font-family:system-ui,sans-serif;padding:.5em 1em">'
            + " · ".join(links) + "</nav>")


def lesson_page(nb: Any, meta: LessonMeta, nav: str = "", exporter: Any = None) -> str:
    """One lesson as a standalone HTML page."""
    exporter = exporter or _exporter()
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": f"{meta.id} · {meta.title}"}, "pmkit_nav": nav}
    )
    return body


def index_page(metas: Sequence[LessonMeta], title: str = "Product management, hands on") -> str:
    """The course index: lessons grouped by module, each with its facts and objectives."""
    published = {meta.name: meta for meta in metas}
    sections: list[str] = []
    for module in dict.fromkeys(meta.module or "Lessons" for meta in metas):
        cards = [_lesson_card(meta, published) for meta in metas if (meta.module or "Lessons") == module]
        sections.append(f"<section><h2>{html.escape(module)}</h2>{''.join(cards)}</section>")
    minutes = sum(meta.minutes for meta in metas)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"{GENERATOR}\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>{len(metas)} lesson(s), about {minutes} minutes in all. The course practises product "
        "management on Basketly, an invented marketplace whose data is synthetic.</p>\n"
        + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )


def _lesson_card(meta: LessonMeta, published: dict[str, LessonMeta]) -> str:
    objectives = "".join(f"<li>{html.escape(text)}</li>" for text in meta.objectives)
    needs = [
        f'<a href="{page_name(published[name])}">{html.escape(published[name].title)}</a>'
        if name in published else html.escape(name)
        for name in meta.prerequisites
    ]
    before = "; ".join(needs) if needs else "none"
    return (
        f'<article class="lesson" id="lesson-{html.escape(meta.id)}">'
        f'<h3><a href="{page_name(meta)}">{html.escape(meta.id)} · {html.escape(meta.title)}</a></h3>'
        f'<p class="facts">About {meta.minutes} minutes · before this: {before}</p>'
        f"<p>You will learn to:</p><ul>{objectives}</ul></article>"
    )


def prepare_output(out: Path | str) -> Path:
    """Create the site folder: new, empty, or an earlier ``pmkit site`` (never lessons/ or the workspace)."""
    out = outside_course_notebooks(out)
    index = out / INDEX_NAME
    earlier = index.is_file() and GENERATOR in index.read_text(encoding="utf-8", errors="replace")
    if out.is_dir() and any(out.iterdir()) and not earlier:
        raise ValueError(
            f"--out {out} already holds files that `pmkit site` did not write; choose a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def build_site(out: Path | str = "_site", *, solutions: bool = False) -> SiteReport:
    """Write one HTML page per lesson (or master) and an index into ``out``."""
    folder_in = paths.solutions_dir() if solutions else paths.lessons_dir()
    sources = sorted(folder_in.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise NotebookError(folder_in, "no notebooks (NN_topic.ipynb) to publish")
    notebooks = [read(path) for path in sources]
    metas = [lesson_meta(nb, path) for nb, path in zip(notebooks, sources, strict=True)]
    # Check everything before writing anything, so a bad lesson never leaves half a site.
    unlabelled = [where for nb, meta in zip(notebooks, metas, strict=True)
                  for where in missing_alt_text(nb, meta.name)]
    if unlabelled:
        raise ValueError(
            f"figure(s) without alt text in {'; '.join(unlabelled)}: draw them with pmkit.show(ax, alt=...)"
        )
    folder = prepare_output(out)
    exporter = _exporter()
    pages = []
    for position, (nb, meta) in enumerate(zip(notebooks, metas, strict=True)):
        target = folder / page_name(meta)
        target.write_text(lesson_page(nb, meta, _nav(metas, position), exporter), encoding="utf-8")
        pages.append(str(target))
    index = folder / INDEX_NAME
    index.write_text(index_page(metas), encoding="utf-8")
    figures = sum(count_figures(nb) for nb in notebooks)
    return SiteReport(index=str(index), pages=tuple(pages), figures=figures)


def command(args: argparse.Namespace) -> int:
    """``pmkit site``: 0 when the site was written."""
    print(build_site(args.out, solutions=args.solutions).summary())
    return 0
