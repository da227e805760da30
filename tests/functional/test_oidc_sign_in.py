"""Sign-in through the State's identity provider (issue 21, ADR 0049), against a real one.

Canaille runs as its own process (``support_oidc``); the node is in this process (a
TestClient on loopback), on SQLite and PostgreSQL. The full code flow ends signed in with
the mapped role; then each thing the node or the provider must refuse is refused: a wrong
client secret, a wrong PKCE verifier, an unregistered redirect URI, a tampered or foreign
ID token, a wrong issuer or audience, an expired token, a nonce that is not the session's,
a bad state, the provider's ``access_denied``, a user without a mapped role.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock, SystemClock
from hanoi.web.app import create_app
from hanoi.web.ui.oidc import (
    ALGORITHMS,
    OidcSignIn,
    Pending,
    ProviderRefused,
    ProviderUnusable,
    TokenRejected,
)
from hanoi.wiring import Node
from support_nodes import init_folder, open_at
from support_oidc import Canaille, provider_sign_in, running_canaille
from support_ui import CSRF, LOOPBACK, PASSWORD

pytestmark = pytest.mark.slow

CALLBACK = f"{LOOPBACK}/ui/login/oidc/callback"
PROVIDER_NAME = "Ministry identity provider"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaille]:
    users = {"amina": "hanoi-supervisors", "omar": "hanoi-officers", "nadia": ""}
    folder = tmp_path_factory.mktemp("canaille")
    with running_canaille(folder, redirect_uris=[CALLBACK], users=users) as running:
        yield running


def oidc_table(provider: Canaille, *, local_passwords: bool = True) -> str:
    return f"""
local_passwords = {"true" if local_passwords else "false"}

[oidc]
name = "{PROVIDER_NAME}"
issuer = "{provider.issuer}"
client_id = "{provider.client_id}"
client_secret_file = "oidc-client-secret"
roles_claim = "groups"
name_claim = "preferred_username"
roles = {{ "hanoi-supervisors" = "supervisor", "hanoi-officers" = "officer" }}
"""


def open_node(folder: Path, provider: Canaille, url: str, *, local_passwords: bool) -> Node:
    """The node of EGY with the provider configured; close it (``Node.close``) after use."""
    init_folder(folder, "EGY")
    with (folder / "hanoi.toml").open("a", encoding="utf-8") as config:
        config.write(oidc_table(provider, local_passwords=local_passwords))
    (folder / "oidc-client-secret").write_text(provider.client_secret + "\n", encoding="utf-8")
    return open_at(folder, url)


def client_of(node: Node) -> TestClient:
    return TestClient(
        create_app(node, background=False),
        base_url=LOOPBACK,
        raise_server_exceptions=False,
        follow_redirects=False,
    )


@pytest.fixture
def node(tmp_path: Path, provider: Canaille, migrated_url: str) -> Iterator[Node]:
    opened = open_node(tmp_path / "egy", provider, migrated_url, local_passwords=True)
    yield opened
    opened.close()


@pytest.fixture
def ui(node: Node) -> Iterator[TestClient]:
    with client_of(node) as client:
        yield client


def begin(client: TestClient, next_page: str = "") -> str:
    answer = client.get("/ui/login/oidc" + (f"?next={next_page}" if next_page else ""))
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


EXCHANGED = [0.0]
"""When a code was last exchanged for tokens at the provider."""


@contextmanager
def one_exchange_a_second() -> Iterator[None]:
    """Around a code's exchange for tokens, by the node or by hand: one a second at most.
    Canaille 0.3.6 makes the same access token for the same user, client and second, and
    its token endpoint then fails on its own unique constraint (500), whichever test
    signed in the same user a moment before."""
    time.sleep(max(0.0, int(EXCHANGED[0]) + 1.02 - time.time()))
    try:
        yield
    finally:
        EXCHANGED[0] = time.time()


def back_at_node(client: TestClient, location: str) -> httpx.Response:
    """The browser back at the node's callback, which exchanges the code for tokens."""
    assert location.startswith(CALLBACK), location
    with one_exchange_a_second():
        return client.get(location.removeprefix(LOOPBACK))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_full_code_flow_signs_in_with_the_mapped_role(ui: TestClient, node: Node) -> None:
    login_page = ui.get("/ui/login").text
    assert f"Sign in with {PROVIDER_NAME}" in login_page
    assert 'id="field-password"' in login_page  # local passwords stay available

    authorize = begin(ui, "/ui/treaty")
    asked = query(authorize)
    assert asked["code_challenge_method"] == "S256"
    assert all(asked[k] for k in ("nonce", "state", "code_challenge"))
    answer = back_at_node(ui, provider_sign_in(authorize, "amina"))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/ui/treaty"
    assert ui.get("/ui/").status_code == 200
    assert node.accounts.named("amina").role is Role.SUPERVISOR

    # The node's ordinary session: sign-out ends it on the server.
    token = CSRF.search(ui.get("/ui/").text)
    assert token is not None
    assert ui.post("/ui/logout", data={"csrf_token": token.group(1)}).status_code == 303
    assert ui.get("/ui/").status_code == 303

    # Signing in again finds the same user (linked by subject, not created twice).
    again = back_at_node(ui, provider_sign_in(begin(ui), "amina"))
    assert again.status_code == 303
    assert [u.name for u in node.accounts.users()] == ["amina"]


