"""A sample verification report and the text of a rendered PDF, for the tests of the court
report's rendering and of its sentences."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from html import unescape
from typing import Any

from hanoi.convention import default_catalogue
from hanoi.cooperation import Side
from hanoi.reports.court import (
    Acquired,
    Certifier,
    ChainLink,
    CheckpointEntry,
    CourtReport,
    Direction,
    ItemEntry,
    Outcome,
    PackageCheck,
    PackageEntry,
    Witness,
    assemble,
)
from unit.cooperation.builders import STEP, acknowledged

CATALOGUE = default_catalogue()


MAILBOX = "0123456789abcdef" * 4


CSV = "fedcba9876543210" * 4


REASON = "data/mailbox.mbox.age: SHA-256 does not match manifest-sha256.txt (altered)"


EGY_LOG = "hanoi.node/egy/x"


VNM_LOG = "hanoi.node/vnm/y"


PACKAGE = "f" * 32


LEGAL_BASIS = "Production order 17/2026 of the Hanoi People's Court"


def link(action: str, at: datetime, *, state: str, log: str, index: int, **extra: Any) -> ChainLink:
    values: dict[str, Any] = {"officer": "lan" if state == "VNM" else "egy-node", **extra}
    return ChainLink(
        at=at,
        state=state,
        action=action,
        article="Art. 44" if state == "VNM" else "Art. 40(17)",
        evidence_sha256=MAILBOX,
        log_origin=log,
        index=index,
        **values,
    )


def sample(
    outcome: Outcome = Outcome.VERIFIED, *, title: str | None = "Public Prosecutor"
) -> CourtReport:
    """EGY's report of a file VNM obtained three days before it uploaded it, sent in a
    package and received here; VNM's collection is seen twice (its log's entry #3, proven by
    the package and cited again), and must show once."""
    request = acknowledged("mla-stored-data").request
    later = request.history[-1].at
    collected = link("collected", later, state="VNM", log=VNM_LOG, index=3, witnesses=("EGY",),
                     proven_by=(PACKAGE,))  # fmt: skip
    return assemble(
        request=request,
        side=Side.REQUESTING,
        node_state="EGY",
        generated_at=later + timedelta(hours=1),
        certifier=Certifier(
            name="samir", title=title, authority="Central authority of Egypt", state="EGY"
        ),
        files=[
            ItemEntry(name="mailbox.mbox", size=300_000, sha256=MAILBOX),
            ItemEntry(name="subscriber.csv", size=20, sha256=CSV),
        ],
        acquisitions={
            MAILBOX: Acquired(
                state="VNM",
                source_kind="provider",
                source="Example Mail Ltd",
                obtained_at=later - timedelta(days=3),
                method="export by the provider",
                officer="lan",
                article="Art. 44",
                legal_basis=LEGAL_BASIS,
                authority="Supreme People's Procuracy",
                declared_in=PACKAGE,
            )
        },
        links=[
            collected,
            link(
                "exported",
                later + STEP,
                state="VNM",
                log=VNM_LOG,
                index=5,
                witnesses=("EGY",),
                proven_by=(PACKAGE,),
            ),
            link(
                "received", later + 2 * STEP, state="EGY", log=EGY_LOG, index=7, witnesses=("VNM",)
            ),
            replace(collected, witnesses=("FRA",), proven_by=()),
        ],
        packages=[
            PackageEntry(
                id=PACKAGE,
                direction=Direction.RECEIVED,
                peer="VNM",
                sha256="b" * 64,
                size=123_456,
                transfer_status="accepted",
                created_at=later,
                items=(
                    ItemEntry(name="mailbox.mbox", size=300_000, sha256=MAILBOX),
                    ItemEntry(name="subscriber.csv", size=20, sha256=CSV),
                ),
                check=PackageCheck(
                    outcome=outcome, reason=REASON if outcome is Outcome.FAILED else None
                ),
            )
        ],
        logged=[],
        proven=[],
        checkpoints=[
            CheckpointEntry(
                origin=EGY_LOG,
                size=8,
                root_hash="wyb51c8YD/apSSUfcoUdRFXBFioZIcH8HaOl5K87lwg=",
                witnesses=(Witness(name="hanoi.node/vnm/x/witness", state="VNM"),),
                log_state="EGY",
            )
        ],
    )


def text_of(html: str) -> str:
    """The words of the HTML, tags removed and spaces squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
