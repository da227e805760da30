"""SQL for cooperation requests: documents, steps, case assignments, refusals, alerts,
consents. Only SQL here; the rules live in ``hanoi.cooperation``. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError as SQLIntegrityError
from sqlalchemy.sql.elements import ColumnElement

from hanoi.cooperation.codec import record_json, request_from_json, request_json
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.ports import (
    AccessRefusal,
    Assignment,
    Consent,
    DeadlineAlert,
    ListQuery,
    Outgoing,
    RequestSummary,
    StoredRequest,
)
from hanoi.cooperation.routes import Route
from hanoi.cooperation.statuses import FINAL, Side, Status
from hanoi.custody.service import NewEvent
from hanoi.errors import Conflict
from hanoi.storage import statistics_repo
from hanoi.storage.batches import insert_all, write_all
from hanoi.storage.custody_repo import CustodyRepository, pending_rows
from hanoi.storage.federation_repo import outbox_rows, queue_messages
from hanoi.storage.tables import (
    access_refusals,
    case_assignments,
    cooperation_requests,
    custody_pending,
    deadline_alerts,
    evidence_items,
    onward_consents,
    request_steps,
    users,
)
from hanoi.storage.tables import outbox as outbox_table

_COMPACT = {"separators": (",", ":"), "ensure_ascii": False, "sort_keys": True}


def _dump(value: Any) -> str:
    return json.dumps(value, **_COMPACT)  # type: ignore[arg-type]


# The statements of the workflow's hot path, built once: the values go as parameters to
# ``execute``, so SQLAlchemy finds the compiled statement in its cache instead of
# building and cache-keying a new ``insert(...).values(**row)`` (a bound parameter per
# column) for each call. A request's creation is one statement (``batches.insert_all``).
_UPDATE_REQUEST = (
    update(cooperation_requests)
    .where(
        cooperation_requests.c.id == bindparam("b_id"),
        cooperation_requests.c.steps == bindparam("b_loaded_steps"),
    )
    .returning(cooperation_requests.c.side)
)
"""The summary of a request after a step, if no other step was stored since it was
loaded; returns this node's side of it (no row: it changed meanwhile)."""


def _summary_values(request: CooperationRequest, now: datetime) -> dict[str, Any]:
    return {
        "status": request.status.value,
        "route": request.route.value,
        "desired_status": request.desired_status.value if request.desired_status else None,
        "urgency": request.urgency.level.value,
        "steps": len(request.history),
        "document": _dump(request_json(request, history=False)),
        "retain_until": request.retention_ends_at,
        "updated_at": now,
    }


def _request_row(request: CooperationRequest, side: Side, now: datetime) -> dict[str, Any]:
    return {
        "id": request.id,
        "kind": request.kind,
        "channel": request.channel.value,
        "requesting_state": request.requesting_state,
        "requested_state": request.requested_state,
        "side": side.value,
        "created_at": request.created_at,
        **_summary_values(request, now),
    }


def _step_rows(records: Sequence[TransitionRecord]) -> list[dict[str, Any]]:
    return [
        {
            "request_id": r.request_id,
            "sequence": r.sequence,
            "transition": r.transition.value,
            "at": r.at,
            "record": _dump(record_json(r)),
        }
        for r in records
    ]


def _assignment_rows(
    request_id: str, user_ids: Sequence[int], by: str, now: datetime
) -> list[dict[str, Any]]:
    """A row for each of ``user_ids`` (once, in order of id)."""
    return [
        {"request_id": request_id, "user_id": u, "assigned_by": by, "assigned_at": now}
        for u in sorted(set(user_ids))
    ]


