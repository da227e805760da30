"""The UI in a real Chromium: keyboard login, languages (with RTL), treaty page, logout.

Full-page screenshots land in test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from support_a11y import check_accessible

if TYPE_CHECKING:
    from tests.browser.conftest import UiServer

pytestmark = pytest.mark.slow


def _log_in_by_keyboard(page: Page, server: UiServer, *, lands_on: str) -> None:
    page.get_by_label("User name").click()
    page.keyboard.type(server.user)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.base_url}{lands_on}")


def _choose_language(page: Page, label: str, code: str) -> None:
    page.locator("#language-select").select_option(code)
    page.locator("form.language button").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_an_officer_uses_the_ui(chromium: Browser, ui_server: UiServer, screenshots: Path) -> None:
    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{ui_server.base_url}/ui/treaty")
    expect(page).to_have_url(f"{ui_server.base_url}/ui/login?next=/ui/treaty")
    expect(page.locator("h1")).to_have_text("Sign in")
    check_accessible(page)
    page.screenshot(path=screenshots / "login-en.png", full_page=True)

    # A wrong password: the form comes back with the name kept.
    page.get_by_label("User name").fill(ui_server.user)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_label("User name")).to_have_value(ui_server.user)
    check_accessible(page)
    page.screenshot(path=screenshots / "login-error-en.png", full_page=True)

    # The skip link is the first stop of the keyboard.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    page.get_by_label("Password").fill("")
    page.get_by_label("User name").fill("")
    _log_in_by_keyboard(page, ui_server, lands_on="/ui/treaty")  # the page first asked for
    expect(page.locator("h1")).to_have_text("Treaty status")
    expect(page.locator("table tbody tr").first).to_be_visible()
    check_accessible(page)
    page.screenshot(path=screenshots / "treaty-en.png", full_page=True)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Home").click()
    expect(page.locator("h1")).to_have_text(f"Welcome, {ui_server.user}")
    expect(page.get_by_text("Central authority officer")).to_be_visible()
    check_accessible(page)
    page.screenshot(path=screenshots / "home-en.png", full_page=True)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Treaty status"
    ).click()

    _choose_language(page, "العربية", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("حالة المعاهدة")
    _assert_mirrored(page)
    check_accessible(page)
    page.screenshot(path=screenshots / "treaty-ar.png", full_page=True)
    page.get_by_role("link", name="الصفحة الرئيسية").first.click()
    check_accessible(page)
    page.screenshot(path=screenshots / "home-ar.png", full_page=True)

    _choose_language(page, "中文", "zh")
    page.get_by_role("navigation").get_by_role("link", name="条约状况").click()
    expect(page.locator("h1")).to_have_text("条约状况")
    check_accessible(page)
    page.screenshot(path=screenshots / "treaty-zh.png", full_page=True)

    # The choice outlives the session: sign out, and the login page is still in Chinese.
    page.get_by_role("button", name="退出登录").click()
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    page.goto(f"{ui_server.base_url}/ui/")
    expect(page).to_have_url(f"{ui_server.base_url}/ui/login")
    context.close()


def _assert_mirrored(page: Page) -> None:
    """In Arabic the brand sits at the right edge and the first column of the table too."""
    width = page.viewport_size["width"] if page.viewport_size else 1280
    brand = page.locator(".brand-name").bounding_box()
    first_header = page.locator("thead th").first.bounding_box()
    last_header = page.locator("thead th").last.bounding_box()
    assert brand is not None
    assert first_header is not None
    assert last_header is not None
    assert brand["x"] > width / 2
    assert first_header["x"] > last_header["x"]


def test_first_visit_follows_the_browser_language(
    chromium: Browser, ui_server: UiServer, screenshots: Path
) -> None:
    context = chromium.new_context(locale="ar-EG", viewport={"width": 400, "height": 800})
    page = context.new_page()
    page.goto(f"{ui_server.base_url}/ui/login")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label("اسم المستخدم").fill(ui_server.user)
    page.get_by_label("كلمة المرور").fill("")
    page.get_by_role("button", name="تسجيل الدخول").click()
    expect(page.locator("#field-password-error")).to_contain_text("أدخل كلمة المرور")
    check_accessible(page)
    page.screenshot(path=screenshots / "login-error-ar-narrow.png", full_page=True)
    context.close()
