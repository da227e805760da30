"""What a package verification found: the checks that held, what was not checked, and
whether all of it makes the package VERIFIED. Pure.

**VERIFIED** means all of these hold (issue 14): the bag and every signature check; each
signer is identified through the trust file (or by the key given, for a package of one
State); every custody proof is in a trusted log at a checkpoint the trust file's quorum of
witnesses cosigned; every package of another State it carries links to its files by their
plaintext SHA-256 and keeps that State's conditions as they were set; and, with
identities, every payload decrypts to the digest its statement gives. Anything short of
that is a *shortfall*, and the report says **NOT VERIFIED** with each reason. What a
verifier cannot check at all (the CASE/UCO ontology, the payload without an identity) is
listed as not checked, and does not by itself prevent the verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.evidence.custody_bundle import CustodyOutcome, ProvenStep
from hanoi.evidence.fields import utc_text
from hanoi.evidence.provenance import Origin, PayloadAcquisition
from hanoi.evidence.statement import Statement


@dataclass(frozen=True, slots=True)
class Check:
    """One thing that was checked and holds. ``area``: bag, statement, custody, description,
    payload, origin."""

    area: str
    detail: str


@dataclass(frozen=True, slots=True)
class OriginReport:
    """A package of another State carried whole, as verified inside this one."""

    origin: Origin
    statement: Statement
    signer: str
    custody: tuple[ProvenStep, ...]
    linked: tuple[str, ...]
    """The plaintext SHA-256 of each file of this package that the origin's statement lists."""


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One custody step of the chain, in any State's log."""

    state: str
    event: str
    time: str
    log_origin: str
    index: int
    officer: str
    article: str
    evidence_sha256: str | None
    witnesses: tuple[str, ...]
    """The States whose witnesses cosigned the checkpoint the step is proven against."""
    delivery: Mapping[str, Any] | None = None
    """For a ``delivered`` step, the provider's delivery as the event records it: the
    provider (``provider``, ``provider_name``), the order (``order``, ``reference``), the
    time the provider gave (``delivered_at``) and the checksums it declared."""

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "state": self.state,
            "event": self.event,
            "time": self.time,
            "log_origin": self.log_origin,
            "index": self.index,
            "officer": self.officer,
            "article": self.article,
            "evidence_sha256": self.evidence_sha256,
            "witnesses": list(self.witnesses),
        }
        if self.delivery is not None:
            value["delivery"] = dict(self.delivery)
        return value


DELIVERY_MEMBERS = (
    "provider",
    "provider_name",
    "order",
    "reference",
    "delivery",
    "delivered_at",
    "declared_checksums",
)


def _delivery(event: CustodyEvent) -> Mapping[str, Any] | None:
    """What a ``delivered`` event says of the provider's delivery: the members it has, as
    printable text (a member of another shape is left out; the event itself is in the
    package as it was logged)."""
    if event.action is not CustodyAction.DELIVERED:
        return None
    found: dict[str, Any] = {}
    for name in DELIVERY_MEMBERS:
        value = event.unknown.get(name)
        if isinstance(value, str):
            found[name] = _printable(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            found[name] = [_printable(v) for v in value]
    return found


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text[:300])


