"""The figures for the Conference of the States Parties, computed by each node's database, on
SQLite and PostgreSQL: requests of several kinds, States, channels and urgencies walked
through every outcome across two nodes, and the exact figures each node then reports,
with the period's edges, the filters, and the medians and 90th percentiles worked out by
hand below."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.model import Urgency, UrgencyLevel
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.ports import Outgoing
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.errors import InvalidInput, NotFound, PermissionDenied
from hanoi.federation.ports import Direction as PackageDirection
from hanoi.federation.ports import PackageRefusal, PackageRow, PackageStatus
from hanoi.statistics.figures import (
    Direction,
    Durations,
    GroundCount,
    Measure,
    Outcome,
    Preservation,
    figures_json,
    parse_figures,
)
from hanoi.statistics.ports import Query
from hanoi.statistics.tabular import figures_csv, figures_text
from hanoi.storage.transfers_repo import TransfersRepository
from hanoi.wiring import Node
from support_cooperation import add_user, deliver
from support_databases import templates as database_templates
from support_nodes import build_node
from unit.cooperation.builders import complete_contents

CATALOGUE = default_catalogue()
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
MARCH = Query(date(2026, 3, 1), date(2026, 3, 31))
MARCH_APRIL = Query(date(2026, 3, 1), date(2026, 4, 30))
YEAR = Query(date(2026, 1, 1), date(2026, 12, 31))


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Pair:
    egy: Node
    vnm: Node
    clock: FixedClock
    amira: User  # EGY officer
    samir: User  # EGY supervisor
    lan: User  # VNM supervisor (central authority intake)
    minh: User  # VNM point of contact
    thao: User  # VNM officer
    vera: User  # VNM auditor
    ids: dict[str, str]

    def to(self, moment: datetime) -> None:
        self.clock.advance(moment - self.clock.now())


@pytest.fixture(params=["sqlite", "postgresql"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    clock = FixedClock(at(2, 20))
    if request.param == "sqlite":
        nodes = [build_node(tmp_path / s.lower(), s, None, clock) for s in ("EGY", "VNM")]
        yield _pair(*nodes, clock=clock)
    else:
        request.getfixturevalue("postgres_url")
        with database_templates().clones() as databases:
            nodes = [
                build_node(tmp_path / s.lower(), s, databases.postgres(), clock)
                for s in ("EGY", "VNM")
            ]
            yield _pair(*nodes, clock=clock)
            for node in nodes:
                node.close()
        return
    for node in nodes:
        node.close()


def _pair(egy: Node, vnm: Node, *, clock: FixedClock) -> Pair:
    return Pair(
        egy=egy,
        vnm=vnm,
        clock=clock,
        amira=add_user(egy, "amira", Role.OFFICER),
        samir=add_user(egy, "samir", Role.SUPERVISOR),
        lan=add_user(vnm, "lan", Role.SUPERVISOR),
        minh=add_user(vnm, "minh", Role.POINT_OF_CONTACT),
        thao=add_user(vnm, "thao", Role.OFFICER),
        vera=add_user(vnm, "vera", Role.AUDITOR),
        ids={},
    )


def drafted(p: Pair, kind: str, urgency: Urgency | None = None) -> str:
    view = p.egy.cooperation.draft(
        p.amira,
        DraftInput(
            kind=kind,
            requested_state="VNM",
            contents=complete_contents(CATALOGUE.kind(kind)),
            **({"urgency": urgency} if urgency else {}),  # type: ignore[arg-type]
        ),
    )
    p.egy.cooperation.assign(p.amira, view.request.id, "samir")
    return view.request.id


def made(p: Pair, name: str, kind: str, moment: datetime, urgency: Urgency | None = None) -> str:
    """EGY drafts, approves and sends a request at ``moment``; VNM receives it then."""
    p.to(moment - HOUR)
    request_id = drafted(p, kind, urgency)
    p.egy.cooperation.take(p.samir, request_id, StepInput(transition="approve"))
    p.to(moment)
    p.egy.cooperation.take(p.amira, request_id, StepInput(transition="send"))
    deliver(p.egy.cooperation.held(request_id), p.vnm)
    p.ids[name] = request_id
    return request_id


def step(
    p: Pair, node: Node, user: User, request_id: str, moment: datetime, name: str, **kwargs: object
) -> None:
    p.to(moment)
    node.cooperation.take(user, request_id, StepInput(transition=name, **kwargs))  # type: ignore[arg-type]


def sync_to_egy(p: Pair, request_id: str) -> None:
    """What the federation does with VNM's steps: EGY's copy catches up."""
    p.egy.cooperation.apply_remote(p.vnm.cooperation.held(request_id), sender="VNM")


def outgoing_message(request_id: str, moment: datetime) -> Outgoing:
    return Outgoing(
        id=f"m{abs(hash((request_id, moment))) % 10**12}",
        recipient="VNM",
        type="evidence-outcome",
        request_id=request_id,
        message="{}",
        created_at=moment,
    )


def package(
    request_id: str,
    *,
    direction: PackageDirection,
    peer: str,
    size: int,
    moment: datetime,
    name: str,
) -> PackageRow:
    return PackageRow(
        id=name,
        request_id=request_id,
        direction=direction,
        peer=peer,
        sha256="ab" * 32,
        size=size,
        status=PackageStatus.OFFERED,
        received=0,
        error=None,
        created_at=moment,
        updated_at=moment,
    )


def play(p: Pair) -> None:
    """The case book. Each request's receipt is at ``r``; the response times measured from
    it are in the comments, and the expected figures below add them up."""
    lan, minh, vnm = p.lan, p.minh, p.vnm
    # R1: executed. First decision (accept) r+2d, execution (complete) r+12d, evidence
    # accepted by EGY r+13d.
    r1 = made(p, "executed", "mla-stored-data", r := at(3, 2))
    step(p, vnm, lan, r1, r + DAY, "acknowledge")
    step(p, vnm, lan, r1, r + 2 * DAY, "accept")
    step(p, vnm, lan, r1, r + 12 * DAY, "complete")
    # R2: refused on a ground of Art. 40(21)(b), after consultation (Art. 40(27)): r+4d.
    r2 = made(p, "refused", "mla-stored-data", r := at(3, 3))
    step(p, vnm, lan, r2, r + DAY, "acknowledge")
    step(p, vnm, lan, r2, r + 4 * DAY, "consult", reasons="Could you narrow the scope?")
    step(
        p,
        vnm,
        lan,
        r2,
        r + 5 * DAY,
        "refuse",
        grounds=("essential-interests",),
        reasons="The Minister's letter of 3 March explains the refusal.",
    )
    # R3: postponed after consultation (Art. 40(26)): r+6d.
    r3 = made(p, "postponed", "mla-general", r := at(3, 4))
    step(p, vnm, lan, r3, r + HOUR, "acknowledge")
    step(p, vnm, lan, r3, r + 6 * DAY, "consult", reasons="An investigation of ours runs.")
    step(p, vnm, lan, r3, r + 7 * DAY, "postpone", reasons="Until our trial ends.")
    # R4: withdrawn by EGY, confirmed by VNM; no decision.
    r4 = made(p, "withdrawn", "mla-stored-data", r := at(3, 5))
    step(p, vnm, lan, r4, r + DAY, "acknowledge")
    sync_to_egy(p, r4)
    step(p, p.egy, p.amira, r4, r + 2 * DAY, "withdraw", reasons="The suspect confessed.")
    vnm.cooperation.apply_remote(p.egy.cooperation.held(r4), sender="EGY")
    step(p, vnm, lan, r4, r + 3 * DAY, "confirm-withdrawal")
    # R5: an urgent preservation: ordered r+4h (first decision), carried out r+14h
    # (execution), renewed once (an extension); its period as last set ends 2026-07-04.
    urgent = Urgency(level=UrgencyLevel.URGENT, reasons="The provider deletes logs weekly.")
    r5 = made(p, "preserved", "expedited-preservation", r := at(3, 6), urgent)
    step(p, vnm, minh, r5, r + HOUR, "acknowledge")
    step(p, vnm, minh, r5, r + 4 * HOUR, "order-preservation")
    step(p, vnm, minh, r5, r + 14 * HOUR, "preserve", until=r + 14 * HOUR + 90 * DAY)
    step(p, vnm, minh, r5, r + 2 * DAY, "renew-preservation", until=at(7, 4, 12))
    # R6: partly executed; accepted r+1d.
    r6 = made(p, "partly", "mla-stored-data", r := at(3, 7))
    step(p, vnm, lan, r6, r + HOUR, "acknowledge")
    step(p, vnm, lan, r6, r + DAY, "accept")
    step(p, vnm, lan, r6, r + 3 * DAY, "execute-partially", reasons="One account is closed.")
    # R7: open at the end of March; executed in April (counted as such from then on).
    r7 = made(p, "open", "mla-stored-data", r := at(3, 8))
    step(p, vnm, lan, r7, r + DAY, "acknowledge")
    # R8: registered by VNM from France's diplomatic note (off the network), open.
    p.to(at(3, 9))
    view = vnm.cooperation.register(
        lan,
        Registration(
            kind="mla-general",
            requesting_state="FRA",
            requesting_authority="Bureau de l'entraide pénale internationale",
            via=ChannelRecord(channel=Route.DIPLOMATIC, on=date(2026, 3, 9), reference="NV 12/26"),
            contents=complete_contents(CATALOGUE.kind("mla-general")),
            scan=LetterScan(data=b"%PDF-1.4 scan of the note", title="Note verbale"),
        ),
    )
    p.ids["registered"] = view.request.id
    # R9: VNM's own request to France, dispatched by e-mail (off the network).
    p.to(at(3, 10))
    own = vnm.cooperation.draft(
        lan,
        DraftInput(
            kind="mla-stored-data",
            requested_state="FRA",
            contents=complete_contents(CATALOGUE.kind("mla-stored-data")),
        ),
    ).request.id
    step(p, vnm, lan, own, at(3, 10, 10), "approve")
    via = ChannelRecord(channel=Route.EMAIL, on=date(2026, 3, 10), reference="<m1@vnm>")
    step(p, vnm, lan, own, at(3, 10, 11), "dispatch", via=via)
    p.ids["dispatched"] = own
    # R10: made the first minute after March; R11: a draft never sent.
    made(p, "april", "mla-general", at(4, 1, 0, 0))
    p.to(at(3, 20))
    p.ids["draft"] = drafted(p, "mla-stored-data")
    # R7 executed in April.
    step(p, vnm, lan, r7, at(4, 2), "accept")
    step(p, vnm, lan, r7, at(4, 3), "complete")
    # Evidence for R1: VNM's package accepted by EGY on r+13d (2026-03-15 09:00), and a
    # second package EGY refused when its custody proofs did not verify.
    vnm_packages = TransfersRepository(vnm.engine)
    egy_packages = TransfersRepository(p.egy.engine)
    for name, size in (("p-good", 1000), ("p-bad", 24)):
        vnm_packages.add(
            package(
                r1,
                direction=PackageDirection.OUTGOING,
                peer="EGY",
                size=size,
                moment=at(3, 14, 10),
                name=name,
            )
        )
        egy_packages.add(
            package(
                r1,
                direction=PackageDirection.INCOMING,
                peer="VNM",
                size=size,
                moment=at(3, 14, 11),
                name=name,
            )
        )
    done = at(3, 15)
    egy_packages.conclude(
        "p-good",
        status=PackageStatus.ACCEPTED,
        received=1000,
        error=None,
        report=None,
        attempts=None,
        now=done,
        announce=outgoing_message(r1, done),
    )
    egy_packages.conclude(
        "p-bad",
        status=PackageStatus.REFUSED,
        received=24,
        error="the proof of item 'interview of Mr Nguyen' fails",
        report=None,
        attempts=None,
        now=done,
        announce=outgoing_message(r1, done + HOUR),
        reason=PackageRefusal.INTEGRITY,
    )
    vnm_packages.record_peer_outcome(
        "p-good", status=PackageStatus.ACCEPTED, reason=None, peer_report=None, at=done, now=done
    )
    vnm_packages.record_peer_outcome(
        "p-bad", status=PackageStatus.REFUSED, reason="proof", peer_report=None, at=done, now=done
    )
    for name in (
        "executed",
        "refused",
        "postponed",
        "withdrawn",
        "preserved",
        "partly",
        "open",
        "april",
    ):
        sync_to_egy(p, p.ids[name])


def test_each_node_reports_exactly_what_it_sent_and_received(pair: Pair) -> None:
    p = pair
    play(p)
    vnm = p.vnm.statistics.own_figures(MARCH)
    incoming = vnm.incoming
    assert vnm.state == "VNM"
    assert incoming.total == 8  # R1-R8: not April's, not EGY's draft
    assert incoming.by_kind == {"mla-stored-data": 5, "mla-general": 2, "expedited-preservation": 1}
    assert incoming.by_state == {"EGY": 7, "FRA": 1}
    assert incoming.by_channel == {"hanoi": 7, "diplomatic": 1}
    assert incoming.by_urgency == {"routine": 7, "urgent": 1}
    assert incoming.by_outcome == {
        Outcome.EXECUTED: 2,  # R1, and R5's preservation carried out
        Outcome.PARTIALLY_EXECUTED: 1,
        Outcome.REFUSED: 1,
        Outcome.POSTPONED: 1,
        Outcome.WITHDRAWN: 1,
        Outcome.OPEN: 2,  # R7 (executed only in April), R8
    }
    assert incoming.refusals_by_ground == {"essential-interests": GroundCount(1, "40(21)(b)")}
    # First decisions (days): R5 4h = 0.1667, R6 1, R1 2, R2 4, R3 6. n = 5: the median
    # is the 3rd, 2; the 90th percentile is at rank 1 + 0.9 * 4 = 4.6: 4 + 0.6 * (6 - 4).
    assert incoming.response_days[Measure.FIRST_DECISION] == Durations(5, 2.0, 5.2)
    # Executions: R5 14h = 0.5833, R1 12. Median (0.5833 + 12) / 2 = 6.29; the 90th
    # percentile 0.5833 + 0.9 * 11.4167 = 10.86. R7's completion is in April.
    assert incoming.response_days[Measure.EXECUTION] == Durations(2, 6.3, 10.9)
    assert incoming.response_days[Measure.EVIDENCE_DELIVERED] == Durations(1, 13.0, 13.0)
    assert incoming.urgent_response_hours == {
        Measure.FIRST_DECISION: Durations(1, 4.0, 4.0),
        Measure.EXECUTION: Durations(1, 14.0, 14.0),
        Measure.EVIDENCE_DELIVERED: Durations(),
    }
    assert vnm.outgoing.total == 1
    assert vnm.outgoing.by_state == {"FRA": 1}
    assert vnm.outgoing.by_channel == {"email": 1}
    assert vnm.outgoing.by_outcome[Outcome.OPEN] == 1
    assert vnm.preservation[Direction.INCOMING] == Preservation(1, 1, 1, 0, 0)
    assert vnm.preservation[Direction.OUTGOING] == Preservation()
    assert (vnm.evidence.packages_sent, vnm.evidence.bytes_sent) == (2, 1024)
    assert vnm.evidence.packages_received == 0
    assert vnm.evidence.refused_at_acceptance == 0  # refused by EGY, not by VNM

    egy = p.egy.statistics.own_figures(MARCH)
    assert egy.incoming.total == 0
    mirror = p.vnm.statistics.own_figures(Query(MARCH.period_from, MARCH.period_to, state="EGY"))
    assert egy.outgoing.total == mirror.incoming.total == 7
    assert egy.outgoing.by_outcome == mirror.incoming.by_outcome
    assert egy.outgoing.refusals_by_ground == mirror.incoming.refusals_by_ground
    assert egy.outgoing.response_days == mirror.incoming.response_days
    assert egy.outgoing.urgent_response_hours == mirror.incoming.urgent_response_hours
    assert egy.preservation[Direction.OUTGOING] == Preservation(1, 1, 1, 0, 0)
    assert (egy.evidence.packages_received, egy.evidence.bytes_received) == (2, 1024)
    assert egy.evidence.refused_at_acceptance == 1
    assert egy.evidence.refusal_reasons == {"integrity": 1}
    for figures in (vnm, egy, mirror):  # what a node writes, any node reads back
        assert parse_figures(figures_json(figures)) == figures


def test_the_period_edges_and_the_outcome_at_its_end(pair: Pair) -> None:
    p = pair
    play(p)
    april = p.vnm.statistics.own_figures(Query(date(2026, 4, 1), date(2026, 4, 30))).incoming
    assert april.total == 1  # made at 2026-04-01 00:00: April's, not March's
    assert april.by_kind == {"mla-general": 1}
    # R7 completed in April: April's execution measure, though made in March.
    assert april.response_days[Measure.EXECUTION] == Durations(1, 26.0, 26.0)
    both = p.vnm.statistics.own_figures(MARCH_APRIL).incoming
    assert both.total == 9
    assert both.by_outcome[Outcome.EXECUTED] == 3  # R7 executed by the end of April
    assert both.by_outcome[Outcome.OPEN] == 2  # R8, and April's R10
    # R5's period as last set ends on 4 July; never continued by a follow-up MLA request.
    year = p.vnm.statistics.own_figures(YEAR)
    assert year.preservation[Direction.INCOMING] == Preservation(1, 1, 1, 0, 1)
    june = p.vnm.statistics.own_figures(Query(date(2026, 6, 1), date(2026, 6, 30)))
    assert june.preservation[Direction.INCOMING].confirmable == 0


def test_filters_by_kind_and_by_state(pair: Pair) -> None:
    p = pair
    play(p)
    general = p.vnm.statistics.own_figures(
        Query(MARCH.period_from, MARCH.period_to, kind="mla-general")
    )
    assert general.incoming.total == 2
    assert general.incoming.by_outcome[Outcome.POSTPONED] == 1
    assert general.incoming.response_days[Measure.FIRST_DECISION] == Durations(1, 6.0, 6.0)
    assert general.evidence.packages_sent == 0  # R1's packages are of another kind
    france = p.vnm.statistics.own_figures(Query(MARCH.period_from, MARCH.period_to, state="FRA"))
    assert (france.incoming.total, france.outgoing.total) == (1, 1)
    assert france.incoming.by_channel == {"diplomatic": 1}
    assert france.preservation[Direction.INCOMING] == Preservation()
    assert france.evidence.packages_sent == 0


def test_who_may_read_and_what_a_query_may_name(pair: Pair) -> None:
    p = pair
    for user in (p.lan, p.vera):
        assert p.vnm.statistics.figures(user, MARCH).state == "VNM"
    for user in (p.thao, p.minh):
        with pytest.raises(PermissionDenied, match="statistics"):
            p.vnm.statistics.figures(user, MARCH)
    refusals = p.vnm.cooperation.refusals(p.vera)
    assert [r.user for r in refusals[:2]] == ["minh", "thao"]
    for bad in (
        Query(MARCH.period_from, MARCH.period_to, kind="mla-of-everything"),
        Query(MARCH.period_from, MARCH.period_to, state="XXX"),
        Query(MARCH.period_from, MARCH.period_to, state="VNM"),
    ):
        with pytest.raises(InvalidInput):
            p.vnm.statistics.own_figures(bad)
    with pytest.raises(InvalidInput, match="starts after"):
        Query(date(2026, 3, 2), date(2026, 3, 1))


def test_no_name_no_text_no_id_leaves_in_the_figures(pair: Pair) -> None:
    """Counts, durations and codes only: whatever officers typed, whoever they named, and
    every request's id stay in the database."""
    p = pair
    play(p)
    for n in range(12):  # more cases, full of names
        request_id = made(p, f"named-{n}", "mla-stored-data", at(3, 21, 9, n))
        step(p, p.vnm, p.lan, request_id, at(3, 22, 9, n), "acknowledge")
        asked = f"Please name the account holder Tran Thi Secret-{n} of 12 Hang Bac St."
        step(p, p.vnm, p.lan, request_id, at(3, 23, 9, n), "request-additional-information",
             reasons=asked)  # fmt: skip
    words = [
        "Nguyen", "Minister", "confessed", "narrow the scope", "trial", "Secret-", "Hang Bac",
        "Bureau", "entraide", "NV 12/26", "m1@vnm", "deletes logs", "account is closed",
        "investigation of ours", "amira", "samir", "lan", "minh", "proof", "Note verbale",
    ]  # fmt: skip
    for node in (p.vnm, p.egy):
        held = node.cooperation.held
        ids = [i for i in p.ids.values() if _holds(held, i)]
        assert ids
        other = "EGY" if node is p.vnm else "VNM"
        for query in (MARCH, YEAR, Query(YEAR.period_from, YEAR.period_to, state=other)):
            figures = node.statistics.own_figures(query)
            outputs = (
                json.dumps(figures_json(figures)),
                figures_csv(figures),
                figures_text(figures),
            )
            for text in outputs:
                for word in [*words, *ids]:
                    assert word.lower() not in text.lower(), (word, node.settings.state)
            document = figures_json(figures)
            for direction in ("outgoing", "incoming"):
                flow = document[direction]
                assert set(flow["by_kind"]) <= set(CATALOGUE.kind_keys)
                assert set(flow["by_channel"]) <= {r.value for r in Route}
                assert set(flow["by_urgency"]) <= {u.value for u in UrgencyLevel}
                assert set(flow["by_state"]) <= {"EGY", "VNM", "FRA"}
                assert set(flow["refusals_by_ground"]) <= {g.key for g in CATALOGUE.refusal_grounds}
            assert set(document["evidence"]["refusal_reasons"]) <= {r.value for r in PackageRefusal}


def _holds(held: Any, request_id: str) -> bool:
    try:
        held(request_id)
    except NotFound:
        return False
    return True


def test_the_migration_derives_the_same_facts_from_the_steps_already_stored(pair: Pair) -> None:
    """Migration 0018 fills the facts of the requests stored before it from their steps: the
    figures after a downgrade and an upgrade are those the node had kept step by step (the
    refusal codes of packages refused before it excepted: those were never recorded)."""
    from hanoi.storage import migrate

    p = pair
    play(p)
    for node in (p.vnm, p.egy):
        before = [node.statistics.own_figures(q) for q in (MARCH, MARCH_APRIL, YEAR)]
        migrate.downgrade(node.engine, "0017")
        migrate.upgrade(node.engine)
        after = [node.statistics.own_figures(q) for q in (MARCH, MARCH_APRIL, YEAR)]
        for was, now in zip(before, after, strict=True):
            assert now.outgoing == was.outgoing
            assert now.incoming == was.incoming
            assert now.preservation == was.preservation
            assert now.evidence.refused_at_acceptance == was.evidence.refused_at_acceptance
            assert set(now.evidence.refusal_reasons) <= {"unrecorded"}
