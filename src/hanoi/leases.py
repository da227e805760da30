"""Leases: one holder at a time for a named piece of work, across processes and hosts.

Several ``hanoi serve`` processes, on several hosts, share one database; a lease in it
says which of them does a piece of work now (an evidence package fetched, packed or
stored; later, each background job), and for how long at most if it dies.

Contract of a :class:`LeaseStore`, for every implementation
(``tests/integration/test_leases.py`` runs the same suite against each):

- ``take(name, holder=, now=, until=)`` gives the lease ``name`` to ``holder`` until
  ``until`` if nobody holds it or its holder's lease ended at or before ``now``; with
  ``replacing``, also if that holder (known dead) holds it. One conditional write: of
  several takers at once, exactly one gets it. A holder that holds it already does not
  take it again (two threads of one process exclude each other too).
- ``renew(name, holder=, now=, until=)`` moves the end of a lease ``holder`` still holds;
  False if another took it meanwhile.
- ``release(name, holder=)`` frees it if ``holder`` still holds it; otherwise nothing.
- ``holder(name, now=)`` is who holds it unexpired at ``now`` (None: free).

Times come from the caller's clock. Across hosts the clocks must agree to well within a
lease's length (NTP does): a lease lasts :data:`LEASE_SECONDS` and is renewed every
third of it (ADR 0035).

:class:`Leases` is what the domain uses: a holder id unique per process (host, process id
and a random tag) and per hold, a renewing thread for long work, release in ``finally``,
a bounded wait, and the take-over of a lease whose holder is known dead
(:class:`Liveness`, e.g. a killed process on the same host) without waiting for its end.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from hanoi.clock import Clock
from hanoi.errors import Unavailable

log = logging.getLogger("hanoi.leases")

LEASE_SECONDS = 60.0
"""How long a lease lasts unless renewed. A killed holder's work waits this long before a
process on another host takes it over (one on the same host takes it at once, through
:class:`Liveness`); a live holder renews every third of it, so it loses its lease only if
it cannot reach the database for 40 s. ADR 0035."""


class LeaseStore(Protocol):
    def take(
        self,
        name: str,
        *,
        holder: str,
        now: datetime,
        until: datetime,
        replacing: str | None = None,
    ) -> bool: ...

    def renew(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool: ...

    def release(self, name: str, *, holder: str) -> None: ...

    def holder(self, name: str, *, now: datetime) -> str | None: ...


class MemoryLeases:
    """Leases in one process's memory, for tests and single-process tools."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def take(
        self,
        name: str,
        *,
        holder: str,
        now: datetime,
        until: datetime,
        replacing: str | None = None,
    ) -> bool:
        with self._lock:
            current = self._held.get(name)
            known_dead = replacing is not None and current is not None and current[0] == replacing
            if current is None or current[1] <= now or known_dead:
                self._held[name] = (holder, until)
                return True
            return False

    def renew(self, name: str, *, holder: str, now: datetime, until: datetime) -> bool:
        with self._lock:
            current = self._held.get(name)
            if current is None or current[0] != holder:
                return False
            self._held[name] = (holder, until)
            return True

    def release(self, name: str, *, holder: str) -> None:
        with self._lock:
            current = self._held.get(name)
            if current is not None and current[0] == holder:
                del self._held[name]

    def holder(self, name: str, *, now: datetime) -> str | None:
        with self._lock:
            current = self._held.get(name)
            return current[0] if current is not None and current[1] > now else None


class Liveness(Protocol):
    """Which holders' processes are known dead (a lease of theirs is taken over at once)."""

    def announce(self, process: str) -> None:
        """Say that ``process`` (this one) is alive, for as long as it runs."""
        ...

    def dead(self, process: str) -> bool:
        """True only if ``process`` is known to have ended; False if alive or unknown
        (another host's: its leases are waited out)."""
        ...


class NoLiveness:
    """Knows no process dead: every lease is waited out."""

    def announce(self, process: str) -> None:
        return None

    def dead(self, process: str) -> bool:
        return False


class LeaseLost(Unavailable):
    """A lease ran out under its holder and another took it: the work stops, and is left
    to the new holder."""


