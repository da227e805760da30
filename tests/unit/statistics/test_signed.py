"""A State's signed figures: read back exactly when its own key signed them, and refused,
with the exit code of the family, when a byte changed, another key signed, the State
is not trusted, the file is another kind of signed object, or the figures are not
statistics."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hanoi.cli.output import exit_code_for
from hanoi.crypto.jws import sign_compact
from hanoi.directory.signing import DIRECTORY_JWS_TYPE, ENTRY_JWS_TYPE
from hanoi.errors import HanoiError
from hanoi.evidence.package_errors import MalformedPackage
from hanoi.evidence.statement import JWS_TYPE as EVIDENCE_JWS_TYPE
from hanoi.evidence.statement import open_statement
from hanoi.evidence.trust import TrustStore
from hanoi.federation.envelope import MESSAGE_JWS_TYPE
from hanoi.federation.receipts import RECEIPT_JWS_TYPE
from hanoi.statistics.figures import Durations, figures_json
from hanoi.statistics.signed import (
    JWS_TYPE,
    MAX_STATEMENT_BYTES,
    ForgedStatistics,
    MalformedStatistics,
    TrustedKey,
    UntrustedStatistics,
    sign_statistics,
    statement_json,
    verify_statistics,
)
from hanoi.statistics.trust import DirectoryTrust, TrustFileTrust, load_trust_source
from hanoi.wire import canonical_json
from unit.directory.builder import DAY, T0, FakeState, KeySpec, Secretariat
from unit.statistics.figures_builder import SIGNED, figures

EGY, VNM, FRA = FakeState("EGY"), FakeState("VNM"), FakeState("FRA")
FIGURES = figures("EGY", sent={"VNM": 5}, received={"VNM": 3}, refused=1,
                  days=Durations(3, 4.0, 9.5))  # fmt: skip


def trust_file(*states: FakeState) -> TrustFileTrust:
    return TrustFileTrust(TrustStore(tuple(s.identity() for s in states)))


def sign(state: FakeState = EGY, **kwargs: Any) -> bytes:
    return sign_statistics(FIGURES, state.signing, directory_version=7, signed_at=SIGNED, **kwargs)


def resign(payload: dict[str, Any], *, key: FakeState = EGY, issuer: str = "EGY") -> bytes:
    """A statement written and signed by hand: whatever the payload, a valid signature."""
    return sign_compact(canonical_json(payload), key.signing, typ=JWS_TYPE, issuer=issuer).encode()


def refused(
    data: bytes, trust: Any, error: type[HanoiError], code: int, match: str | None = None
) -> None:
    with pytest.raises(error, match=match) as caught:
        verify_statistics(data, trust, what="egy.jws")
    assert exit_code_for(caught.value) == code
    assert str(caught.value).startswith("egy.jws")


def test_figures_signed_by_their_state_read_back_exactly() -> None:
    read = verify_statistics(sign(), trust_file(EGY, VNM), what="egy.jws")
    assert figures_json(read.figures) == figures_json(FIGURES)
    assert (read.state, read.directory_version, read.signed_at) == ("EGY", 7, SIGNED)
    header = json.loads(base64.urlsafe_b64decode(sign().split(b".")[0] + b"=="))
    assert header == {"alg": "EdDSA", "kid": read.key_id, "typ": JWS_TYPE, "iss": "EGY"}


def test_the_signed_directory_gives_the_keys_with_its_authority_key() -> None:
    secretariat = Secretariat()
    for state in (EGY, VNM):
        secretariat.put(state.signed())
    document = secretariat.publish()
    trust = load_trust_source(document, authority_key=secretariat.key.public_key())
    assert isinstance(trust, DirectoryTrust)
    assert verify_statistics(sign(), trust, what="egy.jws").state == "EGY"
    fra = sign_statistics(figures("FRA"), FRA.signing, directory_version=7, signed_at=SIGNED)
    refused(fra, trust, UntrustedStatistics, 7, "runs no node")
    refused(sign(FRA), trust, UntrustedStatistics, 7, "not a key of EGY")
    with pytest.raises(HanoiError, match="--authority-key"):
        load_trust_source(document, authority_key=None)
    with pytest.raises(HanoiError) as caught:  # another authority signed it
        load_trust_source(document, authority_key=FRA.signing.public_key())
    assert exit_code_for(caught.value) == 6


def test_a_key_used_after_the_directory_retired_it_is_not_trusted() -> None:
    secretariat = Secretariat()
    secretariat.put(EGY.signed(keys=[KeySpec(EGY.signing, T0 - DAY, T0)]))
    trust = load_trust_source(secretariat.publish(), authority_key=secretariat.key.public_key())
    assert SIGNED > T0
    refused(sign(), trust, UntrustedStatistics, 7, "valid only")
    early = sign_statistics(FIGURES, EGY.signing, directory_version=7, signed_at=T0 - DAY / 2)
    assert verify_statistics(early, trust, what="x").state == "EGY"


def _segments(data: bytes) -> list[bytes]:
    return data.split(b".")


def test_a_changed_byte_of_the_payload_is_forgery() -> None:
    header, payload, signature = _segments(sign())
    statement = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    statement["figures"]["outgoing"]["by_state"]["VNM"] = 4  # one count, re-encoded
    statement["figures"]["outgoing"]["total"] = 4
    changed = base64.urlsafe_b64encode(canonical_json(statement)).rstrip(b"=")
    refused(b".".join([header, changed, signature]), trust_file(EGY), ForgedStatistics, 6)


@pytest.mark.parametrize("where", [1, 2])
def test_a_changed_character_anywhere_signed_is_forgery(where: int) -> None:
    parts = _segments(sign())
    middle = len(parts[where]) // 2
    flipped = b"A" if parts[where][middle : middle + 1] != b"A" else b"B"
    parts[where] = parts[where][:middle] + flipped + parts[where][middle + 1 :]
    refused(b".".join(parts), trust_file(EGY), ForgedStatistics, 6, "does not verify")


def test_figures_signed_with_another_states_key_are_not_trusted() -> None:
    # VNM's key, claiming to be EGY's figures (header and payload say EGY)
    forged = sign_statistics(FIGURES, VNM.signing, directory_version=7, signed_at=SIGNED)
    refused(forged, trust_file(EGY, VNM), UntrustedStatistics, 7, "gives to VNM, not to 'EGY'")
    # a key nobody trusts
    refused(sign(FRA), trust_file(EGY, VNM), UntrustedStatistics, 7, "not in the trust file")


def test_a_state_signs_only_its_own_figures() -> None:
    """VNM's own key and name in the header, EGY's figures inside: a trusted signer, but
    not the State whose figures they are."""
    payload = statement_json(FIGURES, directory_version=7, signed_at=SIGNED)
    refused(resign(payload, key=VNM, issuer="VNM"), trust_file(EGY, VNM),
            UntrustedStatistics, 7, "a State signs only its own")  # fmt: skip


OTHER_TYPES = [EVIDENCE_JWS_TYPE, MESSAGE_JWS_TYPE, RECEIPT_JWS_TYPE, ENTRY_JWS_TYPE,
               DIRECTORY_JWS_TYPE]  # fmt: skip


def test_no_other_signed_object_has_the_type_of_statistics() -> None:
    assert JWS_TYPE not in OTHER_TYPES


@pytest.mark.parametrize("typ", [*OTHER_TYPES, "JWT"])
def test_a_signed_object_of_another_type_is_not_statistics(typ: str) -> None:
    payload = canonical_json(statement_json(FIGURES, directory_version=7, signed_at=SIGNED))
    other = sign_compact(payload, EGY.signing, typ=typ, issuer="EGY").encode()
    refused(other, trust_file(EGY), MalformedStatistics, 2, "typ")


def test_statistics_are_not_an_evidence_statement() -> None:
    with pytest.raises(MalformedPackage, match=r"statement\.jws"):
        open_statement(sign(), key_for=lambda _: EGY.signing.public_key())


def test_a_payload_of_another_type_under_our_header_is_refused() -> None:
    payload = statement_json(FIGURES, directory_version=7, signed_at=SIGNED)
    payload["type"] = "hanoi.evidence-statement"
    refused(resign(payload), trust_file(EGY), MalformedStatistics, 2, "type")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda p: p["figures"]["outgoing"].update(requester="Amira Haddad"), "requester"),
        (lambda p: p["figures"]["incoming"].update(total=4), "does not add up"),
        (lambda p: p.update(cases=["EGY-2026-00042"]), "not statistics: cases"),
        (lambda p: p.update(state="VNM"), "only its own"),
        (lambda p: p["period"].update({"to": "2026-06-30"}), "differ"),
        (lambda p: p.update(signed_at="2027-01-15"), "signed_at"),
        (lambda p: p.update(directory_version=0), "directory_version"),
        (lambda p: p.pop("directory_version"), "lacks directory_version"),
    ],
)
def test_a_payload_that_is_not_valid_statistics_is_refused(change: Any, match: str) -> None:
    payload = statement_json(FIGURES, directory_version=7, signed_at=SIGNED)
    change(payload)
    with pytest.raises(HanoiError, match=match) as caught:
        verify_statistics(resign(payload), trust_file(EGY, VNM), what="egy.jws")
    assert exit_code_for(caught.value) in (2, 7)


def test_a_payload_not_in_canonical_form_is_refused() -> None:
    payload = json.dumps(statement_json(FIGURES, directory_version=7, signed_at=SIGNED)).encode()
    data = sign_compact(payload, EGY.signing, typ=JWS_TYPE, issuer="EGY").encode()
    refused(data, trust_file(EGY), MalformedStatistics, 2, "canonical")


class _NoTrust:
    def signing_key(self, state: str, key_id: str) -> TrustedKey:
        raise AssertionError("the size is checked before any key is looked up")


def test_the_size_is_checked_first() -> None:
    refused(b"x" * (MAX_STATEMENT_BYTES + 1), _NoTrust(), MalformedStatistics, 2, "larger")
    refused(b"not a jws", _NoTrust(), MalformedStatistics, 2, "compact JWS")


def test_a_statement_names_no_directory_when_the_node_held_none() -> None:
    data = sign_statistics(FIGURES, EGY.signing, directory_version=None, signed_at=SIGNED)
    assert verify_statistics(data, trust_file(EGY), what="x").directory_version is None
