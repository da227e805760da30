"""The court report of one cooperation request, as data. Pure: no I/O, no clock, no language.

A :class:`CourtReport` holds what a court needs to follow the evidence of a request
(mutual legal assistance serves investigations, prosecutions and judicial proceedings,
Art. 40(1)): the request and its key dates; for each evidence file, its chain of custody
from the collection (how the collecting State obtained it, as it declared it) through
every hand-over, each step with its State, its log entry and the States whose witnesses
cosigned it; the evidence packages sent and received with the result of verifying each
again when the report was made; the history of the request; the witnessed checkpoints of
the custody logs that prove it; and who certifies the report.

:func:`assemble` builds one from values the node's services gave
(:mod:`hanoi.reports.gather` does the reading and the verifying); rendering is
:mod:`hanoi.reports.render`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hanoi.cooperation import CooperationRequest, Side, Status, TransitionRecord
from hanoi.cooperation.routes import ChannelRecord
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.reports.chain import Acquired, ChainLink, FileChain, ItemEntry, build_chains

__all__ = [
    "Acquired",
    "Certifier",
    "ChainLink",
    "CheckpointEntry",
    "CourtReport",
    "Direction",
    "FileChain",
    "ItemEntry",
    "LoggedStep",
    "Origin",
    "Outcome",
    "PackageCheck",
    "PackageEntry",
    "TimelineEntry",
    "Verdict",
    "Witness",
    "assemble",
    "build_timeline",
    "verdict_of",
]

KEY_STATUSES: tuple[Status, ...] = (
    Status.APPROVED,
    Status.SENT,
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.IN_EXECUTION,
    Status.EXECUTED,
    Status.REFUSED,
    Status.WITHDRAWN,
    Status.CLOSED,
)
"""The statuses whose dates a court asks about first, besides the request's creation."""


class Outcome(StrEnum):
    """What verifying one package again, at report time, found."""

    VERIFIED = "verified"
    FAILED = "failed"
    NOT_RECEIVED = "not-received"
    """Offered but not (yet) received in full: there is no complete file to verify."""


class Verdict(StrEnum):
    """The report's verification result, over every package of the request."""

    VERIFIED = "verified"
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    NO_PACKAGES = "no-packages"


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class Origin(StrEnum):
    """Where a timeline entry comes from."""

    STEP = "step"
    """A step of the request's history (the transition table)."""
    LOG = "log"
    """An event of this node's custody log."""
    PACKAGE = "package"
    """An event proven by a package, in the custody log of the State that sent it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Certifier:
    """The officer who issues the report, and in whose name it is recorded as issued."""

    name: str
    title: str | None
    authority: str
    """The authority the node serves (its name, as in ``hanoi node show``)."""
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageCheck:
    """The result of verifying one package file again (``hanoi.evidence.verify``).

    ``reason``, ``checks`` and ``unchecked`` are the verifier's own (English) words."""

    outcome: Outcome
    reason: str | None = None
    signer: str | None = None
    checks: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageEntry:
    id: str
    direction: Direction
    peer: str
    """The other State: the one it went to, or came from."""
    sha256: str
    """Of the whole package file, as offered."""
    size: int
    transfer_status: str
    """What the transfer recorded (offered, fetching, accepted, refused, expired): not trusted,
    shown beside the verification."""
    created_at: datetime
    items: tuple[ItemEntry, ...]
    check: PackageCheck


