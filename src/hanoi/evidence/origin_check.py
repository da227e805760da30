"""Checking the packages of other States that a package carries whole (``origins/``). Pure.

For each origin the statement declares, the verifier checks, in this order:

1. the originating statement's signature, by a key the trust file gives to the State it
   says it comes from (a key given on the command line identifies one State only: a
   package that carries another State's is checked against a trust file);
2. that every file that statement binds is in the origin's folder, byte for byte, and
   that the folder holds nothing else;
3. its custody proofs, in the originating State's log, at a checkpoint the trust file's
   quorum of witnesses cosigned;
4. that its CASE/UCO description names each of its files;
5. the links: each file of this package that the origin lists has the same plaintext
   SHA-256 and size there, and the acquisition this package states for it is the one the
   origin signed; at least one file links;
6. the conditions: every term the originating State imposed is carried verbatim, and no
   term is attributed to that State that it did not sign.

Tampering raises a typed error (as everywhere in the verifier); a gap of trust or of
linking is a *shortfall*: the package is then NOT VERIFIED, with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from hanoi.evidence.custody_bundle import parse_custody_index, verify_custody
from hanoi.evidence.layout import CASE_UCO, CUSTODY_INDEX, STATEMENT, PackageLimits
from hanoi.evidence.package_errors import (
    PackageTampered,
    StatementMismatch,
    UntrustedSigner,
)
from hanoi.evidence.provenance import ORIGINS_DIR, Origin, Term
from hanoi.evidence.report import OriginReport, custody_checks
from hanoi.evidence.statement import Statement, open_statement
from hanoi.evidence.trust import TrustStore

ReadTag = Callable[[str, int], bytes]
Ok = Callable[[str, str], None]


@dataclass
class OriginFindings:
    reports: list[OriginReport]
    shortfalls: list[str]
    unchecked: list[str]


def check_origins(
    statement: Statement,
    *,
    tag_paths: frozenset[str],
    read: ReadTag,
    trust: TrustStore | None,
    limits: PackageLimits,
    ok: Ok,
    described: Callable[[bytes], set[str]],
) -> OriginFindings:
    """Check every origin ``statement`` declares (``described`` reads the plaintext
    digests a CASE/UCO document names)."""
    found = OriginFindings([], [], [])
    folders = {origin.folder for origin in statement.origins}
    stray = sorted(
        p
        for p in tag_paths
        if p.startswith(ORIGINS_DIR + "/") and not any(p.startswith(f + "/") for f in folders)
    )
    if stray:
        raise StatementMismatch(f"{stray[0]}: in origins/, but of no origin the statement lists")
    for origin in statement.origins:
        where = f"{origin.folder}: "
        if trust is None:
            found.shortfalls.append(
                f"{where}the statement of {origin.sending_state}'s package cannot be checked "
                "without a trust file (--trust): a key given identifies one State only"
            )
            continue
        checked = _check_one(
            origin,
            outer=statement,
            tag_paths=tag_paths,
            read=read,
            trust=trust,
            limits=limits,
            ok=ok,
            described=described,
            findings=found,
        )
        if checked is not None:
            found.reports.append(checked)
    return found


def _check_one(
    origin: Origin,
    *,
    outer: Statement,
    tag_paths: frozenset[str],
    read: ReadTag,
    trust: TrustStore,
    limits: PackageLimits,
    ok: Ok,
    described: Callable[[bytes], set[str]],
    findings: OriginFindings,
) -> OriginReport | None:
    where = f"{origin.folder}: "
    statement_path = origin.path(STATEMENT)
    if statement_path not in tag_paths:
        raise PackageTampered(f"{statement_path}: missing")
    try:
        signed = open_statement(
            read(statement_path, limits.max_statement), key_for=trust.signing_key, limits=limits
        )
    except UntrustedSigner as exc:
        findings.shortfalls.append(f"{where}{exc.detail}")
        return None
    nested = signed.statement
    node = trust.signer(signed.key_id)
    if not node.state == nested.sending_state == origin.sending_state:
        raise StatementMismatch(
            f"{statement_path}: says it comes from {nested.sending_state}, is declared as from "
            f"{origin.sending_state}, and is signed by the key of {node.state}"
        )
    if nested.package_id != origin.package_id:
        raise StatementMismatch(
            f"{statement_path}: describes package {nested.package_id}, not {origin.package_id}"
        )
    signer = f"{node.state} ({node.name}), key {signed.key_id}"
    ok("origin", f"{origin.folder}: statement signed ({signed.algorithm}) by {signer}")
    _check_files(origin, nested, tag_paths=tag_paths, read=read, limits=limits)
    ok("origin", f"{origin.folder}: holds every file {node.state} signed, byte for byte")
    entries = parse_custody_index(read(origin.path(CUSTODY_INDEX), limits.max_custody_index))
    outcome = verify_custody(
        entries,
        read=lambda path, most: read(origin.path(path), most),
        trust=trust,
        digests=frozenset(e.sha256 for e in nested.payload),
        request=nested.request,
    )
    custody_checks(
        ok,
        findings.unchecked,
        findings.shortfalls,
        outcome,
        statement=nested,
        entries=len(entries),
        where=where,
    )
    names = described(read(origin.path(CASE_UCO), limits.max_case_uco))
    if missing := [e.path for e in nested.payload if e.sha256 not in names]:
        raise StatementMismatch(f"{origin.path(CASE_UCO)}: does not describe {missing[0]}")
    linked = _links(origin, outer, nested, findings)
    _terms(origin, outer, nested, findings)
    if nested.request != outer.request:
        findings.shortfalls.append(
            f"{where}{origin.sending_state}'s package answers request {nested.request}, "
            f"this one {outer.request}"
        )
    return OriginReport(origin, nested, signer, outcome.proven, linked)


def _check_files(
    origin: Origin,
    nested: Statement,
    *,
    tag_paths: frozenset[str],
    read: ReadTag,
    limits: PackageLimits,
) -> None:
    signed = {origin.path(p): digest for p, digest in nested.tag_files.items()}
    present = {p for p in tag_paths if p.startswith(origin.folder + "/")}
    expected = {*signed, origin.path(STATEMENT)}
    if missing := sorted(expected - present):
        raise PackageTampered(f"{missing[0]}: missing (the originating statement binds it)")
    if added := sorted(present - expected):
        raise PackageTampered(f"{added[0]}: not a file of the originating package (added)")
    for path, digest in sorted(signed.items()):
        data = read(path, limits.for_tag_file(path.removeprefix(origin.folder + "/")))
        if hashlib.sha256(data).hexdigest() != digest:
            raise PackageTampered(
                f"{path}: differs from the file {origin.sending_state} signed (altered)"
            )


def _links(
    origin: Origin, outer: Statement, nested: Statement, findings: OriginFindings
) -> tuple[str, ...]:
    where = f"{origin.folder}: "
    theirs = {e.sha256: e for e in nested.payload}
    linked = []
    for entry in outer.payload:
        source = theirs.get(entry.sha256)
        if source is None:
            continue
        if source.size != entry.size:
            raise StatementMismatch(
                f"{entry.path}: {entry.size} bytes here, {source.size} in "
                f"{origin.sending_state}'s statement"
            )
        if entry.acquisition is not None and entry.acquisition != source.acquisition:
            findings.shortfalls.append(
                f"{where}how {entry.name!r} was obtained differs from what "
                f"{origin.sending_state} signed"
            )
        linked.append(entry.sha256)
    if not linked:
        findings.shortfalls.append(
            f"{where}no file of this package is one of {origin.sending_state}'s package "
            "(their plaintext SHA-256 do not link)"
        )
    return tuple(linked)


def _terms(origin: Origin, outer: Statement, nested: Statement, findings: OriginFindings) -> None:
    state = origin.sending_state
    theirs = {_term_key(t) for t in nested.terms if t.imposed_by == state}
    carried = {_term_key(t) for t in outer.terms if t.imposed_by == state}
    if theirs - carried:
        findings.shortfalls.append(
            f"{origin.folder}: conditions {state} set are missing or altered in this package"
        )
    if carried - theirs:
        findings.shortfalls.append(
            f"{origin.folder}: this package attributes to {state} conditions it did not set"
        )


def _term_key(term: Term) -> str:
    return json.dumps(term.to_json(), sort_keys=True)
