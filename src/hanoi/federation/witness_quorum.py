"""Whose cosignatures count, and how many, taken from the signed directory (ADR 0022).

A checkpoint of a State's log counts as witnessed when ``k`` witnesses of *other*
States cosigned it: a State cannot witness itself. ``k`` is the node's
``min_witnesses`` (default 1), capped by how many such witnesses the directory lists,
so a federation of two States needs the one other, and a lone node (or a sandbox
without witnesses) needs none: its packages then say that nobody witnessed them, and
the receiver, holding the same directory, asks no more.

The same rule holds on both sides: the sending node waits for it before packing
(:class:`LogQuorum`, for its own log), the receiving node and the court report check
it (:func:`acceptance_quorum`, for the sender's log).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hanoi.custody.cosignature import CosignerKey
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.witnessing import Peer
from hanoi.directory.trust import TrustedDirectory
from hanoi.errors import Unavailable
from hanoi.federation.service import DirectoryHolder


def capped_quorum(wanted: int, available: int) -> int:
    """``min_witnesses`` as far as ``available`` witnesses allow."""
    return max(0, min(wanted, available))


def acceptance_quorum(held: TrustedDirectory, wanted: int) -> int:
    """The quorum a received package's proofs must meet: ``wanted``, capped by the
    witnesses of other States the directory lists for a log (every State but its own)."""
    return capped_quorum(wanted, len(held.directory.states) - 1)


@dataclass(frozen=True, slots=True)
class LogWitnesses:
    """The policy for this node's own checkpoints, and the State of each witness."""

    policy: CheckpointPolicy
    states: Mapping[str, str]
    """Witness key name -> the State whose witness it is (the name itself without a
    directory)."""

    @property
    def required(self) -> int:
        return self.policy.min_witnesses

    def states_of(self, names: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.states.get(name, name) for name in names))


class LogQuorum:
    """This node's log as the directory says others must witness it: its key, the other
    States' witness keys, and the capped quorum. Without a directory, the witnesses
    configured by hand (``hanoi witness add-peer``) are the other States'."""

    def __init__(
        self,
        *,
        state: str,
        log_origin: str,
        log_verifier_key: str,
        own_witness_key: str,
        directory: DirectoryHolder,
        peers: Callable[[], Sequence[Peer]],
        wanted: int,
    ) -> None:
        self._state = state
        self._origin = log_origin
        self._log_key = log_verifier_key
        self._own_witness = own_witness_key
        self._directory = directory
        self._peers = peers
        self.wanted = wanted

    def witnesses(self) -> LogWitnesses:
        keys: dict[str, str] = {}  # witness vkey -> State
        try:
            held = self._directory.current()
        except Unavailable:
            keys = {peer.cosigner_key: "" for peer in self._peers()}
        else:
            for signed in held.directory.states:
                if signed.entry.state != self._state:
                    keys.setdefault(signed.entry.witness_key, signed.entry.state)
        keys.pop(self._own_witness, None)  # a State cannot witness itself
        states = {CosignerKey.parse(vkey).name: state for vkey, state in keys.items()}
        policy = CheckpointPolicy.from_vkeys(
            [self._log_key],
            witness_keys=list(keys),
            min_witnesses=capped_quorum(self.wanted, len(keys)),
            origin=self._origin,
        )
        return LogWitnesses(policy, {name: state or name for name, state in states.items()})

    def policy(self) -> CheckpointPolicy:
        return self.witnesses().policy