def test_a_user_without_a_mapped_role_is_refused(ui: TestClient, node: Node) -> None:
    answer = back_at_node(ui, provider_sign_in(begin(ui), "nadia"))
    assert answer.status_code == 403
    assert "gives you no role on this node" in answer.text
    assert node.accounts.users() == []
    assert ui.get("/ui/").status_code == 303


def test_a_local_user_of_the_same_name_is_not_taken_over(ui: TestClient, node: Node) -> None:
    node.accounts.add_user(name="omar", role=Role.ADMINISTRATOR, password=PASSWORD)
    answer = back_at_node(ui, provider_sign_in(begin(ui), "omar"))
    assert answer.status_code == 403
    assert "did not succeed" in answer.text
    assert node.accounts.named("omar").role is Role.ADMINISTRATOR


def test_access_denied_and_a_bad_state_give_a_clear_page(ui: TestClient) -> None:
    state = query(begin(ui))["state"]
    denied = ui.get(f"/ui/login/oidc/callback?error=access_denied&state={state}")
    assert denied.status_code == 403
    assert "did not sign you in" in denied.text

    begin(ui)
    forged = ui.get("/ui/login/oidc/callback?code=anything&state=not-the-session-s")
    assert forged.status_code == 403
    assert "did not succeed" in forged.text
    # The pending sign-in is used once: the same answer again, with no sign-in begun.
    assert ui.get("/ui/login/oidc/callback?code=x&state=y").status_code == 403
    assert ui.get("/ui/login/oidc/callback").status_code == 403


def adapter(provider: Canaille, node: Node, **changes: object) -> OidcSignIn:
    settings = node.settings.oidc
    assert settings is not None
    secret = str(changes.pop("client_secret", provider.client_secret))
    clock = changes.pop("clock", SystemClock())
    return OidcSignIn(
        settings=settings.model_copy(update=changes),
        client_secret=secret,
        clock=clock,  # type: ignore[arg-type]
    )


def test_a_wrong_client_secret_is_refused_by_the_provider(
    ui: TestClient, node: Node, provider: Canaille
) -> None:
    site = ui.app.state.ui  # type: ignore[attr-defined]
    wrong = adapter(provider, node, client_secret="not-the-client-secret-at-all")
    ui.app.state.ui = dataclasses.replace(site, oidc=wrong)  # type: ignore[attr-defined]
    answer = back_at_node(ui, provider_sign_in(begin(ui), "amina"))
    assert answer.status_code == 403
    assert node.accounts.users() == []


def code_for(oidc: OidcSignIn, user: str = "amina") -> tuple[Pending, dict[str, str]]:
    url, pending = oidc.begin(redirect_uri=CALLBACK, next_page="/ui/")
    return pending, query(provider_sign_in(url, user))


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(node: Node, provider: Canaille) -> None:
    oidc = adapter(provider, node)
    pending, answer = code_for(oidc)
    other = dataclasses.replace(pending, verifier="x" * 64)
    with pytest.raises(ProviderRefused, match="invalid_grant"):
        oidc.finish(pending=other, answer=answer, redirect_uri=CALLBACK)


def test_an_unregistered_redirect_uri_is_refused_by_the_provider(
    node: Node, provider: Canaille
) -> None:
    url, _ = adapter(provider, node).begin(
        redirect_uri="http://127.0.0.1:9/elsewhere", next_page="/ui/"
    )
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 400 or "elsewhere" not in answer.headers.get("location", "")


def real_id_token(oidc: OidcSignIn, provider: Canaille) -> tuple[str, str]:
    """An ID token the provider issued (code exchanged by hand), and its nonce."""
    pending, answer = code_for(oidc)
    with one_exchange_a_second():
        token = httpx.post(
            oidc.metadata()["token_endpoint"],
            data={"grant_type": "authorization_code", "code": answer["code"],
                  "redirect_uri": CALLBACK, "code_verifier": pending.verifier},
            auth=(provider.client_id, provider.client_secret),
        )  # fmt: skip
    assert token.status_code == 200, token.text
    return token.json()["id_token"], pending.nonce


