"""The officers' web UI over HTTP: login, CSRF, languages, error pages, the treaty page."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.settings import load_settings
from hanoi.web.app import create_app
from hanoi.wiring import Node, open_node

LOOPBACK = "http://127.0.0.1"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def node(node_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    copy = tmp_path_factory.mktemp("ui") / "node"
    shutil.copytree(node_dir, copy)
    opened = open_node(load_settings(copy))
    opened.accounts.add_user(name="amira.hassan", role=Role.OFFICER, password=PASSWORD)
    yield opened
    opened.engine.dispose()


def _client(node: Node, base_url: str = LOOPBACK, **headers: str) -> TestClient:
    return TestClient(
        create_app(node, background=False),
        base_url=base_url,
        raise_server_exceptions=False,
        follow_redirects=False,
        headers=headers,
    )


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with _client(node) as test_client:
        yield test_client


def csrf(client: TestClient, path: str = "/ui/login") -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def log_in(client: TestClient) -> None:
    response = client.post(
        "/ui/login",
        data={"csrf_token": csrf(client), "name": "amira.hassan", "password": PASSWORD},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/ui/"


def test_pages_need_login_and_do_not_reveal_which_exist(client: TestClient) -> None:
    assert client.get("/ui").headers["location"] == "/ui/"
    for path, wanted in [
        ("/ui/", "/ui/login"),
        ("/ui/treaty", "/ui/login?next=/ui/treaty"),
        ("/ui/no-such-page", "/ui/login?next=/ui/no-such-page"),
    ]:
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == wanted


def test_login_logout_and_the_home_page(client: TestClient) -> None:
    log_in(client)
    cookie = client.cookies.jar
    assert any(c.name == "hanoi_ui_session" and c.path == "/ui" for c in cookie)
    home = client.get("/ui/")
    assert home.status_code == 200
    assert "Welcome, <bdi>amira.hassan</bdi>" in home.text
    assert "Central authority officer" in home.text
    assert "Egypt (<bdi>EGY</bdi>)" in home.text
    assert 'href="/ui/treaty"' in home.text
    assert "default-src 'none'" in home.headers["content-security-policy"]
    assert home.headers["cache-control"] == "no-store"
    # Already signed in: the login page goes on to the page asked for.
    assert client.get("/ui/login?next=/ui/treaty").headers["location"] == "/ui/treaty"

    out = client.post("/ui/logout", data={"csrf_token": csrf(client, "/ui/")})
    assert out.status_code == 303
    assert out.headers["location"] == "/ui/login?signed_out=true"
    assert "You have signed out." in client.get(out.headers["location"]).text
    assert client.get("/ui/").status_code == 303


def test_session_cookie_flags(node: Node) -> None:
    with _client(node) as loopback:
        header = loopback.get("/ui/login").headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/ui" in header
    assert "secure" not in header
    for base_url in ("https://node.example", "http://node.example", "http://192.0.2.10"):
        with _client(node, base_url) as remote:
            header = remote.get("/ui/login").headers["set-cookie"].lower()
        assert "; secure" in header, base_url


def test_login_after_redirect_goes_to_the_page_asked_for(client: TestClient) -> None:
    page = client.get("/ui/login?next=/ui/treaty").text
    assert 'name="next" value="/ui/treaty"' in page
    response = client.post(
        "/ui/login",
        data={
            "csrf_token": csrf(client),
            "name": "amira.hassan",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.headers["location"] == "/ui/"


def test_bad_password_shows_the_form_again_with_the_name_kept(client: TestClient) -> None:
    response = client.post(
        "/ui/login",
        data={"csrf_token": csrf(client), "name": "amira.hassan", "password": "wrong-password"},
    )
    assert response.status_code == 422
    assert 'name="name" type="text" value="amira.hassan"' in response.text
    assert "The user name or password is not correct." in response.text
    assert "wrong-password" not in response.text
    assert 'role="alert"' in response.text
    assert client.get("/ui/").status_code == 303


def test_empty_fields_get_errors_beside_them(client: TestClient) -> None:
    response = client.post(
        "/ui/login", data={"csrf_token": csrf(client), "name": "  amira.hassan ", "password": ""}
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="field-password-error"' in text
    assert "Enter your password." in text
    assert 'aria-invalid="true" aria-describedby="field-password-error"' in text
    assert 'value="amira.hassan"' in text
    assert 'id="field-name-error"' not in text


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_post_without_the_sessions_csrf_token_is_refused(
    client: TestClient, token: str | None
) -> None:
    csrf(client)  # the session has a token; the form does not carry it
    data = {"name": "amira.hassan", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    for path in ("/ui/login", "/ui/logout", "/ui/language"):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Form rejected" in response.text
    assert client.get("/ui/").status_code == 303  # not logged in by the refused form


def test_language_choice_is_remembered(client: TestClient, node: Node) -> None:
    response = client.post(
        "/ui/language", data={"csrf_token": csrf(client), "language": "fr", "next": "/ui/login"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/login"
    assert "hanoi_lang=fr" in response.headers["set-cookie"]
    page = client.get("/ui/login", headers={"Accept-Language": "ru"}).text
    assert '<html lang="fr" dir="ltr">' in page
    assert "Se connecter" in page
    log_in(client)  # a new session keeps the language
    assert "Bienvenue, <bdi>amira.hassan</bdi>" in client.get("/ui/").text

    # A later visit with only the cookie (a new session) still speaks French.
    with _client(node, **{"Accept-Language": "es"}) as later:
        later.cookies.set("hanoi_lang", "fr", domain="127.0.0.1", path="/ui")
        assert '<html lang="fr"' in later.get("/ui/login").text


def test_an_unknown_language_is_refused_without_a_trace(client: TestClient) -> None:
    response = client.post("/ui/language", data={"csrf_token": csrf(client), "language": "xx"})
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert "<h1>Cannot show this page</h1>" in response.text


@pytest.mark.parametrize(
    ("accept", "lang", "text"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.5", "ru", "Войти"),
        ("de-CH, zh;q=0.8", "zh", "登录"),
        ("es-419", "es", "Iniciar sesión"),
        ("de", "en", "Sign in"),
    ],
)
def test_first_visit_follows_accept_language(node: Node, accept: str, lang: str, text: str) -> None:
    with _client(node, **{"Accept-Language": accept}) as client:
        page = client.get("/ui/login").text
    assert f'<html lang="{lang}" dir="ltr">' in page
    assert text in page


def test_arabic_pages_are_right_to_left(node: Node) -> None:
    with _client(node, **{"Accept-Language": "ar"}) as client:
        log_in(client)
        page = client.get("/ui/treaty").text
    assert '<html lang="ar" dir="rtl">' in page
    assert "حالة المعاهدة" in page
    assert "اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية" in page
    assert "مصر" in page  # Egypt, named in Arabic
    assert "المادة 65(1)" in page  # the catalogue's Arabic citation


@pytest.mark.parametrize(
    ("language", "signed", "as_of", "instrument"),
    [
        ("en", "Oct 25, 2025", "October 25, 2026", "State"),
        ("fr", "25 oct. 2025", "25 octobre 2026", "État"),
        ("ru", "25 окт. 2025\u202f\u0433.", "25 октября 2026\u202f\u0433.", "Государство"),
        ("zh", "2025年10月25日", "2026年10月25日", "国家"),
    ],
)
def test_treaty_page_formats_dates_for_the_locale(
    node: Node, language: str, signed: str, as_of: str, instrument: str
) -> None:
    with _client(node, **{"Accept-Language": language}) as client:
        log_in(client)
        page = client.get("/ui/treaty?as_of=2026-10-25")
    assert page.status_code == 200
    assert f'<time datetime="2025-10-25">{signed}</time>' in page.text
    assert f'<time datetime="2026-10-25">{as_of}</time>' in page.text
    assert f"<td>{instrument}</td>" in page.text  # the kind of party, a catalogue label


def test_treaty_page_as_of_a_date_before_any_signature(client: TestClient) -> None:
    log_in(client)
    page = client.get("/ui/treaty?as_of=2025-01-01").text
    assert "<dt>Signatories</dt>\n  <dd>0</dd>" in page
    assert "not yet in force" in page


def test_treaty_page_keeps_a_bad_date_and_explains(client: TestClient) -> None:
    log_in(client)
    response = client.get("/ui/treaty?as_of=2025-02-30")
    assert response.status_code == 422
    assert 'value="2025-02-30"' in response.text
    assert 'id="field-as_of-error"' in response.text
    assert "Enter a date as YYYY-MM-DD" in response.text


def test_signed_in_404_page_and_the_api_keeps_problem_json(client: TestClient) -> None:
    log_in(client)
    missing = client.get("/ui/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in missing.text
    wrong_method = client.get("/ui/logout")
    assert wrong_method.status_code == 404
    assert wrong_method.text == missing.text.replace("/ui/no-such-page", "/ui/logout")
    api = client.get("/api/v1/no-such-page")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert client.get("/ui/static/hanoi.css").headers["content-type"].startswith("text/css")


class BrokenClock:
    def now(self) -> datetime:
        raise RuntimeError("secret internal detail")


def test_an_unexpected_failure_shows_a_page_without_a_stack_trace(node: Node) -> None:
    with _client(node) as client:
        log_in(client)
        app = client.app
        assert hasattr(app, "state")
        app.state.ui = dataclasses.replace(
            app.state.ui, node=dataclasses.replace(node, clock=BrokenClock())
        )
        response = client.get("/ui/treaty")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_the_api_is_unaffected(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert "set-cookie" not in client.get("/api/v1/node").headers
    assert client.get("/api/v1/me").headers["content-type"] == "application/problem+json"


def test_too_many_wrong_passwords_for_a_name_are_refused_for_a_while(
    node: Node, client: TestClient
) -> None:
    node.accounts.add_user(name="guessed.user", role=Role.OFFICER, password=PASSWORD)
    for _attempt in range(5):
        wrong = client.post(
            "/ui/login",
            data={"csrf_token": csrf(client), "name": "guessed.user", "password": "not it at all"},
        )
        assert wrong.status_code == 422
    # The right password too is refused now: the password is not even checked.
    blocked = client.post(
        "/ui/login",
        data={"csrf_token": csrf(client), "name": "Guessed.User", "password": PASSWORD},
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins from here." in blocked.text
    # At most until the window after next: the next window still counts this one (ADR 0017).
    assert 0 < int(blocked.headers["retry-after"]) <= 30 * 60
    assert client.get("/ui/").status_code == 303
    # Another officer at the same desk still signs in: one name is throttled, not the desk.
    log_in(client)
    assert client.get("/ui/").status_code == 200


def test_treaty_page_says_how_old_its_data_are_and_what_is_undated(client: TestClient) -> None:
    log_in(client)
    page = client.get("/ui/treaty?as_of=2026-12-07").text
    assert "<dt>Data checked against their sources on</dt>" in page
    assert '<time datetime="2026-12-07">December 7, 2026</time>' in page
    assert "The data bundled with Hanoi." in page
    assert "counted 72 signatories when it was last read; the sources at hand identify 71" in page
    row = re.search(r"<th scope=\"row\">United Kingdom of Great.*?</tr>", page, re.S)
    assert row is not None
    assert '<td class="date">Date not confirmed</td>' in row.group(0)
    assert "<td>Press reports</td>" in row.group(0)
    assert "European Union signed after at least one member State had signed (Art. 64(2))." in page


def test_treaty_page_uses_a_newer_parties_file_in_the_node_folder(
    node: Node, client: TestClient
) -> None:
    from datetime import date

    from hanoi.convention import default_catalogue, parse_parties
    from hanoi.convention.parties_data import PartiesAbout
    from hanoi.node.parties_files import TREATY_FOLDER, write_folder

    folder = node.settings.node_dir / TREATY_FOLDER
    text = (
        "party,kind,signed,deposited,instrument,denounced\n"
        "EGY,state,2025-10-25,2027-01-04,ratification,\n"
    )
    parse_parties(text.encode(), rules=default_catalogue().treaty_rules)
    write_folder(folder, text, about=PartiesAbout(date(2027, 1, 5), "UNTC page"), notes=[])
    try:
        log_in(client)
        page = client.get("/ui/treaty?as_of=2027-01-06").text
        assert "The parties file in this node's folder (treaty/parties.csv)." in page
        assert "1 of 40" in page
        (folder / "parties.csv").write_text(text.replace("2027-01-04", "someday"), "utf-8")
        broken = client.get("/ui/treaty?as_of=2027-01-06").text
        assert "the parties file in this node's folder cannot be read." in broken
        assert 'role="alert"' in broken
        assert "someday" in broken
        assert "0 of 40" in broken
    finally:
        shutil.rmtree(folder)
