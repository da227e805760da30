"""Waiting for the witnesses: a package leaves only on proofs that other States cosigned.

Why (issue 14): transfers sequenced the log just before packing, so the checkpoint their
proofs rested on was nearly always brand new and cosigned by nobody, and the receiving
node accepted it. Now every proof that leaves the node rests on a checkpoint cosigned by
the quorum of witnesses of other States (:meth:`CustodyLog.witnessed_proof`), and the
packer waits for one here:

1. sequence what is queued, so that the tree it waits for holds every event to prove;
2. look for a stored checkpoint of at least that size with the quorum
   (:meth:`CustodyLog.witnessed_size`): found, done;
3. otherwise ask the witnesses now (:class:`WitnessRounds`: one round at a time per
   process, in a thread of its own, so that a witness that never answers holds up
   neither the caller nor the others) and sleep, longer each time, until the deadline;
4. past the deadline, raise :class:`QuorumNotReached`: the caller queues the package.

The background custody worker asks through the same :class:`WitnessRounds`, so one
process never runs two rounds at once. Times come from a :class:`Clock` and sleeping is
a parameter, so tests can drive the wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from hanoi.clock import Clock
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.service import CustodyLog, QuorumNotReached, WitnessedCustody

log = logging.getLogger("hanoi.custody.witness")

FIRST_PAUSE = 0.05
LONGEST_PAUSE = 0.5
ROUND_GAP = 0.2
"""Seconds between the starts of two rounds of asking, at least (a witness that refuses
at once is not asked in a tight loop)."""

__all__ = ["QuorumNotReached", "QuorumWait", "WitnessRounds"]


class WitnessRounds:
    """Rounds of asking this node's witnesses to cosign its latest checkpoint
    (``CosignatureCollector.collect``), at most one at a time in this process, each in a
    daemon thread: :meth:`ask` never blocks, and a process that ends does not wait for a
    witness that never answers."""

    def __init__(
        self,
        collect: Callable[[], object],
        *,
        gap: float = ROUND_GAP,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._collect = collect
        self._gap = gap
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = -gap
        self.idle = threading.Event()
        """Set while no round runs (tests wait on it)."""
        self.idle.set()

    def ask(self) -> bool:
        """Start a round unless one is running or one started less than ``gap`` seconds
        ago; returns True if it started one."""
        with self._lock:
            now = self._monotonic()
            running = self._thread is not None and self._thread.is_alive()
            if running or now - self._started < self._gap:
                return False
            self._started = now
            self.idle.clear()
            self._thread = threading.Thread(target=self._round, name="witness-round", daemon=True)
            self._thread.start()
            return True

    def _round(self) -> None:
        try:
            self._collect()
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            log.warning("asking the witnesses failed: %s: %s", type(exc).__name__, exc)
        finally:
            self.idle.set()


class QuorumWait:
    """Wait, bounded, for a checkpoint of this node's log that ``policy()`` accepts."""

    def __init__(
        self,
        *,
        custody: CustodyLog,
        rounds: WitnessRounds,
        policy: Callable[[], CheckpointPolicy],
        clock: Clock,
        prepare: Callable[[], object] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._custody = custody
        self._rounds = rounds
        self._policy = policy
        self._clock = clock
        self._prepare = prepare
        """Called first: makes sure the witnesses to ask are known (the directory's)."""
        self._sleep = sleep

    def policy(self) -> CheckpointPolicy:
        """This log's key, the witnesses of other States and the quorum, as of now."""
        return self._policy()

    def ask(self) -> None:
        """Ask the witnesses that are behind, without waiting (the background worker)."""
        self._rounds.ask()

    def witnessed(self, *, seconds: float) -> WitnessedCustody:
        """A custody source whose proofs rest on a checkpoint with the quorum that holds
        every event sequenced so far; waits up to ``seconds`` for one, asking the
        witnesses, then raises :class:`QuorumNotReached`. With ``seconds`` 0 it looks
        once and, if it must, starts a round of asking for the next attempt."""
        if self._prepare is not None:
            try:
                self._prepare()
            except Exception as exc:  # noqa: BLE001 - best effort: the background job syncs too
                log.warning("could not refresh the witnesses: %s: %s", type(exc).__name__, exc)
        policy = self._policy()
        self._custody.sequence()
        target = self._custody.size()
        deadline = self._clock.now() + timedelta(seconds=max(seconds, 0.0))
        pause = FIRST_PAUSE
        while True:
            if target == 0 or self._custody.witnessed_size(at_least=target, policy=policy):
                return self._custody.witnessed(policy)
            self._rounds.ask()
            remaining = (deadline - self._clock.now()).total_seconds()
            if remaining <= 0:
                raise self._custody.not_witnessed(policy, size=target)
            self._sleep(min(pause, remaining))
            pause = min(pause * 2, LONGEST_PAUSE)
