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
import importlib.util
import re
import shutil
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
CHEAT_SHEET_PAGE = "cheatsheet.html"
CHEAT_SHEET_TITLE = "Python and pmkit cheat sheet"
# Links the notebooks hold for Jupyter (a lesson file, the cheat sheet in docs/) and their
# pages on the site.
NOTEBOOK_LINK = re.compile(r'href="(?:\.\./lessons/)?(\d\d_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')
CHEAT_SHEET_LINK = re.compile(
    r'href="(?:\.\./docs/|docs/)?' + re.escape(paths.CHEAT_SHEET_NAME) + r'(#[^"]*)?"')
MATHJAX_FOLDER = "mathjax"
# MathJax 2's own configuration as the jupyter-server-mathjax package ships it, plus its Safe mode.
MATHJAX_URL = f"{MATHJAX_FOLDER}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# The bundled MathJax carries none of its TeX fonts, and a page opened from disk may not load
# web fonts at all: MathJax is told to draw with the reader's own fonts, so math typesets
# without a request for files the site does not have.
MATHJAX_FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": '
                 '{availableFonts: [], preferredFont: null, webFont: null, imageFont: null}});</script>')
# MathJax's own delimiters ($...$, $$...$$, \(...\), \[...\]) as the page configures them.
MATH = re.compile(r"\$\$|\\\(|\\\[|(?<![\\$])\$[^$\n]+(?<!\\)\$")

# Extends nbconvert's JupyterLab template through its blocks: figures get their alt text (the
# stock template drops it); every page gets a skip link, a header with the course navigation,
# the lesson in <main> and the neighbours in a footer; nothing is fetched from the network
# (no require.js, no widget manager or Mermaid from a CDN, MathJax from the site's own folder).
PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- from 'mathjax.html.j2' import mathjax -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
{%- if resources.pmkit_mathjax -%}
{{ resources.pmkit_mathjax_fonts }}{{ mathjax(resources.pmkit_mathjax) }}
{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}<style>{{ resources.pmkit_css }}</style>{%- endblock html_head_css -%}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<a class="pmkit-skip" href="#lesson">Skip to the lesson</a>
<header class="pmkit-header">{{ resources.pmkit_nav }}</header>
<main id="lesson">
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
<footer class="pmkit-footer">{{ resources.pmkit_neighbours }}</footer>
</body>
{%- endblock body_footer -%}
{% block data_png scoped %}
{%- set alt = output.metadata.get('image/png', {}).get('alt', '') -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- endblock data_png %}
"""
TEMPLATE_NAME = "pmkit_page.html.j2"

# JupyterLab's light theme greys its prompts with opacity (#b0b0b0 on white, 2.2:1) and colours
# some code tokens below 4.5:1 on the code background (#f5f5f5). These overrides of the theme's
# own variables keep its look with at least 4.5:1 (WCAG 2.1 AA, 1.4.3) for every token colour.
CODE_COLOURS = {
    "--jp-mirror-editor-keyword-color": "#007000",
    "--jp-mirror-editor-atom-color": "#3f3fb5",
    "--jp-mirror-editor-number-color": "#007000",
    "--jp-mirror-editor-def-color": "#0000e0",
    "--jp-mirror-editor-variable-3-color": "#00704a",
    "--jp-mirror-editor-operator-color": "#8a19d4",
    "--jp-mirror-editor-comment-color": "#316262",
    "--jp-mirror-editor-meta-color": "#8a19d4",
    "--jp-mirror-editor-builtin-color": "#007000",
    "--jp-mirror-editor-bracket-color": "#62624c",
    "--jp-mirror-editor-tag-color": "#116600",
    "--jp-mirror-editor-header-color": "#0000e0",
    "--jp-mirror-editor-quote-color": "#006800",
    "--jp-mirror-editor-error-color": "#c00000",
    "--jp-mirror-editor-hr-color": "#666666",
}
PAGE_STYLE = ":root { --jp-cell-prompt-not-active-opacity: 1; " + "".join(
    f"{name}: {value}; " for name, value in CODE_COLOURS.items()) + "}" + """
