"""Accessibility: axe-core's WCAG 2.0/2.1 A and AA rules in Debian's Chromium.

The browser, server and Chromium flags are test_browser's; axe-core comes from
the npm registry (tests/axe.py). Every failure names the rule and the element.
"""

from __future__ import annotations

from typing import Any

from tests.axe import violations
from tests.test_browser import browser  # noqa: F401  (the shared fixture)


def test_axe_reports_the_rule_and_the_element(browser: Any) -> None:  # noqa: F811
    # The harness itself: a page with two known barriers must fail with both named.
    page = browser.new_page()
    page.set_content('<html><body><main><img src="data:image/png;base64,iVBORw0KGgo=">'
                     '<p style="color:#b0b0b0">faint</p></main></body></html>')
    found = violations(page)
    page.close()
    assert any(line.startswith("image-alt [critical] at img") for line in found), found
    assert any(line.startswith("color-contrast [serious] at p") and "2.16" in line for line in found), found
    assert any(line.startswith("html-has-lang") for line in found), found
