"""Verifying an evidence package offline: no network, no node, only the package and keys.

:func:`verify_package` checks, in this order, cheapest first:

1. the bag: every file is listed in ``manifest-sha256.txt`` or
   ``tagmanifest-sha256.txt``, none is missing or added, every tag file matches
   its digest, ``bagit.txt`` and ``bag-info.txt`` (Payload-Oxum) hold;
2. the statement: its JWS signature, by the key the trust file gives for its
   ``kid`` (or the key given), from the State that key belongs to;
3. that the statement describes this bag: same package ID, tag files, age files;
4. every custody event: its commitment, that it concerns this package, and its
   tlog-proof against a checkpoint signed by the log's key and cosigned by the
   trusted witnesses (:class:`~hanoi.custody.policy.CheckpointPolicy`);
5. the CASE/UCO description names every payload file;
6. each age file, read once: its SHA-256 against both manifest and statement,
   and, with identities, its plaintext SHA-256 and size against the statement.

Each failure raises a typed error naming the file at fault (see
:mod:`hanoi.evidence.package_errors`). What holds is collected as
:class:`Check` results; what could not be checked is listed, never hidden.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanoi.crypto.agekeys import AgeIdentity
from hanoi.crypto.ed25519keys import jwk_thumbprint
from hanoi.errors import InvalidInput
from hanoi.evidence.age import Identity, ScryptIdentity
from hanoi.evidence.bag import (
    check_bagit_txt,
    parse_bag_info,
    parse_manifest,
    payload_oxum,
    single_values,
)
from hanoi.evidence.bagio import BagReader, open_bag, read_at_most
from hanoi.evidence.custody_bundle import (
    CustodyOutcome,
    ProvenStep,
    parse_custody_index,
    verify_custody,
)
from hanoi.evidence.fields import utc_text
from hanoi.evidence.layout import (
    BAG_INFO,
    BAGIT_TXT,
    CASE_UCO,
    CUSTODY_INDEX,
    DEFAULT_PACKAGE_LIMITS,
    MANIFEST,
    STATEMENT,
    TAGMANIFEST,
    PackageLimits,
    is_payload_path,
)
from hanoi.evidence.origin_check import check_origins
from hanoi.evidence.package_errors import (
    MalformedPackage,
    NotARecipient,
    PackageTampered,
    PayloadMismatch,
    StatementMismatch,
    UntrustedSigner,
)
from hanoi.evidence.payload_check import Metered, Progress, hash_stream, read_payload
from hanoi.evidence.report import Check, PackageReport, custody_checks
from hanoi.evidence.statement import (
    PASSPHRASE_RECIPIENTS,
    SignedStatement,
    Statement,
    open_statement,
)
from hanoi.evidence.trust import TrustStore

REQUIRED_TAG_FILES = (BAGIT_TXT, BAG_INFO, MANIFEST, STATEMENT, CASE_UCO, CUSTODY_INDEX)


@dataclass
class _Run:
    bag: BagReader
    limits: PackageLimits
    on_check: Callable[[Check], None] | None
    checks: list[Check] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    tagmanifest: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, str] = field(default_factory=dict)
    core: dict[str, bytes] = field(default_factory=dict)

    def ok(self, area: str, detail: str) -> None:
        check = Check(area, detail)
        self.checks.append(check)
        if self.on_check is not None:
            self.on_check(check)

    def read(self, path: str, max_bytes: int) -> bytes:
        """A tag file, at most ``max_bytes``, checked against ``tagmanifest-sha256.txt``."""
        size = self.bag.files().get(path)
        if size is None:
            raise PackageTampered(f"{path}: missing")
        if size > max_bytes:
            raise MalformedPackage(f"{path}: {size} bytes, more than the {max_bytes} allowed")
        with self.bag.open(path) as stream:
            data = read_at_most(stream, max_bytes)
        if len(data) > max_bytes:
            raise MalformedPackage(f"{path}: grew beyond {max_bytes} bytes while being read")
        if path != TAGMANIFEST:
            if path not in self.tagmanifest:
                raise PackageTampered(f"{path}: not listed in {TAGMANIFEST}")
            if hashlib.sha256(data).hexdigest() != self.tagmanifest[path]:
                raise PackageTampered(f"{path}: SHA-256 does not match {TAGMANIFEST} (altered)")
        return data


def _first(paths: set[str]) -> str:
    listed = sorted(paths)
    more = f" (and {len(listed) - 1} more)" if len(listed) > 1 else ""
    return f"{listed[0]}{more}"


def _check_bag(run: _Run) -> None:
    files = run.bag.files()
    if BAGIT_TXT not in files and TAGMANIFEST not in files:
        raise MalformedPackage(f"{run.bag.name or 'the package'}: not a BagIt bag (no {BAGIT_TXT})")
    if TAGMANIFEST not in files:
        raise PackageTampered(f"{TAGMANIFEST}: missing")
    run.tagmanifest = parse_manifest(
        run.read(TAGMANIFEST, run.limits.max_manifest), name=TAGMANIFEST, limits=run.limits
    )
    if TAGMANIFEST in run.tagmanifest or any(map(is_payload_path, run.tagmanifest)):
        raise MalformedPackage(f"{TAGMANIFEST}: lists itself or a payload file")
    for path in REQUIRED_TAG_FILES:
        if path not in run.tagmanifest:
            raise PackageTampered(f"{path}: missing from {TAGMANIFEST}")
    run.manifest = parse_manifest(
        run.read(MANIFEST, run.limits.max_manifest), name=MANIFEST, limits=run.limits
    )
    if not all(map(is_payload_path, run.manifest)):
        raise MalformedPackage(f"{MANIFEST}: lists a file outside data/")
    listed = {*run.manifest, *run.tagmanifest, TAGMANIFEST}
    if missing := listed - set(files):
        raise PackageTampered(f"{_first(missing)}: missing (listed in a manifest, not in the bag)")
    if extra := set(files) - listed:
        raise PackageTampered(f"{_first(extra)}: not listed in any manifest (an added file)")
    for path in sorted(run.tagmanifest):
        data = run.read(path, run.limits.for_tag_file(path))
        if path in REQUIRED_TAG_FILES:
            run.core[path] = data
    check_bagit_txt(run.core[BAGIT_TXT])
    info = single_values(parse_bag_info(run.core[BAG_INFO]), name=BAG_INFO)
    oxum = payload_oxum(files[p] for p in run.manifest)
    if info.get("Payload-Oxum") != oxum:
        raise PackageTampered(
            f"{BAG_INFO}: Payload-Oxum {info.get('Payload-Oxum')!r}, the payload is {oxum}"
        )
    run.ok(
        "bag",
        f"BagIt 1.0; {len(files)} files, none missing or added; {len(run.tagmanifest)} tag files "
        f"match {TAGMANIFEST}; Payload-Oxum {oxum}",
    )


def _key_resolver(
    trust: TrustStore | None, signing_key: Ed25519PublicKey | None
) -> Callable[[str], Ed25519PublicKey]:
    def key_for(key_id: str) -> Ed25519PublicKey:
        if signing_key is not None:
            given = jwk_thumbprint(signing_key)
            if key_id != given:
                raise UntrustedSigner(
                    f"{STATEMENT}: signed by key {key_id[:64]}, not by the key given ({given})"
                )
            return signing_key
        assert trust is not None
        return trust.signing_key(key_id)

    return key_for


def _check_statement(
    run: _Run, *, trust: TrustStore | None, signing_key: Ed25519PublicKey | None
) -> tuple[SignedStatement, str, bool]:
    signed = open_statement(
        run.core[STATEMENT], key_for=_key_resolver(trust, signing_key), limits=run.limits
    )
    statement = signed.statement
    node = None
    if trust is not None and trust.knows(signed.key_id):
        node = trust.signer(signed.key_id)
    if node is None:
        signer = f"the key given ({signed.key_id})"
        run.unchecked.append(
            f"that the sender is {statement.sending_state}: the key given is not bound to a "
            "State (a --trust file binds keys to States)"
        )
    else:
        signer = f"{node.state} ({node.name}), key {signed.key_id}"
        if node.state != statement.sending_state:
            raise StatementMismatch(
                f"{STATEMENT}: says it comes from {statement.sending_state}, "
                f"but is signed by the key of {node.state}"
            )
    run.ok("statement", f"signature ({signed.algorithm}) by {signer}")
    return signed, signer, node is not None


def _mismatch(path: str, what: str) -> StatementMismatch:
    return StatementMismatch(f"{path}: {what} (the statement signed another version)")


def _check_describes_bag(run: _Run, statement: Statement) -> None:
    info = single_values(parse_bag_info(run.core[BAG_INFO]), name=BAG_INFO)
    named = info.get("External-Identifier")
    if named != statement.package_id:
        raise StatementMismatch(
            f"{STATEMENT}: describes package {statement.package_id}, but {BAG_INFO} names "
            f"{str(named)[:64]}: the statement comes from another package"
        )
    expected = {
        "Sending-State": statement.sending_state,
        "Request-Reference": statement.request,
        "Creation-Time": utc_text(statement.created),
    }
    for label, value in expected.items():
        if info.get(label) != value:
            raise StatementMismatch(
                f"{BAG_INFO}: {label} is {info.get(label)!r}, the statement says {value!r}"
            )
    paths = {entry.path for entry in statement.payload}
    if unlisted := set(run.manifest) - paths:
        raise StatementMismatch(f"{_first(unlisted)}: a payload file the statement does not list")
    if absent := paths - set(run.manifest):
        raise StatementMismatch(f"{_first(absent)}: listed by the statement, not in the bag")
    sizes = run.bag.files()
    for entry in statement.payload:
        if entry.ciphertext_sha256 != run.manifest[entry.path]:
            raise _mismatch(entry.path, f"its digest in {MANIFEST} differs from the statement's")
        if entry.ciphertext_size != sizes[entry.path]:
            raise _mismatch(entry.path, "its size differs from the statement's")
    tags = set(run.tagmanifest) - {STATEMENT}
    if unbound := tags - set(statement.tag_files):
        raise StatementMismatch(f"{_first(unbound)}: in the bag, but not bound by the statement")
    if absent := set(statement.tag_files) - tags:
        raise StatementMismatch(f"{_first(absent)}: bound by the statement, absent from the bag")
    for path in sorted(tags):
        if statement.tag_files[path] != run.tagmanifest[path]:
            raise _mismatch(path, "differs from the file the statement binds")
    run.ok(
        "statement",
        f"describes this bag: package {statement.package_id}, {len(paths)} payload file(s), "
        f"{len(tags)} tag files, {BAG_INFO} agrees",
    )


def _hex_values(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("@type") == "xsd:hexBinary" and isinstance(value.get("@value"), str):
            yield value["@value"].lower()
        for member in value.values():
            yield from _hex_values(member)
    elif isinstance(value, list):
        for member in value:
            yield from _hex_values(member)


def _described(data: bytes) -> set[str]:
    """The hexadecimal values (the files' SHA-256) a CASE/UCO document names."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedPackage(f"{CASE_UCO}: not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("@graph"), list):
        raise MalformedPackage(f"{CASE_UCO}: a JSON-LD document with an @graph")
    return set(_hex_values(document["@graph"]))


def _check_description(run: _Run, statement: Statement) -> None:
    described = _described(run.core[CASE_UCO])
    for entry in statement.payload:
        if entry.sha256 not in described:
            raise StatementMismatch(f"{CASE_UCO}: does not describe {entry.path}")
    run.ok("description", f"{CASE_UCO} describes every payload file by its SHA-256")
    run.unchecked.append(
        f"{CASE_UCO} against the CASE/UCO ontology (run: case_validate {CASE_UCO})"
    )


def _check_payload(
    run: _Run,
    statement: Statement,
    *,
    identities: Sequence[Identity],
    progress: Progress | None,
) -> None:
    if identities:
        _check_addressed(statement, identities)
    for entry in sorted(statement.payload, key=lambda e: e.path):
        with run.bag.open(entry.path) as raw:
            stream = raw
            if progress is not None:
                progress.start(entry.path, entry.ciphertext_size)
                stream = Metered(raw, progress.advance)  # type: ignore[assignment]
            try:
                digests = read_payload(stream, path=entry.path, identities=identities)
            except PackageTampered:
                with run.bag.open(entry.path) as again:
                    if hash_stream(again)[0] != run.manifest[entry.path]:
                        raise PackageTampered(
                            f"{entry.path}: SHA-256 does not match {MANIFEST} (altered)"
                        ) from None
                raise
        if digests.ciphertext_sha256 != run.manifest[entry.path]:
            raise PackageTampered(f"{entry.path}: SHA-256 does not match {MANIFEST} (altered)")
        if digests.plaintext_sha256 is None:
            continue
        if (digests.plaintext_sha256, digests.plaintext_size) != (entry.sha256, entry.size):
            raise PayloadMismatch(
                f"{entry.path}: decrypts to {digests.plaintext_size} bytes with SHA-256 "
                f"{digests.plaintext_sha256}; the statement says {entry.size} bytes, {entry.sha256}"
            )
        run.ok(
            "payload",
            f"{entry.path}: decrypted; {entry.name!r}, {entry.size} bytes, SHA-256 {entry.sha256}",
        )
    run.ok("payload", f"{len(statement.payload)} age file(s) match {MANIFEST} and the statement")
    if not identities:
        given = "no --identity"
        if statement.recipients == PASSPHRASE_RECIPIENTS:
            given = "no --identity or passphrase"
        run.unchecked.append(
            f"payload contents: {given} (the age files were checked, not their plaintext)"
        )


def _check_addressed(statement: Statement, identities: Sequence[Identity]) -> None:
    """The identities given can open this package: one of its age keys, or a passphrase
    for a package encrypted to one (whether it is the right one shows on decryption)."""
    passphrases = [i for i in identities if isinstance(i, ScryptIdentity)]
    if statement.recipients == PASSPHRASE_RECIPIENTS:
        if not passphrases:
            raise NotARecipient(
                "the package is encrypted to a passphrase, not to --identity: give the "
                "passphrase (--passphrase-file or --passphrase-stdin)"
            )
        return
    mine = {str(i.recipient()) for i in identities if isinstance(i, AgeIdentity)}
    if not mine & set(statement.recipients):
        given = f"--identity opens {', '.join(sorted(mine))[:200]}" if mine else "a passphrase"
        raise NotARecipient(
            f"{given}, but the package is encrypted to {', '.join(statement.recipients)[:400]}"
        )


def verify_package(
    path: Path,
    *,
    trust: TrustStore | None = None,
    signing_key: Ed25519PublicKey | None = None,
    identities: Sequence[Identity] = (),
    limits: PackageLimits = DEFAULT_PACKAGE_LIMITS,
    on_check: Callable[[Check], None] | None = None,
    progress: Progress | None = None,
) -> PackageReport:
    """Verify the package at ``path`` (a folder or a ``.tar``); raise at the first failure."""
    if trust is None and signing_key is None:
        raise InvalidInput(
            "give a trust file (--trust) or the sender's public key (--key): "
            "without one, nothing proves who made the package"
        )
    run = _Run(open_bag(path, limits=limits), limits, on_check)
    _check_bag(run)
    signed, signer, identified = _check_statement(run, trust=trust, signing_key=signing_key)
    statement = signed.statement
    _check_describes_bag(run, statement)
    entries = parse_custody_index(run.core[CUSTODY_INDEX], limits=limits)
    outcome: CustodyOutcome = verify_custody(
        entries,
        read=run.read,
        trust=trust,
        digests=frozenset(e.sha256 for e in statement.payload),
        request=statement.request,
    )
    shortfalls: list[str] = []
    custody_checks(
        run.ok, run.unchecked, shortfalls, outcome, statement=statement, entries=len(entries)
    )
    origins = check_origins(
        statement,
        tag_paths=frozenset(run.tagmanifest),
        read=run.read,
        trust=trust,
        limits=limits,
        ok=run.ok,
        described=_described,
    )
    shortfalls += origins.shortfalls
    run.unchecked += origins.unchecked
    _check_description(run, statement)
    _check_payload(run, statement, identities=identities, progress=progress)
    proven = [*outcome.proven, *(s for o in origins.reports for s in o.custody)]
    return PackageReport(
        statement=statement,
        signer=signer,
        key_id=signed.key_id,
        checks=tuple(run.checks),
        unchecked=tuple(run.unchecked),
        custody=outcome.proven,
        origins=tuple(origins.reports),
        shortfalls=tuple(dict.fromkeys(shortfalls)),
        witness_states=_witness_states(trust, proven),
        identified=identified,
    )


def _witness_states(
    trust: TrustStore | None, steps: Sequence[ProvenStep]
) -> tuple[tuple[str, str], ...]:
    """Each witness key label the proofs name, with the State whose witness it is."""
    if trust is None:
        return ()
    by_name = {node.witness_name: node.state for node in trust.nodes}
    labels = sorted({w for step in steps for w in step.witnesses})
    return tuple(
        (label, by_name[label.split("+", 1)[0]])
        for label in labels
        if label.split("+", 1)[0] in by_name
    )
