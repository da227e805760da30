"""Building entries from a node's identity, rotation entries, and assembling documents."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.directory.authoring import (
    assemble,
    build_entry,
    parse_authority_spec,
    parse_cli_time,
    parse_declaration,
)
from hanoi.directory.codec import dump_json
from hanoi.directory.errors import BadEntrySignature, MalformedDirectory
from hanoi.directory.model import format_time
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput
from hanoi.node.identity import NodeKeys
from unit.directory.builder import DAY, HOUR, T0, FakeState, key_id

AUTHORITY = "kind=central-authority; name=Ministry of Justice; languages=ar, en; contact=mla@x.eg"


def test_an_authority_spec_becomes_json() -> None:
    assert parse_authority_spec(AUTHORITY) == {
        "kind": "central-authority",
        "name": "Ministry of Justice",
        "languages": ["ar", "en"],
        "contact": "mla@x.eg",
    }
    with pytest.raises(InvalidInput, match="lacks contact"):
        parse_authority_spec("kind=point-of-contact; name=X; languages=en")
    with pytest.raises(InvalidInput, match="unknown or missing member 'phone'"):
        parse_authority_spec(AUTHORITY + "; phone=1")


def test_declarations_take_booleans_integers_and_text() -> None:
    assert parse_declaration("a-b=true") == ("a-b", True)
    assert parse_declaration("a-b=false") == ("a-b", False)
    assert parse_declaration("days=90") == ("days", 90)
    assert parse_declaration("note=only with a court order") == ("note", "only with a court order")
    with pytest.raises(InvalidInput, match="catalogue-key=value"):
        parse_declaration("no-value")


def test_an_entry_from_a_nodes_identity() -> None:
    egy = FakeState("EGY")
    entry = build_entry(
        egy.identity(),
        node_url="https://egy.example/",
        authorities=[parse_authority_spec(AUTHORITY)],
        declarations={"dual-criminality-reservation-for-preservation": True},
        valid_from=T0,
    )
    identity = egy.identity()
    assert (entry.state, entry.serial, entry.age_recipient) == ("EGY", 1, identity.age_recipient)
    assert entry.log_verifier_key == identity.log_verifier_key
    assert entry.witness_key == identity.witness_key
    assert [k.key_id for k in entry.keys] == [identity.signing_key_id]
    with pytest.raises(MalformedDirectory, match="/authorities/0/languages/0"):
        build_entry(
            identity,
            node_url="https://egy.example/",
            authorities=[{**parse_authority_spec(AUTHORITY), "languages": ["Arabic"]}],
            declarations={},
            valid_from=T0,
        )


def test_a_rotation_entry_keeps_the_old_key_until_its_end() -> None:
    egy = FakeState("EGY")
    first = build_entry(
        egy.identity(),
        node_url="https://egy.example/",
        authorities=[parse_authority_spec(AUTHORITY)],
        declarations={},
        valid_from=T0,
    )
    old = egy.signing
    egy.keys = NodeKeys(
        signing=Ed25519PrivateKey.generate(),
        log_signing=egy.keys.log_signing,
        witness_signing=egy.keys.witness_signing,
        age=egy.keys.age,
    )
    end = T0 + 10 * DAY
    second = build_entry(
        egy.identity(),
        node_url="https://egy.example/",
        authorities=[parse_authority_spec(AUTHORITY)],
        declarations={},
        valid_from=T0 + DAY,
        previous=first,
        retire_previous_at=end,
    )
    assert second.serial == 2
    assert [(k.key_id, k.valid_until) for k in second.keys] == [
        (key_id(old), end),
        (key_id(egy.signing), None),
    ]
    # Signed by both keys, it replaces the first entry at a node that held it.
    authority = Ed25519PrivateKey.generate()
    trusted = TrustedDirectory(authority.public_key())
    for version, signed in (
        (1, sign_entry(first, [old])),
        (2, sign_entry(second, [old, egy.signing])),
    ):
        document = assemble([signed], version=version, issued_at=T0, expires=T0 + 30 * DAY)
        trusted.update(dump_json(sign_directory(document, authority).to_json()), T0 + 2 * DAY)
    assert trusted.key_for("EGY", key_id(egy.signing), T0 + 20 * DAY)


def test_assemble_sorts_states_and_refuses_duplicates_and_bad_entries() -> None:
    vnm, egy = FakeState("VNM"), FakeState("EGY")
    document = assemble([vnm.signed(), egy.signed()], version=3, issued_at=T0, expires=T0 + DAY)
    assert document.state_codes() == ("EGY", "VNM")
    with pytest.raises(MalformedDirectory, match="EGY is given twice"):
        assemble([egy.signed(), egy.signed()], version=1, issued_at=T0, expires=T0 + DAY)
    with pytest.raises(BadEntrySignature):
        assemble([egy.signed(signers=[vnm.signing])], version=1, issued_at=T0, expires=T0 + DAY)
    with pytest.raises(MalformedDirectory, match="/expires: must be later"):
        assemble([egy.signed()], version=1, issued_at=T0, expires=T0 - HOUR)


def test_cli_times() -> None:
    assert format_time(parse_cli_time("2027-01-01", what="--expires")) == "2027-01-01T00:00:00Z"
    assert format_time(parse_cli_time("2027-01-01T10:00:00+02:00", what="x")) == (
        "2027-01-01T08:00:00Z"
    )
    with pytest.raises(InvalidInput, match="needs a time zone"):
        parse_cli_time("2027-01-01T10:00:00", what="--expires")
    with pytest.raises(InvalidInput, match="is not YYYY-MM-DD"):
        parse_cli_time("next week", what="--expires")
