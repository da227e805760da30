"""Requests off the network (ADR 0028): dispatch by another channel, the other State's
steps recorded by hand from its letters, registration from paper, scanned letters."""

from __future__ import annotations

from datetime import date

import pytest

from hanoi.cooperation import Side, Status
from hanoi.cooperation.codec import record_from_json, record_json, request_from_json, request_json
from hanoi.cooperation.errors import (
    IncompleteRequest,
    MissingRequirement,
    TransitionNotAllowed,
    WrongSide,
)
from hanoi.cooperation.model import Attachment, AttachmentRole, DocumentKind
from hanoi.cooperation.offline import add_letter, scan_media_type
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.table import ROWS, TABLE
from hanoi.cooperation.transitions import (
    allowed_transitions,
    apply,
    recordable_steps,
    register,
)
from hanoi.errors import InvalidInput
from unit.cooperation.builders import OFFICER, SUPERVISOR, T0, N, Walk, draft

NOTE = ChannelRecord(channel=Route.DIPLOMATIC, on=date(2026, 3, 2), reference="Note 14/2026")
MLA = "mla-stored-data"


def approved() -> Walk:
    return Walk(draft(MLA)).steps(N.APPROVE)


def dispatched(via: ChannelRecord = NOTE) -> Walk:
    return approved().take(N.DISPATCH, via=via)


def test_dispatch_sends_by_another_channel_and_sets_the_route() -> None:
    walk = approved()
    assert walk.request.route is Route.HANOI
    walk.take(N.DISPATCH, via=NOTE)
    assert walk.status is Status.SENT
    assert walk.request.route is Route.DIPLOMATIC
    record = walk.records[-1]
    assert record.via == NOTE
    assert record.article == "Art. 40(14)"


def test_dispatch_needs_a_channel_record_and_complete_contents() -> None:
    with pytest.raises(InvalidInput, match="needs a channel record"):
        approved().take(N.DISPATCH)
    incomplete = Walk(draft(MLA, contents={}))
    with pytest.raises(IncompleteRequest):
        incomplete.take(N.APPROVE)


