"""A real OpenID Connect provider for the tests: Canaille (ADR 0049), as its own process.

:func:`running_canaille` writes a Canaille configuration (SQLite, a fresh RSA signing key,
nonce required, no captcha), creates with Canaille's own CLI one group per Hanoi role that
the tests map, users with passwords, and one confidential client of the node (its secret,
its redirect URIs), then serves it with ``canaille run`` on a free loopback port. Canaille
checks the client's secret and redirect URI, requires PKCE and a nonce, and signs its ID
tokens; nothing here weakens that.

:func:`provider_sign_in` drives its sign-in pages with httpx as a browser would: the
login form, the password form, then back to the node with a code.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
from joserfc.jwk import RSAKey

from conftest import free_port

CANAILLE = str(Path(sys.executable).with_name("canaille"))
CLIENT_ID = "hanoi-node"
PASSWORD = "correct horse battery staple"
GROUPS = {"hanoi-supervisors": "supervisor", "hanoi-officers": "officer"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Canaille:
    issuer: str  # http://127.0.0.1:<port>
    client_id: str
    client_secret: str
    folder: Path
    signing_key: RSAKey


def _config(folder: Path, port: int, key: RSAKey) -> str:
    jwk = key.as_dict(private=True)
    inline = ", ".join(f'{k} = "{v}"' for k, v in jwk.items())
    return f"""
SECRET_KEY = "{secrets.token_urlsafe(32)}"
SERVER_NAME = "127.0.0.1:{port}"
PREFERRED_URL_SCHEME = "http"

[CANAILLE]
NAME = "Ministry identity provider"
DATABASE = "sql"
CAPTCHA_ENABLED = false
ENABLE_PASSWORD_RECOVERY = false
ENABLE_PASSWORD_COMPROMISSION_CHECK = false
HIDE_INVALID_LOGINS = true

[CANAILLE.ACL.DEFAULT]
PERMISSIONS = ["edit_self", "use_oidc"]
READ = ["user_name", "groups"]
WRITE = []

[CANAILLE_SQL]
DATABASE_URI = "sqlite:///{folder / "canaille.sqlite"}"

[CANAILLE_OIDC]
REQUIRE_NONCE = true
DYNAMIC_CLIENT_REGISTRATION_OPEN = false
TRUSTED_DOMAINS = ["127.0.0.1"]
ACTIVE_JWKS = [{{{inline}}}]
"""


def _canaille(folder: Path, *args: str) -> str:
    env = {**os.environ, "CANAILLE_CONFIG": str(folder / "canaille.toml")}
    done = subprocess.run(
        [CANAILLE, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"canaille {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@contextmanager
def running_canaille(
    folder: Path, *, redirect_uris: list[str], users: Mapping[str, str]
) -> Iterator[Canaille]:
    """Canaille serving on loopback while the block runs. ``users`` maps each user name
    to its group (a key of :data:`GROUPS`, or "" for none); every password is
    :data:`PASSWORD`."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"}, private=True)
    (folder / "canaille.toml").write_text(_config(folder, port, key), encoding="utf-8")
    secret = secrets.token_urlsafe(32)
    _canaille(folder, "install")  # the database's tables
    for name in users:
        args = ["create", "user", "--user-name", name, "--password", PASSWORD,
                "--family-name", name.title(), "--display-name", name.title(),
                "--emails", f"{name}@ministry.example"]  # fmt: skip
        _canaille(folder, *args)
    for group in GROUPS:
        members = [f"--members={name}" for name, g in users.items() if g == group]
        if members:  # a group has at least one member
            _canaille(folder, "create", "group", "--display-name", group, *members)
    client_args = ["create", "client", "--client-id", CLIENT_ID, "--client-secret", secret,
                   "--client-name", "Hanoi node", "--client-uri", "http://127.0.0.1",
                   "--scope", "openid", "--scope", "profile", "--scope", "groups",
                   "--grant-types", "authorization_code", "--response-types", "code",
                   "--token-endpoint-auth-method", "client_secret_basic"]  # fmt: skip
    for uri in redirect_uris:
        client_args += ["--redirect-uris", uri]
    _canaille(folder, *client_args)
    # Its ID tokens name it as their audience (Canaille's admin pages do this for a client).
    _canaille(folder, "set", "client", CLIENT_ID, "--audience", CLIENT_ID)
    log = (folder / "canaille.log").open("ab")
    env = {**os.environ, "CANAILLE_CONFIG": str(folder / "canaille.toml")}
    process = subprocess.Popen(
        [CANAILLE, "run", "--bind", f"127.0.0.1:{port}"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (folder / "canaille.log").read_text(errors="replace")[-3000:]
                raise AssertionError(f"canaille did not start\n{tail}")
            time.sleep(0.2)
        yield Canaille(issuer, CLIENT_ID, secret, folder, key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _form(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found is not None, page.text[:2000]
    return found.group(1)


def provider_sign_in(authorize_url: str, user: str, password: str = PASSWORD) -> str:
    """Sign ``user`` in at the provider, from the node's redirect to its authorization
    endpoint; the address the provider sends the browser back to (the node's callback)."""
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        page = browser.get(authorize_url)
        while page.status_code in (301, 302, 303, 307) and "/login" not in page.headers["location"]:
            page = browser.get(urljoin(str(page.url), page.headers["location"]))
        assert page.status_code in (302, 303), page.text[:2000]
        login = urljoin(str(page.url), page.headers["location"])
        page = browser.get(login)
        page = browser.post(login, data={"csrf_token": _form(page), "login": user})
        assert page.status_code in (302, 303), page.text[:2000]
        password_url = urljoin(login, page.headers["location"])
        page = browser.get(password_url)
        page = browser.post(password_url, data={"csrf_token": _form(page), "password": password})
        assert page.status_code in (302, 303), page.text[:2000]
        # Back to the authorization endpoint, then (trusted client: no consent page) to us.
        for _ in range(5):
            location = urljoin(str(page.url), page.headers["location"])
            if not location.startswith(authorize_url.split("/oauth")[0]):
                return location
            page = browser.get(location)
            assert page.status_code in (302, 303), page.text[:2000]
        raise AssertionError("the provider did not send the browser back")
