"""TrustedDirectory: every rule, each refusal, and key rotation."""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.crypto.ed25519keys import raw_public
from hanoi.directory.errors import (
    BadDirectorySignature,
    BadEntrySignature,
    DirectoryExpired,
    DirectoryFork,
    DirectoryRollback,
    EntryRollback,
    KeyNotYetValid,
    KeyRetired,
    NoDirectory,
    UnknownKey,
    UnknownState,
)
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import IntegrityError, InvalidInput, NotFound, RuleViolation
from unit.directory.builder import DAY, HOUR, T0, FakeState, KeySpec, Secretariat, edit, key_id

NOW = T0 + HOUR


@pytest.fixture
def egy() -> FakeState:
    return FakeState("EGY")


@pytest.fixture
def vnm() -> FakeState:
    return FakeState("VNM")


@pytest.fixture
def secretariat(egy: FakeState, vnm: FakeState) -> Secretariat:
    publisher = Secretariat()
    publisher.put(egy.signed())
    publisher.put(vnm.signed())
    return publisher


def trusted_at(secretariat: Secretariat, data: bytes, now: datetime = NOW) -> TrustedDirectory:
    trusted = TrustedDirectory(secretariat.key.public_key())
    trusted.update(data, now)
    return trusted


def test_a_signed_directory_is_accepted_and_gives_each_states_key(
    secretariat: Secretariat, egy: FakeState, vnm: FakeState
) -> None:
    data = secretariat.publish()
    trusted = TrustedDirectory(secretariat.key.public_key())
    result = trusted.update(data, NOW)
    assert (result.version, result.added, result.previous_version) == (1, ("EGY", "VNM"), None)
    assert trusted.held_bytes == data
    for state in (egy, vnm):
        public = trusted.key_for(state.code, key_id(state.signing), NOW)
        assert raw_public(public) == raw_public(state.signing.public_key())
    entry = trusted.entry("EGY")
    assert entry.node_url == "https://egy.example/"
    assert [a.kind for a in entry.authorities] == ["central-authority", "point-of-contact"]
    assert entry.authorities[0].languages == ("en", "fr")
    assert entry.declarations == {"dual-criminality-reservation-for-preservation": True}
    trusted.require_fresh(NOW)


def test_an_older_version_is_a_rollback_and_the_held_one_stays(secretariat: Secretariat) -> None:
    first = secretariat.publish()
    second = secretariat.publish()
    trusted = trusted_at(secretariat, second)
    with pytest.raises(DirectoryRollback, match="version 1 is older than version 2") as caught:
        trusted.update(first, NOW)
    assert isinstance(caught.value, RuleViolation)
    assert trusted.held_bytes == second
    assert trusted.directory.version == 2


def test_the_same_version_with_other_content_is_refused(
    secretariat: Secretariat, egy: FakeState
) -> None:
    trusted = trusted_at(secretariat, secretariat.publish(version=5))
    secretariat.put(egy.signed(serial=2, url="https://new.egy.example/"))
    with pytest.raises(DirectoryFork, match="two different documents"):
        trusted.update(secretariat.publish(version=5), NOW)
    assert trusted.entry("EGY").node_url == "https://egy.example/"


def test_the_same_document_again_changes_nothing(secretariat: Secretariat) -> None:
    data = secretariat.publish()
    trusted = trusted_at(secretariat, data)
    result = trusted.update(b"  " + data, NOW)  # another layout of the same signed content
    assert result.unchanged
    assert "already held" in result.summary()
    assert trusted.held_bytes == data


def test_an_expired_directory_is_refused(secretariat: Secretariat) -> None:
    data = secretariat.publish(expires=T0 + DAY)
    trusted = TrustedDirectory(secretariat.key.public_key())
    with pytest.raises(DirectoryExpired, match="expired at 2027-01-02T00:00:00Z"):
        trusted.update(data, T0 + DAY)
    assert trusted.held is None
    trusted.update(data, T0 + DAY - HOUR)
    with pytest.raises(DirectoryExpired, match="import a newer one"):
        trusted.require_fresh(T0 + 2 * DAY)


