"""C2SP tlog-proof: a self-contained, offline proof that an entry is in a log.

The text format (file extension ``.tlog-proof``)::

    c2sp.org/tlog-proof@v1
    extra <base64>            (optional)
    index <decimal>
    <base64 inclusion proof hash, leaf side first>
    ...
    <empty line>
    <the checkpoint note, verbatim, with its cosignatures>

The same content also travels as JSON (``{"index", "inclusion_proof",
"checkpoint", "extra"}``, hashes in base64), for tools that prefer it;
:func:`load_proof` reads either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hanoi.custody.encoding import b64, decode_b64, decode_hash, load_json, parse_decimal
from hanoi.custody.errors import MalformedProof
from hanoi.custody.limits import DEFAULT_LIMITS, Limits
from hanoi.custody.merkle import verify_inclusion
from hanoi.custody.note import parse_note
from hanoi.custody.policy import CheckpointPolicy, WitnessedCheckpoint

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True, slots=True)
class TlogProof:
    index: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: bytes
    extra: bytes | None = None

    def to_bytes(self) -> bytes:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64(h) for h in self.inclusion_proof)
        return ("\n".join(lines) + "\n\n").encode() + self.checkpoint

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "index": self.index,
            "inclusion_proof": [b64(h) for h in self.inclusion_proof],
            "checkpoint": self.checkpoint.decode(),
        }
        if self.extra is not None:
            value["extra"] = b64(self.extra)
        return value


def _split_line(data: bytes, at: int) -> tuple[str, int]:
    end = data.find(b"\n", at)
    if end < 0:
        raise MalformedProof("the proof ends before its checkpoint")
    try:
        return data[at:end].decode("ascii"), end + 1
    except UnicodeDecodeError:
        raise MalformedProof("the proof's header lines are not ASCII") from None


def _extra(encoded: str, *, limits: Limits) -> bytes:
    extra = decode_b64(encoded, error=MalformedProof, what="the extra data")
    if not extra or len(extra) > limits.max_extra_bytes:
        raise MalformedProof("the extra data is empty or too large")
    return extra


def parse_tlog_proof(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> TlogProof:
    if len(data) > limits.max_tlog_proof_bytes:
        raise MalformedProof("the proof file is too large")
    line, at = _split_line(data, 0)
    if line != HEADER:
        raise MalformedProof(f"a tlog-proof starts with {HEADER!r}")
    line, at = _split_line(data, at)
    extra = None
    if line.startswith("extra "):
        extra = _extra(line[len("extra ") :], limits=limits)
        line, at = _split_line(data, at)
    if not line.startswith("index "):
        raise MalformedProof("the proof has no 'index <n>' line")
    index = parse_decimal(
        line[len("index ") :], error=MalformedProof, what="the index", maximum=limits.max_tree_size
    )
    proof: list[bytes] = []
    while True:
        line, at = _split_line(data, at)
        if not line:
            break
        if len(proof) == limits.max_proof_hashes:
            raise MalformedProof(f"the inclusion proof is longer than {limits.max_proof_hashes}")
        proof.append(decode_hash(line, error=MalformedProof, what="an inclusion proof hash"))
    checkpoint = data[at:]
    parse_note(checkpoint, limits=limits)
    return TlogProof(index, tuple(proof), checkpoint, extra)


def _note_bytes(note: str) -> bytes:
    try:
        return note.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedProof("the proof's checkpoint is not valid UTF-8") from None


def parse_json_proof(
    data: bytes, *, checkpoint: bytes | None = None, limits: Limits = DEFAULT_LIMITS
) -> TlogProof:
    """Read a JSON proof; ``checkpoint`` supplies the note when the JSON has none."""
    value = load_json(
        data,
        error=MalformedProof,
        what="the proof",
        max_bytes=limits.max_tlog_proof_bytes,
        max_depth=2,
    )
    if not isinstance(value, dict):
        raise MalformedProof("a JSON proof is an object")
    index, hashes = value.get("index"), value.get("inclusion_proof")
    if type(index) is not int or not 0 <= index <= limits.max_tree_size:
        raise MalformedProof("the proof's 'index' is not a valid entry index")
    if not isinstance(hashes, list) or len(hashes) > limits.max_proof_hashes:
        raise MalformedProof("the proof's 'inclusion_proof' is not a list of hashes")
    if any(not isinstance(h, str) for h in hashes):
        raise MalformedProof("the proof's hashes are base64 strings")
    proof = tuple(decode_hash(h, error=MalformedProof, what="a proof hash") for h in hashes)
    extra, note = value.get("extra"), value.get("checkpoint")
    if extra is not None and not isinstance(extra, str):
        raise MalformedProof("the proof's 'extra' is a base64 string")
    if note is not None and not isinstance(note, str):
        raise MalformedProof("the proof's 'checkpoint' is the checkpoint note as a string")
    embedded = None if note is None else _note_bytes(note)
    return TlogProof(
        index,
        proof,
        _choose_checkpoint(embedded, checkpoint, limits=limits),
        None if extra is None else _extra(extra, limits=limits),
    )


def _choose_checkpoint(embedded: bytes | None, given: bytes | None, *, limits: Limits) -> bytes:
    if embedded is not None and given is not None and embedded != given:
        raise MalformedProof("the proof carries a checkpoint other than the one given")
    note = embedded if embedded is not None else given
    if note is None:
        raise MalformedProof("the proof carries no checkpoint and none was given")
    parse_note(note, limits=limits)
    return note


def load_proof(
    data: bytes, *, checkpoint: bytes | None = None, limits: Limits = DEFAULT_LIMITS
) -> TlogProof:
    """Read a proof in either encoding (the text format starts with its header line).

    ``checkpoint``, if given, must be the proof's own checkpoint, or supplies it
    to a JSON proof that has none.
    """
    if data.startswith(HEADER.encode() + b"\n"):
        proof = parse_tlog_proof(data, limits=limits)
        _choose_checkpoint(proof.checkpoint, checkpoint, limits=limits)
        return proof
    return parse_json_proof(data, checkpoint=checkpoint, limits=limits)


def verify_tlog_proof(
    proof: TlogProof,
    *,
    leaf_hash: bytes,
    policy: CheckpointPolicy,
    limits: Limits = DEFAULT_LIMITS,
) -> WitnessedCheckpoint:
    """Check the checkpoint under ``policy``, then the entry's inclusion in it."""
    witnessed = policy.verify(proof.checkpoint, limits=limits)
    checkpoint = witnessed.signed.checkpoint
    verify_inclusion(
        leaf_hash=leaf_hash,
        index=proof.index,
        size=checkpoint.size,
        proof=proof.inclusion_proof,
        root=checkpoint.root_hash,
    )
    return witnessed
