"""The figures in SQL (``FiguresSource``), and the facts they read, written with each step.

Every figure is an aggregate query (GROUP BY; window functions for the median and the 90th
percentile) over the small rows of :mod:`hanoi.statistics.facts`: no request is loaded into
Python, only a few rows per group come back. The same SQL runs on SQLite and PostgreSQL;
where they differ (the seconds between two times) :func:`_seconds` says so. The median and
the 90th percentile are interpolated between the two nearest ranks, as PostgreSQL's
``percentile_cont`` does (SQLite has none): the database returns those two ranks and their
values, Python interpolates and rounds. ``docs/statistics.md`` gives the definitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from hanoi.convention import Catalogue, default_catalogue
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.statuses import Side
from hanoi.federation.ports import NOT_SENT_YET, PackageStatus
from hanoi.federation.ports import Direction as PackageDirection
from hanoi.statistics.facts import (
    URGENT,
    GroundFact,
    Mark,
    Milestone,
    RequestFacts,
    StepFact,
    facts_of,
    grounds,
    milestones,
)
from hanoi.statistics.figures import (
    Direction,
    Durations,
    Evidence,
    Figures,
    Flow,
    GroundCount,
    Measure,
    Outcome,
    Preservation,
)
from hanoi.statistics.ports import Query
from hanoi.storage.batches import Batch, insert_all
from hanoi.storage.tables import (
    evidence_packages,
    refusal_grounds,
    request_facts,
    request_milestones,
)

F, M, G, P = request_facts.c, request_milestones.c, refusal_grounds.c, evidence_packages.c

# --- written with each step ------------------------------------------------------------------

# Built once, the values passed to ``execute``: SQLAlchemy then reuses the compiled
# statements (see ``cooperation_repo``: these run in every creation and step).
_INSERT_FACTS = insert(request_facts)
_UPDATE_FACTS = update(request_facts).where(F.request_id == bindparam("b_request_id"))


def facts_values(facts: RequestFacts) -> dict[str, Any]:
    return {
        "direction": facts.direction.value,
        "kind": facts.kind,
        "other_state": facts.other_state,
        "channel": facts.channel,
        "urgency": facts.urgency,
        "preservation": int(facts.preservation),
        "made_at": facts.made_at,
        "received_at": facts.received_at,
        "decided_at": facts.decided_at,
        "executed_at": facts.executed_at,
        "preserved_at": facts.preserved_at,
        "preserved_until": facts.preserved_until,
        "continued_at": facts.continued_at,
        "outcome": facts.outcome.value,
        "outcome_at": facts.outcome_at,
    }


def milestone_rows(request_id: str, found: Iterable[Milestone]) -> list[dict[str, Any]]:
    return [
        {"request_id": request_id, "sequence": m.sequence, "at": m.at, "mark": m.mark.value}
        for m in found
    ]


def ground_rows(request_id: str, found: Iterable[GroundFact]) -> list[dict[str, Any]]:
    return [
        {
            "request_id": request_id,
            "sequence": g.sequence,
            "ground": g.ground,
            "article": g.article,
            "at": g.at,
        }
        for g in found
    ]


def insert_facts(
    connection: Connection,
    request: CooperationRequest,
    *,
    side: Side,
    new_steps: Sequence[TransitionRecord],
    created: bool,
    catalogue: Catalogue | None = None,
) -> None:
    """Store the request's facts after ``new_steps``, in the caller's transaction (the
    one that stores the steps, so that the figures never disagree with the history)."""
    cat = catalogue or default_catalogue()
    values = facts_values(facts_of(request, side, cat))
    changed = 0
    if not created:
        changed = connection.execute(_UPDATE_FACTS, {"b_request_id": request.id, **values}).rowcount
    if created or changed != 1:
        connection.execute(_INSERT_FACTS, {"request_id": request.id, **values})
    insert_all(connection, _step_batches(request.id, new_steps, cat))


def new_facts(
    request: CooperationRequest,
    *,
    side: Side,
    catalogue: Catalogue | None = None,
) -> list[Batch]:
    """The facts of a request being created (with the steps it arrived with), as rows to
    insert with the request's own (``batches.insert_all``): what ``insert_facts`` writes
    with ``created=True``."""
    cat = catalogue or default_catalogue()
    values = facts_values(facts_of(request, side, cat))
    return [
        (request_facts, [{"request_id": request.id, **values}]),
        *_step_batches(request.id, request.history, cat),
    ]


def _step_batches(
    request_id: str, new_steps: Sequence[TransitionRecord], catalogue: Catalogue
) -> list[Batch]:
    steps = [StepFact.of(r) for r in new_steps]
    return [
        (request_milestones, milestone_rows(request_id, milestones(steps))),
        (refusal_grounds, ground_rows(request_id, grounds(steps, catalogue))),
    ]


# --- read: the figures -------------------------------------------------------------------------


def _bounds(query: Query) -> tuple[datetime, datetime]:
    """The period as [start, end): its first day's midnight to the midnight after its last
    day, UTC."""
    start = datetime.combine(query.period_from, time(), tzinfo=UTC)
    return start, datetime.combine(query.period_to + timedelta(days=1), time(), tzinfo=UTC)


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _percentile(values: Mapping[int, float], n: int, num: int, den: int) -> float:
    """The ``num/den`` quantile of ``n`` sorted values, interpolated between the ranks
    around ``num/den * (n - 1)`` (0-based), as ``percentile_cont``; ``values`` holds the
    (1-based) ranks the query returned."""
    position = num * (n - 1)
    k, rest = divmod(position, den)
    low = values[k + 1]
    high = values.get(k + 2, low)
    return round(low + (high - low) * rest / den, 1)


QUANTILES = ((1, 2), (9, 10))
"""The median and the 90th percentile, as fractions."""
MEASURES, DIRECTIONS, UNITS = tuple(Measure), tuple(Direction), ("days", "hours")
"""Partitioned by their index, not their names: numbers sort faster than collated text."""


class StatisticsRepository:
    """``FiguresSource`` on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"

    def _seconds(self, end: Any, start: Any) -> ColumnElement[Any]:
        if self._sqlite:  # datetimes are text there; julianday reads them
            return (func.julianday(end) - func.julianday(start)) * 86400.0
        # date_part gives a double; extract gives numeric since PostgreSQL 14, slower to sort
        return func.date_part("epoch", end) - func.date_part("epoch", start)

    @staticmethod
    def _filters(query: Query) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if query.kind is not None:
            found.append(F.kind == query.kind)
        if query.state is not None:
            found.append(F.other_state == query.state)
        return found

    def figures(self, state: str, query: Query) -> Figures:
        start, end = _bounds(query)
        with self.engine.connect() as connection:
            if not self._sqlite:
                # PostgreSQL compiles a query its planner costs high (the correlated
                # subqueries) to machine code first: over a million requests that took 1.3 s
                # of a 1.0 s query. These queries are short; this transaction goes without.
                connection.execute(text("SET LOCAL jit = off"))
                # The quantiles' sort of a year's response times fits in memory at this size.
                connection.execute(text("SET LOCAL work_mem = '64MB'"))
            flows = self._flows(connection, query, start, end)
            refusals = self._grounds(connection, query, start, end)
            durations = self._durations(connection, query, start, end)
            preservation = self._preservation(connection, query, start, end)
            evidence = self._evidence(connection, query, start, end)
        return Figures(
            state=state,
            period_from=query.period_from,
            period_to=query.period_to,
            outgoing=_flow(flows, refusals, durations, Direction.OUTGOING),
            incoming=_flow(flows, refusals, durations, Direction.INCOMING),
            preservation=preservation,
            evidence=evidence,
        )

    def _flows(
        self, connection: Connection, query: Query, start: datetime, end: datetime
    ) -> list[Any]:
        """Requests made in the period, by direction, kind, State, channel, urgency and
        outcome at the period's end: the current outcome if it was reached before the end,
        otherwise the last milestone before the end (open if none)."""
        last_mark = (
            select(M.mark)
            .where(M.request_id == F.request_id, M.at < end, M.mark != Mark.EXTENSION.value)
            .order_by(M.sequence.desc())
            .limit(1)
            .scalar_subquery()
        )
        outcome = case(
            (or_(F.outcome_at.is_(None), F.outcome_at < end), F.outcome),
            else_=func.coalesce(last_mark, Outcome.OPEN.value),
        )
        made = (
            select(
                F.direction, F.kind, F.other_state, F.channel, F.urgency, outcome.label("outcome")
            )
            .where(_within(F.made_at, start, end), *self._filters(query))
            .subquery()
        )
        columns = list(made.c)
        return list(
            connection.execute(select(*columns, func.count().label("n")).group_by(*columns))
        )

    def _grounds(
        self, connection: Connection, query: Query, start: datetime, end: datetime
    ) -> list[Any]:
        """Refusals before the period's end of requests made in it, by ground (a refusal
        is final, so refused then means refused at the end)."""
        return list(
            connection.execute(
                select(
                    F.direction,
                    G.ground,
                    func.max(G.article).label("article"),
                    func.count(func.distinct(G.request_id)).label("n"),
                )
                .select_from(request_facts.join(refusal_grounds, G.request_id == F.request_id))
                .where(_within(F.made_at, start, end), G.at < end, *self._filters(query))
                .group_by(F.direction, G.ground)
            )
        )

    def _durations(
        self, connection: Connection, query: Query, start: datetime, end: datetime
    ) -> dict[tuple[str, str, str], Durations]:
        """Response times of the requests that reached each measure's end in the period,
        from receipt: the ranks around the median and the 90th percentile, per direction,
        measure and unit (days over all, hours over urgent requests)."""
        filters = self._filters(query)
        accepted_at = case(
            (P.direction == PackageDirection.INCOMING.value, P.updated_at),
            else_=P.peer_outcome_at,
        )
        delivered = (
            select(P.request_id, func.min(accepted_at).label("at"))
            .where(P.status == PackageStatus.ACCEPTED.value, accepted_at < end)
            .group_by(P.request_id)
            .subquery()
        )

        def measured(measure: Measure, at: Any, *joined: Any) -> Select[Any]:
            source = request_facts.join(*joined) if joined else request_facts
            return (
                select(
                    literal(MEASURES.index(measure)).label("measure"),
                    case((F.direction == DIRECTIONS[0].value, 0), else_=1).label("direction"),
                    F.urgency.label("urgency"),
                    self._seconds(at, F.received_at).label("seconds"),
                )
                .select_from(source)
                .where(_within(at, start, end), F.received_at.is_not(None), *filters)
            )

        reached = union_all(
            measured(Measure.FIRST_DECISION, F.decided_at),
            measured(Measure.EXECUTION, F.executed_at),
            measured(
                Measure.EVIDENCE_DELIVERED,
                delivered.c.at,
                delivered,
                delivered.c.request_id == F.request_id,
            ),
        ).cte("reached")
        # Read twice below (all requests, then the urgent ones): computed once on both engines
        reached = reached.prefix_with("MATERIALIZED")
        scoped = union_all(
            select(
                reached.c.measure,
                reached.c.direction,
                literal(UNITS.index("days")).label("unit"),
                (reached.c.seconds / 86400.0).label("value"),
            ),
            select(
                reached.c.measure,
                reached.c.direction,
                literal(UNITS.index("hours")).label("unit"),
                (reached.c.seconds / 3600.0).label("value"),
            ).where(reached.c.urgency.in_(sorted(URGENT))),
        ).subquery()
        group = [scoped.c.measure, scoped.c.direction, scoped.c.unit]
        if self._sqlite:
            return _ranked_quantiles(connection, scoped, group)
        # PostgreSQL has the quantiles as aggregates: one sort per group, no row numbers.
        rows = connection.execute(
            select(
                *group,
                func.count().label("n"),
                *(
                    func.percentile_cont(num / den).within_group(scoped.c.value).label(name)
                    for (num, den), name in zip(QUANTILES, ("median", "p90"), strict=True)
                ),
            ).group_by(*group)
        )
        return {
            _key(row): Durations(
                int(row.n), round(row.median, 1), round(max(row.p90, row.median), 1)
            )
            for row in rows
        }

    def _preservation(
        self, connection: Connection, query: Query, start: datetime, end: datetime
    ) -> dict[Direction, Preservation]:
        filters = [F.preservation == 1, *self._filters(query)]
        extensions = (
            select(func.count())
            .where(M.request_id == F.request_id, M.mark == Mark.EXTENSION.value, M.at < end)
            .scalar_subquery()
        )
        made = connection.execute(
            select(
                F.direction,
                func.count().label("requests"),
                func.sum(case((F.preserved_at < end, 1), else_=0)).label("granted"),
                func.sum(extensions).label("extensions"),
            )
            .where(_within(F.made_at, start, end), *filters)
            .group_by(F.direction)
        )
        due = connection.execute(
            select(
                F.direction,
                func.count().label("confirmable"),
                func.sum(
                    case(
                        (and_(F.continued_at.is_not(None), F.continued_at <= F.preserved_until), 1),
                        else_=0,
                    )
                ).label("confirmed"),
            )
            .where(_within(F.preserved_until, start, end), *filters)
            .group_by(F.direction)
        )
        values: dict[Direction, dict[str, int]] = defaultdict(dict)
        for row in made:
            values[Direction(row.direction)].update(
                requests=int(row.requests),
                periods_granted=int(row.granted or 0),
                extensions=int(row.extensions or 0),
            )
        for row in due:
            values[Direction(row.direction)].update(
                confirmable=int(row.confirmable), confirmed=int(row.confirmed or 0)
            )
        return {d: Preservation(**values.get(d, {})) for d in Direction}

    def _evidence(
        self, connection: Connection, query: Query, start: datetime, end: datetime
    ) -> Evidence:
        """Packages by the day they were created (offered, for those received), those of
        this node not yet offered left out."""
        conditions: list[ColumnElement[bool]] = [
            _within(P.created_at, start, end),
            or_(
                P.direction == PackageDirection.INCOMING.value,
                P.status.not_in([s.value for s in NOT_SENT_YET]),
            ),
        ]
        if query.state is not None:
            conditions.append(P.peer == query.state)
        if query.kind is not None:
            conditions.append(P.request_id.in_(select(F.request_id).where(F.kind == query.kind)))
        rows = connection.execute(
            select(
                P.direction,
                P.status,
                P.refusal_reason,
                func.count().label("n"),
                func.sum(P.size).label("bytes"),
            )
            .where(*conditions)
            .group_by(P.direction, P.status, P.refusal_reason)
        )
        count: Counter[str] = Counter()
        size: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for row in rows:
            count[row.direction] += int(row.n)
            size[row.direction] += int(row.bytes or 0)
            if row.direction == PackageDirection.INCOMING and row.status == PackageStatus.REFUSED:
                reasons[row.refusal_reason or "unrecorded"] += int(row.n)
        return Evidence(
            packages_sent=count[PackageDirection.OUTGOING.value],
            bytes_sent=size[PackageDirection.OUTGOING.value],
            packages_received=count[PackageDirection.INCOMING.value],
            bytes_received=size[PackageDirection.INCOMING.value],
            refused_at_acceptance=sum(reasons.values()),
            refusal_reasons=dict(reasons),
        )