def forged(key: RSAKey, provider: Canaille, **claims: object) -> str:
    now = int(time.time())
    payload = {"iss": provider.issuer, "aud": provider.client_id, "sub": "amina",
               "iat": now, "exp": now + 300, "nonce": "n", **claims}  # fmt: skip
    return jwt.encode({"alg": "RS256", "kid": key.kid}, payload, key)


def test_the_id_token_is_checked(node: Node, provider: Canaille) -> None:
    oidc = adapter(provider, node)
    token, nonce = real_id_token(oidc, provider)
    assert oidc.check_id_token(token, nonce=nonce)["sub"] == "amina"

    with pytest.raises(TokenRejected):  # not this sign-in's nonce
        oidc.check_id_token(token, nonce="another-sign-in")
    header, payload, signature = token.split(".")
    tampered = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    with pytest.raises(TokenRejected):  # the payload changed under the signature
        oidc.check_id_token(f"{header}.{tampered}.{signature}", nonce=nonce)
    later = FixedClock(SystemClock().now() + timedelta(hours=2))
    with pytest.raises(TokenRejected):  # expired
        adapter(provider, node, clock=later).check_id_token(token, nonce=nonce)
    with pytest.raises(TokenRejected):  # for another client
        adapter(provider, node, client_id="another-client").check_id_token(token, nonce=nonce)

    stranger = RSAKey.generate_key(2048, parameters={"kid": "test-1"}, private=True)
    with pytest.raises(TokenRejected):  # signed by someone else, under the provider's kid
        oidc.check_id_token(forged(stranger, provider), nonce="n")
    unknown = RSAKey.generate_key(2048, parameters={"kid": "not-the-provider-s"}, private=True)
    with pytest.raises(TokenRejected):  # a key id the provider's JWKS (fetched again) lacks
        oidc.check_id_token(forged(unknown, provider), nonce="n")
    with pytest.raises(TokenRejected):  # not a JWT
        oidc.check_id_token("a.b.c", nonce="n")
    key = provider.signing_key
    assert oidc.check_id_token(forged(key, provider), nonce="n")["sub"] == "amina"
    with pytest.raises(TokenRejected):  # the provider's key, but another issuer
        oidc.check_id_token(forged(key, provider, iss="http://127.0.0.1:9"), nonce="n")
    unsigned = ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
        for part in (
            {"alg": "none"},
            jwt.decode(token, oidc._key_set(), algorithms=ALGORITHMS).claims,
        )
    )
    with pytest.raises(TokenRejected):  # the provider's claims, without a signature
        oidc.check_id_token(unsigned + ".", nonce=nonce)


def test_with_local_passwords_off_only_the_provider_signs_in(
    tmp_path: Path, provider: Canaille, migrated_url: str, request: pytest.FixtureRequest
) -> None:
    node = open_node(tmp_path / "egy", provider, migrated_url, local_passwords=False)
    request.addfinalizer(node.close)
    created = node.accounts.add_user(
        name="karim", role=Role.OFFICER, password=PASSWORD, with_token=True
    )
    with client_of(node) as ui:
        page = ui.get("/ui/login")
        assert f"Sign in with {PROVIDER_NAME}" in page.text
        assert 'id="field-password"' not in page.text
        token = CSRF.search(page.text)  # the language form's
        assert token is not None
        refused = ui.post(
            "/ui/login", data={"csrf_token": token.group(1), "name": "karim", "password": PASSWORD}
        )
        assert refused.status_code == 403
        assert "does not sign in with passwords" in refused.text
        assert ui.get("/ui/").status_code == 303
        # API tokens are separate, and keep working.
        api = ui.get("/api/v1/queue", headers={"Authorization": f"Bearer {created.token}"})
        assert api.status_code == 200
        answer = back_at_node(ui, provider_sign_in(begin(ui), "omar"))
        assert answer.status_code == 303
        assert node.accounts.named("omar").role is Role.OFFICER


def test_an_unreachable_provider_gives_a_clear_page(
    ui: TestClient, node: Node, provider: Canaille
) -> None:
    site = ui.app.state.ui  # type: ignore[attr-defined]
    gone = adapter(provider, node, issuer="http://127.0.0.1:9")  # nothing listens there
    ui.app.state.ui = dataclasses.replace(site, oidc=gone)  # type: ignore[attr-defined]
    answer = ui.get("/ui/login/oidc")
    assert answer.status_code == 502
    assert "cannot be reached" in answer.text


def test_a_provider_known_under_another_name_is_refused(node: Node, provider: Canaille) -> None:
    # The same server under another name: Canaille redirects to its own, the node follows
    # no redirect (a discovery document naming another issuer: test_oidc_adapter.py).
    elsewhere = provider.issuer.replace("127.0.0.1", "localhost")
    with pytest.raises(ProviderUnusable):
        adapter(provider, node, issuer=elsewhere).metadata()
