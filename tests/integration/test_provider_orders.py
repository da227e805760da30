"""Orders to a provider on SQLite and PostgreSQL: a request in execution on VNM's node, the
order sent to the simulated provider (in-process), polled, its deliveries checked and
ingested as evidence with their acquisition, custody events for each step; and what goes
wrong: a rejected task, a checksum that fails, a replayed transaction, an unknown task, a
provider that answers garbage or hangs, a delivery too large."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hanoi.accounts.model import Role
from hanoi.cooperation.service import StepInput
from hanoi.custody.events import CustodyAction
from hanoi.errors import InvalidInput, NotFound, PermissionDenied, Unavailable
from hanoi.evidence.items import SourceKind
from hanoi.providers.errors import OrderNotAllowed, ProviderAnswerInvalid, ProviderUnreachable
from hanoi.providers.hi1 import MessageTooLarge, OrderKind, parse_json, read_answer
from hanoi.providers.model import ProviderFields
from hanoi.providers.orders import DeliveryOutcome, OrderInput, OrderStatus, ReceivedDelivery
from hanoi.sandbox.provider_sim import E_REPLAY, SimSettings, sample_data
from hanoi.wire import format_time
from support_databases import templates as database_templates
from support_nodes import T0
from support_provider_orders import Execution, executing

ORDER_PDF = b"%PDF-1.7\n% the domestic production order, signed\n"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _run(engine_name: str, tmp_path: Path, **options: object) -> Iterator[Execution]:
    if engine_name == "sqlite":
        yield from executing(tmp_path, None, None, **options)  # type: ignore[arg-type]
        return
    with database_templates().clones() as databases:
        yield from executing(
            tmp_path,
            databases.postgres(),
            databases.postgres(),
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture
def run(engine_name: str, tmp_path: Path) -> Iterator[Execution]:
    yield from _run(engine_name, tmp_path)


def order_input(**changes: object) -> OrderInput:
    values: dict[str, object] = {
        "provider_id": "vnm-sim",
        "identifiers": (("EmailAddress", "suspect@example.vn"),),
        "deadline": T0 + timedelta(days=10),
        "domestic_reference": "VNM-PO-2026-17",
        "legal_basis": "Criminal Procedure Code, Art. 196",
        "order_document": ORDER_PDF,
        "window_start": T0 - timedelta(days=30),
        "window_end": T0,
    }
    values.update(changes)
    return OrderInput(**values)  # type: ignore[arg-type]


def events(x: Execution) -> list[dict[str, object]]:
    x.vnm.custody.sequence()
    return [
        {"action": e.event.action, **e.event.unknown, "sha": e.event.evidence_sha256}
        for e in x.vnm.custody.events_for(f"request:{x.request_id}")
    ]


def test_a_disclosure_order_ends_as_evidence_with_its_acquisition(run: Execution) -> None:
    x = run
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    assert order.status is OrderStatus.AWAITING
    assert order.kind is OrderKind.DISCLOSURE
    # The provider got one signed, schema-valid order with the three objects.
    (sent,) = x.simulator.received
    assert "Signature" in sent
    actions = sent["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"]
    types = [a["CREATE"]["HI1Object"]["@xsi:type"].rsplit("}", 1)[1] for a in actions]
    assert types == ["DocumentObject", "AuthorisationObject", "LDTaskObject"]
    auth = actions[1]["CREATE"]["HI1Object"]
    assert auth["auth:AuthorisationApprovalDetails"][0]["common:ApprovalReference"] == x.request_id

    # Before the provider's delay: still awaiting, nothing ingested.
    x.later(10)
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert view.order.status is OrderStatus.AWAITING
    assert view.order.provider_status == "AwaitingDisclosure"
    assert x.vnm.evidence.for_request(x.officer, x.request_id) == []

    x.later(60)
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert view.order.status is OrderStatus.DISCLOSED
    assert view.order.complete
    assert not view.order.open
    assert [d.outcome for d in view.deliveries] == [DeliveryOutcome.INGESTED] * 2
    items = x.vnm.evidence.for_request(x.officer, x.request_id)
    expected = {name: data for name, _, data in sample_data(order_input().identifiers)}
    assert {i.acquisition.original_name: i.sha256 for i in items} == {
        name: hashlib.sha256(data).hexdigest() for name, data in expected.items()
    }
    for item in items:
        a = item.acquisition
        assert a.source_kind is SourceKind.PROVIDER
        assert a.source == x.simulator.settings.name
        assert a.method == "HI-1 disclosure order VNM-PO-2026-17"
        assert a.legal_basis is not None
        assert a.legal_basis.startswith("VNM-PO-2026-17")
        assert a.officer == x.officer.name
        assert a.acquired_at == x.clock.now()
        assert a.article.startswith("Art.")
    assert {i.acquisition.media_type for i in items} == {"application/json", "text/csv"}

    # The provider's notification of the disclosure is kept with the order.
    (note,) = view.notifications
    assert note.type == ("ETSI", "NotificationType", "General")
    assert note.details == "The data are disclosed in 2 deliveries."
    assert note.statuses == ((order.task_id, "Disclosed", None),)
    assert note.received_at == x.clock.now()

    # Polled again: nothing new, nothing twice.
    x.later(60)
    again = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert len(x.vnm.evidence.for_request(x.officer, x.request_id)) == 2
    assert again.notifications == view.notifications

    found = events(x)
    steps = [(e["step"], e["status"]) for e in found if e["action"] is CustodyAction.PROVIDER_ORDER]
    assert steps == [("issued", "awaiting"), ("status", "disclosed"), ("notification", "disclosed")]
    noted = next(e for e in found if e.get("step") == "notification")
    assert noted["notification"] == note.object_id
    assert noted["notification_type"] == "ETSI/NotificationType/General"
    assert noted["details"] == note.details
    issued = next(e for e in found if e.get("step") == "issued")
    assert issued["order_sha256"] == hashlib.sha256(ORDER_PDF).hexdigest()
    collected = [
        e
        for item in items
        for e in (ev.event for ev in x.vnm.evidence.custody_of(x.officer, item.id))
    ]
    # Each item's chain begins with the provider's delivery, logged just before its
    # collection: the provider, the order's reference and the checksum it declared.
    delivered = CustodyAction.DELIVERED
    assert [e.action for e in collected] == [delivered, CustodyAction.COLLECTED] * 2
    for item in items:
        first, then = x.vnm.evidence.custody_of(x.officer, item.id)
        assert then.index == first.index + 1
        d = first.event
        assert (d.evidence_sha256, d.officer, d.request_id) == (
            item.sha256,
            x.officer.name,
            x.request_id,
        )
        assert d.unknown["provider"] == "vnm-sim"
        assert d.unknown["provider_name"] == x.simulator.settings.name
        assert (d.unknown["order"], d.unknown["reference"]) == (order.id, "VNM-PO-2026-17")
        assert d.unknown["delivered_at"] == format_time(item.acquisition.acquired_at)
        assert f"SHA256:{item.sha256}" in d.unknown["declared_checksums"]


def test_the_background_poll_takes_open_orders_only(run: Execution) -> None:
    x = run
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    x.later(120)
    assert x.vnm.provider_orders.poll_due() == 1
    assert x.vnm.provider_orders.orders(x.officer, x.request_id)[0].status is OrderStatus.DISCLOSED
    x.later(120)
    assert x.vnm.provider_orders.poll_due() == 0, "a complete disclosure is not polled"
    assert order.id


@pytest.fixture
def rejecting(engine_name: str, tmp_path: Path) -> Iterator[Execution]:
    yield from _run(
        engine_name, tmp_path, sim=SimSettings(delay=0, reject="no such account at this provider")
    )


def test_a_rejected_task_shows_the_providers_reason(rejecting: Execution) -> None:
    x = rejecting
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    assert order.status is OrderStatus.REJECTED
    assert order.error == "no such account at this provider"
    assert order.error_code == 3000
    assert not order.open
    x.later()
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert view.order.provider_status == "Rejected"
    assert view.order.error == "no such account at this provider"
    assert [e["step"] for e in events(x) if e["action"] is CustodyAction.PROVIDER_ORDER] == [
        "issued",
        "status",
    ]


@pytest.fixture
def corrupt(engine_name: str, tmp_path: Path) -> Iterator[Execution]:
    yield from _run(engine_name, tmp_path, sim=SimSettings(delay=0, corrupt_checksums=True))


def test_a_delivery_whose_checksum_fails_is_not_ingested(corrupt: Execution) -> None:
    x = corrupt
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    x.later()
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert [d.outcome for d in view.deliveries] == [DeliveryOutcome.REFUSED] * 2
    assert all("checksum" in (d.problem or "") for d in view.deliveries)
    assert x.vnm.evidence.for_request(x.officer, x.request_id) == []
    assert view.order.error is not None
    refused = [e for e in events(x) if e.get("step") == "delivery-refused"]
    assert len(refused) == 2
    # Polled again: the refused deliveries are not fetched again, nothing ingested.
    x.later()
    x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert x.vnm.evidence.for_request(x.officer, x.request_id) == []


def test_a_preservation_order_is_preserved(engine_name: str, tmp_path: Path) -> None:
    for x in _run(engine_name, tmp_path, kind="expedited-preservation", sim=SimSettings(delay=0)):
        order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
        assert order.kind is OrderKind.PRESERVATION
        x.later()
        view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
        assert view.order.status is OrderStatus.PRESERVED
        assert not view.order.open
        assert view.deliveries == ()
        # The last poll of an order (preserved: no longer open) still takes the
        # provider's notification, which came with the change.
        (note,) = view.notifications
        assert note.statuses == ((order.task_id, "Preserved", None),)
        assert note.details is not None
        assert note.details.startswith("The data are preserved")


def test_only_the_case_team_orders_and_sees_orders(run: Execution) -> None:
    x = run
    with pytest.raises(NotFound):
        x.vnm.provider_orders.issue(x.outsider, x.request_id, order_input())
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    with pytest.raises(NotFound):
        x.vnm.provider_orders.orders(x.outsider, x.request_id)
    with pytest.raises(NotFound):
        x.vnm.provider_orders.show(x.outsider, x.request_id, order.id)
    auditor = x.vnm.accounts.add_user(name="aud", role=Role.AUDITOR, password=None).user
    with pytest.raises(PermissionDenied):
        x.vnm.provider_orders.orders(auditor, x.request_id)
    with pytest.raises(NotFound):
        x.vnm.provider_orders.show(x.officer, x.request_id, "0" * 32)


def test_garbage_and_a_hanging_provider_get_typed_errors(run: Execution) -> None:
    x = run
    x.transport.handler = lambda request: httpx.Response(200, content=b"<html>oops</html>")
    with pytest.raises(ProviderAnswerInvalid):
        x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    (failed,) = x.vnm.provider_orders.orders(x.officer, x.request_id)
    assert failed.status is OrderStatus.FAILED
    assert failed.error is not None

    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the provider did not answer", request=request)

    x.transport.handler = hang
    with pytest.raises(ProviderUnreachable, match="in time"):
        x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    steps = [e["step"] for e in events(x) if e["action"] is CustodyAction.PROVIDER_ORDER]
    assert steps == ["issued", "provider-error", "issued", "provider-error"]

    # An order accepted, then a provider that answers an old transaction: refused.
    x.transport.handler = None
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    old = json.dumps(x.simulator.handle(b"{}")[1]).encode()

    def replayed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=old)

    x.transport.handler = replayed
    with pytest.raises(ProviderAnswerInvalid):
        x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    after = x.vnm.provider_orders.show(x.officer, x.request_id, order.id).order
    assert after.status is OrderStatus.AWAITING
    assert after.error is not None
    assert "replayed" in after.error


def test_the_simulator_refuses_a_replayed_transaction_and_an_unknown_task(run: Execution) -> None:
    x = run
    x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    (sent,) = x.simulator.received
    status, answer = x.simulator.handle(json.dumps(sent).encode())
    read = read_answer(answer)
    assert read.error is not None
    assert read.error.code == E_REPLAY
    assert status == 200
    unknown = json.loads(json.dumps(sent))
    unknown["Header"]["TransactionIdentifier"] = "0b6b8e0e-0000-4000-8000-000000000001"
    unknown["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"] = [
        {"ActionIdentifier": 0, "GET": {"Identifier": "0b6b8e0e-0000-4000-8000-000000000002"}}
    ]
    _, answer = x.simulator.handle(json.dumps(unknown).encode())
    assert read_answer(answer).errors[0].code == 2001
    status, answer = x.simulator.handle(b'{"Header": {}}')
    assert status == 400
    assert read_answer(parse_json(json.dumps(answer).encode())).error is not None


def test_no_order_for_a_request_not_in_execution(engine_name: str, tmp_path: Path) -> None:
    for x in _run(engine_name, tmp_path):
        x.vnm.cooperation.take(x.officer, x.request_id, StepInput(transition="complete"))
        with pytest.raises(OrderNotAllowed):
            x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())


@pytest.fixture
def quick(engine_name: str, tmp_path: Path) -> Iterator[Execution]:
    yield from _run(engine_name, tmp_path, sim=SimSettings(delay=0))


def test_an_oversized_delivery_is_refused_before_it_is_fetched(quick: Execution) -> None:
    x = quick
    x.vnm.provider_orders.max_delivery_bytes = 64
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    fetched: list[str] = []
    routed = x.transport

    def watch(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            fetched.append(str(request.url))
        routed.handler = None
        try:
            return routed.handle_request(request)
        finally:
            routed.handler = watch

    routed.handler = watch
    x.later()
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert [d.outcome for d in view.deliveries] == [DeliveryOutcome.REFUSED] * 2
    assert all("bytes" in (d.problem or "") for d in view.deliveries)
    assert fetched == [], "a delivery declared too large is not downloaded"
    assert x.vnm.evidence.for_request(x.officer, x.request_id) == []
    assert len([e for e in events(x) if e.get("step") == "delivery-refused"]) == 2


def test_a_poll_cut_after_ingesting_links_the_item_next_time(quick: Execution) -> None:
    x = quick
    orders = x.vnm.provider_orders
    order = orders.issue(x.officer, x.request_id, order_input())
    store = orders._store  # the crash is injected between its two writes
    real = store.add_delivery
    calls: list[str] = []

    def cut(delivery: ReceivedDelivery, custody: Any) -> bool:
        calls.append(delivery.object_id)
        if len(calls) == 1:
            raise Unavailable("the database went away")
        return real(delivery, custody)

    store.add_delivery = cut  # type: ignore[method-assign]
    x.later()
    with pytest.raises(Unavailable):
        orders.poll(x.officer, x.request_id, order.id)
    assert len(x.vnm.evidence.for_request(x.officer, x.request_id)) == 1
    store.add_delivery = real  # type: ignore[method-assign]
    x.later()
    view = orders.poll(x.officer, x.request_id, order.id)
    items = x.vnm.evidence.for_request(x.officer, x.request_id)
    assert len(items) == 2, "the first delivery's item is linked, not ingested again"
    assert {d.evidence_item_id for d in view.deliveries} == {i.id for i in items}
    assert view.order.complete


def test_a_task_the_provider_does_not_know_is_an_error_kept_with_the_order(
    quick: Execution,
) -> None:
    x = quick
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    x.simulator._tasks.clear()  # the provider lost the task
    x.later()
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert view.order.status is OrderStatus.AWAITING
    assert view.order.error_code == 2001
    assert view.order.error is not None
    assert "no object" in view.order.error
    x.later()
    x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    errors = [e for e in events(x) if e.get("step") == "provider-error"]
    assert len(errors) == 1, "the same error is logged once"


def test_an_order_that_cannot_be_valid_never_leaves_the_node(run: Execution) -> None:
    x = run
    huge = order_input(order_document=b"x" * (900 * 1024))
    with pytest.raises(MessageTooLarge):
        x.vnm.provider_orders.issue(x.officer, x.request_id, huge)
    backwards = order_input(window_start=T0, window_end=T0 - timedelta(days=1))
    with pytest.raises(InvalidInput) as caught:
        x.vnm.provider_orders.issue(x.officer, x.request_id, backwards)
    assert [f.path for f in caught.value.fields] == ["window_end"]
    assert x.simulator.received == []
    assert x.vnm.provider_orders.orders(x.officer, x.request_id) == []


def test_a_provider_that_accepts_and_never_answers_times_out(run: Execution) -> None:
    x = run
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    network = httpx.HTTPTransport(retries=0)
    x.transport.handler = network.handle_request  # a real socket, the client's timeouts
    admin = x.vnm.accounts.add_user(name="admin2", role=Role.ADMINISTRATOR, password=None).user
    x.vnm.providers.create(
        admin,
        "vnm-hang",
        ProviderFields(
            name="A provider that hangs",
            endpoint=f"http://127.0.0.1:{port}/hi1",
            country_code="VN",
            unique_identifier="hangs",
        ),
    )
    started = time.monotonic()
    try:
        with pytest.raises(ProviderUnreachable, match="in time"):
            x.vnm.provider_orders.issue(
                x.officer, x.request_id, order_input(provider_id="vnm-hang")
            )
    finally:
        listener.close()
        for connection in held:
            connection.close()
        network.close()
    assert time.monotonic() - started < 10
    (failed,) = x.vnm.provider_orders.orders(x.officer, x.request_id)
    assert failed.status is OrderStatus.FAILED


def test_a_providers_notification_is_kept_once_with_its_reason(run: Execution) -> None:
    x = run
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    ground = ("UN", "RefusalGround", "essential-interests")
    long_details = "The account holder is a protected person. " * 80
    first = x.simulator.raise_notification(order.task_id, long_details, notification_type=ground)
    elsewhere = x.simulator.raise_notification(
        order.task_id, "About something else", associated="0b6b8e0e-0000-4000-8000-0000000000aa"
    )
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    (note,) = view.notifications
    assert note.object_id == first
    assert note.type == ground
    assert note.details is not None
    assert len(note.details) == 2000
    assert note.details.startswith("The account holder is a protected person.")
    assert note.statuses == ()
    assert elsewhere not in {n.object_id for n in view.notifications}, "not about this order"
    assert view.order.status is OrderStatus.AWAITING, "a notification does not change status"

    x.later(10)
    again = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert again.notifications == view.notifications
    noted = [e for e in events(x) if e.get("step") == "notification"]
    assert len(noted) == 1
    assert noted[0]["notification_type"] == "UN/RefusalGround/essential-interests"
    assert len(str(noted[0]["details"])) == 200


def test_many_notifications_are_taken_over_several_polls(run: Execution) -> None:
    x = run
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    raised = [x.simulator.raise_notification(order.task_id, f"note {n}") for n in range(25)]
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert [n.object_id for n in view.notifications] == sorted(raised[:20])
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert {n.object_id for n in view.notifications} == set(raised)


def test_a_notification_answer_that_is_garbage_is_a_provider_error(run: Execution) -> None:
    x = run
    order = x.vnm.provider_orders.issue(x.officer, x.request_id, order_input())
    x.simulator.raise_notification(order.task_id, "Look")
    routed = x.transport.app

    def garbage_for_notifications(request: httpx.Request) -> httpx.Response:
        body = request.read()
        if b'"LIST"' not in body:  # the GET of the new notifications
            return httpx.Response(200, content=b'{"Header": 1}')
        x.transport.handler = None
        answer = routed.post(str(request.url), content=body)
        x.transport.handler = garbage_for_notifications
        return httpx.Response(answer.status_code, content=answer.content)

    x.transport.handler = garbage_for_notifications
    with pytest.raises(ProviderAnswerInvalid):
        x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    x.transport.handler = None
    view = x.vnm.provider_orders.show(x.officer, x.request_id, order.id)
    assert view.notifications == ()
    assert view.order.error is not None
    assert [e["step"] for e in events(x) if e["action"] is CustodyAction.PROVIDER_ORDER] == [
        "issued",
        "provider-error",
    ]
    view = x.vnm.provider_orders.poll(x.officer, x.request_id, order.id)
    assert len(view.notifications) == 1, "taken at the next poll that works"
