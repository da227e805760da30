"""How to reach a State (issue 17): an authority's postal address, e-mail and telephone, the
channels a State takes requests by, its document certificates, and the States without a
Hanoi node that the directory authority records (``offline_states``).

Every new member is optional and written only when present, so entries and documents
signed before it existed are written back, and verify, byte for byte
(``vectors/directory-before-names.json``, checked again here).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from hanoi.directory.authoring import (
    assemble,
    build_entry,
    certificate_from_pem,
    load_offline_file,
    parse_authority_spec,
)
from hanoi.directory.codec import (
    canonical,
    dump_json,
    load_document,
    load_signed_entry,
    parse_directory,
    parse_entry,
)
from hanoi.directory.errors import (
    BadDirectorySignature,
    BadEntrySignature,
    DirectoryTooLarge,
    MalformedDirectory,
)
from hanoi.directory.limits import DEFAULT_LIMITS
from hanoi.directory.model import CHANNELS, StateContact
from hanoi.directory.signing import sign_entry, verify_self_signed
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import InvalidInput
from unit.directory.builder import DAY, HOUR, T0, FakeState, Secretariat, certificate_pem, edit

ARABIC_ADDRESS = "ميدان لاظوغلي\nالقاهرة"  # noqa: RUF001
VECTOR = Path(__file__).parent / "vectors" / "directory-before-names.json"
CONTACTS = {
    "postal_address": "Ministry of Justice\nLaz Oghli Square\nCairo 11511\nEgypt",
    "email": "mla@justice.example",
    "telephone": "+20 (2) 2792-2263",
}


def offline_json(code: str = "BRA", **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "state": code,
        "name": f"Central Authority of {code}",
        "authorities": [
            {
                "kind": "central-authority",
                "name": "Department of Asset Recovery and International Legal Cooperation",
                "languages": ["pt", "en", "es"],
                "contact": "By diplomatic note through the Ministry of Foreign Affairs",
                "postal_address": "SCN Quadra 6\nBrasília DF 70716-900",
                "email": "cooperacao@justice.example",
                "telephone": "+55 61 2025-8900",
            },
            {
                "kind": "point-of-contact",
                "name": "24/7 Cybercrime Unit",
                "languages": ["pt", "en"],
                "contact": "+55 61 0000 0000",
            },
        ],
        "channels": ["diplomatic", "email"],
        "declarations": {"dual-criminality-reservation-for-preservation": True},
        "source": "Note verbale 123/2026 of 2 October 2026",
        "updated": "2026-10-02",
    }
    value.update(changes)
    return value


@pytest.fixture
def egy() -> FakeState:
    return FakeState("EGY")


def problem_of(raised: pytest.ExceptionInfo[MalformedDirectory]) -> tuple[str, str]:
    problem = raised.value.fields[0]
    return problem.path, problem.message


# --- authorities: postal address, e-mail, telephone ------------------------------------------


def test_contact_fields_round_trip_and_are_written_only_when_present(egy: FakeState) -> None:
    plain = egy.entry_json()
    entry = parse_entry(plain)
    assert [(a.postal_address, a.email, a.telephone) for a in entry.authorities] == [
        ("", "", "")
    ] * 2
    for written in entry.to_json()["authorities"]:
        assert not set(written) & set(CONTACTS)
    assert entry.to_json() == plain

    value = egy.entry_json()
    value["authorities"][0].update(CONTACTS)
    value["authorities"][1]["telephone"] = "+1 555 0100"
    entry = parse_entry(value)
    central, contact = entry.authorities
    assert (central.postal_address, central.email, central.telephone) == tuple(CONTACTS.values())
    assert (contact.postal_address, contact.email, contact.telephone) == ("", "", "+1 555 0100")
    assert central.extra == {}
    assert entry.to_json() == value
    signed = sign_entry(entry, [egy.signing])
    again = load_signed_entry(dump_json(signed.to_json()))
    assert again.entry == entry
    verify_self_signed(again)

    def move(document: dict[str, Any]) -> None:
        document["entry"]["authorities"][0]["email"] = "mla@elsewhere.example"

    with pytest.raises(BadEntrySignature):  # the State's signature covers them
        verify_self_signed(load_signed_entry(edit(dump_json(signed.to_json()), move)))


@pytest.mark.parametrize(
    "email",
    [
        "mla@justice.example",
        "first.last+mla@cyber.justice.gov.example",
        "o'brien@justice.ie",
        "وزارة@العدل.مصر",
        "司法部@司法.中国",
        "a@b.co",
    ],
)
def test_plausible_e_mail_addresses_are_accepted(egy: FakeState, email: str) -> None:
    value = egy.entry_json()
    value["authorities"][0]["email"] = email
    assert parse_entry(value).authorities[0].email == email


@pytest.mark.parametrize(
    "email",
    [
        "mla",
        "mla@",
        "@justice.example",
        "mla@justice",
        "mla@@justice.example",
        "mla@justice..example",
        ".mla@justice.example",
        "mla.@justice.example",
        "mla@-justice.example",
        "mla@justice-.example",
        "mla @justice.example",
        "Ministry <mla@justice.example>",
        '"mla"@justice.example',
        "mla@[192.0.2.1]",
        "mla@192.0.2.1",
        "mla,ca@justice.example",
        "x" * 65 + "@justice.example",
        "mla@justice.example\u200f",
    ],
)
def test_an_implausible_e_mail_address_is_refused_by_path(egy: FakeState, email: str) -> None:
    value = egy.entry_json()
    value["authorities"][1]["email"] = email
    with pytest.raises(MalformedDirectory) as raised:
        parse_entry(value)
    path, _ = problem_of(raised)
    assert path == "/authorities/1/email"


@pytest.mark.parametrize(
    "telephone",
    ["+20 2 0000 0000", "(202) 555-0100", "+84.24.3936.1234", "112", "0033 1 44 77 60 60"],
)
def test_telephone_numbers_are_accepted(egy: FakeState, telephone: str) -> None:
    value = egy.entry_json()
    value["authorities"][0]["telephone"] = telephone
    assert parse_entry(value).authorities[0].telephone == telephone


@pytest.mark.parametrize(
    "telephone",
    [
        "call +20 2 0000",
        "20+2 0000 0000",
        "++20 2 0000",
        "+20 2 0000 0000 ext. 12",
        "٠٢٠٠٠٠٠٠٠",  # Arabic-Indic digits: written in ASCII digits in the directory
        "12",
        "+1 " + "5" * 21,
        "+20/2/0000",
        "+20 2 0000\t0000",
    ],
)
def test_a_bad_telephone_number_is_refused_by_path(egy: FakeState, telephone: str) -> None:
    value = egy.entry_json()
    value["authorities"][0]["telephone"] = telephone
    with pytest.raises((MalformedDirectory, DirectoryTooLarge)) as raised:
        parse_entry(value)
    assert raised.value.fields[0].path == "/authorities/0/telephone"


def test_a_postal_address_has_lines_but_no_other_control_character(egy: FakeState) -> None:
    value = egy.entry_json()
    value["authorities"][0]["postal_address"] = "Line 1\nخط 2\n\nLine 4"
    assert parse_entry(value).authorities[0].postal_address.count("\n") == 3
    for bad, message in [
        ("Line 1\r\nLine 2", "control characters other than line feeds"),
        ("Line 1\tLine 2", "control characters other than line feeds"),
        ("\u202eenilno", "control characters other than line feeds"),
        (" \n ", "must not be empty"),
        ("", "must not be empty"),
        (7, "must be a string"),
    ]:
        value["authorities"][0]["postal_address"] = bad
        with pytest.raises(MalformedDirectory) as raised:
            parse_entry(value)
        assert problem_of(raised)[0] == "/authorities/0/postal_address"
        assert message in problem_of(raised)[1], bad


@pytest.mark.parametrize(
    ("member", "text"),
    [
        ("postal_address", "x" * (DEFAULT_LIMITS.max_postal_address_chars + 1)),
        ("postal_address", "\n".join(["x"] * (DEFAULT_LIMITS.max_postal_address_lines + 1))),
        ("email", "m@" + "j" * DEFAULT_LIMITS.max_email_chars + ".example"),
        ("telephone", "1" * (DEFAULT_LIMITS.max_telephone_chars + 1)),
    ],
)
def test_contact_fields_have_size_limits(egy: FakeState, member: str, text: str) -> None:
    value = egy.entry_json()
    value["authorities"][0][member] = text
    with pytest.raises(DirectoryTooLarge) as raised:
        parse_entry(value)
    assert raised.value.fields[0].path == f"/authorities/0/{member}"


# --- a State's channels and document certificates ----------------------------------------


def test_channels_and_certificates_round_trip_and_are_written_only_when_present(
    egy: FakeState,
) -> None:
    entry = parse_entry(egy.entry_json())
    assert entry.channels == ()
    assert entry.accepted_channels() == ("hanoi",)
    assert entry.document_certificates == ()
    written = entry.to_json()
    assert "channels" not in written
    assert "document_certificates" not in written

    certificate = certificate_from_pem(certificate_pem())
    value = egy.entry_json()
    value["channels"] = ["hanoi", "diplomatic", "interpol"]
    value["document_certificates"] = [certificate]
    entry = parse_entry(value)
    assert entry.channels == ("hanoi", "diplomatic", "interpol")
    assert entry.accepted_channels() == entry.channels
    assert entry.document_certificates == (certificate,)
    assert entry.extra == {}
    assert entry.to_json() == value
    signed = sign_entry(entry, [egy.signing])
    verify_self_signed(load_signed_entry(dump_json(signed.to_json())))

    def reorder(document: dict[str, Any]) -> None:
        document["entry"]["channels"] = ["diplomatic", "hanoi", "interpol"]

    with pytest.raises(BadEntrySignature):  # the order is the State's preference: signed
        verify_self_signed(load_signed_entry(edit(dump_json(signed.to_json()), reorder)))


def test_the_channels_are_a_closed_set() -> None:
    assert CHANNELS == ("hanoi", "diplomatic", "email", "interpol", "courier", "other")


@pytest.mark.parametrize(
    ("channels", "where", "message"),
    [
        (["hanoi", "fax"], "/channels/1", "must be one of hanoi, diplomatic, email"),
        (["Diplomatic"], "/channels/0", "must be one of"),
        ([7], "/channels/0", "must be one of"),
        (["email", "email"], "/channels/1", "repeats the channel 'email'"),
        ([], "/channels", "at least 1"),
        ("hanoi", "/channels", "must be a JSON array"),
    ],
)
def test_a_bad_channel_is_refused_by_path(
    egy: FakeState, channels: Any, where: str, message: str
) -> None:
    value = egy.entry_json()
    value["channels"] = channels
    with pytest.raises(MalformedDirectory) as raised:
        parse_entry(value)
    path, text = problem_of(raised)
    assert (path, message in text) == (where, True), text


def test_more_channels_than_there_are_is_too_large(egy: FakeState) -> None:
    value = egy.entry_json()
    value["channels"] = [*CHANNELS, "hanoi"]
    with pytest.raises(DirectoryTooLarge):
        parse_entry(value)


def test_a_bad_document_certificate_is_refused_by_path(egy: FakeState) -> None:
    good = certificate_from_pem(certificate_pem())
    der = base64.b64decode(good)
    cases: list[tuple[Any, str]] = [
        ("not base64!", "standard base64"),
        ("-" + good[1:], "standard base64"),  # base64url's alphabet
        (good[:64] + "\n" + good[64:], "standard base64"),  # PEM's line breaks
        (base64.b64encode(b"not a certificate").decode(), "not a DER X.509 certificate"),
        (base64.b64encode(der[:-10]).decode(), "not a DER X.509 certificate"),
        ("", "standard base64"),
        (7, "must be a string"),
    ]
    tail = b"\0" * (2 if len(der) % 3 == 2 else 1)  # a length that needs padding
    unpadded = base64.b64encode(der + tail).decode()
    assert unpadded.endswith("=")
    cases.append((unpadded.rstrip("="), "standard base64"))
    for bad, message in cases:
        value = egy.entry_json()
        value["document_certificates"] = [good, bad]
        with pytest.raises(MalformedDirectory) as raised:
            parse_entry(value)
        path, text = problem_of(raised)
        assert (path, message in text) == ("/document_certificates/1", True), (bad, text)
    value = egy.entry_json()
    value["document_certificates"] = [good, good]
    with pytest.raises(MalformedDirectory, match="the directory is malformed") as raised:
        parse_entry(value)
    assert problem_of(raised) == ("/document_certificates/1", "repeats a certificate")
    value["document_certificates"] = [good] * (DEFAULT_LIMITS.max_document_certificates + 1)
    with pytest.raises(DirectoryTooLarge):
        parse_entry(value)
    value["document_certificates"] = ["A" * (DEFAULT_LIMITS.max_certificate_chars + 4)]
    with pytest.raises(DirectoryTooLarge) as too_long:
        parse_entry(value)
    assert too_long.value.fields[0].path == "/document_certificates/0"


def test_a_pem_certificate_becomes_base64_der_and_a_malformed_one_is_refused() -> None:
    pem = certificate_pem()
    text = certificate_from_pem(pem)
    assert x509.load_der_x509_certificate(base64.b64decode(text)) == (
        x509.load_pem_x509_certificate(pem)
    )
    for bad in (b"", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", pem[:200]):
        with pytest.raises(InvalidInput, match=r"not a PEM X\.509 certificate"):
            certificate_from_pem(bad)


# --- States without a node ---------------------------------------------------------------


def published(egy: FakeState, *offline: dict[str, Any]) -> tuple[Secretariat, bytes]:
    publisher = Secretariat()
    publisher.put(egy.signed())
    document = publisher.document_json()
    if offline:
        document["offline_states"] = list(offline)
    return publisher, publisher.sign_json(document)


def test_offline_states_round_trip_signed_by_the_authority_alone(egy: FakeState) -> None:
    publisher, data = published(egy, offline_json("BRA"), offline_json("NGA"))
    trusted = TrustedDirectory(publisher.key.public_key())
    result = trusted.update(data, T0 + HOUR)
    assert result.offline_added == ("BRA", "NGA")
    assert "added without a node: BRA NGA" in result.summary()
    directory = trusted.directory
    assert [o.state for o in directory.offline_states] == ["BRA", "NGA"]
    brazil = directory.offline_states[0]
    assert brazil.channels == ("diplomatic", "email")
    assert brazil.updated == date(2026, 10, 2)
    assert brazil.authorities[0].postal_address == "SCN Quadra 6\nBrasília DF 70716-900"
    assert brazil.declarations == {"dual-criminality-reservation-for-preservation": True}
    assert json.loads(data)["directory"]["offline_states"][0] == offline_json("BRA")
    assert load_document(data).to_json() == json.loads(data)

    def redirect(document: dict[str, Any]) -> None:
        document["directory"]["offline_states"][0]["authorities"][0]["email"] = "x@evil.example"

    with pytest.raises(BadDirectorySignature):
        TrustedDirectory(publisher.key.public_key()).update(edit(data, redirect), T0 + HOUR)
    # An offline State has no key: it can never sign a message.
    with pytest.raises(Exception, match="BRA"):
        trusted.key_for("BRA", "anything", T0 + HOUR)


def test_a_directory_without_offline_states_is_written_as_before(egy: FakeState) -> None:
    _, data = published(egy)
    document = load_document(data)
    assert document.directory.offline_states == ()
    assert "offline_states" not in document.directory.to_json()
    assert dump_json(document.to_json()) == data


def test_the_document_signed_before_contacts_existed_still_verifies_byte_for_byte() -> None:
    data = VECTOR.read_bytes()
    document = load_document(data)
    assert dump_json(document.to_json()) == data
    for signed in document.directory.states:
        verify_self_signed(signed)
        assert signed.entry.channels == ()
        assert signed.entry.document_certificates == ()
    contact = document.directory.contact_of("EGY")
    assert contact is not None
    assert (contact.on_network, contact.channels) == (True, ("hanoi",))
    assert contact.languages == ("ar", "en", "fr")


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"channels": ["email", "hanoi"]}, "/channels/1", "cannot take requests by 'hanoi'"),
        ({"channels": ["hanoi"]}, "/channels/0", "cannot take requests by 'hanoi'"),
        ({"channels": ["telex"]}, "/channels/0", "must be one of"),
        ({"channels": []}, "/channels", "at least 1"),
        ({"state": "Brazil"}, "/state", "ISO 3166-1 alpha-3"),
        ({"updated": "2 October 2026"}, "/updated", "a day such as"),
        ({"updated": "2026-02-30"}, "/updated", "a day such as"),
        ({"updated": "2026-10-02T00:00:00Z"}, "/updated", "a day such as"),
        ({"source": ""}, "/source", "must not be empty"),
        ({"authorities": []}, "/authorities", "at least 1"),
        ({"declarations": {"Not A Key": True}}, "/declarations/Not A Key", "catalogue key"),
        ({"declarations": {"x": 1.5}}, "/declarations/x", "an integer or a string"),
    ],
)
def test_a_bad_offline_state_is_refused_by_path(
    egy: FakeState, change: dict[str, Any], where: str, message: str
) -> None:
    publisher = Secretariat()
    publisher.put(egy.signed())
    document = publisher.document_json()
    document["offline_states"] = [offline_json("NGA"), offline_json("BRA", **change)]
    with pytest.raises(MalformedDirectory) as raised:
        parse_directory(document, path="/directory")
    path, text = problem_of(raised)
    assert (path, message in text) == (f"/directory/offline_states/1{where}", True), text


def test_missing_members_of_an_offline_state_are_named(egy: FakeState) -> None:
    for member in ("state", "name", "authorities", "channels", "declarations", "source"):
        value = offline_json("BRA")
        del value[member]
        with pytest.raises(MalformedDirectory) as raised:
            parse_directory({**Secretariat().document_json(), "offline_states": [value]})
        assert problem_of(raised) == (f"/offline_states/0/{member}", "is missing")


def test_a_state_is_either_on_the_network_or_off_it(egy: FakeState) -> None:
    publisher = Secretariat()
    publisher.put(FakeState("AUT").signed())
    publisher.put(egy.signed())
    document = publisher.document_json()
    document["offline_states"] = [offline_json("BRA"), offline_json("EGY")]
    with pytest.raises(MalformedDirectory) as raised:
        parse_directory(document, path="/directory")
    path, text = problem_of(raised)
    assert path == "/directory/offline_states/1/state"
    assert "EGY is also listed with a node (states/1)" in text

    document["offline_states"] = [offline_json("BRA"), offline_json("BRA")]
    with pytest.raises(MalformedDirectory) as raised:
        parse_directory(document)
    assert problem_of(raised) == ("/offline_states/1/state", "BRA appears more than once")

    document["offline_states"] = []
    with pytest.raises(MalformedDirectory, match="malformed") as raised:
        parse_directory(document)
    assert problem_of(raised)[0] == "/offline_states"


def test_offline_states_keep_unknown_members_and_have_limits(egy: FakeState) -> None:
    publisher = Secretariat()
    publisher.put(egy.signed())
    value = offline_json("BRA", hours="Monday to Friday")
    value["authorities"][0]["fax"] = "+55 61 0000 0001"
    document = publisher.document_json()
    document["offline_states"] = [value]
    directory = parse_directory(copy.deepcopy(document))
    assert directory.offline_states[0].extra == {"hours": "Monday to Friday"}
    assert directory.offline_states[0].authorities[0].extra == {"fax": "+55 61 0000 0001"}
    assert directory.to_json() == document

    for change in (
        {"source": "s" * (DEFAULT_LIMITS.max_source_chars + 1)},
        {"name": "n" * (DEFAULT_LIMITS.max_name_chars + 1)},
    ):
        document["offline_states"] = [offline_json("BRA", **change)]
        with pytest.raises(DirectoryTooLarge):
            parse_directory(document)
    document["offline_states"] = [
        offline_json(f"A{chr(65 + i // 26)}{chr(65 + i % 26)}")
        for i in range(DEFAULT_LIMITS.max_offline_states + 1)
    ]
    with pytest.raises(DirectoryTooLarge, match="offline_states"):
        parse_directory(document)


def test_an_update_names_offline_states_changed_and_removed(egy: FakeState) -> None:
    publisher, first = published(egy, offline_json("BRA"), offline_json("NGA"))
    trusted = TrustedDirectory(publisher.key.public_key())
    trusted.update(first, T0 + HOUR)
    document = publisher.document_json()
    document["offline_states"] = [
        offline_json("BRA", channels=["courier"]),
        offline_json("PER"),
    ]
    result = trusted.update(publisher.sign_json(document), T0 + 2 * HOUR)
    assert (result.offline_added, result.offline_removed, result.offline_changed) == (
        ("PER",),
        ("NGA",),
        ("BRA",),
    )
    assert result.added == result.removed == result.changed == ()
    # A State that installs a node moves from offline_states to states: trust on first use.
    aut = FakeState("BRA")
    publisher.put(aut.signed())
    document = publisher.document_json()
    document["offline_states"] = [offline_json("PER")]
    moved = trusted.update(publisher.sign_json(document), T0 + 3 * HOUR)
    assert (moved.added, moved.offline_removed) == (("BRA",), ("BRA",))


# --- the query API -----------------------------------------------------------------------


def test_contact_of_answers_for_a_state_with_a_node_or_without(egy: FakeState) -> None:
    certificate = certificate_from_pem(certificate_pem())
    value = egy.entry_json()
    value["channels"] = ["hanoi", "email"]
    value["document_certificates"] = [certificate]
    publisher = Secretariat()
    publisher.put(sign_entry(parse_entry(value), [egy.signing]))
    vnm = FakeState("VNM")
    publisher.put(vnm.signed())
    document = publisher.document_json()
    document["offline_states"] = [offline_json("BRA")]
    directory = parse_directory(document)

    assert directory.all_states() == ("BRA", "EGY", "VNM")
    assert directory.state_codes() == ("EGY", "VNM")  # messages go to these only

    egypt = directory.contact_of("EGY")
    assert isinstance(egypt, StateContact)
    assert (egypt.state, egypt.on_network) == ("EGY", True)
    assert egypt.channels == ("hanoi", "email")
    assert egypt.document_certificates == (certificate,)
    assert egypt.languages == ("en", "fr")
    assert egypt.authorities_of("point-of-contact")[0].languages == ("en",)
    assert egypt.node_url == "https://egy.example/"
    assert egypt.declarations == {"dual-criminality-reservation-for-preservation": True}

    viet_nam = directory.contact_of("VNM")
    assert viet_nam is not None
    assert viet_nam.channels == ("hanoi",)  # no channels member: its node only

    brazil = directory.contact_of("BRA")
    assert brazil is not None
    assert (brazil.on_network, brazil.name) == (False, "Central Authority of BRA")
    assert brazil.channels == ("diplomatic", "email")
    assert brazil.languages == ("pt", "en", "es")
    assert [a.languages for a in brazil.authorities] == [("pt", "en", "es"), ("pt", "en")]
    assert brazil.authorities[0].telephone == "+55 61 2025-8900"
    assert (brazil.source, brazil.updated) == (
        "Note verbale 123/2026 of 2 October 2026",
        date(2026, 10, 2),
    )
    assert (brazil.document_certificates, brazil.node_url) == ((), "")
    assert directory.contact_of("FRA") is None


# --- authoring ---------------------------------------------------------------------------


def test_an_authority_spec_takes_contact_fields() -> None:
    spec = parse_authority_spec(
        "kind=central-authority; name=Ministry of Justice; languages=ar,en; contact=see below; "
        "postal_address=1 Justice Street, Cairo; email=mla@justice.example; "
        "telephone=+20 2 0000 0000"
    )
    assert spec["postal_address"] == "1 Justice Street, Cairo"
    assert spec["email"] == "mla@justice.example"
    assert spec["telephone"] == "+20 2 0000 0000"
    bare = parse_authority_spec("kind=point-of-contact; name=24/7; languages=en; contact=+1")
    assert not set(bare) & set(CONTACTS)
    with pytest.raises(InvalidInput, match="email is given twice"):
        parse_authority_spec(
            "kind=point-of-contact; name=x; languages=en; contact=y; email=a@b.c; email=d@e.f"
        )
    with pytest.raises(InvalidInput, match="'fax'"):
        parse_authority_spec("kind=point-of-contact; name=x; languages=en; contact=y; fax=1")
    entry = build_entry(
        FakeState("EGY").identity(),
        node_url="https://egy.example/",
        authorities=[spec, bare],
        declarations={},
        valid_from=T0,
        channels=["hanoi", "diplomatic"],
        document_certificates=[certificate_from_pem(certificate_pem())],
    )
    assert entry.authorities[0].email == "mla@justice.example"
    assert entry.channels == ("hanoi", "diplomatic")
    assert len(entry.document_certificates) == 1
    with pytest.raises(MalformedDirectory) as raised:
        build_entry(
            FakeState("EGY").identity(),
            node_url="https://egy.example/",
            authorities=[{**spec, "email": "not an address"}],
            declarations={},
            valid_from=T0,
            channels=["fax"],
        )
    assert problem_of(raised)[0] == "/authorities/0/email"


OFFLINE_TOML = """
[[offline_states]]
state = "NGA"
name = "Federal Ministry of Justice of Nigeria"
channels = ["diplomatic", "courier"]
source = "UNODC directory of competent national authorities, 2026"
updated = 2026-09-15