def _summary(row: Any) -> RequestSummary:
    return RequestSummary(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        route=Route(row.route),
        requesting_state=row.requesting_state,
        requested_state=row.requested_state,
        side=Side(row.side),
        status=Status(row.status),
        desired_status=Status(row.desired_status) if row.desired_status else None,
        urgency=row.urgency,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


LOAD_CHUNK = 500
"""Requests read in one statement by :meth:`CooperationRepository.open_requests`."""


class CooperationRepository:
    def __init__(self, engine: Engine, custody: CustodyRepository) -> None:
        self.engine = engine
        self._custody = custody
        self._open_cache: dict[str, tuple[tuple[int, datetime], CooperationRequest]] = {}

    # --- requests and steps ------------------------------------------------------------

    def create(
        self,
        request: CooperationRequest,
        *,
        side: Side,
        assignees: Sequence[int],
        assigned_by: str,
        custody: Sequence[NewEvent],
        now: datetime,
        outbox: Sequence[Outgoing] = (),
    ) -> None:
        """Store a new request (with any history it arrived with), its first assignees and
        custody events, in one transaction. An id already taken is a Conflict."""
        try:
            write_all(
                self.engine,
                [
                    (cooperation_requests, [_request_row(request, side, now)]),
                    (request_steps, _step_rows(request.history)),
                    *statistics_repo.new_facts(request, side=side),
                    (case_assignments, _assignment_rows(request.id, assignees, assigned_by, now)),
                    (custody_pending, pending_rows(custody, now=now)),
                    (outbox_table, outbox_rows(outbox)),
                ],
            )
        except SQLIntegrityError:
            raise Conflict(f"a request {request.id!r} already exists") from None
        self._remember(request, now)

    def _remember(self, request: CooperationRequest, now: datetime) -> None:
        """Keep a request this process just stored in the deadline check's cache, under
        the stamp its row now has: the check need not read back and decode what it was
        handed (under load, a decoded document a creation). A closed one is left out; a
        row changed since by another process has another stamp and is read anew."""
        if request.status not in FINAL:
            self._open_cache[request.id] = ((len(request.history), now), request)

    @staticmethod
    def _insert_steps(connection: Connection, records: Sequence[TransitionRecord]) -> None:
        insert_all(connection, [(request_steps, _step_rows(records))])

    def load(self, request_id: str, *, user_id: int | None = None) -> StoredRequest | None:
        """The request, and whether ``user_id`` is assigned to its case (one connection)."""
        assigned = (
            select(case_assignments.c.user_id)
            .where(
                case_assignments.c.request_id == cooperation_requests.c.id,
                case_assignments.c.user_id == user_id,
            )
            .exists()
            if user_id is not None
            else literal(False)
        )
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    cooperation_requests.c.document,
                    cooperation_requests.c.side,
                    assigned.label("assigned"),
                ).where(cooperation_requests.c.id == request_id)
            ).first()
            if row is None:
                return None
            records = connection.execute(
                select(request_steps.c.record)
                .where(request_steps.c.request_id == request_id)
                .order_by(request_steps.c.sequence)
            ).scalars()
            document = json.loads(row.document)
            document["history"] = [json.loads(r) for r in records]
        return StoredRequest(
            request=request_from_json(document), side=Side(row.side), assigned=bool(row.assigned)
        )

    def save(
        self,
        request: CooperationRequest,
        *,
        new_steps: Sequence[TransitionRecord] = (),
        custody: Sequence[NewEvent] = (),
        now: datetime,
        outbox: Sequence[Outgoing] = (),
        assignees: Sequence[int] = (),
        assigned_by: str = "",
    ) -> None:
        """Store the request after a change. ``new_steps`` are the records added since it
        was loaded; if another change was stored meanwhile, raise Conflict (nothing is
        written), so that two officers never take two steps from the same status.
        ``assignees`` join the case team in the same transaction (those already on it
        stay as they were)."""
        loaded_steps = len(request.history) - len(new_steps)
        try:
            with self.engine.begin() as connection:
                side = connection.execute(
                    _UPDATE_REQUEST,
                    {
                        "b_id": request.id,
                        "b_loaded_steps": loaded_steps,
                        **_summary_values(request, now),
                    },
                ).scalar()
                if side is None:
                    raise _changed(request.id)
                self._insert_steps(connection, new_steps)
                statistics_repo.insert_facts(
                    connection, request, side=Side(side), new_steps=new_steps, created=False
                )
                self._join(connection, request.id, assignees, assigned_by, now)
                self._custody.enqueue_in(connection, custody, now=now)
                queue_messages(connection, outbox)
        except SQLIntegrityError:
            raise _changed(request.id) from None
        self._remember(request, now)

    def summaries(self, query: ListQuery) -> tuple[list[RequestSummary], int]:
        """The requests ``query.user_id`` is assigned to, filtered, newest change first."""
        r = cooperation_requests
        conditions: list[ColumnElement[bool]] = [
            r.c.id.in_(
                select(case_assignments.c.request_id).where(
                    case_assignments.c.user_id == query.user_id
                )
            )
        ]
        if query.statuses:
            conditions.append(r.c.status.in_([s.value for s in query.statuses]))
        if query.kind:
            conditions.append(r.c.kind == query.kind)
        if query.side:
            conditions.append(r.c.side == query.side.value)
        if query.urgency:
            conditions.append(r.c.urgency == query.urgency)
        if query.route is not None:
            conditions.append(r.c.route == query.route.value)
        if query.other_state:
            conditions.append(
                or_(
                    r.c.requesting_state == query.other_state,
                    r.c.requested_state == query.other_state,
                )
            )
        where = and_(*conditions)
        with self.engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(r).where(where)
            ).scalar_one()
            rows = connection.execute(
                select(r)
                .where(where)
                .order_by(r.c.updated_at.desc(), r.c.id)
                .limit(query.limit)
                .offset(query.offset)
            ).all()
        return [_summary(row) for row in rows], int(total)

    def open_requests(self) -> list[CooperationRequest]:
        """Every request not closed (for deadlines). Requests unchanged since the last
        call come from a cache kept by this process, so the periodic deadline check
        reads only what changed, in a few statements for all of them (not two a request:
        under load, every request created since the last check is new to it)."""
        r = cooperation_requests
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(r.c.id, r.c.steps, r.c.updated_at).where(
                    r.c.status.not_in([s.value for s in FINAL])
                )
            ).all()
            changed = [
                row.id
                for row in rows
                if (cached := self._open_cache.get(row.id)) is None
                or cached[0] != (row.steps, row.updated_at)
            ]
            loaded = self._documents(connection, changed)
        fresh: dict[str, tuple[tuple[int, datetime], CooperationRequest]] = {}
        for row in rows:
            stamp = (row.steps, row.updated_at)
            cached = self._open_cache.get(row.id)
            if cached is not None and cached[0] == stamp:
                fresh[row.id] = cached
            elif (request := loaded.get(row.id)) is not None:
                fresh[row.id] = (stamp, request)
        self._open_cache = fresh
        return [request for _, request in fresh.values()]

    @staticmethod
    def _documents(connection: Connection, ids: Sequence[str]) -> dict[str, CooperationRequest]:
        """The requests of ``ids`` with their histories, read :data:`LOAD_CHUNK` at a time
        (two statements a chunk); a request deleted meanwhile is left out."""
        found: dict[str, CooperationRequest] = {}
        for start in range(0, len(ids), LOAD_CHUNK):
            chunk = ids[start : start + LOAD_CHUNK]
            documents = {
                row.id: json.loads(row.document)
                for row in connection.execute(
                    select(cooperation_requests.c.id, cooperation_requests.c.document).where(
                        cooperation_requests.c.id.in_(chunk)
                    )
                )
            }
            histories: dict[str, list[Any]] = {request_id: [] for request_id in documents}
            for step in connection.execute(
                select(request_steps.c.request_id, request_steps.c.record)
                .where(request_steps.c.request_id.in_(list(documents)))
                .order_by(request_steps.c.request_id, request_steps.c.sequence)
            ):
                histories[step.request_id].append(json.loads(step.record))
            for request_id, document in documents.items():
                document["history"] = histories[request_id]
                found[request_id] = request_from_json(document)
        return found

    # --- case assignments ----------------------------------------------------------------

    @staticmethod
    def _assign_all(
        connection: Connection, request_id: str, user_ids: Sequence[int], by: str, now: datetime
    ) -> None:
        """Assign each of ``user_ids`` (once, in order of id), in one statement."""
        insert_all(
            connection, [(case_assignments, _assignment_rows(request_id, user_ids, by, now))]
        )

    @classmethod
    def _join(
        cls,
        connection: Connection,
        request_id: str,
        user_ids: Sequence[int],
        by: str,
        now: datetime,
    ) -> None:
        if not user_ids:
            return
        team = set(
            connection.execute(
                select(case_assignments.c.user_id).where(
                    case_assignments.c.request_id == request_id
                )
            ).scalars()
        )
        cls._assign_all(connection, request_id, sorted(set(user_ids) - team), by, now)

    def cases_of(self, user_id: int) -> set[str]:
        """The ids of the requests ``user_id`` is assigned to."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(case_assignments.c.request_id).where(case_assignments.c.user_id == user_id)
            ).scalars()
            return set(found)

    def is_assigned(self, request_id: str, user_id: int) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                select(case_assignments.c.user_id).where(
                    case_assignments.c.request_id == request_id,
                    case_assignments.c.user_id == user_id,
                )
            ).first()
        return found is not None

    def assign(self, request_id: str, user_id: int, *, by: str, now: datetime) -> bool:
        """Assign a user to the case; False if already assigned."""
        try:
            with self.engine.begin() as connection:
                self._assign_all(connection, request_id, [user_id], by, now)
        except SQLIntegrityError:
            return False
        return True

    def assignments(self, request_id: str) -> list[Assignment]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(users.c.name, users.c.role, case_assignments)
                .join(users, users.c.id == case_assignments.c.user_id)
                .where(case_assignments.c.request_id == request_id)
                .order_by(case_assignments.c.assigned_at, users.c.name)
            ).all()
        return [
            Assignment(user=row.name, role=row.role, by=row.assigned_by, at=row.assigned_at)
            for row in rows
        ]

    # --- refusals, alerts, consents, retention -----------------------------------------------

    def record_refusal(self, refusal: AccessRefusal) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(access_refusals).values(
                    at=refusal.at,
                    user_name=refusal.user,
                    user_role=refusal.role,
                    action=refusal.action[:64],
                    request_id=refusal.request_id,
                    detail=refusal.detail[:500],
                )
            )

    def refusals(self, *, limit: int) -> list[AccessRefusal]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(access_refusals).order_by(access_refusals.c.id.desc()).limit(limit)
            ).all()
        return [
            AccessRefusal(
                at=row.at,
                user=row.user_name,
                role=row.user_role,
                action=row.action,
                request_id=row.request_id,
                detail=row.detail,
            )
            for row in rows
        ]

    def raise_alert(self, alert: DeadlineAlert) -> bool:
        """Store an alert; False if this one was raised before."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(deadline_alerts).values(
                        request_id=alert.request_id,
                        rule=alert.rule,
                        state=alert.state,
                        due_at=alert.due_at,
                        side=alert.side,
                        article=alert.article,
                        raised_at=alert.raised_at,
                    )
                )
        except SQLIntegrityError:
            return False
        return True

    def alerts(self, *, user_id: int, limit: int) -> list[DeadlineAlert]:
        """The deadline alerts of the cases ``user_id`` is assigned to, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(deadline_alerts)
                .where(
                    deadline_alerts.c.request_id.in_(
                        select(case_assignments.c.request_id).where(
                            case_assignments.c.user_id == user_id
                        )
                    )
                )
                .order_by(deadline_alerts.c.raised_at.desc())
                .limit(limit)
            ).all()
        return [
            DeadlineAlert(
                request_id=row.request_id,
                rule=row.rule,
                state=row.state,
                due_at=row.due_at,
                side=row.side,
                article=row.article,
                raised_at=row.raised_at,
            )
            for row in rows
        ]

    def add_consent(self, consent: Consent) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(onward_consents).values(
                    request_id=consent.request_id,
                    third_state=consent.third_state,
                    consenting_state=consent.consenting_state,
                    written=int(consent.written),
                    reference=consent.reference,
                    scope=consent.scope,
                    recorded_by=consent.recorded_by,
                    recorded_at=consent.recorded_at,
                )
            )

    def consents(self, request_id: str) -> list[Consent]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(onward_consents)
                .where(onward_consents.c.request_id == request_id)
                .order_by(onward_consents.c.id)
            ).all()
        return [
            Consent(
                request_id=row.request_id,
                third_state=row.third_state,
                consenting_state=row.consenting_state,
                written=bool(row.written),
                reference=row.reference,
                scope=row.scope,
                recorded_by=row.recorded_by,
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]

    def retention_due(self, now: datetime) -> list[str]:
        """Requests whose retention period has ended and that still hold evidence."""
        r = cooperation_requests
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(r.c.id)
                    .where(
                        r.c.retain_until.is_not(None),
                        r.c.retain_until <= now,
                        r.c.id.in_(
                            select(evidence_items.c.request_ref).where(
                                evidence_items.c.deleted_at.is_(None)
                            )
                        ),
                    )
                    .order_by(r.c.retain_until)
                ).scalars()
            )

    def live_evidence(self, request_id: str) -> list[tuple[str, str]]:
        """(item id, digest) of the request's evidence items not yet deleted."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(evidence_items.c.id, evidence_items.c.sha256).where(
                    evidence_items.c.request_ref == request_id,
                    evidence_items.c.deleted_at.is_(None),
                )
            ).all()
        return [(row.id, row.sha256) for row in rows]

    def mark_deleted(self, items: Sequence[tuple[str, NewEvent]], *, now: datetime) -> list[str]:
        """Mark items deleted, each with its custody event, in one transaction. An item
        another process marked first is skipped with its event, so a deletion is logged
        once however many workers run the job. Returns the ids marked here."""
        marked: list[str] = []
        events: list[NewEvent] = []
        with self.engine.begin() as connection:
            for item_id, event in items:
                changed = connection.execute(
                    update(evidence_items)
                    .where(evidence_items.c.id == item_id, evidence_items.c.deleted_at.is_(None))
                    .values(deleted_at=now)
                ).rowcount
                if changed == 1:
                    marked.append(item_id)
                    events.append(event)
            self._custody.enqueue_in(connection, events, now=now)
        return marked

    def digest_in_use(self, sha256: str) -> bool:
        """Whether an evidence item not deleted still refers to these bytes."""
        with self.engine.connect() as connection:
            found = connection.execute(
                select(evidence_items.c.id).where(
                    evidence_items.c.sha256 == sha256, evidence_items.c.deleted_at.is_(None)
                )
            ).first()
        return found is not None


def _changed(request_id: str) -> Conflict:
    return Conflict(
        f"the request {request_id!r} changed while this step was being taken; reload it and "
        "try again"
    )
