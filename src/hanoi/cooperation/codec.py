"""A request and its history as JSON, and back. Pure.

The same document is stored by the node and carried between nodes, so it is
plain JSON (RFC 8785-canonicalisable): dates are ISO 8601, times UTC with a
``Z``, enums by value. Reading it rebuilds the frozen model, which checks every
field again and replays the history through the transition table, so a document
that breaks a rule is refused however it arrived.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hanoi.accounts.model import Role
from hanoi.convention import Channel
from hanoi.cooperation.model import (
    Attachment,
    AttachmentRole,
    Condition,
    CooperationRequest,
    DocumentKind,
    Link,
    Party,
    Relation,
    SuggestedDeadline,
    TransitionRecord,
    Urgency,
    UrgencyLevel,
)
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.statuses import Side, Status, StatusField
from hanoi.cooperation.table import TransitionName
from hanoi.errors import FieldProblem, InvalidInput
from hanoi.wire import format_time, thaw

DOCUMENT_VERSION = 1


def _party(party: Party) -> dict[str, Any]:
    return {"state": party.state, "authority": party.authority, "officer": party.officer}


def condition_json(condition: Condition) -> dict[str, Any]:
    value: dict[str, Any] = {
        "key": condition.key,
        "terms": condition.terms,
        "imposed_by": condition.imposed_by.value,
    }
    if condition.retain_until is not None:
        value["retain_until"] = condition.retain_until.isoformat()
    return value


def request_json(request: CooperationRequest, *, history: bool = True) -> dict[str, Any]:
    """The request as a JSON document (with its history unless ``history`` is false)."""
    deadline = request.suggested_deadline
    value: dict[str, Any] = {
        "version": DOCUMENT_VERSION,
        "id": request.id,
        "kind": request.kind,
        "channel": request.channel.value,
        "requesting": _party(request.requesting),
        "requested": _party(request.requested),
        "created_at": format_time(request.created_at),
        "contents": thaw(request.contents),
        "attachments": [attachment_json(a) for a in request.attachments],
        "urgency": {"level": request.urgency.level.value, "reasons": request.urgency.reasons},
        "suggested_deadline": None
        if deadline is None
        else {"by": deadline.by.isoformat(), "reasons": deadline.reasons},
        "conditions": [condition_json(c) for c in request.conditions],
        "links": [
            {"relation": link.relation.value, "request_id": link.request_id}
            | ({"third_state": link.third_state} if link.third_state else {})
            for link in request.links
        ],
    }
    if history:
        value["history"] = [record_json(record) for record in request.history]
    return value


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    """An attachment as JSON. ``document_kind``, ``size`` and ``media_type`` appear only
    when known, so an attachment made before they existed keeps its exact document."""
    value: dict[str, Any] = {
        "id": attachment.id,
        "sha256": attachment.sha256,
        "role": attachment.role.value,
        "added_by": attachment.added_by.value,
        "title": attachment.title,
    }
    if attachment.document_kind is not None:
        value["document_kind"] = attachment.document_kind.value
    if attachment.size is not None:
        value["size"] = attachment.size
    if attachment.media_type is not None:
        value["media_type"] = attachment.media_type
    return value


def record_json(record: TransitionRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "request_id": record.request_id,
        "transition": record.transition.value,
        "sets": record.sets.value,
        "from_status": record.from_status.value,
        "to_status": record.to_status.value,
        "side": record.side.value,
        "state": record.state,
        "officer": record.officer,
        "role": record.role.value,
        "at": format_time(record.at),
        "article": record.article,
        "reasons": record.reasons,
        "grounds": list(record.grounds),
        "until": None if record.until is None else format_time(record.until),
        "conditions": list(record.conditions),
        "follow_up": record.follow_up,
    } | ({"via": channel_record_json(record.via)} if record.via is not None else {})


def channel_record_json(via: ChannelRecord) -> dict[str, Any]:
    """A channel record as JSON; a record stored before channels existed has none, so its
    document is unchanged."""
    value: dict[str, Any] = {
        "channel": via.channel.value,
        "on": via.on.isoformat(),
        "reference": via.reference,
    }
    if via.document is not None:
        value["document"] = via.document
    return value


class _Reader:
    """Reads members of a JSON object, naming the member at fault in every error."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _bad(path or "document", "must be a JSON object")
        self.value: dict[str, Any] = value
        self.path = path

    def _where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
        if name not in self.value or (optional and self.value[name] is None):
            if optional:
                return None
            raise _bad(self._where(name), "is required")
        found = self.value[name]
        if not isinstance(found, kind) or (isinstance(found, bool) and kind is int):
            raise _bad(self._where(name), "has the wrong type")
        return found

    def text(self, name: str, *, optional: bool = False) -> Any:
        return self.get(name, str, optional=optional)

    def enum(self, name: str, enum: Any, *, optional: bool = False) -> Any:
        text = self.text(name, optional=optional)
        if text is None:
            return None
        try:
            return enum(text)
        except ValueError:
            choices = ", ".join(member.value for member in enum)
            raise _bad(self._where(name), f"is one of: {choices}") from None

    def moment(self, name: str, *, optional: bool = False) -> datetime | None:
        text = self.text(name, optional=optional)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _bad(self._where(name), "is an ISO 8601 date and time") from None
        if moment.tzinfo is None:
            raise _bad(self._where(name), "needs a time zone")
        return moment

    def day(self, name: str, *, optional: bool = False) -> date | None:
        text = self.text(name, optional=optional)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _bad(self._where(name), "is an ISO 8601 date (YYYY-MM-DD)") from None

    def objects(self, name: str) -> list[_Reader]:
        items = self.get(name, list, optional=True) or []
        return [_Reader(item, f"{self._where(name)}[{i}]") for i, item in enumerate(items)]


