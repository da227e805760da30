"""A letter's custody proof: its ``letter-issued`` event, proven in the issuing node's log.

A letter goes by post, diplomatic note or e-mail to a State that may run no node; whoever
holds it can check its signature (:mod:`hanoi.letters.pades`), and, with this proof, that
the issuing node logged it. The proof is one RFC 8785 JSON file (ADR 0031)::

    {"version": 1, "type": "hanoi-letter-proof",
     "letter_sha256": "<64 hex: the signed PDF>",
     "log_origin": "hanoi.node/egy/...", "index": 41,
     "event": {<the letter-issued custody event>}, "salt": "<64 hex>",
     "tlog_proof": "<a C2SP tlog-proof, its checkpoint cosigned by the witnesses>"}

The event with its salt hashes to the commitment that is entry ``index`` of the log; the
tlog-proof binds that entry to a checkpoint the log signed and witnesses of other States
cosigned. The same three pieces checked one by one with standard tools:
``hanoi log verify-event EVENT --salt HEX --proof PROOF --key VKEY``. The event says which
request the letter serves, its language and verification code: what the letter itself
shows (and an officer's reason for a language the other State does not list).

Building and checking are pure; the node gives the proof (:func:`hanoi.letters.issued.
letter_proof`), ``hanoi letter verify --proof FILE`` or ``--node URL`` checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hanoi.custody.encoding import load_json
from hanoi.custody.errors import MalformedError
from hanoi.custody.events import CustodyAction, CustodyEvent, event_commitment, parse_event
from hanoi.custody.limits import DEFAULT_LIMITS as CUSTODY_LIMITS
from hanoi.custody.service import LoggedEvent
from hanoi.custody.tlogproof import TlogProof, load_proof
from hanoi.errors import HanoiError, IntegrityError
from hanoi.evidence.custody_bundle import prove_event
from hanoi.evidence.trust import TrustStore
from hanoi.letters.letter import Purpose
from hanoi.wire import canonical_json

VERSION = 1
TYPE = "hanoi-letter-proof"
MEDIA_TYPE = "application/json"
MAX_BYTES = 64 * 1024
"""A proof file is a few KiB: the event, a salt, up to 64 hashes and a cosigned checkpoint."""
_MEMBERS = ("version", "type", "letter_sha256", "log_origin", "index", "event", "salt",
            "tlog_proof")  # fmt: skip
_HEX64 = re.compile(r"[0-9a-f]{64}")


class MalformedLetterProof(MalformedError):
    """The file is not a letter's custody proof as ``hanoi letter proof`` writes it."""


class ProofOfAnotherLetter(IntegrityError):
    """The proof is sound but about another file: the letter was changed, or it is not the
    letter the proof was given for."""


@dataclass(frozen=True, slots=True)
class LoggedLetter:
    """A ``letter-issued`` event of a node's log, with its index and salt."""

    logged: LoggedEvent
    log_origin: str

    @property
    def event(self) -> CustodyEvent:
        return self.logged.event

    @property
    def verification_code(self) -> str | None:
        value = self.event.unknown.get("verification_code")
        return value if isinstance(value, str) else None

    @property
    def purpose(self) -> str:
        """``request`` or ``answer`` (a letter logged before answers existed: ``request``)."""
        value = self.event.unknown.get("purpose", Purpose.REQUEST.value)
        return value if isinstance(value, str) else Purpose.REQUEST.value

    def to_json(self) -> dict[str, object]:
        return {
            "found": True,
            "index": self.logged.index,
            "log_origin": self.log_origin,
            "request_id": self.event.request_id,
            "verification_code": self.verification_code,
            "language": self.event.unknown.get("language"),
            "time": self.event.to_json()["time"],
            "officer": self.event.officer,
            "state": self.event.node,
            "article": self.event.article,
            "override_reason": self.event.unknown.get("override_reason"),
            "purpose": self.purpose,
            "step": self.event.unknown.get("step"),
        }


@dataclass(frozen=True, slots=True)
class LetterProof:
    """A letter's ``letter-issued`` event with the tlog-proof of its entry."""

    letter: LoggedLetter
    tlog_proof: TlogProof

    @property
    def sha256(self) -> str:
        digest = self.letter.event.evidence_sha256
        assert digest is not None  # a letter-issued event names its PDF (parse checks)
        return digest

    def to_bytes(self) -> bytes:
        logged = self.letter.logged
        value: dict[str, Any] = {
            "version": VERSION,
            "type": TYPE,
            "letter_sha256": self.sha256,
            "log_origin": self.letter.log_origin,
            "index": logged.index,
            "event": logged.event.to_json(),
            "salt": logged.salt.hex(),
            "tlog_proof": self.tlog_proof.to_bytes().decode("utf-8"),
        }
        return canonical_json(value, error=MalformedLetterProof, what="the proof")