def _key(row: Any) -> tuple[str, str, str]:
    return DIRECTIONS[row.direction].value, MEASURES[row.measure].value, UNITS[row.unit]


def _ranked_quantiles(
    connection: Connection, scoped: Any, group: list[Any]
) -> dict[tuple[str, str, str], Durations]:
    """The median and 90th percentile per group where the engine has no ``percentile_cont``
    (SQLite): each value numbered in its group, only the ranks around each quantile read
    back, interpolated here as ``percentile_cont`` would (:func:`_percentile`)."""
    ranked = select(
        *group,
        scoped.c.value,
        func.row_number().over(partition_by=group, order_by=scoped.c.value).label("rank"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    wanted = [
        ranked.c.rank == (ranked.c.n - 1) * num // den + offset
        for num, den in QUANTILES
        for offset in (1, 2)
    ]
    rows = connection.execute(
        select(
            ranked.c.measure,
            ranked.c.direction,
            ranked.c.unit,
            ranked.c.value,
            ranked.c.rank,
            ranked.c.n,
        ).where(or_(*wanted))
    )
    ranks: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    sizes: dict[tuple[str, str, str], int] = {}
    for row in rows:
        ranks[_key(row)][int(row.rank)] = float(row.value)
        sizes[_key(row)] = int(row.n)
    found: dict[tuple[str, str, str], Durations] = {}
    for key, n in sizes.items():
        median, p90 = (_percentile(ranks[key], n, num, den) for num, den in QUANTILES)
        found[key] = Durations(n, median, max(p90, median))
    return found


def _flow(
    flows: Sequence[Any],
    refusals: Sequence[Any],
    durations: Mapping[tuple[str, str, str], Durations],
    direction: Direction,
) -> Flow:
    mine = [row for row in flows if row.direction == direction.value]
    totals: dict[str, Counter[str]] = {
        name: Counter() for name in ("kind", "other_state", "channel", "urgency", "outcome")
    }
    for row in mine:
        for name, counter in totals.items():
            counter[getattr(row, name)] += int(row.n)
    return Flow(
        total=sum(int(row.n) for row in mine),
        by_kind=dict(totals["kind"]),
        by_state=dict(totals["other_state"]),
        by_channel=dict(totals["channel"]),
        by_urgency=dict(totals["urgency"]),
        by_outcome={o: totals["outcome"][o.value] for o in Outcome},
        refusals_by_ground={
            row.ground: GroundCount(int(row.n), row.article)
            for row in refusals
            if row.direction == direction.value
        },
        response_days={
            m: durations.get((direction.value, m.value, "days"), Durations()) for m in Measure
        },
        urgent_response_hours={
            m: durations.get((direction.value, m.value, "hours"), Durations()) for m in Measure
        },
    )