@dataclass(frozen=True, slots=True)
class PackageReport:
    statement: Statement
    signer: str
    key_id: str
    checks: tuple[Check, ...]
    unchecked: tuple[str, ...]
    custody: tuple[ProvenStep, ...]
    origins: tuple[OriginReport, ...] = ()
    shortfalls: tuple[str, ...] = ()
    """Why the package is NOT VERIFIED; empty when it is."""
    witness_states: tuple[tuple[str, str], ...] = ()
    """Witness key label (``name+keyid``) to the State it belongs to, from the trust file."""
    identified: bool = True
    """The signer was identified through the trust file (not only by a key given)."""

    @property
    def verified(self) -> bool:
        return not self.shortfalls

    def verdict(self) -> str:
        s = self.statement
        if not self.verified:
            return "NOT VERIFIED: " + "; ".join(self.shortfalls)
        request = f" answering request {s.request}" if s.request else ""
        sender = (
            f"from {s.sending_state}"
            if self.identified
            else f"signed by the key given (it says it is from {s.sending_state})"
        )
        chain = self.chain()
        states = sorted({step.state for step in chain})
        across = f" across {', '.join(states)}" if len(states) > 1 else ""
        return (
            f"VERIFIED: package {s.package_id} {sender}{request}, {len(s.payload)} file(s), "
            f"{len(chain)} custody step(s) proven{across}"
        )

    def chain(self) -> tuple[ChainStep, ...]:
        """Every proven custody step, of this package and of those it carries, in time order."""
        names = dict(self.witness_states)
        steps = [*self.custody, *(s for o in self.origins for s in o.custody)]
        unique = {(s.log_origin, s.index): s for s in steps}
        ordered = sorted(unique.values(), key=lambda s: (s.event.time, s.log_origin, s.index))
        return tuple(
            ChainStep(
                state=step.event.node,
                event=step.event.action.value,
                time=utc_text(step.event.time),
                log_origin=step.log_origin,
                index=step.index,
                officer=step.event.officer,
                article=step.event.article,
                evidence_sha256=step.event.evidence_sha256,
                witnesses=tuple(sorted({names.get(w, w) for w in step.witnesses})),
                delivery=_delivery(step.event),
            )
            for step in ordered
        )

    def acquisition_of(self, sha256: str) -> PayloadAcquisition | None:
        """How a file was obtained: as the State that collected it signed it."""
        for origin in self.origins:
            for theirs in origin.statement.payload:
                if theirs.sha256 == sha256 and theirs.acquisition is not None:
                    return theirs.acquisition
        ours = next((e for e in self.statement.payload if e.sha256 == sha256), None)
        return None if ours is None else ours.acquisition

    def lines(self) -> list[str]:
        """The report as a person reads it: checks, what was not checked, the chain, the
        files and how they were obtained, the conditions, and the verdict."""
        out = [f"checked      {c.area}: {c.detail}" for c in self.checks]
        out += [f"NOT checked  {item}" for item in self.unchecked]
        for step in self.chain():
            witnessed = ", ".join(step.witnesses) or "no witness"
            d = step.delivery
            who = (
                f"by {step.officer}"
                if d is None
                else f"by {d.get('provider_name')} to {step.officer}"
            )
            out.append(
                f"chain        {step.time}  {step.state} {step.event} {who} "
                f"({step.article}): entry {step.index} of {step.log_origin}, "
                f"cosigned by {witnessed}"
            )
            if d is not None:
                declared = ", ".join(str(c) for c in d.get("declared_checksums", ())) or "none"
                out.append(
                    f"  delivery   from provider {d.get('provider')} at {d.get('delivered_at')} "
                    f"(the provider's time), order {d.get('reference')} (HI-1 order "
                    f"{d.get('order')}), checksum declared {declared}"
                )
        for entry in self.statement.payload:
            out.append(f"file         {entry.name}: {entry.size} bytes, SHA-256 {entry.sha256}")
            a = self.acquisition_of(entry.sha256)
            if a is not None:
                basis = f", legal basis {a.legal_basis}" if a.legal_basis else ""
                by = f", {a.authority}" if a.authority else ""
                out.append(
                    f"  obtained   {utc_text(a.obtained_at)} by {a.state} ({a.officer}{by}): "
                    f"{a.method}, from {a.source_kind} {a.source} ({a.article}{basis})"
                )
                if a.received_from is not None:
                    out.append(
                        f"  received   off the network from {a.received_from} by {a.channel}, "
                        f"reference {a.channel_reference}"
                    )
        for term in self.conditions():
            out.append(f"condition    {term['kind']} ({term['article']}), imposed by "
                       f"{term['imposed_by']}: {term['text']}")  # fmt: skip
        out.append(self.verdict())
        return out

    def conditions(self) -> list[dict[str, Any]]:
        """The conditions, each with who imposed it; a package without ``terms`` (an older
        one) gives its four texts, imposed by its sender."""
        if self.statement.terms:
            return [term.to_json() for term in self.statement.terms]
        texts = self.statement.conditions.to_json()
        return [
            {
                "kind": name.replace("_", "-"),
                "imposed_by": self.statement.sending_state,
                "text": texts[name],
                "article": "",
            }
            for name in sorted(texts)
        ]

    def items(self) -> list[dict[str, Any]]:
        found = []
        for entry in self.statement.payload:
            a = self.acquisition_of(entry.sha256)
            found.append(
                {
                    "name": entry.name,
                    "sha256": entry.sha256,
                    "size": entry.size,
                    "media_type": entry.media_type,
                    "acquisition": None if a is None else _acquisition_json(a),
                }
            )
        return found

    def as_json(self) -> dict[str, Any]:
        s = self.statement
        return {
            "verified": self.verified,
            "verdict": "verified" if self.verified else "not-verified",
            "reasons": list(self.shortfalls),
            "package": {
                "package_id": s.package_id,
                "created": utc_text(s.created),
                "sending_state": s.sending_state,
                "request": s.request,
                "signer": self.signer,
                "signing_key_id": self.key_id,
                "recipients": list(s.recipients),
                "conditions": s.conditions.to_json(),
                "files": [e.to_json() for e in s.payload],
            },
            "chain": [step.to_json() for step in self.chain()],
            "items": self.items(),
            "conditions": self.conditions(),
            "origins": [
                {
                    "package_id": o.origin.package_id,
                    "sending_state": o.origin.sending_state,
                    "signer": o.signer,
                    "created": utc_text(o.statement.created),
                    "request": o.statement.request,
                    "files": len(o.linked),
                }
                for o in self.origins
            ],
            "checked": [{"area": c.area, "detail": c.detail} for c in self.checks],
            "not_checked": list(self.unchecked),
            "custody": [
                {
                    **step.event.to_json(),
                    "log_origin": step.log_origin,
                    "index": step.index,
                    "tree_size": step.tree_size,
                    "witnesses": list(step.witnesses),
                }
                for step in (*self.custody, *(s for o in self.origins for s in o.custody))
            ],
        }


