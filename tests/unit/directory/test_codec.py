"""Parsing, canonical form, unknown members, limits, and the signatures as plain JOSE."""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import pytest
import rfc8785
from joserfc import jws
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import OKPKey

from hanoi.directory.codec import load_document, load_signed_entry, parse_entry
from hanoi.directory.errors import DirectoryTooLarge, MalformedDirectory
from hanoi.directory.limits import DirectoryLimits
from hanoi.directory.signing import DIRECTORY_JWS_TYPE, ENTRY_JWS_TYPE, sign_entry
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput
from unit.directory.builder import HOUR, T0, FakeState, Secretariat, edit


@pytest.fixture
def egy() -> FakeState:
    return FakeState("EGY")


@pytest.fixture
def secretariat(egy: FakeState) -> Secretariat:
    publisher = Secretariat()
    publisher.put(egy.signed())
    return publisher


def test_unknown_members_are_kept_signed_and_written_back(egy: FakeState) -> None:
    value = egy.entry_json()
    value["x-future"] = {"nested": [1, "two"]}
    value["authorities"][0]["hours"] = "24/7"
    value["keys"][0]["usage"] = "sign"
    entry = parse_entry(value)
    assert entry.extra == {"x-future": {"nested": [1, "two"]}}
    assert entry.authorities[0].extra == {"hours": "24/7"}
    assert entry.to_json() == value

    publisher = Secretariat()
    publisher.put(sign_entry(entry, [egy.signing]))
    document = publisher.document_json()
    document["published_by"] = "secretariat"
    data = publisher.sign_json(document)
    trusted = TrustedDirectory(publisher.key.public_key())
    trusted.update(data, T0 + HOUR)
    held = trusted.directory
    assert held.extra == {"published_by": "secretariat"}
    assert held.to_json() == document
    assert trusted.entry("EGY").extra == {"x-future": {"nested": [1, "two"]}}


def test_signatures_are_detached_jws_over_the_canonical_json(
    secretariat: Secretariat, egy: FakeState
) -> None:
    """Any JOSE library checks them once the RFC 8785 payload is put back."""
    document = json.loads(secretariat.publish())
    entry = document["directory"]["states"][0]
    checks = [
        (document["signature"], document["directory"], secretariat.key, DIRECTORY_JWS_TYPE),
        (entry["signatures"][0], entry["entry"], egy.signing, ENTRY_JWS_TYPE),
    ]
    for signature, signed_object, key, typ in checks:
        header, empty, _ = signature.split(".")
        assert empty == ""
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        assert (decoded["alg"], decoded["typ"]) == ("EdDSA", typ)
        payload = rfc8785.dumps(signed_object)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            public = OKPKey.import_key(key.public_key())
            token = jws.deserialize_compact(signature, public, ["EdDSA"], payload=payload)
            assert token.payload == payload
            with pytest.raises(BadSignatureError):
                jws.deserialize_compact(signature, public, ["EdDSA"], payload=payload + b" ")


def test_a_signed_entry_round_trips(egy: FakeState) -> None:
    signed = egy.signed()
    again = load_signed_entry(json.dumps(signed.to_json()).encode())
    assert again == signed


def _malformed(data: bytes, fragment: str) -> MalformedDirectory:
    with pytest.raises(MalformedDirectory) as caught:
        load_document(data)
    assert isinstance(caught.value, InvalidInput)
    assert fragment in caught.value.diagnostics(), caught.value.diagnostics()
    return caught.value


def test_not_json_is_invalid_input() -> None:
    _malformed(b"{not json", "not valid JSON")
    _malformed(b'{"a": 1, "a": 2}', "duplicate member")
    _malformed(b"[1, 2]", "must be a JSON object")


