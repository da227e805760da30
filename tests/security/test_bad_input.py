"""Limits before parsing, and the bad-input corpus of the attack run (issue 13, findings 2
and 7): every refusal is a problem+json naming what is wrong, never a 500, on both engines.

Before the fix, a 300 MiB body without a token was read in full and parsed (the server grew
by 904 MiB before answering 401); a lone surrogate, 600-900 levels of nesting or a NUL in
a file name answered 500; NaN and Infinity were stored in a draft.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import run_hanoi, serving
from support_security import World, world

PROBLEM = "application/problem+json"
MIB = 1024 * 1024


@pytest.fixture(params=["sqlite", "postgresql"])
def node(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    url = (
        None
        if request.param == "sqlite"
        else request.getfixturevalue("migrated_databases").postgres()
    )
    with world(tmp_path, url) as built:
        yield built


def draft_body(node: World, contents: Any) -> dict[str, Any]:
    return {"kind": "mla-stored-data", "requested_state": "VNM", "contents": contents}


def pointers(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == PROBLEM, response.text
    return {e["pointer"]: e["detail"] for e in response.json().get("errors", [])}


# --- the bad-input corpus ---------------------------------------------------------------------

RAW_DRAFTS = {
    "lone surrogate": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", '
        '"contents": {"summary-of-facts": "fraud \\ud800"}}',
        {"#/contents/summary-of-facts": "lone UTF-16 surrogate"},
    ),
    "NUL in a string": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", '
        '"contents": {"summary-of-facts": "a\\u0000b"}}',
        {"#/contents/summary-of-facts": "NUL"},
    ),
    "NaN": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", "contents": {"n": NaN}}',
        {"#/contents/n": "NaN is not a JSON number"},
    ),
    "Infinity": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", "contents": {"n": [Infinity]}}',
        {"#/contents/n/0": "Infinity is not a JSON number"},
    ),
    "overflowing number": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", "contents": {"n": -1e999}}',
        {"#/contents/n": "too large"},
    ),
    "nested 600 deep": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", "contents": {"n": '
        + "[" * 600
        + "]" * 600
        + "}}",
        {"#/contents/n" + "/0" * 30: "nested deeper than 32 levels"},
    ),
    "nested 900 deep": (
        '{"kind": "mla-stored-data", "requested_state": "VNM", "contents": '
        + '{"a": ' * 900
        + "1"
        + "}" * 900
        + "}",
        {"#/contents" + "/a" * 31: "nested deeper than 32 levels"},
    ),
    "nested 200,000 deep": ("[" * 200_000 + "]" * 200_000, {"#": "nested deeper"}),
    "not UTF-8": (b'{"kind": "\xff"}', {"#": "not UTF-8"}),
    "not JSON": ('{"kind": ', {"#": "not valid JSON"}),
}


@pytest.mark.parametrize("case", sorted(RAW_DRAFTS))
def test_bad_json_is_422_with_the_field_named_and_nothing_is_stored(node: World, case: str) -> None:
    raw, expected = RAW_DRAFTS[case]
    before = node.call("GET", "/api/v1/requests", "officer-on").json()["total"]
    response = node.client.post(
        "/api/v1/requests",
        content=raw.encode() if isinstance(raw, str) else raw,
        headers={**node.headers("officer-on"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    found = pointers(response)
    for pointer, words in expected.items():
        assert words in found.get(pointer, ""), found
    assert node.call("GET", "/api/v1/requests", "officer-on").json()["total"] == before


def test_json_is_checked_before_authentication(node: World) -> None:
    """A client without a token learns nothing by it, and costs no more than the limit."""
    response = node.client.post(
        "/api/v1/requests", content=b'{"x": NaN}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert pointers(response) == {"#/x": "NaN is not a JSON number"}


def test_nul_and_surrogates_in_evidence_metadata_are_refused_by_field(node: World) -> None:
    body = {
        "upload_id": node.uploads["officer-on"],
        "original_name": "mail\u0000box.mbox",
        "source_kind": "provider",
        "source": "Example Mail Ltd",
        "method": "production order",
        "acquired_at": "2026-03-02T09:00:00+00:00",
        "request_ref": node.request_id,
        "article": "Art. 44",
    }
    nul = node.call("POST", "/api/v1/evidence", "officer-on", body)
    assert nul.status_code == 422
    assert pointers(nul) == {"#/original_name": "a string with a NUL character"}
    # The same through the model, for callers that do not come through JSON: a control
    # character in a file name is refused with its field.
    tab = node.call("POST", "/api/v1/evidence", "officer-on", {**body, "original_name": "a\tb"})
    assert tab.status_code == 400
    assert set(pointers(tab)) == {"original_name"}
    # The upload was not consumed by the refusals.
    ok = node.call("POST", "/api/v1/evidence", "officer-on", {**body, "original_name": "m.mbox"})
    assert ok.status_code == 201, ok.text


def test_a_form_with_a_nul_is_refused(node: World) -> None:
    response = node.client.post(
        "/ui/login",
        content=b"name=officer-on%00&password=x&csrf_token=y",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "a form field holds a NUL"


def test_a_declared_body_over_the_limit_is_413_before_authentication(node: World) -> None:
    response = node.client.post(
        "/api/v1/requests",
        content=b"{}" + b" " * (2 * MIB),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert "1048576 bytes" in response.json()["detail"]


def test_a_streamed_body_over_the_limit_is_cut_off(node: World) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 4 MiB offered, without a Content-Length
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
        response = node.client.post(
            "/api/v1/requests",
            content=chunks(),
            headers={**node.headers("officer-on"), "Content-Type": content_type},
        )
        assert response.status_code == 413, (content_type, response.text)
        assert response.headers["content-type"] == PROBLEM


def test_uploads_and_the_inbox_keep_their_own_limits(node: World) -> None:
    """tus PATCH bodies are bounded by the upload's length (streamed to disk), not by the
    request-body limit; the inbox by its largest envelope (a document's, ADR 0024)."""
    big = b"x" * (3 * MIB)
    upload = node.upload("officer-on", big)
    assert node.call("GET", f"/api/v1/uploads/{upload}", "officer-on").json()["complete"]
    limits = node.node.federation.limits
    assert limits.max_inbox_bytes == limits.max_document_envelope_bytes > 16 * MIB
    too_big = node.client.post("/federation/v1/inbox", content=b"x" * (limits.max_inbox_bytes + 1))
    assert too_big.status_code == 413
    # Above the ordinary limit, the body is read (a document may be that large) and refused
    # once it turns out not to be an envelope at all.
    garbage = node.client.post(
        "/federation/v1/inbox", content=b"x" * (limits.max_envelope_bytes + 1)
    )
    assert garbage.status_code == 400


def test_the_inbox_reads_two_large_envelopes_at_a_time(node: World) -> None:
    """Above the ordinary limit, each body needs one of two slots, taken before it is read:
    without one, 429 with Retry-After (the sender's outbox tries again), and nothing is
    recorded as a refusal of the message."""
    limits = node.node.federation.limits
    slots = node.client.app.state.inbox_large_bodies  # type: ignore[attr-defined]
    assert slots.take()
    assert slots.take()
    try:
        refusals = len(node.node.federation.store.refusals(limit=100))
        large = b"x" * (limits.max_envelope_bytes + 1)
        busy = node.client.post("/federation/v1/inbox", content=large)
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "5"
        assert busy.headers["content-type"] == PROBLEM
        assert len(node.node.federation.store.refusals(limit=100)) == refusals
        small = node.client.post("/federation/v1/inbox", content=b"x" * 100)
        assert small.status_code == 400  # an ordinary body needs no slot
    finally:
        slots.give_back()
        slots.give_back()
    assert node.client.post("/federation/v1/inbox", content=large).status_code == 400
    assert slots.take()  # every slot came back
    assert slots.take()
    assert not slots.take()
    slots.give_back()
    slots.give_back()


# --- a real server: memory stays flat under a huge body without a token -----------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _send(port: int, path: str, total: int, *, chunked: bool) -> bytes:
    """POST ``total`` bytes of spaces without a token, chunked or with a Content-Length;
    the server's answer."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{framing}\r\n\r\n".encode()
        )
        chunk = b" " * (1 * MIB)
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
        sent = 0
        try:
            while sent < total:
                connection.sendall(framed)
                sent += len(chunk)
            if chunked:
                connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        connection.settimeout(30)
        answer = b""
        try:
            while chunk_in := connection.recv(65536):
                answer += chunk_in
                if b"\r\n\r\n" in answer and answer.endswith(b"}"):
                    break
        except OSError:
            pass
        return answer


@pytest.mark.slow
def test_a_300_mib_body_without_a_token_does_not_grow_the_server(
    node_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "node"
    subprocess.run(["cp", "-a", str(node_dir), str(folder)], check=True)
    with serving(folder) as served:
        port, server = served.port, served.process
        httpx.get(f"http://127.0.0.1:{port}/api/v1/node", timeout=10)
        before = _rss_kib(server.pid)
        for chunked in (False, True):
            started = time.monotonic()
            answer = _send(port, "/api/v1/requests", 300 * MIB, chunked=chunked)
            assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
            assert time.monotonic() - started < 20
        grown_mib = (_rss_kib(server.pid) - before) / 1024
        assert grown_mib < 32, f"the server grew by {grown_mib:.0f} MiB"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    assert run_hanoi("node", "show", "--dir", str(folder)).returncode == 0
    json.loads(run_hanoi("node", "show", "--dir", str(folder)).stdout)