@dataclass(frozen=True, slots=True, kw_only=True)
class Witness:
    name: str
    state: str | None
    """The State whose witness it is, from the directory; None when it is not known."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointEntry:
    """A custody log's signed checkpoint (C2SP tlog-checkpoint) and who cosigned it."""

    origin: str
    size: int
    root_hash: str
    """Base64, as in the checkpoint."""
    witnesses: tuple[Witness, ...]
    """The witnesses whose cosignatures verified against the directory's keys."""
    log_state: str | None
    """The State whose log it is."""
    package_id: str | None = None
    """The package that carries it, or None for this node's own log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    at: datetime
    origin: Origin
    action: str
    """A step (:class:`~hanoi.cooperation.TransitionName` value) or a custody action."""
    state: str
    officer: str
    article: str
    from_status: Status | None = None
    to_status: Status | None = None
    reasons: str | None = None
    evidence_sha256: str | None = None
    log_origin: str | None = None
    log_index: int | None = None
    """The entry of the custody log that holds this step or event, once sequenced."""
    order: int = 0
    """Within the same moment and origin: the step's sequence, or the log index."""
    via: ChannelRecord | None = None
    """Off the network: how the step crossed the border (ADR 0028)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedStep:
    """A custody event with its place in a log (this node's, or one a package proved)."""

    event: CustodyEvent
    log_origin: str
    index: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CourtReport:
    request: CooperationRequest
    side: Side
    """This node's side of the request."""
    node_state: str
    generated_at: datetime
    certifier: Certifier
    chains: tuple[FileChain, ...]
    packages: tuple[PackageEntry, ...]
    timeline: tuple[TimelineEntry, ...]
    """The steps of the request, and custody events about the request rather than a file."""
    checkpoints: tuple[CheckpointEntry, ...]

    @property
    def generated_by(self) -> str:
        return self.certifier.name

    @property
    def key_dates(self) -> tuple[tuple[Status, datetime], ...]:
        """When each key status was last reached, in the order of the statuses."""
        found = ((status, self.request.reached(status)) for status in KEY_STATUSES)
        return tuple((status, at) for status, at in found if at is not None)

    @property
    def verdict(self) -> Verdict:
        return verdict_of(p.check.outcome for p in self.packages)

    def verdict_text(self) -> str:
        """The verdict in one English line, for the CLI and logs."""
        counts = {o: sum(p.check.outcome is o for p in self.packages) for o in Outcome}
        total = len(self.packages)
        verdict = self.verdict
        if verdict is Verdict.NO_PACKAGES:
            return "NO PACKAGES: no evidence package was exchanged for this request"
        if verdict is Verdict.VERIFIED:
            return f"VERIFIED: {total} evidence package(s) verified again"
        failed = [p for p in self.packages if p.check.outcome is Outcome.FAILED]
        if failed:
            first = failed[0]
            return (
                f"VERIFICATION FAILED: {len(failed)} of {total} package(s); "
                f"package {first.id}: {first.check.reason}"
            )
        return (
            f"INCOMPLETE: {counts[Outcome.NOT_RECEIVED]} of {total} package(s) not received "
            f"in full; {counts[Outcome.VERIFIED]} verified again"
        )


def verdict_of(outcomes: Iterable[Outcome]) -> Verdict:
    """Failed if any package failed; incomplete if any is not received in full; verified
    if every one verified; no packages when there are none."""
    seen = set(outcomes)
    if not seen:
        return Verdict.NO_PACKAGES
    if Outcome.FAILED in seen:
        return Verdict.FAILED
    if Outcome.NOT_RECEIVED in seen:
        return Verdict.INCOMPLETE
    return Verdict.VERIFIED


# --- the timeline -----------------------------------------------------------------------


_RANK = {Origin.STEP: 0, Origin.LOG: 1, Origin.PACKAGE: 2}


def _step_entry(record: TransitionRecord, logged: LoggedStep | None) -> TimelineEntry:
    return TimelineEntry(
        at=record.at,
        origin=Origin.STEP,
        action=record.transition.value,
        state=record.state,
        officer=record.officer,
        article=record.article,
        from_status=record.from_status,
        to_status=record.to_status,
        reasons=record.reasons,
        log_origin=logged.log_origin if logged else None,
        log_index=logged.index if logged else None,
        order=record.sequence,
        via=record.via,
    )


def _event_entry(step: LoggedStep, origin: Origin) -> TimelineEntry:
    event = step.event
    return TimelineEntry(
        at=event.time,
        origin=origin,
        action=event.action.value,
        state=event.node,
        officer=event.officer,
        article=event.article,
        evidence_sha256=event.evidence_sha256,
        log_origin=step.log_origin,
        log_index=step.index,
        order=step.index,
    )


def _step_sequence(event: CustodyEvent) -> int | None:
    value = event.unknown.get("sequence")
    return value if event.action is CustodyAction.REQUEST_STEP and type(value) is int else None


def is_transport(event: CustodyEvent) -> bool:
    """A message between nodes sent or received (``hanoi.federation``): the envelope of a
    step, an evidence offer or its outcome, logged with its receipt; not a step itself."""
    return event.action in (CustodyAction.SENT, CustodyAction.RECEIVED) and (
        "message_type" in event.unknown
    )


def build_timeline(
    history: Sequence[TransitionRecord],
    *,
    logged: Sequence[LoggedStep],
    proven: Sequence[LoggedStep] = (),
) -> tuple[TimelineEntry, ...]:
    """Every step of the request and every custody event about it, oldest first.

    ``logged``: events of this node's log; a ``request-step`` event is shown with its step,
    not twice. ``proven``: events proven by packages, from the sending State's log. An event
    seen twice (same log and entry) counts once. The nodes' messages (:func:`is_transport`)
    are left out: each carried a step or an offer the report already shows. Ties in time
    go steps first, then this node's log, then packages, each in its own order."""
    sequences = {r.sequence for r in history}
    by_sequence = {
        sequence: step
        for step in logged
        if (sequence := _step_sequence(step.event)) is not None and sequence in sequences
    }
    entries = [_step_entry(r, by_sequence.get(r.sequence)) for r in history]
    seen = {(s.log_origin, s.index) for s in by_sequence.values()}
    for origin, steps in ((Origin.LOG, logged), (Origin.PACKAGE, proven)):
        for step in steps:
            key = (step.log_origin, step.index)
            if key not in seen and not is_transport(step.event):
                seen.add(key)
                entries.append(_event_entry(step, origin))
    return tuple(sorted(entries, key=lambda e: (e.at, _RANK[e.origin], e.order)))


# --- assembling -------------------------------------------------------------------------


def assemble(
    *,
    request: CooperationRequest,
    side: Side,
    node_state: str,
    generated_at: datetime,
    certifier: Certifier,
    files: Sequence[ItemEntry],
    acquisitions: Mapping[str, Acquired],
    links: Sequence[ChainLink],
    packages: Sequence[PackageEntry],
    logged: Sequence[LoggedStep],
    proven: Sequence[LoggedStep],
    checkpoints: Sequence[CheckpointEntry],
) -> CourtReport:
    """The report: each file's chain (:func:`~hanoi.reports.chain.build_chains`), packages
    oldest first, the request's history with the events about the request (``logged``
    from this node's log, ``proven`` by packages), checkpoints by log."""
    return CourtReport(
        request=request,
        side=side,
        node_state=node_state,
        generated_at=generated_at,
        certifier=certifier,
        chains=build_chains(files, acquisitions=acquisitions, links=links),
        packages=tuple(sorted(packages, key=lambda p: (p.created_at, p.id))),
        timeline=build_timeline(request.history, logged=logged, proven=proven),
        checkpoints=tuple(
            sorted(checkpoints, key=lambda c: (c.package_id or "", c.origin, c.size))
        ),
    )