[[offline_states.authorities]]
kind = "central-authority"
name = "Central Authority Unit"
languages = ["en"]
contact = "By diplomatic note"
postal_address = '''
Federal Secretariat Complex
Abuja'''
email = "cau@justice.example"
telephone = "+234 9 000 0000"

[[offline_states]]
state = "BRA"
name = "Central Authority of Brazil"
channels = ["email", "diplomatic"]
source = "Note verbale 123/2026"
updated = "2026-10-02"
declarations = { dual-criminality-reservation-for-preservation = true }

[[offline_states.authorities]]
kind = "central-authority"
name = "DRCI"
languages = ["pt", "en"]
contact = "cooperacao@justice.example"
"""


def test_an_offline_file_in_toml_or_json_is_assembled_sorted(egy: FakeState) -> None:
    offline = load_offline_file(OFFLINE_TOML.encode(), toml=True)
    assert [o["state"] for o in offline] == ["NGA", "BRA"]
    assert offline[0]["updated"] == "2026-09-15"
    assert offline[0]["declarations"] == {}
    assert offline[0]["authorities"][0]["postal_address"] == "Federal Secretariat Complex\nAbuja"
    as_json = json.dumps({"offline_states": offline}).encode()
    assert load_offline_file(as_json, toml=False) == offline

    directory = assemble([egy.signed()], version=1, issued_at=T0, expires=T0 + DAY, offline=offline)
    assert [o.state for o in directory.offline_states] == ["BRA", "NGA"]
    assert directory.offline_states[1].authorities[0].email == "cau@justice.example"
    plain = assemble([egy.signed()], version=1, issued_at=T0, expires=T0 + DAY)
    assert "offline_states" not in plain.to_json()


def test_assembling_names_the_offline_state_in_the_files_order(egy: FakeState) -> None:
    offline = load_offline_file(OFFLINE_TOML.encode(), toml=True)
    offline[1]["channels"] = ["hanoi"]
    with pytest.raises(MalformedDirectory) as raised:
        assemble([egy.signed()], version=1, issued_at=T0, expires=T0 + DAY, offline=offline)
    assert problem_of(raised)[0] == "/offline_states/1/channels/0"

    offline = load_offline_file(OFFLINE_TOML.encode(), toml=True)
    offline[1]["state"] = "EGY"
    with pytest.raises(MalformedDirectory, match=r"EGY runs a node \(entries/0\)") as raised:
        assemble([egy.signed()], version=1, issued_at=T0, expires=T0 + DAY, offline=offline)
    assert problem_of(raised)[0] == "/offline_states/1/state"

    offline = load_offline_file(OFFLINE_TOML.encode(), toml=True)
    offline[1]["state"] = "NGA"
    with pytest.raises(MalformedDirectory, match="twice without a node") as raised:
        assemble([egy.signed()], version=1, issued_at=T0, expires=T0 + DAY, offline=offline)
    assert problem_of(raised)[0] == "/offline_states/1/state"


@pytest.mark.parametrize(
    ("data", "toml", "message"),
    [
        (b"[[offline]]\nstate = 'BRA'\n", True, "one member, offline_states"),
        (b"offline_states = []\n", True, "non-empty list"),
        (b"offline_states = [1]\n", True, "offline_states[0] in the offline States file is not"),
        (b"[[offline_states]]\nnode = 'x'\n", True, "unknown member 'node'"),
        (
            b"[[offline_states]]\n[[offline_states.authorities]]\nfax = '1'\n",
            True,
            "offline_states[0].authorities[0] in the offline States file has an unknown member",
        ),
        (b"[[offline_states]]\nupdated = 2026-10-02T10:00:00Z\n", True, "a day, not a time"),
        (b"[[offline_states]\n", True, "not valid TOML"),
        (b'{"offline_states": [{}], "offline_states": []}', False, "not valid JSON"),
        (b"#" * (2 * 1024 * 1024 + 1), True, "larger than"),
    ],
)
def test_a_bad_offline_file_is_refused(data: bytes, toml: bool, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        load_offline_file(data, toml=toml)


def test_contacts_survive_canonical_form_unchanged(egy: FakeState) -> None:
    """RFC 8785 keeps non-ASCII text as it is: an Arabic postal address is signed as written."""
    value = egy.entry_json()
    value["authorities"][0]["postal_address"] = ARABIC_ADDRESS
    entry = parse_entry(value)
    assert ARABIC_ADDRESS.encode().replace(b"\n", b"\\n") in canonical(entry.to_json())
