"""Before a node signs checkpoints again: ask its witnesses whether its log is behind what
they cosigned (``hanoi.custody.rollback``, ADR 0048).

``hanoi serve`` calls :func:`guard_log` after opening the node and before the server (and
its sequencer) starts. The database is what a restore took back in time, so the answer
comes from outside it: each witness's view of this log (``GET <witness>/view``), verified
with the log's own key. After ``hanoi restore`` (the folder holds ``restored.json``) every
witness must answer; the file is removed once they all have and none is ahead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx

from hanoi.backup.manifest import RESTORED_MARKER
from hanoi.custody.checkpoint import parse_checkpoint
from hanoi.custody.merkle import EMPTY_ROOT
from hanoi.custody.note import Ed25519Verifier, parse_note
from hanoi.custody.rollback import RollbackCheck, WitnessView, check_not_behind
from hanoi.custody.witnessing import MAX_PARALLEL_WITNESSES, Peer
from hanoi.errors import HanoiError
from hanoi.federation.transport import HttpWitnessTransport

if TYPE_CHECKING:
    from hanoi.wiring import Node

log = logging.getLogger("hanoi.backup")


def guard_log(node: Node, *, client: Callable[[], httpx.Client] | None = None) -> RollbackCheck:
    """Raise ``LogBehindWitnesses`` (a rule violation) if a witness cosigned more of this
    log than its database holds, or ``WitnessesNotHeard`` after a restore if a witness
    could not be asked; otherwise return what the witnesses said."""
    marker = node.settings.node_dir / RESTORED_MARKER
    restored = marker.exists()
    node.peering.sync()  # the directory's other States are this log's witnesses
    transport = HttpWitnessTransport(timeout=5.0, client=client)
    origin = node.identity.log_origin

    def ask(peer: Peer) -> WitnessView:
        try:
            return WitnessView(peer.name, transport.view(peer.url, origin))
        except HanoiError as exc:
            return WitnessView(peer.name, None, exc.diagnostics())

    peers = list(node.witnesses.peers())
    with ThreadPoolExecutor(  # all at once: a witness that hangs costs one timeout, not one each
        max_workers=max(1, min(len(peers), MAX_PARALLEL_WITNESSES)), thread_name_prefix="guard"
    ) as pool:
        views = list(pool.map(ask, peers))
    size = node.custody.size()
    root = (
        parse_checkpoint(parse_note(node.custody.checkpoint_note(size)).text).root_hash
        if size
        else EMPTY_ROOT
    )
    check = check_not_behind(
        origin=origin,
        size=size,
        root=root,
        views=views,
        log_keys=[Ed25519Verifier.parse(node.identity.log_verifier_key)],
        every_witness=restored,
    )
    for unheard in check.unheard:
        log.warning("could not ask witness %s whether log %s is behind", unheard, origin)
    if restored:
        marker.unlink()
        log.warning(
            "restored log %s at size %d; its witnesses cosigned up to size %d: signing resumes",
            origin,
            size,
            check.cosigned,
        )
    return check