.pmkit-skip { position: absolute; left: -10000px; top: auto; }
.pmkit-skip:focus { position: static; display: inline-block; padding: .5em 1em; background: #fff;
                    font-family: system-ui, sans-serif;
                    color: #0b4f8a; outline: 3px solid #0b4f8a; }
.pmkit-header, .pmkit-footer { font-family: system-ui, sans-serif; padding: .5em 1em; }
/* Links in the lessons' text: the theme's link blue reads at 1.9:1 against body text, so they
   get an underline (WCAG 1.4.1: not colour alone) and a darker blue (4.5:1 on white). */
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { color: #0b4f8a;
                                                                    text-decoration: underline; }
.pmkit-header a, .pmkit-footer a { color: #0b4f8a; }
.pmkit-header ul, .pmkit-footer ul { list-style: none; margin: 0; padding: 0; display: flex;
                                     flex-wrap: wrap; gap: .5em 1.5em; }
"""

STYLE = f"""
body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #1b1b1b; }}
a {{ color: #0b4f8a; }}
h2 {{ border-bottom: 2px solid {PALETTE[0]}; padding-bottom: .2em; margin-top: 2em; }}
.lesson {{ border-left: 4px solid {PALETTE[0]}; padding: .2em 1em; margin: 1em 0; }}
.lesson h3 {{ margin: .2em 0; }}
.facts {{ color: #555; }}
.pmkit-skip {{ position: absolute; left: -10000px; }}
.pmkit-skip:focus {{ position: static; }}
header nav ul {{ padding-left: 1.2em; }}
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
        exclude_anchor_links=True,  # the hidden "¶" links say nothing about where they go
        extra_loaders=[DictLoader({TEMPLATE_NAME: PAGE_TEMPLATE})],
        template_file=TEMPLATE_NAME,
    )


def _nav(metas: Sequence[LessonMeta], position: int, label: str, *, index: bool = True) -> str:
    """A labelled <nav> list: the index (if asked) and the lessons before and after ``position``."""
    links = ['<a href="index.html">Course index</a>'] if index else []
    if position > 0:
        before = metas[position - 1]
        links.append(f'<a href="{page_name(before)}" rel="prev">Previous lesson: '
                     f"{html.escape(before.id)} · {html.escape(before.title)}</a>")
    if position + 1 < len(metas):
        after = metas[position + 1]
        links.append(f'<a href="{page_name(after)}" rel="next">Next lesson: '
                     f"{html.escape(after.id)} · {html.escape(after.title)}</a>")
    items = "".join(f"<li>{link}</li>" for link in links)
    return f'<nav aria-label="{html.escape(label)}"><ul>{items}</ul></nav>'


def site_links(page: str, published: set[str]) -> str:
    """Point a page's links to lessons and to the cheat sheet at their pages on the site.

    Lessons link to each other as notebooks (``02_voice_of_the_customer.ipynb``) and to the
    cheat sheet as ``../docs/cheatsheet.md``, which is right in Jupyter; on the site the same
    links go to the HTML pages. A lesson the site does not publish keeps its link as it is.

    >>> site_links('<a href="02_voc.ipynb#warm-up">', {"02_voc"})
    '<a href="02_voc.html#warm-up">'
    >>> site_links('<a href="../docs/cheatsheet.md">', set())
    '<a href="cheatsheet.html">'
    """
    def lesson(match: re.Match[str]) -> str:
        name, anchor = match.group(1), match.group(2) or ""
        return f'href="{name}.html{anchor}"' if name in published else match.group(0)

    page = NOTEBOOK_LINK.sub(lesson, page)
    return CHEAT_SHEET_LINK.sub(lambda m: f'href="{CHEAT_SHEET_PAGE}{m.group(1) or ""}"', page)


def cheat_sheet_page(text: str, nav: str = "", exporter: Any = None) -> str:
    """The cheat sheet (Markdown) as a page in the lessons' look, with the course navigation."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    exporter = exporter or _exporter()
    resources = {"metadata": {"name": CHEAT_SHEET_TITLE}, "pmkit_nav": nav,
                 "pmkit_neighbours": "", "pmkit_css": PAGE_STYLE, "pmkit_mathjax": ""}
    body, _ = exporter.from_notebook_node(new_notebook(cells=[new_markdown_cell(text)]),
                                          resources=resources)
    return body


def has_math(nb: Any) -> bool:
    """Whether a notebook's Markdown holds TeX that MathJax would typeset.

    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> has_math(new_notebook(cells=[new_markdown_cell("Lift is $p_B / p_A - 1$.")]))
    True
    >>> has_math(new_notebook(cells=[new_markdown_cell("It costs \\\\$12, or $15 with delivery.")]))
    False
    """
    return any(cell.cell_type == "markdown" and MATH.search(cell.source) for cell in nb.cells)


def copy_mathjax(folder: Path) -> None:
    """Put MathJax (from the jupyter-server-mathjax package, with its licence) into the site folder."""
    spec = importlib.util.find_spec("jupyter_server_mathjax")  # its files, without importing its server
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("a lesson has math, and the site bundles MathJax from the jupyter-server-mathjax "
                         "package: pip install jupyter-server-mathjax")
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    shutil.copytree(static, folder / MATHJAX_FOLDER, dirs_exist_ok=True)


def lesson_page(nb: Any, meta: LessonMeta, nav: str = "", exporter: Any = None, *,
                neighbours: str = "", mathjax: bool = False) -> str:
    """One lesson as a standalone HTML page: ``nav`` in its header, ``neighbours`` in its footer.

    With ``mathjax`` the page loads MathJax from the site's own ``mathjax/`` folder.
    """
    exporter = exporter or _exporter()
    resources = {"metadata": {"name": f"{meta.id} · {meta.title}"}, "pmkit_nav": nav,
                 "pmkit_neighbours": neighbours, "pmkit_css": PAGE_STYLE,
                 "pmkit_mathjax": MATHJAX_URL if mathjax else "", "pmkit_mathjax_fonts": MATHJAX_FONTS}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def index_page(metas: Sequence[LessonMeta], title: str = "Product management, hands on", *,
               cheat_sheet: bool = False) -> str:
    """The course index: lessons grouped by module, each with its facts and objectives.

    With ``cheat_sheet`` its navigation also links the cheat sheet's page.
    """
    published = {meta.name: meta for meta in metas}
    modules = list(dict.fromkeys(meta.module or "Lessons" for meta in metas))
    sections: list[str] = []
    for number, module in enumerate(modules, start=1):
        cards = [_lesson_card(meta, published) for meta in metas if (meta.module or "Lessons") == module]
        sections.append(f'<section id="module-{number}"><h2>{html.escape(module)}</h2>'
                        f'{"".join(cards)}</section>')
    contents = "".join(f'<li><a href="#module-{number}">{html.escape(module)}</a></li>'
                       for number, module in enumerate(modules, start=1))
    if cheat_sheet:
        contents += f'<li><a href="{CHEAT_SHEET_PAGE}">{CHEAT_SHEET_TITLE}</a></li>'
    minutes = sum(meta.minutes for meta in metas)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"{GENERATOR}\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        '<a class="pmkit-skip" href="#lessons">Skip to the lessons</a>\n'
        f"<header>\n<h1>{html.escape(title)}</h1>\n"
        f'<nav aria-label="Modules and help"><ul>{contents}</ul></nav>\n</header>\n<main id="lessons">\n'
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


def build_site(out: Path | str = "_site", *, solutions: bool = False,
               lite_url: str | None = None) -> SiteReport:
    """Write one HTML page per lesson (or master) and an index into ``out``.

    ``lite_url`` (where ``pmkit lite`` output is published) adds a "run this lesson in
    your browser" link to every page.
    """
    from pmkit.course.lite import run_in_browser_link
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
    with_math = [has_math(nb) for nb in notebooks]
    if any(with_math):
        copy_mathjax(folder)
    published = {meta.name for meta in metas}
    for position, (nb, meta) in enumerate(zip(notebooks, metas, strict=True)):
        target = folder / page_name(meta)
        nav = _nav(metas, position, "Course") + run_in_browser_link(lite_url, f"{meta.name}.ipynb")
        page = lesson_page(nb, meta, nav, exporter,
                           neighbours=_nav(metas, position, "Previous and next lesson", index=False),
                           mathjax=with_math[position])
        target.write_text(site_links(page, published), encoding="utf-8")
        pages.append(str(target))
    sheet = paths.cheat_sheet()
    if sheet.is_file():
        page = cheat_sheet_page(sheet.read_text(encoding="utf-8"), _nav([], 0, "Course"), exporter)
        (folder / CHEAT_SHEET_PAGE).write_text(site_links(page, published), encoding="utf-8")
    index = folder / INDEX_NAME
    index.write_text(index_page(metas, cheat_sheet=sheet.is_file()), encoding="utf-8")
    figures = sum(count_figures(nb) for nb in notebooks)
    return SiteReport(index=str(index), pages=tuple(pages), figures=figures)


def command(args: argparse.Namespace) -> int:
    """``pmkit site``: 0 when the site was written."""
    print(build_site(args.out, solutions=args.solutions, lite_url=args.lite_url).summary())
    return 0
