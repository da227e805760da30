"""Signing in through the State's identity provider in a real browser (ADR 0049): the node's
login page, Canaille's own login and password pages, and back on the node, signed in with
the role the provider's group maps to. Screenshots in test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import free_port, serving
from hanoi.accounts.model import Role
from support_nodes import init_folder, open_at
from support_oidc import PASSWORD, Canaille, running_canaille

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.slow

PROVIDER_NAME = "Ministry identity provider"


@pytest.fixture(scope="module")
def signed_through(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A served node whose officers sign in only through a running Canaille."""
    root = tmp_path_factory.mktemp("browser-oidc")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/ui/login/oidc/callback"
    users = {"amina": "hanoi-supervisors"}
    with running_canaille(root / "canaille", redirect_uris=[callback], users=users) as idp:
        folder = root / "egy"
        configure(folder, idp)
        with serving(folder, port=port) as server:
            yield server.url, folder


def configure(folder: Path, idp: Canaille) -> None:
    init_folder(folder, "EGY")
    with (folder / "hanoi.toml").open("a", encoding="utf-8") as config:
        config.write(f"""
local_passwords = false

[oidc]
name = "{PROVIDER_NAME}"
issuer = "{idp.issuer}"
client_id = "{idp.client_id}"
client_secret_file = "oidc-client-secret"
roles = {{ "hanoi-supervisors" = "supervisor" }}
""")
    (folder / "oidc-client-secret").write_text(idp.client_secret, encoding="utf-8")


def test_an_officer_signs_in_through_the_identity_provider(
    chromium: Browser, signed_through: tuple[str, Path], screenshots: Path
) -> None:
    base_url, folder = signed_through
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/ui/login")
        assert page.locator("#field-password").count() == 0  # local passwords are off
        page.screenshot(path=screenshots / "login-oidc-en.png", full_page=True)
        page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()

        page.locator("input[name=login]").fill("amina")
        page.screenshot(path=screenshots / "login-oidc-provider-en.png", full_page=True)
        page.locator("input[name=login]").press("Enter")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")

        page.wait_for_url(f"{base_url}/ui/")
        page.screenshot(path=screenshots / "home-oidc-en.png", full_page=True)
        assert "amina" in page.locator("header").inner_text()
    finally:
        context.close()
    node = open_at(folder)
    try:
        assert node.accounts.named("amina").role is Role.SUPERVISOR
    finally:
        node.close()


def test_the_login_page_offers_the_identity_provider_in_arabic(
    chromium: Browser, signed_through: tuple[str, Path], screenshots: Path
) -> None:
    base_url, _folder = signed_through
    context = chromium.new_context(locale="ar", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/ui/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("#field-password").count() == 0
        link = page.get_by_role("link", name=f"تسجيل الدخول عبر {PROVIDER_NAME}")
        assert link.count() == 1
        page.screenshot(path=screenshots / "login-oidc-ar.png", full_page=True)
    finally:
        context.close()