@pytest.mark.parametrize(
    ("channel", "on", "reference", "message"),
    [
        (Route.HANOI, date(2026, 3, 2), "x", "sent by the node itself"),
        ("pigeon", date(2026, 3, 2), "x", "one of: diplomatic"),
        (Route.EMAIL, date(2026, 3, 2), "  ", "reference is required"),
        (Route.EMAIL, date(2026, 3, 2), "x" * 501, "at most 500"),
    ],
)
def test_a_channel_record_is_checked(
    channel: Route | str, on: date, reference: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        ChannelRecord(channel=channel, on=on, reference=reference)  # type: ignore[arg-type]


def test_a_channel_record_dated_after_the_step_is_refused() -> None:
    later = ChannelRecord(channel=Route.EMAIL, on=date(2026, 3, 9), reference="<m@x>")
    with pytest.raises(InvalidInput, match="in the future"):
        approved().take(N.DISPATCH, via=later)


def test_the_requesting_officer_records_the_answers_from_the_letters() -> None:
    walk = dispatched()
    assert {row.name for row in recordable_steps(walk.request, OFFICER, side=Side.REQUESTING)} >= {
        N.RECEIVE
    }
    letter = ChannelRecord(channel=Route.DIPLOMATIC, on=date(2026, 3, 2), reference="VN-22")
    walk.take(N.RECEIVE, side=Side.REQUESTING, via=letter)
    walk.take(N.ACKNOWLEDGE, side=Side.REQUESTING, via=letter)
    walk.take(N.ACCEPT, side=Side.REQUESTING, via=letter)
    walk.take(N.COMPLETE, side=Side.REQUESTING, via=letter)
    walk.take(N.CLOSE, side=Side.REQUESTING, via=letter)
    assert walk.status is Status.CLOSED
    recorded = walk.records[-1]
    assert recorded.side is Side.REQUESTED
    assert recorded.state == "VNM"  # the requested State's step ...
    assert recorded.officer == OFFICER.name  # ... typed in by the requesting officer
    assert recorded.via == letter


def test_the_other_side_step_needs_a_letter_and_a_route_off_the_network() -> None:
    with pytest.raises(WrongSide):  # no channel record: the other side's step
        dispatched().take(N.RECEIVE, side=Side.REQUESTING)
    network = approved().take(N.SEND)
    with pytest.raises(InvalidInput, match="travels over the Hanoi network"):
        network.take(N.RECEIVE, side=Side.REQUESTING, via=NOTE)
    assert recordable_steps(network.request, OFFICER, side=Side.REQUESTING) == ()


def test_the_rules_of_a_step_hold_when_it_is_recorded_by_hand() -> None:
    walk = dispatched()
    walk.take(N.RECEIVE, side=Side.REQUESTING, via=NOTE)
    walk.take(N.ACKNOWLEDGE, side=Side.REQUESTING, via=NOTE)
    with pytest.raises(MissingRequirement, match="reasons"):  # still needs grounds, reasons
        walk.take(N.REFUSE, side=Side.REQUESTING, via=NOTE)


def test_register_creates_a_received_request_and_is_never_offered() -> None:
    fresh = draft(MLA, id="VNM-IN-2026-1")
    received, record = register(fresh, actor=OFFICER, at=T0, via=NOTE)
    assert received.status is Status.RECEIVED
    assert received.route is Route.DIPLOMATIC
    assert record.side is Side.REQUESTED
    assert record.from_status is Status.DRAFT
    assert N.REGISTER not in {row.name for row in allowed_transitions(fresh)}
    for request in (fresh, received):  # never a step of a request, new or not
        with pytest.raises(TransitionNotAllowed):
            apply(request, transition=N.REGISTER, actor=OFFICER, side=Side.REQUESTED, at=T0,
                  via=NOTE)  # fmt: skip
    with pytest.raises(InvalidInput, match="opens a new request"):
        register(received, actor=OFFICER, at=T0, via=NOTE)
    from hanoi.errors import PermissionDenied
    from unit.cooperation.builders import AUDITOR

    with pytest.raises(PermissionDenied):
        register(fresh, actor=AUDITOR, at=T0, via=NOTE)


def test_a_registered_request_follows_the_same_table() -> None:
    received, _ = register(draft(MLA), actor=OFFICER, at=T0, via=NOTE)
    walk = Walk(received)
    walk.steps(N.ACKNOWLEDGE, N.ACCEPT, N.COMPLETE, N.CLOSE)
    assert walk.status is Status.CLOSED
    answered = Walk(received).steps(N.ACKNOWLEDGE)
    provided = ChannelRecord(channel=Route.EMAIL, on=date(2026, 3, 2), reference="<a@b>")
    answered.take(N.REQUEST_ADDITIONAL_INFORMATION, reasons="Which account?")
    answered.take(N.PROVIDE_ADDITIONAL_INFORMATION, side=Side.REQUESTED, reasons="x", via=provided)
    assert answered.request.desired_status is Status.ADDITIONAL_INFORMATION_PROVIDED


def test_channel_records_round_trip_and_old_records_are_unchanged() -> None:
    walk = dispatched()
    record = walk.records[-1]
    assert record_from_json(record_json(record)) == record
    assert record_json(record)["via"] == {
        "channel": "diplomatic",
        "on": "2026-03-02",
        "reference": "Note 14/2026",
    }
    assert "via" not in record_json(walk.records[0])  # approve: as before
    assert request_from_json(request_json(walk.request)) == walk.request


def test_the_table_has_dispatch_and_register_with_their_article() -> None:
    assert ROWS[N.DISPATCH].sources == ROWS[N.SEND].sources
    assert ROWS[N.DISPATCH].target is Status.SENT
    assert ROWS[N.REGISTER].target is Status.RECEIVED
    assert ROWS[N.REGISTER].sources == frozenset()  # it opens a request
    assert ROWS[N.REGISTER].side is Side.REQUESTED
    assert all(row.source.article for row in TABLE)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"II*\x00....", "image/tiff"),
    ],
)
def test_a_scan_is_a_pdf_or_an_image_by_its_bytes(data: bytes, media_type: str) -> None:
    assert scan_media_type(data) == media_type


@pytest.mark.parametrize("data", [b"<html>", b"PK\x03\x04zip", b"GIF89a"])
def test_anything_else_is_not_a_scan(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="not a PDF or an image"):
        scan_media_type(data)


def test_a_letter_is_added_until_the_request_is_closed() -> None:
    walk = dispatched()
    letter = Attachment(
        id="letter-1",
        sha256="a" * 64,
        role=AttachmentRole.DOCUMENT,
        added_by=Side.REQUESTED,
        document_kind=DocumentKind.LETTER,
        size=10,
        media_type="application/pdf",
    )
    assert add_letter(walk.request, letter).attachments[-1] == letter
    not_letter = Attachment(
        id="w", sha256="b" * 64, role=AttachmentRole.DOCUMENT, added_by=Side.REQUESTED,
        document_kind=DocumentKind.WARRANT, size=10,
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        add_letter(walk.request, not_letter)
    assert SUPERVISOR.name  # the builders' users are those of the other tests


def test_the_custody_event_of_a_step_off_the_network_says_how_it_came() -> None:
    from hanoi.cooperation.custody import step_event

    walk = dispatched()
    walk.take(N.RECEIVE, side=Side.REQUESTING, via=NOTE)
    event = step_event(walk.records[-1])
    assert event.node == "VNM"
    assert event.officer == OFFICER.name
    assert event.unknown["via"] == {
        "channel": "diplomatic",
        "on": "2026-03-02",
        "reference": "Note 14/2026",
    }
    assert "via" not in step_event(walk.records[0]).unknown


def test_the_routes_are_the_directory_channels() -> None:
    from hanoi.directory.model import CHANNELS

    assert tuple(route.value for route in Route) == CHANNELS
