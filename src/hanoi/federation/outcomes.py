"""The receiving State's verdict on an evidence package, told to the State that sent it.

Without it the sender of a package never learns what became of it: its copy stays
``offered`` while the receiver shows it accepted, refused or given up (issue 14). So the
receiving node, when it gives an incoming package its final status, queues an
``evidence-outcome`` message (signed and sealed like every message, ADR 0012) to the
sending node, in the same transaction as the status (ADR 0023). The message carries the
package's id and SHA-256, the outcome (``accepted``, ``refused`` or ``expired``), when it
was decided, the reason for a refusal or an expiry, and the verification report the
receiver keeps, bounded in size (:data:`MAX_REPORT_BYTES`) so that it always fits in an
envelope (1 MiB).

The sending node's inbox hands the verified message to the transfer service (its
``EvidenceMessages`` port), which gives it to :meth:`PackageOutcomes.apply`; that holds
these rules, in order, each with its own error, and changes nothing unless
all hold:

1. The package is one this node sent, to the message's sender (otherwise ``NotFound``:
   an unknown package and one offered to another State get the same answer).
2. It belongs to the request the message names (``InvalidInput``).
3. It has the SHA-256 the message names (``IntegrityError``).
4. It has been offered (``RuleViolation``: nothing can be said of a package not yet
   announced).
5. It has no other outcome (``Conflict``); the same outcome again is acknowledged and
   changes nothing, so a message applied before a crash can be applied again.

The outgoing row then takes the outcome as its status, the reason as its ``error``, the
report as ``peer_report`` and the receiver's time as ``peer_outcome_at``. The inbox logs
the message's arrival as a ``received`` custody event naming the package and outcome.
The packages table is behind the ``OutcomeStore`` port (:mod:`hanoi.federation.ports`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from hanoi.clock import Clock
from hanoi.cooperation.ports import Outgoing
from hanoi.errors import Conflict, HanoiError, IntegrityError, InvalidInput, NotFound, RuleViolation
from hanoi.federation.envelope import VerifiedMessage
from hanoi.federation.messages import MAX_REASON, Message, MessageType, new_message_id, parse_time
from hanoi.federation.ports import (
    Direction,
    OutcomeStore,
    PackageFacts,
    PackageRefusal,
    PackageStatus,
    PeerOutcome,
)
from hanoi.wire import canonical_json, format_time, thaw

MAX_REPORT_BYTES = 256 * 1024
"""A report larger than this (canonical JSON) travels with its lists shortened and
``"truncated": true``; sealed and signed, the message stays well under the 1 MiB envelope."""

FINAL = frozenset({PackageStatus.ACCEPTED, PackageStatus.REFUSED, PackageStatus.EXPIRED})
"""The outcomes a receiving node reports, and the statuses they give an outgoing package."""


def bounded_report(text: str | None, limit: int = MAX_REPORT_BYTES) -> dict[str, Any] | None:
    """The kept report as a JSON object of at most ``limit`` canonical bytes: whole if it
    fits, else with every list cut to the longest length that fits (the first items are the
    ones kept) and ``"truncated": true``; None if there is no report or it cannot travel."""
    if text is None:
        return None
    try:
        value = json.loads(text)
        if not isinstance(value, dict):
            return None
        if len(canonical_json(value)) <= limit:
            return value
        keep = _longest_list(value) // 2
        while True:
            trimmed = {**_cut_lists(value, keep), "truncated": True}
            if len(canonical_json(trimmed)) <= limit:
                return trimmed
            if keep == 0:
                return None
            keep //= 2
    except (ValueError, HanoiError):  # not JSON, or not canonicalisable: sent without it
        return None


def _longest_list(value: Any) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def _cut_lists(value: Any, keep: int) -> Any:
    if isinstance(value, dict):
        return {k: _cut_lists(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_lists(v, keep) for v in value[:keep]]
    return value


def outcome_message(
    *,
    sender: str,
    package: PackageFacts,
    outcome: PackageStatus,
    at: datetime,
    reason: str | None,
    report: str | None,
) -> Message:
    """The ``evidence-outcome`` message for an incoming package, to the State that sent it."""
    body: dict[str, Any] = {
        "package_id": package.id,
        "package_sha256": package.sha256,
        "outcome": outcome.value,
        "decided_at": format_time(at),
    }
    if reason:
        body["reason"] = reason[:MAX_REASON]
    elif outcome is not PackageStatus.ACCEPTED:
        body["reason"] = f"the package was {outcome.value}"
    travelling = bounded_report(report)
    if travelling is not None:
        body["report"] = travelling
    return Message(
        id=new_message_id(),
        type=MessageType.EVIDENCE_OUTCOME,
        sender=sender,
        recipient=package.peer,
        sent_at=at,
        request_id=package.request_id,
        body=body,
    )


class PackageOutcomes:
    """Both ends of the outcome: :meth:`conclude` on the receiving node, :meth:`apply` on
    the sending node."""

    def __init__(
        self,
        *,
        node_state: str,
        store: OutcomeStore,
        clock: Clock,
        wake: threading.Event | None = None,
    ) -> None:
        self._state = node_state
        self._store = store
        self._clock = clock
        self._wake = wake or threading.Event()

    # --- the receiving node ----------------------------------------------------------------

    def conclude(
        self,
        package: PackageFacts,
        *,
        status: PackageStatus,
        received: int,
        error: str | None = None,
        report: str | None = None,
        attempts: int | None = None,
        now: datetime | None = None,
        reason: PackageRefusal | None = None,
    ) -> bool:
        """Give an incoming package its final status (``report`` replaces the kept report
        when given; ``attempts`` ends its fetch attempts; ``reason`` is a refusal's code,
        for the statistics) and queue the outcome for its sender in the same transaction.
        Returns False, queuing nothing, if the package already had that status."""
        if status not in FINAL or package.direction != Direction.INCOMING:
            raise InvalidInput(f"no outcome {status} for an {package.direction} package")
        now = now or self._clock.now()
        kept = report
        if kept is None:
            current = self._store.get(package.id)
            kept = current.report if current is not None else None
        message = outcome_message(
            sender=self._state, package=package, outcome=status, at=now, reason=error, report=kept
        )
        changed = self._store.conclude(
            package.id,
            status=status,
            received=received,
            error=error[:500] if error else None,
            report=report,
            attempts=attempts,
            now=now,
            reason=reason,
            announce=Outgoing(
                id=message.id,
                recipient=message.recipient,
                type=message.type.value,
                request_id=message.request_id,
                message=message.canonical().decode(),
                created_at=now,
            ),
        )
        if changed:
            self._wake.set()  # deliver it now
        return changed

    # --- the sending node --------------------------------------------------------------------

    def apply(self, verified: VerifiedMessage) -> None:
        """An ``evidence-outcome`` from the inbox (signature, addressing and freshness
        checked): apply it to the outgoing package once, by the rules of this module."""
        message = verified.message
        body: Mapping[str, Any] = thaw(message.body)
        package_id = str(body["package_id"])
        row = self._store.get(package_id)
        if row is None or row.direction != Direction.OUTGOING or row.peer != message.sender:
            raise NotFound(f"this node offered no package {package_id} to {message.sender}")
        if row.request_id != message.request_id:
            raise InvalidInput(
                f"package {package_id} was sent for request {row.request_id}, "
                f"not {message.request_id}"
            )
        if row.sha256 != body["package_sha256"]:
            raise IntegrityError(
                f"package {package_id} has SHA-256 {row.sha256}; "
                f"the outcome names {body['package_sha256']}"
            )
        outcome = PackageStatus(body["outcome"])
        if row.status == outcome.value:
            return  # the same outcome again: acknowledged, nothing changes
        self._check_open(row, outcome)
        report = body.get("report")
        changed = self._store.record_peer_outcome(
            package_id,
            status=outcome,
            reason=body.get("reason") if outcome is not PackageStatus.ACCEPTED else None,
            peer_report=None if report is None else json.dumps(report, ensure_ascii=False),
            at=parse_time(body["decided_at"], path="/body/decided_at"),
            now=self._clock.now(),
        )
        if not changed:  # another process applied an outcome meanwhile
            current = self._store.get(package_id)
            if current is None:
                raise NotFound(f"this node offered no package {package_id} to {message.sender}")
            self._check_open(current, outcome)

    @staticmethod
    def _check_open(row: PackageFacts, outcome: PackageStatus) -> None:
        """Rules 4 and 5: returns if the outcome may be recorded (or already is)."""
        if row.status == outcome.value or row.status == PackageStatus.OFFERED:
            return
        if row.status in FINAL:
            raise Conflict(
                f"package {row.id} is already {row.status} by {row.peer}; "
                f"another outcome ({outcome.value}) is refused"
            )
        raise RuleViolation(f"package {row.id} has not been offered yet (it is {row.status})")

    # --- reading ---------------------------------------------------------------------------

    def peer_outcomes(self, package_ids: Sequence[str]) -> dict[str, PeerOutcome]:
        """The receivers' outcomes of those packages (the caller checked the case)."""
        return self._store.peer_outcomes(package_ids) if package_ids else {}
