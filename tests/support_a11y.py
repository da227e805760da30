"""Accessibility checked in the browser tests: axe-core (Deque's rules, shipped in the
``axe-playwright-python`` package) runs inside the page that Chromium shows."""

from __future__ import annotations

from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def check_accessible(page: Page) -> None:
    """No WCAG 2.2 A/AA violation on the page: labels and names, contrast, landmarks,
    language, headings, focusable scrolling regions."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
    ]
    assert not found, f"{page.url}:\n" + "\n".join(found)