def test_a_directory_signed_by_another_key_is_refused(secretariat: Secretariat) -> None:
    data = secretariat.publish(key=Ed25519PrivateKey.generate())
    trusted = TrustedDirectory(secretariat.key.public_key())
    with pytest.raises(BadDirectorySignature, match="not by the pinned") as caught:
        trusted.update(data, NOW)
    assert isinstance(caught.value, IntegrityError)
    assert trusted.held is None


def test_a_directory_altered_after_signing_is_refused(secretariat: Secretariat) -> None:
    def redirect(value: dict) -> None:  # type: ignore[type-arg]
        value["directory"]["states"][0]["entry"]["node_url"] = "https://attacker.example/"

    data = edit(secretariat.publish(), redirect)
    with pytest.raises(BadDirectorySignature, match="does not verify"):
        trusted_at(secretariat, data)


def test_an_entry_signature_cannot_stand_in_for_the_authoritys(
    secretariat: Secretariat, egy: FakeState
) -> None:
    def swap(value: dict) -> None:  # type: ignore[type-arg]
        value["signature"] = value["directory"]["states"][0]["signatures"][0]

    with pytest.raises(BadDirectorySignature):
        trusted_at(secretariat, edit(secretariat.publish(), swap))


def test_an_entry_signed_by_another_states_key_is_refused(
    secretariat: Secretariat, egy: FakeState, vnm: FakeState
) -> None:
    secretariat.put(egy.signed(signers=[vnm.signing]))
    with pytest.raises(BadEntrySignature, match="which is not a key of EGY"):
        trusted_at(secretariat, secretariat.publish())


def test_an_entry_altered_after_the_state_signed_it_is_refused(
    secretariat: Secretariat, egy: FakeState
) -> None:
    signed = egy.signed()
    forged = type(signed)(
        entry=egy.entry(url="https://attacker.example/"), signatures=signed.signatures
    )
    secretariat.put(forged)
    with pytest.raises(BadEntrySignature, match="entry of EGY"):
        trusted_at(secretariat, secretariat.publish())


def test_the_authority_alone_cannot_rekey_a_known_state(
    secretariat: Secretariat, egy: FakeState
) -> None:
    trusted = trusted_at(secretariat, secretariat.publish())
    impostor = Ed25519PrivateKey.generate()
    secretariat.put(egy.signed(serial=2, keys=[KeySpec(impostor)], signers=[impostor]))
    with pytest.raises(BadEntrySignature, match="authority alone cannot change"):
        trusted.update(secretariat.publish(), NOW)
    assert trusted.entry("EGY").keys[0].key_id == key_id(egy.signing)
    with pytest.raises(UnknownKey):
        trusted.key_for("EGY", key_id(impostor), NOW)


def test_a_changed_entry_needs_a_higher_serial(secretariat: Secretariat, egy: FakeState) -> None:
    trusted = trusted_at(secretariat, secretariat.publish())
    secretariat.put(egy.signed(serial=1, url="https://other.egy.example/"))
    with pytest.raises(EntryRollback, match="serial 1 is not higher than the held serial 1"):
        trusted.update(secretariat.publish(), NOW)


