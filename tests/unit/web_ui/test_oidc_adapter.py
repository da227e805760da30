"""What the OIDC adapter refuses in a provider's discovery document and keys, before any
sign-in: each document served by an in-memory transport (the real provider is in
tests/functional/test_oidc_sign_in.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hanoi.settings import OidcSettings
from hanoi.web.ui.oidc import OidcSignIn, Pending, ProviderUnusable, StateMismatch

ISSUER = "https://id.ministry.example"
GOOD = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "jwks_uri": f"{ISSUER}/jwks",
    "code_challenge_methods_supported": ["S256"],
}
SETTINGS = OidcSettings(
    name="Ministry", issuer=ISSUER, client_id="hanoi", roles={"cyber-officers": "officer"}
)


def serving(document: Any, status: int = 200) -> OidcSignIn:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(status, json=document)
        return httpx.Response(200, json={"keys": "not a list"})

    return OidcSignIn(
        settings=SETTINGS,
        client_secret="s3cret-of-the-client",
        connect=lambda: httpx.Client(transport=httpx.MockTransport(answer)),
    )


def test_a_good_document_gives_the_authorization_request() -> None:
    url, pending = serving(GOOD).begin(redirect_uri="https://node.example/cb", next_page="/ui/")
    sent = httpx.URL(url).params
    assert url.startswith(f"{ISSUER}/authorize?")
    assert sent["code_challenge_method"] == "S256"
    assert sent["state"] == pending.state
    assert sent["nonce"] == pending.nonce
    assert sent["client_id"] == "hanoi"
    assert pending.verifier not in url


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({**GOOD, "issuer": "https://evil.example"}, "another issuer"),
        ({**GOOD, "token_endpoint": "http://id.ministry.example/token"}, "token_endpoint"),
        ({**GOOD, "jwks_uri": None}, "jwks_uri"),
        ({**GOOD, "code_challenge_methods_supported": ["plain"]}, "S256"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_an_unusable_discovery_document_is_refused(document: Any, why: str) -> None:
    with pytest.raises(ProviderUnusable, match=why):
        serving(document).metadata()


def test_a_provider_that_fails_is_unusable() -> None:
    with pytest.raises(ProviderUnusable, match="503"):
        serving(GOOD, status=503).metadata()


def test_keys_that_are_not_a_key_set_are_refused() -> None:
    with pytest.raises(ProviderUnusable, match="JWKS"):
        serving(GOOD).check_id_token("a.b.c", nonce="n")


def test_an_answer_without_the_session_s_state_is_refused_before_any_call() -> None:
    oidc = serving(GOOD)
    pending = Pending(state="s" * 43, nonce="n", verifier="v" * 64, next_page="/ui/")
    with pytest.raises(StateMismatch):
        oidc.finish(pending=pending, answer={"code": "c", "state": "t"}, redirect_uri="x")
    with pytest.raises(StateMismatch):
        oidc.finish(pending=None, answer={"code": "c", "state": "s" * 43}, redirect_uri="x")
    assert Pending.from_session({"state": 1}) is None
    assert Pending.from_session(pending.to_session()) == pending


def test_the_secret_is_not_in_its_repr() -> None:
    assert "s3cret" not in repr(serving(GOOD))


@pytest.mark.parametrize("status", [500, 503])
def test_a_token_endpoint_that_fails_is_unusable_never_an_escape(status: int) -> None:
    """authlib's client is built on httpx2 when it is installed (as here) and raises its
    errors: they are the provider's failure, shown as a page, never a 500 of the node."""
    import httpx2

    def token(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, text="the provider broke")

    oidc = OidcSignIn(
        settings=SETTINGS,
        client_secret="s3cret-of-the-client",
        connect=serving(GOOD)._connect,
        token_transport=httpx2.MockTransport(token),
    )
    url, pending = oidc.begin(redirect_uri="https://node.example/cb", next_page="/ui/")
    assert url.startswith(GOOD["authorization_endpoint"])
    with pytest.raises(ProviderUnusable, match="token endpoint did not answer"):
        oidc.finish(
            pending=pending,
            answer={"code": "c", "state": pending.state},
            redirect_uri="https://node.example/cb",
        )
