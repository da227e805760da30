"""Typed errors of the custody log.

Each error belongs to one family of :mod:`hanoi.errors`, so the CLI and the web
layer map it without knowing the custody log:

- malformed bytes (a note, a checkpoint, a tile, a proof, an event, a witness
  request) are :class:`~hanoi.errors.InvalidInput`;
- anything that fails to verify (a signature, a proof, a tile, a root, a fork)
  is a :class:`VerificationError`, an :class:`~hanoi.errors.IntegrityError`;
- a witness asked to cosign from a size it has not recorded gets a
  :class:`StaleCheckpointError`, a :class:`~hanoi.errors.Conflict` that carries
  the size it has recorded; an unknown log is :class:`~hanoi.errors.NotFound`.
"""

from __future__ import annotations

from hanoi.errors import Conflict, IntegrityError, InvalidInput, NotFound


class MalformedError(InvalidInput):
    """Bytes that do not follow the format they claim to follow."""


class MalformedNote(MalformedError):
    """Not a C2SP signed note."""


class MalformedCheckpoint(MalformedError):
    """Not a C2SP tlog-checkpoint body."""


class MalformedTile(MalformedError):
    """A tile path, hash tile or entry bundle that breaks C2SP tlog-tiles."""


class MalformedProof(MalformedError):
    """A proof (tlog-proof file, JSON proof, hash list) that cannot be read."""


class MalformedEvent(MalformedError):
    """A custody event that is not canonical, complete JSON."""


class MalformedRequest(MalformedError):
    """A tlog-witness ``add-checkpoint`` body that breaks the protocol."""


class VerificationError(IntegrityError):
    """Something signed, hashed or proven does not verify."""


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof does not verify."""


class SplitViewError(ProofError):
    """Two checkpoints of one log that are not consistent: the log forked its history."""


class RootMismatch(VerificationError):
    """A tree recomputed from its hashes does not have the root its checkpoint claims."""


class TileMismatch(VerificationError):
    """A tile or entry bundle does not hash to what the rest of the tree says."""


class SignatureError(VerificationError):
    """A signature line names a trusted key, and the signature does not verify."""


class NoTrustedSignature(VerificationError):
    """No signature line comes from a trusted key (an unsigned note, or the wrong key)."""


class InsufficientCosignatures(VerificationError):
    """Fewer trusted witnesses cosigned a checkpoint than the policy requires."""


class UnknownLogError(NotFound):
    """A witness was asked about a log (origin) it is not configured to witness."""


class StaleCheckpointError(Conflict):
    """A checkpoint that does not extend the latest one recorded for its log.

    ``recorded_size`` is the size of that latest checkpoint, which a tlog-witness
    returns in the body of its 409 response.
    """

    def __init__(self, detail: str, *, recorded_size: int) -> None:
        super().__init__(detail)
        self.recorded_size = recorded_size
