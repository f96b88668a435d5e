"""axe-core in a Playwright page: WCAG 2.0/2.1 A and AA violations as readable lines.

axe-core (Deque Systems, licensed MPL-2.0, https://github.com/dequelabs/axe-core) is not
vendored here: :func:`axe_source` installs the npm package ``axe-core`` into a cache folder
(``.pytest_cache/axe-core``, never committed) with ``npm install`` from the npm registry,
and its licence travels with it (``node_modules/axe-core/LICENSE``). Where npm or the
registry is unavailable the calling test skips and says why. ``PMKIT_AXE`` may name an
``axe.min.js`` already on disk (an offline machine, a CI cache).

Use::

    from tests.axe import violations
    assert violations(page) == []                      # the whole page
    assert violations(page, ".jp-Notebook") == []      # only the notebook area
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# One exact release, so a new axe rule never turns a green run red overnight; raise it on purpose.
AXE_VERSION = "4.14.1"
CACHE = ROOT / ".pytest_cache" / "axe-core" / AXE_VERSION
# The rules the course promises: WCAG 2.0 and 2.1, levels A and AA.
# What the course puts in a notebook: every output and the lessons' own Markdown. JupyterLab's
# chrome (toolbars, prompts, the code editor) is JupyterLab's to fix, not ours.
OUR_PARTS = ".jp-OutputArea-output, .jp-MarkdownOutput"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# axe-core's "best practice" rules for a page's structure, which WCAG's tags leave out: headings
# in order, one main landmark, all content inside landmarks, a skip link that leads somewhere.
STRUCTURE = ("heading-order", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-main",
             "landmark-banner-is-top-level", "region", "page-has-heading-one", "skip-link")

RUN_AXE = """async ([include, exclude, tags, rules]) => {
    const extra = Object.fromEntries(rules.map(rule => [rule, {enabled: true}]));
    const context = exclude.length === 0 ? (include === null ? document : include)
                                         : {...(include === null ? {} : {include}), exclude};
    const result = await window.axe.run(context,
                                        {runOnly: {type: 'tag', values: tags}, rules: extra,
                                         resultTypes: ['violations']});
    return result.violations.map(rule => ({
        id: rule.id, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map(node => ({
            target: node.target.join(' '),
            html: node.html,
            message: [...node.any, ...node.all, ...node.none].map(check => check.message).join('; '),
        })),
    }));
}"""


@functools.cache
def axe_source() -> str:
    """The text of axe.min.js: from ``PMKIT_AXE``, the cache, or a fresh ``npm install`` (else skip)."""
    given = os.environ.get("PMKIT_AXE")
    if given:
        return Path(given).read_text(encoding="utf-8")
    script = CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be fetched "
                        "(or set PMKIT_AXE=/path/to/axe.min.js)")
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(CACHE), "--no-save", "--no-audit", "--no-fund",
             "--no-package-lock", f"axe-core@{AXE_VERSION}"],
            capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode != 0 or not script.is_file():
            pytest.skip(f"npm could not install axe-core@{AXE_VERSION} from the registry "
                        f"(or set PMKIT_AXE): {done.stderr.strip()[-300:]}")
    return script.read_text(encoding="utf-8")


def _snippet(markup: str, limit: int = 120) -> str:
    flat = " ".join(markup.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe(rules: list[dict[str, Any]]) -> list[str]:
    """One line per violating element: rule, impact, element (selector and markup), what failed.

    >>> describe([{"id": "image-alt", "impact": "critical", "help": "Images must have alternate text",
    ...            "nodes": [{"target": "img", "html": "<img src=a.png>", "message": "no alt"}]}])
    ['image-alt [critical] at img <img src=a.png>: no alt (Images must have alternate text)']
    """
    return [
        f"{rule['id']} [{rule['impact']}] at {node['target']} {_snippet(node['html'])}: "
        f"{node['message']} ({rule['help']})"
        for rule in rules for node in rule["nodes"]
    ]


def violations(page: Any, include: str | None = None, rules: Sequence[str] = (),
               exclude: Sequence[str] = ()) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on ``page``, one line each.

    ``include`` (a CSS selector) limits the run to that part of the page; axe-core
    raises if nothing matches, so a wrong selector cannot pass silently. ``rules`` names
    further axe-core rules to run (e.g. :data:`STRUCTURE`); ``exclude`` lists selectors to
    leave out (say why where you use it).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    return describe(page.evaluate(RUN_AXE, [include, list(exclude), list(TAGS), list(rules)]))
