"""An authority's name in the six UN languages (``names``): parsed, checked, signed, authored.

``vectors/directory-before-names.json`` was written by the code of commit 66a05aa,
before ``names`` existed, from keys derived from fixed seeds (below): it must still
verify, be written back byte for byte, and sign to the very same signatures.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.convention import Language
from hanoi.directory.authoring import (
    build_entry,
    load_authorities_file,
    parse_authority_spec,
)
from hanoi.directory.codec import (
    canonical,
    dump_json,
    load_document,
    load_signed_entry,
    parse_entry,
)
from hanoi.directory.errors import (
    BadDirectorySignature,
    BadEntrySignature,
    DirectoryTooLarge,
    MalformedDirectory,
)
from hanoi.directory.model import UN_LANGUAGES, Authority, parse_time
from hanoi.directory.signing import (
    sign_directory,
    sign_entry,
    verify_directory_signature,
    verify_self_signed,
)
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput
from unit.directory.builder import HOUR, T0, FakeState, Secretariat, edit

VECTOR = Path(__file__).parent / "vectors" / "directory-before-names.json"
CYRILLIC_EM = "\u041c"
NAMES = {"ar": "وزارة العدل", "fr": "Ministère de la Justice", "zh": "司法部"}


def seeded(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def with_names(value: dict[str, Any], names: Any, index: int = 0) -> dict[str, Any]:
    value["authorities"][index]["names"] = names
    return value


@pytest.fixture
def egy() -> FakeState:
    return FakeState("EGY")


def test_the_six_languages_are_the_conventions() -> None:
    assert tuple(language.value for language in Language) == UN_LANGUAGES


def test_names_round_trip_and_an_authority_without_them_is_written_as_before(
    egy: FakeState,
) -> None:
    plain = egy.entry_json()
    entry = parse_entry(plain)
    assert all(a.names == {} for a in entry.authorities)
    assert all("names" not in a for a in entry.to_json()["authorities"])
    assert canonical(entry.to_json()) == canonical(plain)

    named = with_names(egy.entry_json(), dict(NAMES))
    entry = parse_entry(named)
    assert entry.authorities[0].names == NAMES
    assert entry.authorities[0].extra == {}
    assert entry.authorities[1].names == {}
    assert entry.to_json() == named
    assert canonical(entry.to_json()) == canonical(named)
    again = load_signed_entry(dump_json(sign_entry(entry, [egy.signing]).to_json()))
    assert again.entry == entry


@pytest.mark.parametrize("key", ["de", "AR", "ar-EG", "zh-Hans", "", "arabic"])
def test_a_key_that_is_not_a_un_language_is_refused_by_name(egy: FakeState, key: str) -> None:
    value = with_names(egy.entry_json(), {"fr": "Ministère", key: "Justizministerium"})
    with pytest.raises(MalformedDirectory) as raised:
        parse_entry(value)
    problem = raised.value.fields[0]
    assert problem.path == f"/authorities/0/names/{key}"
    assert repr(key) in problem.message
    assert "ar, zh, en, fr, ru, es" in problem.message


@pytest.mark.parametrize(
    ("names", "where", "message"),
    [
        ({}, "/authorities/0/names", "must not be empty"),
        (["ar", "x"], "/authorities/0/names", "must be a JSON object"),
        ("وزارة العدل", "/authorities/0/names", "must be a JSON object"),
        ({"ar": ""}, "/authorities/0/names/ar", "must not be empty"),
        ({"ar": "   "}, "/authorities/0/names/ar", "must not be empty"),
        ({"ar": 7}, "/authorities/0/names/ar", "must be a string"),
        ({"ar": None}, "/authorities/0/names/ar", "must not be null"),
        ({"fr": "Minist\u00e8re\nde la Justice"}, "/authorities/0/names/fr", "control"),
        ({"ar": "\u200f" + NAMES["ar"]}, "/authorities/0/names/ar", "control"),
    ],
)
def test_names_are_non_empty_printable_text(
    egy: FakeState, names: Any, where: str, message: str
) -> None:
    with pytest.raises(MalformedDirectory) as raised:
        parse_entry(with_names(egy.entry_json(), names))
    problem = raised.value.fields[0]
    assert (problem.path, message in problem.message) == (where, True), problem


def test_a_name_is_no_longer_than_the_own_name_may_be(egy: FakeState) -> None:
    parse_entry(with_names(egy.entry_json(), {"ru": CYRILLIC_EM * 200}))
    with pytest.raises(DirectoryTooLarge, match="/authorities/0/names/ru"):
        parse_entry(with_names(egy.entry_json(), {"ru": CYRILLIC_EM * 201}))
    with pytest.raises(DirectoryTooLarge, match="/authorities/0/name "):
        parse_entry(
            {
                **egy.entry_json(),
                "authorities": [{**egy.entry_json()["authorities"][0], "name": "M" * 201}],
            }
        )
    all_six = dict.fromkeys(UN_LANGUAGES, "x" * 200)
    assert parse_entry(with_names(egy.entry_json(), all_six)).authorities[0].names == all_six


def test_the_states_signature_covers_the_names(egy: FakeState) -> None:
    entry = parse_entry(with_names(egy.entry_json(), dict(NAMES)))
    signed = dump_json(sign_entry(entry, [egy.signing]).to_json())
    verify_self_signed(load_signed_entry(signed))

    def rename(value: dict[str, Any]) -> None:
        value["entry"]["authorities"][0]["names"]["ar"] = "وزارة الداخلية"

    def drop(value: dict[str, Any]) -> None:
        del value["entry"]["authorities"][0]["names"]

    def add(value: dict[str, Any]) -> None:
        value["entry"]["authorities"][1]["names"] = {"es": "Unidad 24/7"}

    for change in (rename, drop, add):
        with pytest.raises(BadEntrySignature):
            verify_self_signed(load_signed_entry(edit(signed, change)))


def test_the_directory_authority_cannot_change_a_name_the_state_signed(egy: FakeState) -> None:
    """Re-signed by the secretariat, a renamed authority still fails the State's signature."""
    publisher = Secretariat()
    publisher.put(sign_entry(parse_entry(with_names(egy.entry_json(), dict(NAMES))), [egy.signing]))
    data = publisher.publish()
    TrustedDirectory(publisher.key.public_key()).update(data, T0 + HOUR)

    def rename(value: dict[str, Any]) -> None:
        entry = value["directory"]["states"][0]["entry"]
        entry["authorities"][0]["names"]["fr"] = "Ministère de l'Intérieur"

    tampered = edit(data, rename)
    with pytest.raises(BadDirectorySignature):
        TrustedDirectory(publisher.key.public_key()).update(tampered, T0 + HOUR)
    resigned = dump_json(sign_directory(load_document(tampered).directory, publisher.key).to_json())
    with pytest.raises(BadEntrySignature):
        TrustedDirectory(publisher.key.public_key()).update(resigned, T0 + HOUR)