def _bad(path: str, message: str) -> InvalidInput:
    return InvalidInput(f"{path} {message}", fields=(FieldProblem(path, message),))


def _party_from(reader: _Reader) -> Party:
    return Party(
        state=reader.text("state"),
        authority=reader.text("authority"),
        officer=reader.text("officer", optional=True),
    )


def condition_from_json(reader: _Reader | Any, *, path: str = "condition") -> Condition:
    r = reader if isinstance(reader, _Reader) else _Reader(reader, path)
    return Condition(
        key=r.text("key"),
        terms=r.text("terms"),
        imposed_by=r.enum("imposed_by", Side),
        retain_until=r.day("retain_until", optional=True),
    )


def attachment_from_json(reader: _Reader) -> Attachment:
    """An attachment of :func:`attachment_json`; one without the newer members (a document
    stored or sent by an older node) is read with them unknown."""
    return Attachment(
        id=reader.text("id"),
        sha256=reader.text("sha256"),
        role=reader.enum("role", AttachmentRole),
        added_by=reader.enum("added_by", Side),
        title=reader.text("title", optional=True),
        document_kind=reader.enum("document_kind", DocumentKind, optional=True),
        size=reader.get("size", int, optional=True),
        media_type=reader.text("media_type", optional=True),
    )


def record_from_json(value: Any, *, path: str = "record") -> TransitionRecord:
    r = _Reader(value, path)
    at = r.moment("at")
    assert at is not None
    return TransitionRecord(
        sequence=r.get("sequence", int),
        request_id=r.text("request_id"),
        transition=r.enum("transition", TransitionName),
        sets=r.enum("sets", StatusField),
        from_status=r.enum("from_status", Status),
        to_status=r.enum("to_status", Status),
        side=r.enum("side", Side),
        state=r.text("state"),
        officer=r.text("officer"),
        role=r.enum("role", Role),
        at=at,
        article=r.text("article"),
        reasons=r.text("reasons", optional=True),
        grounds=tuple(r.get("grounds", list, optional=True) or ()),
        until=r.moment("until", optional=True),
        conditions=tuple(r.get("conditions", list, optional=True) or ()),
        follow_up=r.text("follow_up", optional=True),
        via=_channel_record_from(r) if r.value.get("via") is not None else None,
    )


def _channel_record_from(record: _Reader) -> ChannelRecord:
    r = _Reader(record.value["via"], record._where("via"))
    on = r.day("on")
    assert on is not None
    return ChannelRecord(
        channel=r.enum("channel", Route),
        on=on,
        reference=r.text("reference"),
        document=r.text("document", optional=True),
    )


def request_from_json(value: Any) -> CooperationRequest:
    """Rebuild a request from :func:`request_json`; every rule of the model is checked."""
    r = _Reader(value, "")
    if r.get("version", int) != DOCUMENT_VERSION:
        raise _bad("version", f"must be {DOCUMENT_VERSION}")
    urgency = _Reader(r.get("urgency", dict), "urgency")
    deadline_value = r.get("suggested_deadline", dict, optional=True)
    deadline = None
    if deadline_value is not None:
        d = _Reader(deadline_value, "suggested_deadline")
        by = d.day("by")
        assert by is not None
        deadline = SuggestedDeadline(by=by, reasons=d.text("reasons"))
    created_at = r.moment("created_at")
    assert created_at is not None
    return CooperationRequest(
        id=r.text("id"),
        kind=r.text("kind"),
        channel=r.enum("channel", Channel),
        requesting=_party_from(_Reader(r.get("requesting", dict), "requesting")),
        requested=_party_from(_Reader(r.get("requested", dict), "requested")),
        created_at=created_at,
        contents=r.get("contents", dict),
        attachments=tuple(attachment_from_json(a) for a in r.objects("attachments")),
        urgency=Urgency(
            level=urgency.enum("level", UrgencyLevel),
            reasons=urgency.text("reasons", optional=True),
        ),
        suggested_deadline=deadline,
        conditions=tuple(condition_from_json(c) for c in r.objects("conditions")),
        links=tuple(
            Link(
                relation=link.enum("relation", Relation),
                request_id=link.text("request_id"),
                third_state=link.text("third_state", optional=True),
            )
            for link in r.objects("links")
        ),
        history=tuple(
            record_from_json(item, path=f"history[{i}]")
            for i, item in enumerate(r.get("history", list, optional=True) or [])
        ),
    )
