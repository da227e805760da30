"""Every trust rule of the directory, in one class that does no I/O. Pure.

:class:`TrustedDirectory` holds the pinned directory authority key and the
directory this node accepted last. :meth:`TrustedDirectory.update` takes the
bytes of a new document and the current time, and either replaces the held
directory or raises; nothing changes when it raises. The rules, in the order
they are checked (see ``docs/adr/0011-signed-directory.md``):

1. Form and size limits (:class:`MalformedDirectory`, :class:`DirectoryTooLarge`).
2. The document is signed by the pinned authority key (:class:`BadDirectorySignature`).
3. Its version is not lower than the held one (:class:`DirectoryRollback`); an equal
   version must have identical content (:class:`DirectoryFork`).
4. It has not expired at ``now`` (:class:`DirectoryExpired`).
5. Every State entry:

   - every signature on it verifies, with a key listed in the entry or in the
     held entry of the same State (:class:`BadEntrySignature`);
   - a State already held, whose signed entry changed, has a higher ``serial``
     (:class:`EntryRollback`) and is signed by at least one key of the *held*
     entry that the held entry says is valid at ``now``
     (:class:`BadEntrySignature`), so the directory authority alone can never
     swap a State's keys, and a retired key can no longer change anything;
   - a State not held before is signed by a key its own entry lists (trust on
     first use, vouched for by the authority's signature).

States without a node (``offline_states``) list no keys, so nothing is ever
accepted from them as a message; their contacts are covered by the authority's
signature alone (rule 2), and a State listed both with and without a node is
malformed (rule 1). :class:`DirectoryUpdate` names those added, removed or changed.

:meth:`TrustedDirectory.key_for` is what the federation layer calls to check
the key of a signed message at the time it was signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.directory.codec import canonical, load_document
from hanoi.directory.errors import (
    BadEntrySignature,
    DirectoryExpired,
    DirectoryFork,
    DirectoryRollback,
    EntryRollback,
    KeyOutsideValidity,
    NoDirectory,
)
from hanoi.directory.limits import DEFAULT_LIMITS, DirectoryLimits
from hanoi.directory.model import (
    Directory,
    SignedDirectory,
    SignedStateEntry,
    StateEntry,
    format_time,
)
from hanoi.directory.signing import (
    KeyLookup,
    entry_signers,
    keys_by_id,
    verify_directory_signature,
    verify_self_signed,
)
from hanoi.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DirectoryUpdate:
    """What an accepted update changed, for the operator to read."""

    previous_version: int | None
    version: int
    unchanged: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    rekeyed: tuple[str, ...] = ()
    offline_added: tuple[str, ...] = ()
    """States without a node (signed by the directory authority alone) added, removed
    or changed: their contacts are the secretariat's word, so the operator sees them."""
    offline_removed: tuple[str, ...] = ()
    offline_changed: tuple[str, ...] = ()

    def summary(self) -> str:
        if self.unchanged:
            return f"directory version {self.version} is already held; nothing changed"
        before = "none" if self.previous_version is None else str(self.previous_version)
        parts = [f"directory version {self.version} accepted (was {before})"]
        for label, states in (
            ("added", self.added),
            ("removed", self.removed),
            ("changed", self.changed),
            ("re-keyed", self.rekeyed),
            ("added without a node", self.offline_added),
            ("removed without a node", self.offline_removed),
            ("changed without a node", self.offline_changed),
        ):
            if states:
                parts.append(f"{label}: {' '.join(states)}")
        return "; ".join(parts)


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None:
        raise InvalidInput(f"{what} must be a timezone-aware time")


