"""Verifying a request's evidence packages again, at the moment the court report is made.

Nothing stored is trusted: each package file on disk goes through the same offline
verification as ``hanoi evidence verify`` (:func:`hanoi.evidence.verify.verify_package`:
bag, statement signature, custody proofs, CASE/UCO and, for a package this node
received, every payload decrypted and checked), against the keys of the signed
directory. The file must also be the one offered (its SHA-256) and be for this request,
from the State it came from (as :meth:`TransferService.accept` requires). A package
that fails gives a :class:`PackageCheck` that says why; it never raises.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.checkpoint import parse_checkpoint
from hanoi.custody.encoding import b64
from hanoi.custody.limits import DEFAULT_LIMITS as CUSTODY_LIMITS
from hanoi.custody.note import parse_note
from hanoi.errors import HanoiError
from hanoi.evidence.bagio import open_bag, read_at_most
from hanoi.evidence.custody_bundle import parse_custody_index
from hanoi.evidence.isolated import VerifyBudget, verify_isolated
from hanoi.evidence.layout import CUSTODY_INDEX, DEFAULT_PACKAGE_LIMITS
from hanoi.evidence.provenance import PayloadAcquisition
from hanoi.evidence.report import PackageReport
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from hanoi.reports.chain import provider_of
from hanoi.reports.court import (
    Acquired,
    ChainLink,
    CheckpointEntry,
    ItemEntry,
    LoggedStep,
    Outcome,
    PackageCheck,
    Witness,
)

NO_DIRECTORY = (
    "cannot be verified: this node holds no directory of the States' keys "
    "(run 'hanoi directory import')"
)


@dataclass(frozen=True, slots=True)
class Expected:
    """What the package must be: the file offered, for this request, from this State."""

    sha256: str
    request_id: str
    sending_state: str
    package_id: str


@dataclass(frozen=True, slots=True)
class Verification:
    """What verifying one package again found; a failed one proves nothing, so it has no
    items, steps, acquisitions or checkpoints."""

    check: PackageCheck
    items: tuple[ItemEntry, ...] = ()
    proven: tuple[LoggedStep, ...] = ()
    """Every custody step proven, of the package and of those it carries."""
    links: tuple[ChainLink, ...] = ()
    """The proven steps about its files, with the States whose witnesses cosigned each."""
    acquisitions: tuple[tuple[str, Acquired], ...] = ()
    """Plaintext SHA-256 to how the file was obtained, as the collecting State signed it."""
    checkpoints: tuple[CheckpointEntry, ...] = ()


def failed(reason: str) -> Verification:
    return Verification(PackageCheck(outcome=Outcome.FAILED, reason=reason))


def _file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _scrub(text: str, path: Path) -> str:
    """An error's words without this node's folders (the report leaves the node)."""
    return text.replace(str(path.parent) + "/", "").replace(str(path.parent), "")


def verify_again(
    path: Path,
    *,
    expected: Expected,
    trust: TrustStore,
    identities: Sequence[AgeIdentity],
    budget: VerifyBudget | None = None,
) -> Verification:
    """Verify the package file at ``path`` in full; a failure is a result, not an error.
    With a ``budget``, in a child process under its limits (``hanoi.evidence.isolated``),
    as at acceptance: a package file kept after it was refused may be hostile, and making
    a report must not stall the node's server."""
    if not path.is_file():
        return failed("the package file is not on this node")
    try:
        if budget is None:
            report = verify_package(path, trust=trust, identities=identities)
        else:
            report = verify_isolated(
                path,
                trust=trust,
                identities=identities,
                run=budget.for_size(path.stat().st_size),
            )
        if _file_sha256(path) != expected.sha256:
            return failed("the package file is not the one offered: its SHA-256 differs")
    except HanoiError as exc:
        return failed(_scrub(" ".join(exc.diagnostics().split()), path))
    except OSError as exc:
        return failed(f"the package file cannot be read: {exc.strerror or type(exc).__name__}")
    statement = report.statement
    if (statement.request, statement.sending_state) != (
        expected.request_id,
        expected.sending_state,
    ):
        return failed(
            f"the package answers request {statement.request} from {statement.sending_state}, "
            f"not {expected.request_id} from {expected.sending_state}"
        )
    if not report.verified:  # a shortfall: an unknown signer or log, files that do not link
        return failed(report.verdict())
    return _verified(report, path, trust=trust, package_id=expected.package_id)


def _acquired(found: PayloadAcquisition, declared_in: str) -> Acquired:
    return Acquired(
        state=found.state,
        source_kind=found.source_kind,
        source=found.source,
        obtained_at=found.obtained_at,
        method=found.method,
        officer=found.officer,
        article=found.article,
        legal_basis=found.legal_basis,
        authority=found.authority,
        received_from=found.received_from,
        channel=found.channel,
        channel_reference=found.channel_reference,
        declared_in=declared_in,
    )


