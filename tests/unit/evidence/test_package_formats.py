"""The package's formats on their own: BagIt text files, safe names, the statement, trust files."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import IntegrityError, InvalidInput
from hanoi.evidence.bag import (
    check_bagit_txt,
    format_bag_info,
    format_manifest,
    parse_bag_info,
    parse_manifest,
    payload_oxum,
)
from hanoi.evidence.layout import PackageLimits, check_relative_path, payload_path, sanitise_stem
from hanoi.evidence.package_errors import (
    BadStatementSignature,
    MalformedPackage,
    UnsafePath,
    UntrustedSigner,
)
from hanoi.evidence.statement import (
    JWS_TYPE,
    PayloadEntry,
    Statement,
    default_conditions,
    open_statement,
    parse_statement,
    sign_statement,
)
from hanoi.evidence.trust import MalformedTrustFile, decode_signing_key, parse_trust
from hanoi.node.identity import FormerKey
from unit.evidence.package_support import make_node

DIGEST = "ab" * 32


def statement(**changes: object) -> Statement:
    base = Statement(
        package_id="5f0c3d2e-1111-4222-8333-444455556666",
        created=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        sending_state="EGY",
        request="EGY-2026-00042",
        recipients=("age1x96y6uez0kdjcv5mp3f4ahvnnxwyjgmxramnh27q9yg66vd7qf4qmur3xf",),
        conditions=default_conditions(sending_state="EGY", request="EGY-2026-00042"),
        payload=(
            PayloadEntry(
                name="mail box.mbox",
                path="data/mail_box.mbox.age",
                sha256=DIGEST,
                size=10,
                ciphertext_sha256="cd" * 32,
                ciphertext_size=226,
                media_type="application/mbox",
            ),
        ),
        tag_files={"bag-info.txt": "ef" * 32},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- BagIt text files -------------------------------------------------------------------


def test_manifest_round_trip_is_what_bagit_py_writes() -> None:
    digests = {"data/b.age": "11" * 32, "data/a.age": "22" * 32}
    data = format_manifest(digests)
    assert data == f"{'22' * 32}  data/a.age\n{'11' * 32}  data/b.age\n".encode()
    assert parse_manifest(data, name="m") == digests


def test_manifest_reading_follows_rfc_8493() -> None:
    data = f"{'AB' * 32}\tdata/x%25y.age\r\n{'cd' * 32}   data/z.age".encode()
    assert parse_manifest(data, name="m") == {"data/x%y.age": "ab" * 32, "data/z.age": "cd" * 32}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"{'ab' * 32}  ../etc/passwd", "'..'"),
        (f"{'ab' * 32}  /etc/passwd", "absolute"),
        (f"{'ab' * 32}  data//x", "empty"),
        ("abc  data/x", "not '<sha256> <path>'"),
        (f"{'ab' * 32}  data/x\n{'cd' * 32}  data/x", "listed twice"),
    ],
)
def test_manifest_refuses_bad_lines(line: str, message: str) -> None:
    with pytest.raises(MalformedPackage, match=message):
        parse_manifest(line.encode(), name="manifest-sha256.txt")


def test_manifest_entry_count_is_limited() -> None:
    data = format_manifest({f"data/{n}.age": "ab" * 32 for n in range(3)})
    with pytest.raises(MalformedPackage, match=r"more than 2"):
        parse_manifest(data, name="m", limits=PackageLimits(max_files=2))


def test_bag_info_round_trip_and_continuation_lines() -> None:
    fields = [("Payload-Oxum", payload_oxum([3, 4])), ("Sending-State", "EGY")]
    assert parse_bag_info(format_bag_info(fields)) == [("Payload-Oxum", "7.2"), *fields[1:]]
    assert parse_bag_info(b"Note: one\n  two\n") == [("Note", "one two")]
    with pytest.raises(MalformedPackage, match=r"one line"):
        format_bag_info([("Note", "a\nInjected: b")])
    with pytest.raises(MalformedPackage, match=r"not 'Label: value'"):
        parse_bag_info(b"no colon here\n")


def test_bagit_txt_must_declare_version_1_0_in_utf_8() -> None:
    check_bagit_txt(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    with pytest.raises(MalformedPackage, match=r"BagIt-Version"):
        check_bagit_txt(b"BagIt-Version: 0.96\nTag-File-Character-Encoding: UTF-8\n")


# --- names and paths --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "stem"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "etc_passwd"),
        (".hidden", "hidden"),
        ("Café №5 résumé.txt", "Cafe_No5_resume.txt"),
        ("رسالة.eml", "eml"),
        ("...", "file"),
        ("a" * 300, "a" * 200),
    ],
)
def test_payload_names_are_sanitised(original: str, stem: str) -> None:
    assert sanitise_stem(original) == stem


def test_payload_paths_are_unique_ignoring_case() -> None:
    taken = {"data/Mail.age"}
    assert payload_path("mail", taken=taken) == "data/mail-2.age"
    assert payload_path("mail", taken={*taken, "data/mail-2.age"}) == "data/mail-3.age"


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/abs", "C:/x", "a\\b", "a/./b", "a\x00b"])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(UnsafePath):
        check_relative_path(path)


# --- the statement ----------------------------------------------------------------------


def test_statement_round_trips_through_canonical_json_and_keeps_unknown_members() -> None:
    s = statement(unknown={"future": {"x": [1, 2]}})
    value = s.to_json()
    value["conditions"]["court_order"] = "only for case 42"
    value["payload"][0]["source"] = "provider"
    parsed = parse_statement(rfc8785.dumps(value))
    assert parsed.unknown == {"future": {"x": [1, 2]}}
    assert parsed.conditions.unknown == {"court_order": "only for case 42"}
    assert parsed.payload[0].unknown == {"source": "provider"}
    assert rfc8785.dumps(parsed.to_json()) == rfc8785.dumps(value)


def test_statement_must_be_canonical_and_of_a_known_version() -> None:
    s = statement()
    pretty = json.dumps(s.to_json(), indent=2).encode()
    with pytest.raises(MalformedPackage, match=r"canonical"):
        parse_statement(pretty)
    with pytest.raises(MalformedPackage, match=r"version 2"):
        parse_statement(rfc8785.dumps({**s.to_json(), "version": 2}))
    with pytest.raises(MalformedPackage, match=r"larger than"):
        parse_statement(s.canonical(), limits=PackageLimits(max_statement=64))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sending_state": "egypt"}, "alpha-3"),
        ({"recipients": ()}, "recipients"),
        ({"payload": ()}, "no payload"),
        ({"tag_files": {"statement.jws": "ab" * 32}}, "cannot bind"),
        ({"tag_files": {"../x": "ab" * 32}}, "'..'"),
    ],
)
def test_statement_fields_are_checked(change: dict[str, object], message: str) -> None:
    with pytest.raises(MalformedPackage, match=message):
        statement(**change)


def test_payload_entry_names_and_paths_are_checked() -> None:
    entry = statement().payload[0]
    with pytest.raises(MalformedPackage, match=r"file name"):
        replace(entry, name="../x")
    with pytest.raises(MalformedPackage, match=r"data/<name>"):
        replace(entry, path="custody/x.age")
    with pytest.raises(MalformedPackage, match=r"digest"):
        replace(entry, sha256="AB" * 32)


def test_statement_signature_is_a_jws_any_jose_library_reads() -> None:
    key = Ed25519PrivateKey.generate()
    token = sign_statement(statement(), key)
    header = json.loads(base64.urlsafe_b64decode(token.split(b".")[0] + b"=="))
    assert header == {"alg": "EdDSA", "kid": jwk_thumbprint(key.public_key()), "typ": JWS_TYPE}
    signing_input, _, signature = token.rpartition(b".")
    key.public_key().verify(base64.urlsafe_b64decode(signature + b"=="), signing_input)
    payload = base64.urlsafe_b64decode(token.split(b".")[1] + b"==")
    assert payload == statement().canonical()
    opened = open_statement(token, key_for=lambda kid: key.public_key())
    assert opened.statement == statement()
    assert opened.key_id == header["kid"]


def test_a_changed_statement_fails_its_signature() -> None:
    key = Ed25519PrivateKey.generate()
    header, payload, signature = sign_statement(statement(), key).split(b".")
    other = sign_statement(statement(request="EGY-2026-99999"), key).split(b".")[1]
    with pytest.raises(BadStatementSignature, match=r"altered"):
        open_statement(b".".join([header, other, signature]), key_for=lambda _: key.public_key())
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(BadStatementSignature):
        open_statement(b".".join([header, payload, signature]), key_for=lambda _: stranger)


def test_statement_header_is_checked_before_any_key_is_looked_up() -> None:
    def no_key(kid: str) -> Ed25519PrivateKey:
        raise UntrustedSigner(f"unknown {kid}")

    with pytest.raises(MalformedPackage, match=r"compact JWS"):
        open_statement(b"not a jws", key_for=no_key)  # type: ignore[arg-type]
    key = Ed25519PrivateKey.generate()
    token = sign_statement(statement(), key)
    with pytest.raises(UntrustedSigner):
        open_statement(token, key_for=no_key)  # type: ignore[arg-type]


# --- trust files ------------------------------------------------------------------------


def test_trust_file_in_all_three_shapes() -> None:
    egy, fra = make_node("EGY"), make_node("FRA")
    one = json.dumps(egy.identity.as_json()).encode()
    listed = json.dumps([egy.identity.as_json(), fra.identity.as_json()]).encode()
    wrapped = json.dumps(
        {"nodes": [egy.identity.as_json(), fra.identity.as_json()], "min_witnesses": 1}
    ).encode()
    assert parse_trust(one).nodes == (egy.identity,)
    assert parse_trust(listed).signer(fra.identity.signing_key_id) == fra.identity
    trust = parse_trust(wrapped)
    assert trust.min_witnesses == 1
    assert trust.log(egy.origin) == egy.identity
    policy = trust.policy_for(egy.origin)
    assert [k.name for k in policy.witness_keys] == [fra.identity.witness_name]
    assert policy.min_witnesses == 1


def test_trust_file_is_checked() -> None:
    egy, fra = make_node("EGY"), make_node("FRA")
    wrong_kid = {**egy.identity.as_json(), "signing_key_id": fra.identity.signing_key_id}
    with pytest.raises(MalformedTrustFile, match=r"thumbprint"):
        parse_trust(json.dumps(wrong_kid).encode())
    with pytest.raises(MalformedTrustFile, match=r"lacks log_verifier_key"):
        parse_trust(json.dumps({**egy.identity.as_json(), "log_verifier_key": ""}).encode())
    with pytest.raises(MalformedTrustFile, match=r"needs more nodes"):
        parse_trust(json.dumps({"nodes": [egy.identity.as_json()], "min_witnesses": 1}).encode())
    with pytest.raises(MalformedTrustFile, match=r"a signing key is listed twice"):
        parse_trust(json.dumps([egy.identity.as_json()] * 2).encode())
    with pytest.raises(MalformedTrustFile, match=r"larger than"):
        parse_trust(b" " * 2_000_000)
    with pytest.raises(UntrustedSigner, match=r"not in the trust file"):
        parse_trust(json.dumps(egy.identity.as_json()).encode()).signer("nope")
    with pytest.raises(InvalidInput):
        parse_trust(json.dumps(egy.identity.as_json()).encode()).policy_for("other/log")


def test_a_rotated_node_lists_its_former_keys_in_the_trust_file() -> None:
    egy, fra = make_node("EGY"), make_node("FRA")
    former = FormerKey.of(Ed25519PrivateKey.generate())
    rotated = {**egy.identity.as_json(), "former_keys": [former.as_json()]}
    trust = parse_trust(json.dumps([rotated, fra.identity.as_json()]).encode())
    assert trust.knows(former.signing_key_id)
    assert trust.signer(former.signing_key_id).state == "EGY"
    assert trust.signing_key(former.signing_key_id) == decode_signing_key(former.signing_public_key)
    assert trust.signing_key(egy.identity.signing_key_id) == decode_signing_key(
        egy.identity.signing_public_key
    )
    assert not trust.knows(FormerKey.of(Ed25519PrivateKey.generate()).signing_key_id)

    wrong = {**former.as_json(), "signing_key_id": egy.identity.signing_key_id}
    for bad, message in (
        ({**rotated, "former_keys": [wrong]}, r"former key 1: signing_key_id is not the thumbpr"),
        ({**rotated, "former_keys": [{"signing_key_id": "x"}]}, r"former key 1 lacks"),
        ({**rotated, "former_keys": "none"}, r"former_keys is a list"),
        ({**rotated, "former_keys": [former.as_json()] * 33}, r"at most 32"),
        ([rotated, {**fra.identity.as_json(), "former_keys": [former.as_json()]}], r"listed twice"),
    ):
        with pytest.raises(MalformedTrustFile, match=message):
            parse_trust(json.dumps(bad).encode())


def test_error_families() -> None:
    assert issubclass(MalformedPackage, InvalidInput)
    assert issubclass(BadStatementSignature, IntegrityError)