def process_tag() -> str:
    """This process, unique among every process of every host: ``host:pid:random``."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(6)}"


def process_of(holder: str) -> str:
    """The process part of a holder id (``<process>#<n>``)."""
    return holder.rsplit("#", 1)[0]


@dataclass(eq=False)
class Lease:
    """A lease held: renewed by a thread of its own until released."""

    name: str
    holder: str
    _leases: Leases
    _stop: threading.Event = field(default_factory=threading.Event)
    _lost: threading.Event = field(default_factory=threading.Event)
    _renewer: threading.Thread | None = None

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def check(self) -> None:
        """Raise :class:`LeaseLost` if the lease was lost: long work calls it between
        steps, and stops."""
        if self._lost.is_set():
            raise LeaseLost(f"the lease {self.name} ran out and another process took it")

    def _renew_until_released(self) -> None:
        every = self._leases.seconds / 3
        ends = time.monotonic() + self._leases.seconds
        while not self._stop.wait(every):
            try:
                if not self._leases.renew(self):
                    self._lost.set()
                    log.warning("lease %s lost by %s", self.name, self.holder)
                    return
                ends = time.monotonic() + self._leases.seconds
            except Exception as exc:  # noqa: BLE001 - the database away: try again, then give up
                log.warning("lease %s not renewed: %s", self.name, exc)
                if time.monotonic() >= ends:
                    self._lost.set()
                    return

    def release(self) -> None:
        """Stop renewing and free the lease; if the database cannot be reached, the lease
        ends by itself (never an error that would hide the one that ended the work)."""
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            self._renewer.join(timeout=10)
        try:
            self._leases.store.release(self.name, holder=self.holder)
        except Exception as exc:  # noqa: BLE001 - it runs out within LEASE_SECONDS
            log.warning("lease %s not released (it runs out by itself): %s", self.name, exc)


class Leases:
    """Takes, renews and releases leases for this process (see the module's docstring)."""

    def __init__(
        self,
        store: LeaseStore,
        *,
        clock: Clock,
        seconds: float = LEASE_SECONDS,
        process: str | None = None,
        liveness: Liveness | None = None,
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.process = process or process_tag()
        """This process's part of every holder id."""
        self._clock = clock
        self._liveness = liveness or NoLiveness()
        self._liveness.announce(self.process)
        self._holds = itertools.count(1)

    def try_take(self, name: str) -> Lease | None:
        """The lease ``name`` for a new hold of this process, renewed until released; None
        while another holds it (or another thread of this process)."""
        holder = f"{self.process}#{next(self._holds)}"
        now = self._clock.now()
        until = now + timedelta(seconds=self.seconds)
        taken = self.store.take(name, holder=holder, now=now, until=until)
        if not taken:
            current = self.store.holder(name, now=now)
            if current is not None and self._liveness.dead(process_of(current)):
                taken = self.store.take(
                    name, holder=holder, now=now, until=until, replacing=current
                )
                if taken:
                    log.info("lease %s taken over from %s, a process that ended", name, current)
        if not taken:
            return None
        lease = Lease(name, holder, self)
        lease._renewer = threading.Thread(
            target=lease._renew_until_released, name=f"lease {name}", daemon=True
        )
        lease._renewer.start()
        return lease

    def renew(self, lease: Lease) -> bool:
        now = self._clock.now()
        return self.store.renew(
            lease.name, holder=lease.holder, now=now, until=now + timedelta(seconds=self.seconds)
        )

    @contextlib.contextmanager
    def held(self, name: str) -> Iterator[Lease | None]:
        """The lease ``name`` while the block runs, or None (not waited for) if another
        holds it; released when the block ends, however it ends."""
        lease = self.try_take(name)
        try:
            yield lease
        finally:
            if lease is not None:
                lease.release()

    @contextlib.contextmanager
    def waited(self, name: str, *, seconds: float, what: str) -> Iterator[Lease]:
        """The lease ``name`` while the block runs, waiting ``seconds`` at most for it;
        :class:`~hanoi.errors.Unavailable` naming ``what`` if it cannot be had."""
        deadline = time.monotonic() + seconds
        pause = 0.02
        while (lease := self.try_take(name)) is None:
            if time.monotonic() >= deadline:
                raise Unavailable(
                    f"{what} is busy in another process for more than {seconds:g} s; "
                    "try again in a moment"
                )
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.25)
        try:
            yield lease
        finally:
            lease.release()