def test_a_directory_signed_before_names_existed_still_verifies_byte_for_byte() -> None:
    data = VECTOR.read_bytes()
    authority = seeded("hanoi vector directory authority")
    document = load_document(data)
    issued = parse_time("2026-01-01T00:00:00Z")
    trusted = TrustedDirectory(authority.public_key())
    trusted.update(data, issued + HOUR)
    assert trusted.directory.state_codes() == ("EGY", "VNM")
    assert all(a.names == {} for s in document.directory.states for a in s.entry.authorities)
    assert document.to_json() == json.loads(data)
    assert dump_json(document.to_json()) == data
    # The payloads are unchanged: signing again gives the very same signatures (Ed25519
    # is deterministic).
    verify_directory_signature(document, authority.public_key())
    assert sign_directory(document.directory, authority).signature == document.signature
    for signed in document.directory.states:
        key = seeded(f"hanoi vector {signed.state} signing")
        assert sign_entry(signed.entry, [key]).signatures == signed.signatures
        verify_self_signed(signed)


def test_the_name_shown_is_in_the_readers_language_else_the_own_name() -> None:
    authority = Authority(
        kind="central-authority",
        name="Ministry of Justice",
        languages=("ar", "en"),
        contact="mla@x.eg",
        names={"ar": "وزارة العدل", "en": "Ministry of Justice"},
    )
    assert authority.name_in("ar") == ("وزارة العدل", "ar")
    assert authority.name_in("en") == ("Ministry of Justice", "en")
    assert authority.name_in("fr") == ("Ministry of Justice", "en")  # the same text as "en"
    bare = Authority(kind="point-of-contact", name="24/7", languages=("en",), contact="+1")
    assert bare.name_in("zh") == ("24/7", "")  # the own name, in a language not given