class TrustedDirectory:
    """The pinned authority key, and the directory accepted under it (if any)."""

    def __init__(
        self, authority_key: Ed25519PublicKey, *, limits: DirectoryLimits = DEFAULT_LIMITS
    ) -> None:
        self._authority_key = authority_key
        self._limits = limits
        self._held: SignedDirectory | None = None
        self._held_bytes: bytes | None = None

    @classmethod
    def from_held(
        cls,
        authority_key: Ed25519PublicKey,
        data: bytes,
        *,
        limits: DirectoryLimits = DEFAULT_LIMITS,
    ) -> TrustedDirectory:
        """Reload a directory this node accepted before (from its own disk).

        Signatures are checked again (a file altered on disk fails); expiry and
        rollback are not, since they were checked when it was accepted.
        """
        trusted = cls(authority_key, limits=limits)
        signed = load_document(data, limits=limits)
        verify_directory_signature(signed, authority_key)
        for entry in signed.directory.states:
            verify_self_signed(entry)
        trusted._held, trusted._held_bytes = signed, data
        return trusted

    # --- what is held ---------------------------------------------------------------------

    @property
    def authority_key(self) -> Ed25519PublicKey:
        return self._authority_key

    @property
    def authority_key_id(self) -> str:
        return jwk_thumbprint(self._authority_key)

    @property
    def held(self) -> SignedDirectory | None:
        return self._held

    @property
    def held_bytes(self) -> bytes | None:
        """The held document exactly as it was given to :meth:`update`."""
        return self._held_bytes

    @property
    def directory(self) -> Directory:
        if self._held is None:
            raise NoDirectory("no directory is held yet; import one first")
        return self._held.directory

    def entry(self, state: str) -> StateEntry:
        """The held entry of ``state``; raises :class:`UnknownState`."""
        return self.directory.entry(state).entry

    def key_for(self, state: str, key_id: str, at: datetime) -> Ed25519PublicKey:
        """The public key ``key_id`` of ``state``, if it may sign at ``at``.

        Raises :class:`NoDirectory`, :class:`UnknownState`, :class:`UnknownKey`,
        :class:`KeyNotYetValid` or :class:`KeyRetired` (both
        :class:`KeyOutsideValidity`). ``at`` is when the message was signed.
        """
        _aware(at, "the signing time")
        key = self.entry(state).key(key_id)
        key.check_valid_at(at, state=state)
        return key.public()

    def require_fresh(self, now: datetime) -> None:
        """Raise :class:`DirectoryExpired` if the held directory has expired at ``now``."""
        _aware(now, "now")
        directory = self.directory
        if now >= directory.expires:
            raise DirectoryExpired(
                f"the held directory version {directory.version} expired at "
                f"{format_time(directory.expires)}; import a newer one"
            )

    # --- accepting a new document ---------------------------------------------------------

    def check(self, data: bytes, now: datetime) -> tuple[SignedDirectory, DirectoryUpdate]:
        """Apply every rule to ``data`` against what is held, without changing anything."""
        _aware(now, "now")
        signed = load_document(data, limits=self._limits)
        verify_directory_signature(signed, self._authority_key)
        held = self._held
        if held is not None:
            _no_rollback(held, signed)
        new = signed.directory
        if now >= new.expires:
            raise DirectoryExpired(
                f"directory version {new.version} expired at {format_time(new.expires)}"
            )
        if held is not None and held.version == new.version:
            return signed, DirectoryUpdate(held.version, new.version, unchanged=True)
        held_states = {s.state: s for s in held.directory.states} if held else {}
        changed: list[str] = []
        rekeyed: list[str] = []
        for entry in new.states:
            before = held_states.get(entry.state)
            if before is None:
                verify_self_signed(entry)
            elif canonical(before.to_json()) != canonical(entry.to_json()):
                _check_changed_state(before.entry, entry, now)
                changed.append(entry.state)
                if {k.key_id for k in before.entry.keys} != {k.key_id for k in entry.entry.keys}:
                    rekeyed.append(entry.state)
        new_codes = set(new.state_codes())
        held_offline = {o.state: o for o in held.directory.offline_states} if held else {}
        new_offline = {o.state: o for o in new.offline_states}
        return signed, DirectoryUpdate(
            previous_version=held.version if held else None,
            version=new.version,
            unchanged=False,
            added=tuple(sorted(new_codes - set(held_states))),
            removed=tuple(sorted(set(held_states) - new_codes)),
            changed=tuple(sorted(changed)),
            rekeyed=tuple(sorted(rekeyed)),
            offline_added=tuple(sorted(set(new_offline) - set(held_offline))),
            offline_removed=tuple(sorted(set(held_offline) - set(new_offline))),
            offline_changed=tuple(
                sorted(
                    code
                    for code, offline in new_offline.items()
                    if code in held_offline
                    and canonical(held_offline[code].to_json()) != canonical(offline.to_json())
                )
            ),
        )

    def update(self, data: bytes, now: datetime) -> DirectoryUpdate:
        """Accept ``data`` as the held directory, or raise and keep the one held."""
        signed, result = self.check(data, now)
        if not result.unchanged:
            self._held, self._held_bytes = signed, data
        return result


def _no_rollback(held: SignedDirectory, new: SignedDirectory) -> None:
    if new.version < held.version:
        raise DirectoryRollback(
            f"directory version {new.version} is older than version {held.version}, "
            "which this node holds: refusing a rollback"
        )
    if new.version == held.version and canonical(new.directory.to_json()) != canonical(
        held.directory.to_json()
    ):
        raise DirectoryFork(
            f"directory version {new.version} differs from the version {held.version} this "
            "node holds: the authority signed two different documents with one version number"
        )


def _check_changed_state(held: StateEntry, signed: SignedStateEntry, now: datetime) -> None:
    state = signed.state
    if signed.entry.serial <= held.serial:
        raise EntryRollback(
            f"the entry of {state} changed but its serial {signed.entry.serial} is not "
            f"higher than the held serial {held.serial}"
        )
    signers = entry_signers(signed, key_for=KeyLookup(keys_by_id(held, signed.entry), state))
    refusals: list[str] = []
    for key_id in sorted(signers):
        if not held.has_key(key_id):
            continue
        try:
            held.key(key_id).check_valid_at(now, state=state)
        except KeyOutsideValidity as exc:
            refusals.append(exc.diagnostics())
            continue
        return
    reason = "; ".join(refusals) if refusals else "none of its signatures is by a held key"
    raise BadEntrySignature(
        f"the new entry of {state} is not signed by a key of {state} that this node holds "
        f"and that is valid now ({reason}); the directory authority alone cannot change "
        "a State's keys"
    )
