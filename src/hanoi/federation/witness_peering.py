"""The other States of the directory as witnesses: this node's witnesses, and the logs it
witnesses (ADR 0007, ADR 0022).

:meth:`WitnessPeering.sync` makes every other State in the directory a witness of this
node's log (its ``/witness`` URL and cosigner key) and trusts that State's log for
cosigning, once per directory version. The background job runs it, and so does the wait
for a witnessed checkpoint before it asks the witnesses (``QuorumWait``'s ``prepare``), so
a package never waits for witnesses nobody told it about.

:meth:`WitnessPeering.gossip` compares this node's view of every log it witnesses with
each other State's witness (``GET /witness/view``): a log that showed two histories to two
witnesses is caught even if it never shows both to one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import httpx

from hanoi.clock import Clock
from hanoi.custody.succession import FormerLog
from hanoi.custody.witnessing import WitnessService
from hanoi.errors import HanoiError, Unavailable
from hanoi.federation.ports import WitnessPeerStore
from hanoi.federation.service import DirectoryHolder
from hanoi.httpbody import read_body

log = logging.getLogger("hanoi.federation")
MAX_VIEW_BYTES = 16 * 1024
"""A witness's view of a log is one checkpoint with its cosignatures: a few hundred bytes."""


class WitnessPeering:
    def __init__(
        self,
        *,
        node_state: str,
        directory: DirectoryHolder,
        peers: WitnessPeerStore,
        clock: Clock,
        witness: WitnessService | None = None,
        client: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=30),
    ) -> None:
        self._state = node_state
        self._directory = directory
        self._peers = peers
        self._clock = clock
        self._witness = witness
        """This node's witness, which compares views when gossiping (None: no gossip)."""
        self._client = client
        self._synced: int | None = None
        self._gossiped = 0.0

    def sync(self) -> bool:
        """Make every other State in the directory a witness of this node's log, and trust
        their logs for cosigning, once per directory version. Returns True if it synced."""
        try:
            held = self._directory.current()
        except Unavailable:
            return False
        version = held.directory.version
        if version == self._synced:
            return False
        now = self._clock.now()
        for signed in held.directory.states:
            entry = signed.entry
            if entry.state == self._state:
                continue
            self._continue_logs(entry.former_logs)
            self._peers.trust(origin=entry.log_origin, verifier_key=entry.log_verifier_key, now=now)
            self._peers.add_peer(
                name=entry.witness_name,
                url=entry.node_url.rstrip("/") + "/witness",
                cosigner_key=entry.witness_key,
                now=now,
            )
        self._synced = version
        return True

    def _continue_logs(self, former: Sequence[FormerLog]) -> None:
        """A State's log that went on under a new origin goes on from what this witness
        cosigned of the old one (oldest first: one rotation after another)."""
        if self._witness is None:
            return
        for log in reversed(former):
            ended = log.ended()  # verified when the directory was accepted
            if ended is not None:
                self._witness.continue_log(ended)

    def gossip(self, *, every: float = 5.0) -> int:
        """Compare this node's view of every log it witnesses with each other State's
        witness, at most once every ``every`` seconds. Returns the alerts raised."""
        if self._witness is None:
            return 0
        moment = time.monotonic()
        if moment - self._gossiped < every:
            return 0
        self._gossiped = moment
        try:
            held = self._directory.current()
        except Unavailable:
            return 0
        origins = list(self._peers.trusted())
        raised = 0
        with self._client() as client:
            for signed in held.directory.states:
                entry = signed.entry
                if entry.state == self._state:
                    continue
                for origin in origins:
                    url = entry.node_url.rstrip("/") + "/witness/view"
                    try:
                        with client.stream(
                            "GET", url, params={"origin": origin}, timeout=5
                        ) as answer:
                            view = read_body(answer, max_bytes=MAX_VIEW_BYTES, url=url)
                        if answer.status_code == 200:
                            raised += self._witness.compare(view, peer=entry.state)
                    except (httpx.HTTPError, HanoiError) as exc:
                        log.info("gossip with %s about %s: %s", entry.state, origin, exc)
        return raised
