"""Sign-in through the State's OpenID Connect provider: the protocol, nothing else (ADR 0049).

Authorization code flow with PKCE (S256), with authlib's OAuth 2 client; the ID token is
checked with joserfc (authlib's JOSE library). In order:

1. ``begin``: a new ``state``, ``nonce`` and PKCE verifier, kept in the pre-sign-in session
   (the signed cookie) and nowhere else; the browser goes to the provider's authorization
   endpoint, read from its discovery document.
2. ``finish``: the provider's answer must carry the session's ``state`` (else
   :class:`StateMismatch`); an ``error`` is :class:`ProviderRefused`. The code is exchanged
   at the token endpoint with the client's secret (HTTP Basic) and the PKCE verifier.
3. The ID token's signature is checked with the provider's JWKS (fetched again once for an
   unknown key id, so that the provider may roll its keys), with an asymmetric algorithm
   only; then ``iss`` (the configured issuer), ``aud`` (this client), ``exp`` and ``iat``
   (the node's clock, one minute of leeway), ``nonce`` (the session's) and ``sub``.

Every outbound address (issuer, endpoints, JWKS) is https, or http on a loopback address
only (``hanoi.settings.outbound_url_problem``). The client secret is never logged. What the
claims mean (user name, role) is for :mod:`hanoi.accounts.external`.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from hanoi.accounts.external import RoleMapping
from hanoi.clock import Clock, SystemClock
from hanoi.errors import PermissionDenied
from hanoi.settings import OidcSettings, outbound_url_problem

log = logging.getLogger("hanoi.web.oidc")

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
"""Asymmetric only: never "none", never a MAC keyed with a secret the client also holds."""
LEEWAY_SECONDS = 60
TIMEOUT_SECONDS = 10.0
TIMEOUT = httpx.Timeout(TIMEOUT_SECONDS)
MAX_DOCUMENT_BYTES = 256 * 1024


class SignInFailed(PermissionDenied):
    """The sign-in through the identity provider did not succeed (the user may try again)."""

    title = "Sign-in failed"
    type_slug = "sign-in-failed"


class ProviderRefused(SignInFailed):
    """The provider answered with an error (``access_denied``, ``invalid_client``, ...)."""


class StateMismatch(SignInFailed):
    """The answer is not for the sign-in this browser began (stale tab, forged link)."""


class ProviderUnusable(SignInFailed):
    """The provider could not be reached, or its documents are not what OIDC says."""


class TokenRejected(SignInFailed):
    """The ID token is not signed by the provider, or not for this client, this sign-in,
    or now."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in begun in this browser: kept in its signed session cookie until it ends."""

    state: str
    nonce: str
    verifier: str
    next_page: str

    def to_session(self) -> dict[str, str]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "verifier": self.verifier,
            "next": self.next_page,
        }

    @classmethod
    def from_session(cls, value: object) -> Pending | None:
        if not isinstance(value, dict):
            return None
        fields = [value.get(k) for k in ("state", "nonce", "verifier", "next")]
        if not all(isinstance(f, str) for f in fields):
            return None
        return cls(*(str(f) for f in fields))


def _transport_errors() -> tuple[type[Exception], ...]:
    """httpx's errors, and those of httpx2, which authlib's client is built on when it is
    installed (else on httpx): the token request fails with the one authlib uses."""
    found: list[type[Exception]] = [httpx.HTTPError]
    try:
        import httpx2
    except ImportError:  # pragma: no cover - authlib falls back to httpx
        return tuple(found)
    found.append(httpx2.HTTPError)
    return tuple(found)


TRANSPORT_ERRORS = _transport_errors()


def default_connect() -> httpx.Client:
    """No proxy or certificate setting from the environment; no redirects followed."""
    return httpx.Client(timeout=TIMEOUT, trust_env=False, follow_redirects=False)