def _changed(secretariat: Secretariat, change: Any) -> bytes:
    return edit(secretariat.publish(), change)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda v: v["directory"].pop("version"), "/directory/version: is missing"),
        (lambda v: v["directory"].update(version="2"), "/directory/version: must be an integer"),
        (lambda v: v["directory"].update(version=True), "/directory/version: must be an integer"),
        (lambda v: v["directory"].update(format="hanoi-directory/9"), "/directory/format"),
        (
            lambda v: v["directory"].update(expires="2027-02-01"),
            "/directory/expires: must be a UTC time",
        ),
        (lambda v: v.update(note="unsigned"), "/note: is not allowed here"),
        (
            lambda v: v["directory"]["states"][0]["entry"].update(node_url="http://egy.example/"),
            "/directory/states/0/entry/node_url: must use https",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["authorities"][0].update(
                languages=["English"]
            ),
            "/directory/states/0/entry/authorities/0/languages/0: must be a BCP 47",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["authorities"][0].update(kind="judge"),
            "/directory/states/0/entry/authorities/0/kind: must be one of",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["keys"][0].update(key_id="x" * 43),
            "/directory/states/0/entry/keys/0/key_id: is not the RFC 7638 thumbprint",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["keys"][0].update(valid_until=None),
            "/directory/states/0/entry/keys/0/valid_until: must not be null",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"].update(state="Egypt"),
            "/directory/states/0/entry/state: must be an ISO 3166-1 alpha-3",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"].update(age_recipient="age1xyz"),
            "/directory/states/0/entry/age_recipient: is not an age recipient",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["declarations"].update(
                {"Bad Key": True}
            ),
            "is not a catalogue key",
        ),
        (
            lambda v: v["directory"]["states"][0]["entry"]["declarations"].update(x=1.5),
            "must be true, false, an integer or a string",
        ),
        (
            lambda v: v["directory"]["states"][0].update(signatures=[]),
            "/directory/states/0/signatures: must have at least 1",
        ),
    ],
)
def test_malformed_members_are_named(secretariat: Secretariat, change: Any, fragment: str) -> None:
    _malformed(_changed(secretariat, change), fragment)


def test_a_state_listed_twice_is_refused(secretariat: Secretariat) -> None:
    def twice(value: dict) -> None:  # type: ignore[type-arg]
        value["directory"]["states"].append(value["directory"]["states"][0])

    _malformed(_changed(secretariat, twice), "EGY appears more than once")


def test_the_log_key_must_name_the_log_origin(egy: FakeState) -> None:
    value = egy.entry_json()
    value["log_origin"] = "another.origin/egy"
    with pytest.raises(MalformedDirectory, match="/log_verifier_key: does not name"):
        parse_entry(value)


def test_plain_http_is_allowed_only_on_loopback(egy: FakeState) -> None:
    assert parse_entry(egy.entry_json(url="http://127.0.0.1:8001")).node_url.startswith("http:")
    with pytest.raises(MalformedDirectory, match="without credentials"):
        parse_entry(egy.entry_json(url="https://user:pw@egy.example/"))


def test_oversized_inputs_are_refused_before_parsing(secretariat: Secretariat) -> None:
    data = secretariat.publish()
    small = DirectoryLimits(max_document_bytes=len(data) - 1)
    with pytest.raises(DirectoryTooLarge, match=f"the limit is {len(data) - 1}"):
        load_document(data, limits=small)
    with pytest.raises(DirectoryTooLarge, match="at most 0 are allowed"):
        load_document(data, limits=DirectoryLimits(max_states=0))
    with pytest.raises(DirectoryTooLarge, match="longer than 5 characters"):
        load_document(data, limits=DirectoryLimits(max_name_chars=5))
    deep = b'{"directory": ' + b"[" * 50 + b"]" * 50 + b', "signature": ""}'
    with pytest.raises(MalformedDirectory, match="nested deeper"):
        load_document(deep)


def test_too_many_states_in_a_real_document(egy: FakeState) -> None:
    publisher = Secretariat()
    for code in ("AAA", "BBB", "CCC"):
        publisher.put(FakeState(code).signed())
    with pytest.raises(DirectoryTooLarge, match="/directory/states has 3 items"):
        load_document(publisher.publish(), limits=DirectoryLimits(max_states=2))
