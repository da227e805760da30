"""A C2SP tlog-witness, as a pure decision: cosign a checkpoint, or say why not.

The ``add-checkpoint`` request body is an ``old <size>`` line, up to 63 base64
consistency proof lines, an empty line, then the checkpoint note. The witness
keeps, per log origin, the latest checkpoint it cosigned (:class:`WitnessState`)
and cosigns a new checkpoint only if it extends that one.

:meth:`Witness.add_checkpoint` takes the recorded state and the time, and
returns what to store and send back; it reads no clock and no database. The
caller stores :attr:`Cosigned.state` only if the recorded size is still
``request.old_size`` (compare-and-swap), then answers with
:meth:`Cosigned.response_body`. Errors, in the order the specification checks
them, and the HTTP status it requires:

=================================================  ======
:class:`~hanoi.custody.errors.MalformedRequest`,    400
:class:`~hanoi.custody.errors.MalformedNote`,
:class:`~hanoi.custody.errors.MalformedCheckpoint`
:class:`~hanoi.custody.errors.UnknownLogError`      404
:class:`~hanoi.custody.errors.SignatureError`,      403
:class:`~hanoi.custody.errors.NoTrustedSignature`
``old`` larger than the checkpoint size             400
:class:`~hanoi.custody.errors.StaleCheckpointError` 409 (body: ``recorded_size``)
:class:`~hanoi.custody.errors.ProofError`,          422
:class:`~hanoi.custody.errors.RootMismatch`,
:class:`~hanoi.custody.errors.SplitViewError`
=================================================  ======
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hanoi.custody.checkpoint import Checkpoint, parse_checkpoint
from hanoi.custody.cosignature import Cosigner
from hanoi.custody.encoding import b64, decode_hash, parse_decimal
from hanoi.custody.errors import (
    MalformedRequest,
    ProofError,
    RootMismatch,
    SplitViewError,
    StaleCheckpointError,
    UnknownLogError,
)
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.custody.merkle import EMPTY_ROOT, verify_consistency
from hanoi.custody.note import Note, NoteSignature, NoteVerifier, parse_note, verify_note
from hanoi.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class AddCheckpointRequest:
    """A parsed ``add-checkpoint`` body. ``checkpoint`` is not yet verified."""

    old_size: int
    consistency_proof: tuple[bytes, ...]
    note: Note
    checkpoint: Checkpoint

    def to_bytes(self) -> bytes:
        proof = "".join(f"{b64(h)}\n" for h in self.consistency_proof)
        return f"old {self.old_size}\n{proof}\n".encode() + self.note.to_bytes()


def _next_line(body: bytes, at: int) -> tuple[str, int]:
    end = body.find(b"\n", at)
    if end < 0:
        raise MalformedRequest("the request ends before the empty line")
    try:
        return body[at:end].decode("ascii"), end + 1
    except UnicodeDecodeError:
        raise MalformedRequest("the request's header lines are not ASCII") from None


def parse_add_checkpoint(body: bytes, *, limits: Limits = DEFAULT_LIMITS) -> AddCheckpointRequest:
    if len(body) > limits.max_witness_request_bytes:
        raise MalformedRequest("the add-checkpoint request is too large")
    line, at = _next_line(body, 0)
    if not line.startswith("old "):
        raise MalformedRequest("the request starts with an 'old <size>' line")
    old_size = parse_decimal(
        line[4:], error=MalformedRequest, what="the old size", maximum=limits.max_tree_size
    )
    proof: list[bytes] = []
    while True:
        line, at = _next_line(body, at)
        if not line:
            break
        if len(proof) == limits.max_witness_proof_lines:
            raise MalformedRequest(f"more than {limits.max_witness_proof_lines} proof lines")
        proof.append(decode_hash(line, error=MalformedRequest, what="a consistency proof line"))
    note = parse_note(body[at:], limits=limits)
    return AddCheckpointRequest(
        old_size, tuple(proof), note, parse_checkpoint(note.text, limits=limits)
    )


@dataclass(frozen=True, slots=True)
class WitnessState:
    """The latest checkpoint a witness cosigned for one log, and the note it served."""

    origin: str
    size: int
    root_hash: bytes
    note: bytes


@dataclass(frozen=True, slots=True)
class Cosigned:
    state: WitnessState
    cosignatures: tuple[NoteSignature, ...]

    def response_body(self) -> bytes:
        return "".join(s.line() for s in self.cosignatures).encode()


class Witness:
    """Cosigns checkpoints of the logs it is configured for, with its cosigner key(s)."""

    def __init__(
        self, *, cosigners: Sequence[Cosigner], logs: Mapping[str, Sequence[NoteVerifier]]
    ) -> None:
        if not cosigners:
            raise InvalidInput("a witness needs a cosigner key")
        self._cosigners = tuple(cosigners)
        self._logs = {origin: tuple(keys) for origin, keys in logs.items()}

    def add_checkpoint(
        self, request: AddCheckpointRequest, *, latest: WitnessState | None, now: int
    ) -> Cosigned:
        """Decide on one request, given the recorded state for its origin and POSIX ``now``."""
        checkpoint = request.checkpoint
        keys = self._logs.get(checkpoint.origin)
        if keys is None:
            raise UnknownLogError(f"this witness does not witness log {checkpoint.origin!r}")
        verified = verify_note(request.note, keys)
        if latest is not None and latest.origin != checkpoint.origin:
            raise InvalidInput("the recorded state belongs to another log")
        if request.old_size > checkpoint.size:
            raise MalformedRequest(
                f"old size {request.old_size} exceeds the checkpoint size {checkpoint.size}"
            )
        recorded = latest.size if latest is not None else 0
        if request.old_size != recorded:
            raise StaleCheckpointError(
                f"this witness last cosigned size {recorded}, not {request.old_size}",
                recorded_size=recorded,
            )
        self._check_consistency(request, latest)
        text = verified.text
        cosignatures = tuple(c.cosign(text, timestamp=now) for c in self._cosigners)
        served = Note(text, verified.verified + cosignatures).to_bytes()
        state = WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root_hash, served)
        return Cosigned(state, cosignatures)

    @staticmethod
    def _check_consistency(request: AddCheckpointRequest, latest: WitnessState | None) -> None:
        checkpoint, proof = request.checkpoint, request.consistency_proof
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            raise RootMismatch("a checkpoint of size 0 must have the empty tree's root")
        if latest is None or request.old_size == 0:
            if proof:
                raise ProofError("a consistency proof from size 0 must be empty")
            return
        if latest.size == checkpoint.size:
            if latest.root_hash != checkpoint.root_hash:
                raise SplitViewError(
                    f"two different roots for size {checkpoint.size} of {checkpoint.origin}"
                )
            if proof:
                raise ProofError("a consistency proof between equal sizes must be empty")
            return
        try:
            verify_consistency(
                old_size=latest.size,
                new_size=checkpoint.size,
                old_root=latest.root_hash,
                new_root=checkpoint.root_hash,
                proof=proof,
            )
        except ProofError as exc:
            raise SplitViewError(
                f"{checkpoint.origin} size {checkpoint.size} is not proven consistent with "
                f"the cosigned size {latest.size}: {exc.detail}"
            ) from None
