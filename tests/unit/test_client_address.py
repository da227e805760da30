"""The client's address and scheme behind reverse proxies: forwarded headers are believed
from trusted proxies only, and then only the right-most address that is not a proxy."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conftest import run_async
from hanoi.errors import InvalidInput
from hanoi.settings import build_settings
from hanoi.web.proxies import Network, TrustedProxies, client_address, forwarded_scheme

PROXIES = (ip_network("10.0.0.5"), ip_network("10.9.0.0/16"), ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.1", ["203.0.113.7"], "192.0.2.1"),  # not a proxy: its header is ignored
        ("127.0.0.1", ["203.0.113.7"], "127.0.0.1"),  # loopback is no proxy unless listed
        ("10.0.0.5", [], "10.0.0.5"),  # a proxy forwarding nothing is the client
        ("10.0.0.5", ["203.0.113.7"], "203.0.113.7"),
        ("10.0.0.5", ["6.6.6.6, 203.0.113.7"], "203.0.113.7"),  # the client wrote 6.6.6.6
        ("10.0.0.5", ["6.6.6.6", "203.0.113.7"], "203.0.113.7"),  # two header lines
        ("10.0.0.5", ["203.0.113.7, 10.9.4.4"], "203.0.113.7"),  # through two proxies
        ("10.0.0.5", ["203.0.113.7:5123"], "203.0.113.7"),
        ("10.0.0.5", ["[2001:db9::1]:443"], "2001:db9::1"),
        ("10.0.0.5", ["2001:DB9:0::1"], "2001:db9::1"),
        ("10.0.0.5", ["10.9.1.1, 10.9.2.2"], "10.9.1.1"),  # only proxies: the first of them
        ("10.0.0.5", ["unknown"], "unknown"),
        ("2001:db8::7", ["198.51.100.3"], "198.51.100.3"),
        ("10.0.0.6", ["203.0.113.7"], "10.0.0.6"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], client: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == client


def test_no_proxies_means_the_peer_always() -> None:
    assert client_address("127.0.0.1", ["203.0.113.7"], ()) == "127.0.0.1"


@pytest.mark.parametrize(
    ("values", "scheme"),
    [
        ([], None),
        (["https"], "https"),
        (["HTTP"], "http"),
        (["https, http"], "http"),
        (["ftp"], None),
    ],
)
def test_forwarded_scheme(values: list[str], scheme: str | None) -> None:
    assert forwarded_scheme(values) == scheme


def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"client": request.client.host if request.client else None,
                         "scheme": request.url.scheme})  # fmt: skip


def _ask(peer: str, proxies: tuple[Network, ...], headers: dict[str, str]) -> dict[str, str]:
    app = TrustedProxies(Starlette(routes=[Route("/", _echo)]), proxies=proxies)
    transport = httpx.ASGITransport(app=app, client=(peer, 4711))

    async def ask() -> dict[str, str]:
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            answer: dict[str, str] = (await client.get("/", headers=headers)).json()
            return answer

    return run_async(ask)


def test_the_middleware_sets_client_and_scheme_from_a_trusted_proxy_only() -> None:
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.7", "X-Forwarded-Proto": "https"}
    assert _ask("10.0.0.5", PROXIES, headers) == {"client": "203.0.113.7", "scheme": "https"}
    assert _ask("192.0.2.1", PROXIES, headers) == {"client": "192.0.2.1", "scheme": "http"}
    assert _ask("127.0.0.1", (), headers) == {"client": "127.0.0.1", "scheme": "http"}


SETTINGS = {"state": "EGY", "name": "Central Authority of Egypt", "log_origin": "example/egy"}


def test_trusted_proxies_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_settings({**SETTINGS, "node_dir": Path("/n")}).trusted_proxies == ()
    listed = build_settings({**SETTINGS, "node_dir": Path("/n"), "trusted_proxies": ["::1"]})
    assert listed.trusted_proxies == (ip_network("::1"),)
    monkeypatch.setenv("HANOI_TRUSTED_PROXIES", "127.0.0.1, 10.20.0.0/24")
    from_env = build_settings({**SETTINGS, "node_dir": Path("/n")})
    assert from_env.trusted_proxies == (ip_network("127.0.0.1"), ip_network("10.20.0.0/24"))
    monkeypatch.setenv("HANOI_TRUSTED_PROXIES", '["192.0.2.1"]')
    assert build_settings({**SETTINGS, "node_dir": Path("/n")}).trusted_proxies == (
        ip_network("192.0.2.1"),
    )
    for wrong in ("*", "10.20.0.1/24", "proxy.example"):  # "everyone", host bits, a name
        monkeypatch.setenv("HANOI_TRUSTED_PROXIES", wrong)
        with pytest.raises(InvalidInput) as refused:
            build_settings({**SETTINGS, "node_dir": Path("/n")})
        assert refused.value.fields[0].path.startswith("trusted_proxies")
