"""The custody part of a package: events with their salts, tlog-proofs and checkpoints.

``custody/index.json`` (RFC 8785 JSON) lists each custody step::

    {"version": 1, "events": [
      {"event": "custody/events/0001.json", "salt": "<64 hex>", "commitment": "<64 hex>",
       "log_origin": "hanoi.node/egy/...", "index": 0,
       "proof": "custody/proofs/0001.tlog-proof",
       "checkpoint": "custody/checkpoints/hanoi.node_egy_..-1.checkpoint"}]}

Each file is usable on its own with standard tools: the event is canonical
custody-event JSON, the proof a C2SP tlog-proof carrying the witnessed
checkpoint, which is also stored alone. ``hanoi log verify-event EVENT --salt
HEX --proof PROOF --key VKEY`` checks one step. Building and checking are pure;
files are read through a callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from hanoi.custody.checkpoint import parse_checkpoint
from hanoi.custody.encoding import load_json
from hanoi.custody.events import CustodyEvent, event_commitment, parse_event, verify_event_logged
from hanoi.custody.limits import DEFAULT_LIMITS as CUSTODY_LIMITS
from hanoi.custody.note import parse_note
from hanoi.custody.tlogproof import TlogProof, load_proof
from hanoi.errors import HanoiError, IntegrityError
from hanoi.evidence.fields import check_digest, check_size, check_text, known_and_unknown
from hanoi.evidence.layout import (
    CUSTODY_INDEX,
    DEFAULT_PACKAGE_LIMITS,
    PackageLimits,
    check_relative_path,
    log_slug,
)
from hanoi.evidence.package_errors import CustodyNotProven, MalformedPackage, StatementMismatch
from hanoi.evidence.trust import TrustStore
from hanoi.wire import canonical_json

INDEX_VERSION = 1


class LoggedEventLike(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def event(self) -> CustodyEvent: ...

    @property
    def salt(self) -> bytes: ...


class CustodySource(Protocol):
    """What the packer needs of a node's custody log: a :class:`CustodyLog` fits."""

    origin: str

    def events_for(self, subject: str) -> Sequence[LoggedEventLike]: ...

    def proof_for(self, index: int) -> TlogProof: ...


@dataclass(frozen=True, slots=True)
class CustodyStep:
    event: CustodyEvent
    salt: bytes
    log_origin: str
    index: int
    proof: TlogProof


def collect_custody(
    source: CustodySource, digests: Iterable[str], *, request: str | None = None
) -> list[CustodyStep]:
    """Every sequenced event about these digests, each with a proof, in log order.

    With ``request``, only the events of that request: the same bytes collected for
    another case stay out of the package, since the events would tell the receiving
    State about that case (Art. 40(20))."""
    steps: dict[int, CustodyStep] = {}
    for digest in dict.fromkeys(digests):
        for logged in source.events_for(f"sha256:{digest}"):
            other_case = request is not None and logged.event.request_id != request
            if not other_case and logged.index not in steps:
                proof = source.proof_for(logged.index)
                steps[logged.index] = CustodyStep(
                    logged.event, logged.salt, source.origin, logged.index, proof
                )
    return [steps[i] for i in sorted(steps)]


def _tree_size(checkpoint: bytes) -> int:
    return parse_checkpoint(parse_note(checkpoint).text).size


def custody_files(steps: Sequence[CustodyStep]) -> dict[str, bytes]:
    """The custody files of a package, ``custody/index.json`` included, by path."""
    files: dict[str, bytes] = {}
    checkpoints: dict[bytes, str] = {}
    entries: list[dict[str, Any]] = []
    for n, step in enumerate(steps, start=1):
        note = step.proof.checkpoint
        if note not in checkpoints:
            base = f"custody/checkpoints/{log_slug(step.log_origin)}-{_tree_size(note)}"
            path, k = f"{base}.checkpoint", 1
            while path in files:
                k += 1
                path = f"{base}-{k}.checkpoint"
            checkpoints[note] = path
            files[path] = note
        event_path, proof_path = (
            f"custody/events/{n:04d}.json",
            f"custody/proofs/{n:04d}.tlog-proof",
        )
        entry: dict[str, Any] = {
            "event": event_path,
            "salt": step.salt.hex(),
            "commitment": event_commitment(step.event, step.salt).hex(),
            "log_origin": step.log_origin,
            "index": step.index,
            "proof": proof_path,
            "checkpoint": checkpoints[note],
        }
        files[event_path] = step.event.canonical()
        files[proof_path] = step.proof.to_bytes()
        entries.append(entry)
    index: dict[str, Any] = {"version": INDEX_VERSION, "events": entries}
    files[CUSTODY_INDEX] = canonical_json(index, error=MalformedPackage)
    return files


@dataclass(frozen=True, slots=True)
class IndexEntry:
    event: str
    salt: bytes
    commitment: bytes
    log_origin: str
    index: int
    proof: str
    checkpoint: str
    unknown: Mapping[str, Any] = field(default_factory=dict)


_ENTRY = ("event", "salt", "commitment", "log_origin", "index", "proof", "checkpoint")


def _entry(value: object, number: int, *, limits: PackageLimits) -> IndexEntry:
    what = f"{CUSTODY_INDEX}, event {number}"
    known, unknown = known_and_unknown(value, _ENTRY, what=what)
    paths = {}
    for name in ("event", "proof", "checkpoint"):
        path = check_text(known[name], f"{what}: {name}", max_chars=limits.max_path_bytes)
        if not check_relative_path(path, limits=limits).startswith("custody/"):
            raise MalformedPackage(f"{what}: {name} is a file under custody/")
        paths[name] = path
    return IndexEntry(
        event=paths["event"],
        salt=bytes.fromhex(check_digest(known["salt"], f"{what}: salt")),
        commitment=bytes.fromhex(check_digest(known["commitment"], f"{what}: commitment")),
        log_origin=check_text(known["log_origin"], f"{what}: log_origin", max_chars=1024),
        index=check_size(known["index"], f"{what}: index"),
        proof=paths["proof"],
        checkpoint=paths["checkpoint"],
        unknown=unknown,
    )