class OidcSignIn:
    """One node's client of its State's identity provider."""

    def __init__(
        self,
        *,
        settings: OidcSettings,
        client_secret: str,
        connect: Callable[[], httpx.Client] = default_connect,
        clock: Clock | None = None,
        token_transport: Any = None,
    ) -> None:
        """``token_transport``: the transport of the token request's client (authlib's;
        tests give an in-memory one), by default the network."""
        self.name = settings.name
        self.mapping = RoleMapping.of(
            roles_claim=settings.roles_claim, roles=settings.roles, name_claim=settings.name_claim
        )
        self.issuer = settings.issuer
        self.redirect_uri = settings.redirect_uri
        self._client_id = settings.client_id
        self._secret = client_secret
        self._scopes = " ".join(settings.scopes)
        self._connect = connect
        self._token_transport = token_transport
        self._clock = clock or SystemClock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def __repr__(self) -> str:  # never the secret
        return f"OidcSignIn(issuer={self.issuer!r}, client_id={self._client_id!r})"

    # -- documents ------------------------------------------------------------------------

    def _get_json(self, url: str) -> dict[str, Any]:
        problem = outbound_url_problem(url)
        if problem:
            raise ProviderUnusable(f"the provider's address {url[:200]!r} {problem}")
        try:
            with self._connect() as client:
                answer = client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnusable(f"the identity provider did not answer: {exc}") from None
        if answer.status_code != 200 or len(answer.content) > MAX_DOCUMENT_BYTES:
            raise ProviderUnusable(f"{url[:200]} answered {answer.status_code}")
        try:
            document = answer.json()
        except ValueError:
            raise ProviderUnusable(f"{url[:200]} did not answer JSON") from None
        if not isinstance(document, dict):
            raise ProviderUnusable(f"{url[:200]} did not answer a JSON object")
        return document

    def metadata(self) -> dict[str, Any]:
        """The discovery document, fetched once; its issuer must be the configured one."""
        if self._metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = self._get_json(url)
            if document.get("issuer") != self.issuer:
                raise ProviderUnusable("the discovery document names another issuer")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                value = document.get(key)
                if not isinstance(value, str) or outbound_url_problem(value):
                    raise ProviderUnusable(f"the discovery document's {key} is not usable")
            methods = document.get("code_challenge_methods_supported")
            if isinstance(methods, list) and "S256" not in methods:
                raise ProviderUnusable("the provider does not support PKCE with S256")
            self._metadata = document
        return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            document = self._get_json(self.metadata()["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise ProviderUnusable("the provider's JWKS is not a key set") from None
        return self._keys

    # -- the flow -------------------------------------------------------------------------

    def _oauth(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self._client_id,
            client_secret=self._secret,
            scope=self._scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            timeout=TIMEOUT_SECONDS,
            trust_env=False,
            follow_redirects=False,
            **({"transport": self._token_transport} if self._token_transport else {}),
        )

    def begin(self, *, redirect_uri: str, next_page: str) -> tuple[str, Pending]:
        """Where to send the browser, and what to keep in its session until it is back."""
        pending = Pending(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            next_page=next_page,
        )
        with self._oauth(redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.verifier,
                nonce=pending.nonce,
            )
        return str(url), pending

    def finish(
        self, *, pending: Pending | None, answer: Mapping[str, str], redirect_uri: str
    ) -> dict[str, Any]:
        """The ID token's checked claims, for the sign-in ``pending`` began."""
        if pending is None or not hmac.compare_digest(
            pending.state.encode(), answer.get("state", "").encode()
        ):
            raise StateMismatch("the answer is not for a sign-in begun in this browser")
        if "error" in answer:
            raise ProviderRefused(f"the identity provider refused: {answer['error'][:100]}")
        code = answer.get("code", "")
        if not code:
            raise ProviderRefused("the identity provider answered without a code")
        try:
            with self._oauth(redirect_uri) as oauth:
                token = oauth.fetch_token(
                    self.metadata()["token_endpoint"],
                    code=code,
                    code_verifier=pending.verifier,
                    redirect_uri=redirect_uri,
                )
        except OAuthError as exc:
            raise ProviderRefused(f"the token endpoint refused: {exc.error}") from None
        except TRANSPORT_ERRORS as exc:  # unreachable, or an HTTP error status
            raise ProviderUnusable(f"the token endpoint did not answer: {exc}") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise TokenRejected("the token endpoint gave no ID token")
        return self.check_id_token(id_token, nonce=pending.nonce)

    def check_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Signature (JWKS), then ``iss``, ``aud``, ``exp``, ``iat``, ``nonce``, ``sub``."""
        try:
            decoded = self._decode(id_token)
        except JoseError as exc:
            raise TokenRejected(f"the ID token's signature does not hold: {exc.error}") from None
        claims = dict(decoded.claims)
        now = int(self._clock.now().timestamp())
        registry = jwt.JWTClaimsRegistry(
            now=now,
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self._client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            log.warning("refused an ID token from %s: %s", self.issuer, exc.error)
            raise TokenRejected(
                f"the ID token is not valid here: {exc.description or exc.error}"
            ) from None
        audience = claims["aud"]
        if (
            isinstance(audience, list)
            and len(audience) > 1
            and claims.get("azp") != self._client_id
        ):
            raise TokenRejected("the ID token is for several audiences, not authorised for us")
        return claims

    def _decode(self, id_token: str) -> jwt.Token:
        try:
            return jwt.decode(id_token, self._key_set(), algorithms=list(ALGORITHMS))
        except InvalidKeyIdError:
            # A key id the set lacks may be a key the provider rolled in: fetch it once more.
            return jwt.decode(id_token, self._key_set(refresh=True), algorithms=list(ALGORITHMS))
