"""Is this log behind what its witnesses cosigned? Asked before a node signs again after
its database may have gone back in time (a restored backup; ADR 0048).

A witness cosigns only a checkpoint that extends the last one it cosigned for the log.
A log whose database was restored to size ``N``, while its witnesses hold a cosigned
checkpoint of size ``M > N``, would sign a new tree of size ``N + k`` that is not
consistent with the tree of size ``M``: a fork, which every witness refuses (and which a
court would rightly read as a rewritten history). So the node must not sign until it is
back at ``M`` or beyond, with the same entries: a newer backup, or the log rebuilt from
tiles kept elsewhere.

Pure: the views are fetched by the caller. Each view is the checkpoint a witness says it
cosigned last (``GET <witness>/view?origin=``); only views signed by this log's own key
count, so a witness cannot hold the log back with a checkpoint the log never signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hanoi.custody.checkpoint import open_checkpoint
from hanoi.custody.encoding import b64
from hanoi.custody.errors import VerificationError
from hanoi.custody.note import NoteVerifier
from hanoi.errors import HanoiError, RuleViolation, Unavailable


@dataclass(frozen=True, slots=True)
class WitnessView:
    witness: str
    note: bytes | None
    """The checkpoint the witness cosigned last; None if it never cosigned this log."""
    error: str | None = None
    """Why the witness could not be asked (then ``note`` is None)."""


class LogBehindWitnesses(RuleViolation):
    """The log's database holds a smaller tree than a witness cosigned: signing from here
    would fork the log."""

    def __init__(self, detail: str, *, size: int, cosigned: int, witness: str) -> None:
        super().__init__(detail)
        self.size = size
        self.cosigned = cosigned
        self.witness = witness


class LogOnHold(RuleViolation):
    """A restored node's log signs nothing until ``hanoi serve`` has asked its witnesses
    (``restored.json`` in the node folder): not even a command run without the server."""


class WitnessesNotHeard(Unavailable):
    """After a restore, every witness must answer before the log signs again."""


@dataclass(frozen=True, slots=True)
class RollbackCheck:
    """The outcome when the log may sign: the largest size a witness cosigned (0 if none),
    and the witnesses that could not be asked."""

    cosigned: int
    unheard: tuple[str, ...]


def check_not_behind(
    *,
    origin: str,
    size: int,
    root: bytes,
    views: Sequence[WitnessView],
    log_keys: Sequence[NoteVerifier],
    every_witness: bool,
) -> RollbackCheck:
    """Raise :class:`LogBehindWitnesses` if a witness cosigned a larger tree than ``size``
    (or the same size with another root); with ``every_witness``, raise
    :class:`WitnessesNotHeard` if any witness could not be asked."""
    cosigned = 0
    unheard: list[str] = []
    for view in views:
        if view.note is None:
            if view.error is not None:
                unheard.append(f"{view.witness} ({view.error})")
            continue
        try:
            theirs = open_checkpoint(view.note, log_keys, origin=origin).checkpoint
        except (VerificationError, HanoiError) as exc:
            unheard.append(f"{view.witness} (its view does not verify: {exc})")
            continue
        cosigned = max(cosigned, theirs.size)
        if theirs.size > size:
            raise LogBehindWitnesses(
                f"the custody log {origin} is at size {size} but witness {view.witness} "
                f"cosigned size {theirs.size}: signing from here would fork the log; "
                "restore a newer backup or rebuild the log from its tiles "
                "(docs/operations.md, 'Backups and restore')",
                size=size,
                cosigned=theirs.size,
                witness=view.witness,
            )
        if theirs.size == size and theirs.root_hash != root:
            raise LogBehindWitnesses(
                f"the custody log {origin} at size {size} has root {b64(root)} but witness "
                f"{view.witness} cosigned root {b64(theirs.root_hash)} at that size: this "
                "database holds another history; restore the backup the witnesses saw",
                size=size,
                cosigned=theirs.size,
                witness=view.witness,
            )
    if every_witness and unheard:
        raise WitnessesNotHeard(
            f"after a restore every witness must confirm that the log (size {size}) is not "
            f"behind; not heard: {', '.join(unheard)}"
        )
    return RollbackCheck(cosigned, tuple(unheard))