def parse_custody_index(
    data: bytes, *, limits: PackageLimits = DEFAULT_PACKAGE_LIMITS
) -> tuple[IndexEntry, ...]:
    value = load_json(
        data,
        error=MalformedPackage,
        what=CUSTODY_INDEX,
        max_bytes=limits.max_custody_index,
        max_depth=6,
    )
    if not isinstance(value, dict) or value.get("version") != INDEX_VERSION:
        raise MalformedPackage(f"{CUSTODY_INDEX}: an object of version {INDEX_VERSION}")
    events = value.get("events")
    if not isinstance(events, list) or len(events) > limits.max_custody_events:
        raise MalformedPackage(f"{CUSTODY_INDEX}: 'events' is a list of custody steps")
    return tuple(_entry(e, n, limits=limits) for n, e in enumerate(events, start=1))


@dataclass(frozen=True, slots=True)
class ProvenStep:
    """A custody event proven to be in a trusted log, at a checkpoint the witnesses cosigned."""

    event: CustodyEvent
    log_origin: str
    index: int
    tree_size: int
    witnesses: tuple[str, ...]
    other_signatures: int


@dataclass(frozen=True, slots=True)
class CustodyOutcome:
    proven: tuple[ProvenStep, ...]
    unchecked: tuple[str, ...]


ReadTag = Callable[[str, int], bytes]


def _read_parsed(read: ReadTag, path: str, max_bytes: int, parse: Callable[[bytes], Any]) -> Any:
    try:
        return parse(read(path, max_bytes))
    except MalformedPackage:
        raise
    except HanoiError as exc:
        if isinstance(exc, IntegrityError):
            raise
        raise MalformedPackage(f"{path}: {exc.diagnostics()}") from None


def prove_event(
    event: CustodyEvent,
    salt: bytes,
    proof: TlogProof,
    *,
    log_origin: str,
    labels: tuple[str, str],
    trust: TrustStore,
) -> ProvenStep | str:
    """Prove ``event`` (with ``salt``) in a checkpoint of a log the trust file lists, signed
    by that log and cosigned by its quorum of witnesses; the reason as a string when the
    trust file does not list the log. ``labels`` name the event and the proof in errors.
    :class:`CustodyNotProven` when the proof fails or the log is another State's."""
    about, label = labels
    owner = trust.log(log_origin)
    if owner is None:
        return f"{about}: its log {log_origin} is not in the trust file"
    if owner.state != event.node:
        raise CustodyNotProven(
            f"{about}: recorded by {event.node[:40]}, but logged by {owner.state}"
        )
    try:
        logged = verify_event_logged(
            event=event, salt=salt, proof=proof, policy=trust.policy_for(log_origin)
        )
    except IntegrityError as exc:
        raise CustodyNotProven(f"{label}: {exc.diagnostics()}") from None
    except HanoiError as exc:
        raise MalformedPackage(f"{label}: {exc.diagnostics()}") from None
    signed = logged.witnessed.signed
    return ProvenStep(
        event=event,
        log_origin=log_origin,
        index=proof.index,
        tree_size=signed.checkpoint.size,
        witnesses=logged.witnessed.witnesses,
        other_signatures=len(signed.note.unverified) - len(logged.witnessed.witnesses),
    )


def verify_custody(
    entries: Sequence[IndexEntry],
    *,
    read: ReadTag,
    trust: TrustStore | None,
    digests: frozenset[str],
    request: str | None,
) -> CustodyOutcome:
    """Check each step: its event and salt give the commitment, it concerns this package,
    and (with a trust file) its proof holds in a checkpoint of a trusted, witnessed log."""
    proven: list[ProvenStep] = []
    unchecked: list[str] = []
    for entry in entries:
        event: CustodyEvent = _read_parsed(
            read, entry.event, CUSTODY_LIMITS.max_event_bytes, parse_event
        )
        if event_commitment(event, entry.salt) != entry.commitment:
            raise CustodyNotProven(
                f"{entry.event}: with its salt, it does not hash to its commitment "
                f"in {CUSTODY_INDEX}"
            )
        about = event.evidence_sha256
        if (about is None and event.request_id != request) or (
            about is not None and about not in digests
        ):
            raise StatementMismatch(
                f"{entry.event}: a custody event about evidence that is not in this package"
            )
        proof: TlogProof = _read_parsed(
            read, entry.proof, CUSTODY_LIMITS.max_tlog_proof_bytes, load_proof
        )
        checkpoint = read(entry.checkpoint, CUSTODY_LIMITS.max_note_bytes)
        if proof.index != entry.index:
            raise CustodyNotProven(f"{entry.proof}: proves entry {proof.index}, not {entry.index}")
        if proof.checkpoint != checkpoint:
            raise CustodyNotProven(f"{entry.proof}: its checkpoint differs from {entry.checkpoint}")
        if trust is None:
            continue
        outcome = prove_event(
            event,
            entry.salt,
            proof,
            log_origin=entry.log_origin,
            labels=(entry.event, entry.proof),
            trust=trust,
        )
        if isinstance(outcome, str):
            unchecked.append(outcome)
        else:
            proven.append(outcome)
    if trust is None and entries:
        unchecked.append(
            f"{len(entries)} custody proof(s) not checked: no --trust file gives the logs' keys"
        )
    return CustodyOutcome(tuple(proven), tuple(unchecked))