def acquisitions(report: PackageReport, *, package_id: str) -> tuple[tuple[str, Acquired], ...]:
    """How each file of the package was obtained, from the statement that first declared it:
    the originating State's, carried whole (named by its statement's id, as its folder is),
    before the exporting State's copy of it (named ``package_id``, as this node knows it)."""
    found: dict[str, Acquired] = {}
    statements = [
        *((o.statement, o.origin.package_id) for o in report.origins),
        (report.statement, package_id),
    ]
    wanted = {e.sha256 for e in report.statement.payload}
    for statement, package_id in statements:
        for entry in statement.payload:
            if entry.sha256 in wanted and entry.acquisition is not None:
                found.setdefault(entry.sha256, _acquired(entry.acquisition, package_id))
    return tuple(found.items())


def chain_links(report: PackageReport, *, package_id: str) -> tuple[ChainLink, ...]:
    """The proven steps about files (of the package and of those it carries), each with
    the States whose witnesses cosigned it, as the trust file places them."""
    names = dict(report.witness_states)
    steps = (*report.custody, *(s for o in report.origins for s in o.custody))
    return tuple(
        ChainLink(
            at=step.event.time,
            state=step.event.node,
            action=step.event.action.value,
            officer=step.event.officer,
            article=step.event.article,
            evidence_sha256=step.event.evidence_sha256,
            log_origin=step.log_origin,
            index=step.index,
            witnesses=tuple(sorted({names.get(w, w.split("+", 1)[0]) for w in step.witnesses})),
            proven_by=(package_id,),
            provider=provider_of(step.event),
        )
        for step in steps
        if step.event.evidence_sha256 is not None
    )


def _verified(
    report: PackageReport, path: Path, *, trust: TrustStore, package_id: str
) -> Verification:
    statement = report.statement
    every = (*report.custody, *(s for o in report.origins for s in o.custody))
    return Verification(
        check=PackageCheck(
            outcome=Outcome.VERIFIED,
            signer=report.signer,
            checks=tuple(f"{c.area}: {c.detail}" for c in report.checks),
            unchecked=report.unchecked,
        ),
        items=tuple(
            ItemEntry(name=e.name, size=e.size, sha256=e.sha256, media_type=e.media_type)
            for e in statement.payload
        ),
        proven=tuple(
            LoggedStep(event=s.event, log_origin=s.log_origin, index=s.index) for s in every
        ),
        links=chain_links(report, package_id=package_id),
        acquisitions=acquisitions(report, package_id=package_id),
        checkpoints=package_checkpoints(path, trust=trust, package_id=package_id),
    )


def package_checkpoints(
    path: Path, *, trust: TrustStore, package_id: str
) -> tuple[CheckpointEntry, ...]:
    """The checkpoints a verified package carries, each opened under the directory's keys."""
    limits = DEFAULT_PACKAGE_LIMITS
    found = []
    try:
        bag = open_bag(path, limits=limits)
        with bag.open(CUSTODY_INDEX) as stream:
            index = read_at_most(stream, limits.max_custody_index)
        paths = dict.fromkeys(e.checkpoint for e in parse_custody_index(index, limits=limits))
        for name in paths:
            with bag.open(name) as stream:
                note = read_at_most(stream, CUSTODY_LIMITS.max_note_bytes)
            entry = checkpoint_entry(note, trust=trust, package_id=package_id)
            if entry is not None:
                found.append(entry)
    except (HanoiError, OSError):
        return tuple(found)  # verification passed; a checkpoint not shown hides nothing
    return tuple(found)


def checkpoint_entry(
    note: bytes, *, trust: TrustStore | None, package_id: str | None = None
) -> CheckpointEntry | None:
    """A checkpoint note, its log's signature and witnesses checked against the directory.

    Without the log's key (no directory, or a log it does not list), the checkpoint's
    contents alone, with no State and no witness counted. None if it is malformed or
    its signatures do not verify."""
    try:
        checkpoint = parse_checkpoint(parse_note(note).text)
    except HanoiError:
        return None
    owner = trust.log(checkpoint.origin) if trust is not None else None
    labels: tuple[str, ...] = ()
    if trust is not None and owner is not None:
        try:
            labels = trust.policy_for(checkpoint.origin).verify(note).witnesses
        except HanoiError:
            return None
    return CheckpointEntry(
        origin=checkpoint.origin,
        size=checkpoint.size,
        root_hash=b64(checkpoint.root_hash),
        witnesses=tuple(_witness(label, trust) for label in labels),
        log_state=owner.state if owner is not None else None,
        package_id=package_id,
    )


def _witness(label: str, trust: TrustStore | None) -> Witness:
    name = label.split("+", 1)[0]
    nodes = trust.nodes if trust is not None else ()
    state = next((n.state for n in nodes if n.witness_name == name), None)
    return Witness(name=name, state=state)
