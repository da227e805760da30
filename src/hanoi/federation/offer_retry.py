"""When to fetch an offered package again after its sender failed to serve it, and when to
give up. Pure.

Why: the attack run found an offer whose package the sender answered 404 retried on every
round of the background job, twice a second, forever (1,806 warnings in 17 minutes). Now
each failure waits longer than the one before (doubling from 30 s; from 5 min and four
times longer each time when the sender says the package does not exist, 404 or 410,
which is unlikely to change), never more than 6 hours, and the package is given up,
``expired``, once ``expiry`` (7 days by default, ``package_offer_expiry_days``) has passed
since the offer. The last attempt falls on the deadline itself, so a sender that comes
back in time is still fetched from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hanoi.federation.ports import PackageStatus

EXPIRED = PackageStatus.EXPIRED
"""The status of an incoming package given up because its sender never served it."""

MISSING_STATUSES = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class OfferRetry:
    expiry: timedelta = timedelta(days=7)
    first: timedelta = timedelta(seconds=30)
    first_missing: timedelta = timedelta(minutes=5)
    longest: timedelta = timedelta(hours=6)

    def deadline(self, offered_at: datetime) -> datetime:
        return offered_at + self.expiry

    def next_attempt(
        self, *, attempts: int, offered_at: datetime, now: datetime, missing: bool
    ) -> datetime | None:
        """When to try again after ``attempts`` failures in a row; None once the offer
        has expired. ``missing``: the sender said the package does not exist."""
        deadline = self.deadline(offered_at)
        if now >= deadline:
            return None
        steps = min(max(attempts, 1) - 1, 10)  # past the longest delay either way
        delay: timedelta = self.first_missing * 4**steps if missing else self.first * 2**steps
        later: datetime = now + min(delay, self.longest)
        return min(later, deadline)
