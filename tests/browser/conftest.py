"""A real Chromium (Debian's, never a downloaded one) and a real node server on loopback.

Under ``CI=true`` a missing ``chromium`` fails the run; elsewhere the browser
tests are skipped (``require_tool``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import SERVICES_USED, require_tool, serving
from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput
from support_evidence_browser import KIND, PASSWORD, Desk
from support_nodes import build_node
from unit.cooperation.builders import complete_contents

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"  # git-ignored with /test-output/


@dataclass(frozen=True)
class UiServer:
    base_url: str
    user: str
    password: str


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    executable = require_tool("chromium")
    previous = os.environ.get("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD")
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True)
            SERVICES_USED["Chromium"] = f"{browser.version} at {executable}"
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", None)
        else:
            os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = previous


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """``hanoi serve`` for a new node with one officer who has a password."""
    folder = tmp_path_factory.mktemp("browser") / "egy"
    user, password = "amira.hassan", "a long and secret passphrase"
    node = build_node(folder, "EGY")
    node.accounts.add_user(name=user, role=Role.OFFICER, password=password)
    node.close()
    with serving(folder) as server:
        yield UiServer(base_url=server.url, user=user, password=password)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """``hanoi serve`` for a node of Egypt with an officer who drafted an MLA request, for
    the evidence and documents pages (one server for each test file that asks for it;
    test_requests_browser.py has a ``desk`` of its own)."""
    folder = tmp_path_factory.mktemp("browser-evidence") / "egy"
    node = build_node(folder, "EGY", name="EGY CA")
    node.accounts.add_user(name="amira.hassan", role=Role.OFFICER, password=PASSWORD)
    try:
        contents = complete_contents(default_catalogue().kind(KIND))
        view = node.cooperation.draft(
            node.accounts.named("amira.hassan"),
            DraftInput(kind=KIND, requested_state="VNM", contents=contents),
        )
    finally:
        node.engine.dispose()
    with serving(folder) as server:
        yield Desk(base_url=server.url, request_id=view.request.id)