SPEC = "kind=central-authority; name=Ministry of Justice; languages=ar,en; contact=mla@x.eg"


def test_an_authority_spec_takes_names_by_language() -> None:
    spec = parse_authority_spec(f"{SPEC}; name.ar=وزارة العدل; name.fr=Ministère de la Justice")
    assert spec["names"] == {"ar": "وزارة العدل", "fr": "Ministère de la Justice"}
    assert "names" not in parse_authority_spec(SPEC)
    with pytest.raises(InvalidInput, match=r"name\.ar is given twice"):
        parse_authority_spec(f"{SPEC}; name.ar=a; name.ar=b")
    entry = build_entry(
        FakeState("EGY").identity(),
        node_url="https://egy.example/",
        authorities=[spec],
        declarations={},
        valid_from=T0,
    )
    assert entry.authorities[0].names == spec["names"]
    with pytest.raises(MalformedDirectory) as raised:
        build_entry(
            FakeState("EGY").identity(),
            node_url="https://egy.example/",
            authorities=[parse_authority_spec(f"{SPEC}; name.de=Justizministerium")],
            declarations={},
            valid_from=T0,
        )
    assert raised.value.fields[0].path == "/authorities/0/names/de"
    assert "'de' is not one of the six UN languages" in raised.value.fields[0].message


TOML = """
[[authorities]]
kind = "central-authority"
name = "Ministry of Justice"
languages = ["ar", "en", "fr"]
contact = "mla@justice.example"
names = { ar = "وزارة العدل", fr = "Ministère de la Justice" }

[[authorities]]
kind = "point-of-contact"
name = "24/7 Cybercrime Unit"
languages = ["ar", "en"]
contact = "+20 2 0000 0000"
"""


def test_an_authorities_file_in_toml_or_json() -> None:
    from_toml = load_authorities_file(TOML.encode(), toml=True)
    assert from_toml[0]["names"] == {"ar": "وزارة العدل", "fr": "Ministère de la Justice"}
    assert "names" not in from_toml[1]
    as_json = json.dumps({"authorities": from_toml}, ensure_ascii=False).encode()
    assert load_authorities_file(as_json, toml=False) == from_toml
    entry = build_entry(
        FakeState("EGY").identity(),
        node_url="https://egy.example/",
        authorities=from_toml,
        declarations={},
        valid_from=T0,
    )
    assert [a.names for a in entry.authorities] == [from_toml[0]["names"], {}]


@pytest.mark.parametrize(
    ("data", "toml", "message"),
    [
        (b"[[authority]]\nkind = 'x'\n", True, "one member, authorities"),
        (b"authorities = []\n", True, "non-empty list"),
        (b"authorities = [1]\n", True, "is not a table"),
        (b"[[authorities]]\nphone = '1'\n", True, "unknown member 'phone'"),
        (b"[[authorities]\n", True, "not valid TOML"),
        (b'{"authorities": [], "authorities": []}', False, "not valid JSON"),
        (b"\xff", True, "not valid TOML"),
        (b"#" * (256 * 1024 + 1), True, "larger than"),
    ],
)
def test_a_bad_authorities_file_is_refused(data: bytes, toml: bool, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        load_authorities_file(data, toml=toml)