def _text(value: dict[str, Any], name: str, limit: int) -> str:
    member = value.get(name)
    if not isinstance(member, str) or not member or len(member) > limit:
        raise MalformedLetterProof(f"the proof's '{name}' is a string of up to {limit} characters")
    return member


def _hex64(value: dict[str, Any], name: str) -> str:
    member = value.get(name)
    if not isinstance(member, str) or not _HEX64.fullmatch(member):
        raise MalformedLetterProof(f"the proof's '{name}' is 64 lowercase hex digits")
    return member


def parse_letter_proof(data: bytes) -> LetterProof:
    """Read a proof file: every member present and well formed, the event a
    ``letter-issued`` event about ``letter_sha256``, the tlog-proof about ``index``, and the
    event with its salt hashing to the entry's commitment is left to :func:`check`.
    :class:`MalformedLetterProof` otherwise."""
    value = load_json(
        data, error=MalformedLetterProof, what="the proof", max_bytes=MAX_BYTES, max_depth=8
    )
    if not isinstance(value, dict) or value.get("type") != TYPE:
        raise MalformedLetterProof(f"not a letter's custody proof (its 'type' is not {TYPE!r})")
    if value.get("version") != VERSION:
        raise MalformedLetterProof(f"a letter proof of version {value.get('version')!r}; "
                                   f"this version of hanoi reads version {VERSION}")  # fmt: skip
    missing = [name for name in _MEMBERS if name not in value]
    if missing:
        raise MalformedLetterProof(f"the proof lacks {', '.join(missing)}")
    digest = _hex64(value, "letter_sha256")
    origin = _text(value, "log_origin", CUSTODY_LIMITS.max_origin_bytes)
    index = value["index"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise MalformedLetterProof("the proof's 'index' is a whole number, 0 or more")
    if not isinstance(value["event"], dict):
        raise MalformedLetterProof("the proof's 'event' is a custody event (a JSON object)")
    salt = bytes.fromhex(_hex64(value, "salt"))
    try:
        event = parse_event(canonical_json(value["event"], error=MalformedLetterProof))
        text = _text(value, "tlog_proof", CUSTODY_LIMITS.max_tlog_proof_bytes)
        tlog_proof = load_proof(text.encode("utf-8"))
    except MalformedLetterProof:
        raise
    except HanoiError as exc:
        raise MalformedLetterProof(f"the proof: {exc.diagnostics()}") from None
    if event.action is not CustodyAction.LETTER_ISSUED or event.evidence_sha256 != digest:
        raise MalformedLetterProof(
            f"the proof's event is not the letter-issued event of {digest[:12]}…"
        )
    if tlog_proof.index != index:
        raise MalformedLetterProof(
            f"the proof's tlog-proof proves entry {tlog_proof.index}, not {index}"
        )
    logged = LoggedEvent(index, event, salt, event_commitment(event, salt))
    return LetterProof(LoggedLetter(logged, origin), tlog_proof)


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """What a proof showed about a letter: proven in a trusted, witnessed log, or why not."""

    letter: LoggedLetter
    proven: bool
    tree_size: int | None = None
    witnesses: tuple[str, ...] = ()
    unproven: str | None = None

    def to_json(self) -> dict[str, object]:
        return self.letter.to_json() | {
            "proven": self.proven,
            "tree_size": self.tree_size,
            "witnesses": list(self.witnesses),
        }


def check(proof: LetterProof, *, sha256: str, trust: TrustStore | None) -> ProofCheck:
    """Check ``proof`` for the file whose SHA-256 is ``sha256``: it must be that file's
    (:class:`ProofOfAnotherLetter` otherwise), and, with ``trust`` listing the log, hold in
    a checkpoint signed by the log and cosigned by the trust file's quorum of witnesses
    (``CustodyNotProven`` otherwise). Without ``trust``, or with one that does not list the
    log, the result is ``proven=False`` with the reason."""
    if proof.sha256 != sha256:
        raise ProofOfAnotherLetter(
            f"the proof is about the file {proof.sha256[:12]}…, not this one ({sha256[:12]}…): "
            "the letter was changed, or the proof is another letter's"
        )
    letter = proof.letter
    if trust is None:
        return ProofCheck(letter, proven=False, unproven="no trust file gives the log's key")
    outcome = prove_event(
        letter.event,
        letter.logged.salt,
        proof.tlog_proof,
        log_origin=letter.log_origin,
        labels=("the letter-issued event", "the proof"),
        trust=trust,
    )
    if isinstance(outcome, str):
        return ProofCheck(letter, proven=False, unproven=outcome)
    return ProofCheck(letter, proven=True, tree_size=outcome.tree_size, witnesses=outcome.witnesses)