def test_key_rotation_with_an_overlap_period(secretariat: Secretariat, egy: FakeState) -> None:
    old, new = egy.signing, Ed25519PrivateKey.generate()
    end = T0 + 10 * DAY
    trusted = trusted_at(secretariat, secretariat.publish())
    # The State lists the new key beside the old one, which it retires at ``end``.
    rotation = [KeySpec(old, valid_until=end), KeySpec(new, valid_from=T0 + DAY)]
    secretariat.put(egy.signed(serial=2, keys=rotation, signers=[old, new]))
    result = trusted.update(secretariat.publish(), T0 + 2 * DAY)
    assert result.rekeyed == ("EGY",)

    during = T0 + 5 * DAY
    assert trusted.key_for("EGY", key_id(old), during)
    assert trusted.key_for("EGY", key_id(new), during)
    with pytest.raises(KeyRetired, match="retired at 2027-01-11T00:00:00Z") as caught:
        trusted.key_for("EGY", key_id(old), end)
    assert isinstance(caught.value, RuleViolation)
    assert trusted.key_for("EGY", key_id(new), end + DAY)
    with pytest.raises(KeyNotYetValid):
        trusted.key_for("EGY", key_id(new), T0)

    # After the overlap, a change signed only by the retired key is refused...
    secretariat.put(egy.signed(serial=3, keys=[KeySpec(old)], signers=[old]))
    with pytest.raises(BadEntrySignature, match="retired"):
        trusted.update(secretariat.publish(), end + DAY)
    # ...and the new key, held now, may drop the old one.
    secretariat.put(egy.signed(serial=3, keys=[KeySpec(new, valid_from=T0 + DAY)], signers=[new]))
    trusted.update(secretariat.publish(), end + DAY)
    with pytest.raises(UnknownKey):
        trusted.key_for("EGY", key_id(old), during)


def test_a_node_that_missed_a_rotation_follows_it_through_the_old_keys_signature(
    secretariat: Secretariat, egy: FakeState
) -> None:
    old, new = egy.signing, Ed25519PrivateKey.generate()
    trusted = trusted_at(secretariat, secretariat.publish())
    rotation = [KeySpec(old, valid_until=T0 + 10 * DAY), KeySpec(new, valid_from=T0)]
    secretariat.put(egy.signed(serial=2, keys=rotation, signers=[new, old]))
    secretariat.publish()  # a version this node never sees
    trusted.update(secretariat.publish(), NOW)
    assert trusted.directory.version == 3
    assert trusted.key_for("EGY", key_id(new), NOW)


def test_a_new_state_is_trusted_on_first_use(secretariat: Secretariat, egy: FakeState) -> None:
    trusted = trusted_at(secretariat, secretariat.publish())
    fra = FakeState("FRA")
    secretariat.put(fra.signed())
    del secretariat.entries["VNM"]
    result = trusted.update(secretariat.publish(), NOW)
    assert (result.added, result.removed) == (("FRA",), ("VNM",))
    assert trusted.key_for("FRA", key_id(fra.signing), NOW)
    with pytest.raises(UnknownState):
        trusted.entry("VNM")


def test_key_for_names_what_is_unknown(secretariat: Secretariat, egy: FakeState) -> None:
    empty = TrustedDirectory(secretariat.key.public_key())
    with pytest.raises(NoDirectory):
        empty.key_for("EGY", key_id(egy.signing), NOW)
    trusted = trusted_at(secretariat, secretariat.publish())
    with pytest.raises(UnknownState, match="'ZZZ' is not in directory version 1") as caught:
        trusted.key_for("ZZZ", key_id(egy.signing), NOW)
    assert isinstance(caught.value, NotFound)
    with pytest.raises(UnknownKey, match="EGY lists no key"):
        trusted.key_for("EGY", "not-a-key", NOW)
    with pytest.raises(InvalidInput, match="timezone-aware"):
        trusted.key_for("EGY", key_id(egy.signing), NOW.replace(tzinfo=None))


def test_a_held_document_is_checked_again_when_reloaded(secretariat: Secretariat) -> None:
    data = secretariat.publish()
    reloaded = TrustedDirectory.from_held(secretariat.key.public_key(), data)
    assert reloaded.directory.version == 1
    tampered = data.replace(b"https://egy.example/", b"https://evil.example/")
    with pytest.raises(BadDirectorySignature):
        TrustedDirectory.from_held(secretariat.key.public_key(), tampered)