def failure_json(reason: str, checks: Sequence[Check] = ()) -> dict[str, Any]:
    """The JSON of a verification that stopped at a failure: what held, and why not."""
    return {
        "verified": False,
        "verdict": "not-verified",
        "reasons": [reason],
        "chain": [],
        "items": [],
        "conditions": [],
        "checked": [{"area": c.area, "detail": c.detail} for c in checks],
        "not_checked": [],
    }


def custody_checks(
    ok: Callable[[str, str], None],
    unchecked: list[str],
    shortfalls: list[str],
    outcome: CustodyOutcome,
    *,
    statement: Statement,
    entries: int,
    where: str = "",
) -> None:
    """Report each proven step, and every gap: unwitnessed checkpoints and unknown
    signatures (not checked), logs not in the trust file and payload files whose custody
    the package does not prove (shortfalls)."""
    if entries == 0:
        unchecked.append(f"{where}custody: no custody events (packed without a node)")
    gaps: dict[str, None] = {}
    paths: dict[str, list[str]] = {}
    for entry in statement.payload:
        paths.setdefault(entry.sha256, []).append(entry.path)
    for step in outcome.proven:
        e = step.event
        about = ", ".join(paths.get(e.evidence_sha256 or "", [])) or f"request {e.request_id}"
        delivery = _delivery(e)
        who = e.officer if delivery is None else f"{delivery.get('provider_name')} to {e.officer}"
        ok(
            "custody",
            f"{where}{about}: {e.action.value} at {utc_text(e.time)} by {who} "
            f"({e.node}, {e.article}): "
            f"entry {step.index} of {step.log_origin}, checkpoint size {step.tree_size}, "
            f"cosigned by {len(step.witnesses)} trusted witness(es)",
        )
        at = f"{step.log_origin} at size {step.tree_size}"
        if not step.witnesses:
            gaps[f"witnessing of {at}: no witness in the trust file cosigned it"] = None
        if step.other_signatures > 0:
            gaps[
                f"{step.other_signatures} signature(s) on the checkpoint of {at}, "
                "from keys not in the trust file"
            ] = None
    unchecked.extend(gaps)
    shortfalls.extend(f"{where}{gap}" for gap in outcome.unchecked)
    if outcome.proven:
        covered = {s.event.evidence_sha256 for s in outcome.proven}
        shortfalls.extend(
            f"{where}custody of {e.path}: no custody step proven for it"
            for e in statement.payload
            if e.sha256 not in covered
        )


def _acquisition_json(a: PayloadAcquisition) -> dict[str, Any]:
    """An item's acquisition in ``--json``; where it was received off the network only when
    it was (``received_from``, ``channel``, ``channel_reference``)."""
    value: dict[str, Any] = {
        "source": a.source,
        "source_kind": a.source_kind,
        "legal_basis": a.legal_basis,
        "obtained_at": utc_text(a.obtained_at),
        "method": a.method,
        "officer": a.officer,
        "authority": a.authority,
        "state": a.state,
        "article": a.article,
    }
    if a.received_from is not None:
        value.update(
            received_from=a.received_from,
            channel=a.channel,
            channel_reference=a.channel_reference,
        )
    return value
