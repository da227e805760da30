"""The rules of ordering providers, pure: the order built from a request and the officer's
input, the provider's task statuses read as an order's, when an order is open, the HTTP
binding's refusals, and the simulator's answers (schema-valid, deterministic)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.errors import InvalidInput
from hanoi.providers.errors import OrderNotAllowed, ProviderAnswerInvalid
from hanoi.providers.hi1 import (
    DictionaryValue,
    Endpoint,
    ObjectState,
    OrderKind,
    build_order,
    build_status_request,
    read_answer,
    sign_message,
    validate_message,
)
from hanoi.providers.http_binding import exchange
from hanoi.providers.model import Hi1Identifier, Provider
from hanoi.providers.orders import (
    ETSI_STATUSES,
    OrderInput,
    OrderStatus,
    ProviderOrder,
    order_kind,
    order_spec,
    parse_identifier,
    status_of,
)
from hanoi.providers.transport import client_for
from hanoi.sandbox.provider_sim import ProviderSimulator, SimSettings, sample_data
from unit.cooperation.builders import draft

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NODE = Endpoint("VN", "Supreme People's Procuracy of Viet Nam")
PROVIDER = Provider(
    id="vnm-sim",
    name="Hanoi provider simulator",
    endpoint="http://127.0.0.1:8999/hi1",
    hi1=Hi1Identifier("VN", "hanoi-provider-sim"),
    credentials=None,
    csp_config=None,
    enabled=True,
    created_at=T0,
    created_by="root",
    updated_at=T0,
    updated_by="root",
)
INPUT = OrderInput(
    provider_id="vnm-sim",
    identifiers=(("EmailAddress", "suspect@example.vn"),),
    deadline=T0 + timedelta(days=30),
    domestic_reference="VNM-PO-1",
    legal_basis="Criminal Procedure Code, Art. 196",
    order_document=b"%PDF-1.7 order",
)


def spec_of(kind: str, order: OrderInput = INPUT) -> Any:
    return order_spec(draft(kind), PROVIDER, order, sender=NODE, catalogue=default_catalogue())


def test_a_disclosure_order_takes_the_requests_reference_and_article() -> None:
    spec = spec_of("mla-stored-data")
    assert spec.kind is OrderKind.DISCLOSURE
    assert spec.foreign_reference == draft("mla-stored-data").id
    assert spec.article in default_catalogue().kind("mla-stored-data").articles
    assert spec.request_type == "SubscriberData"
    assert spec.receiver == Endpoint("VN", "hanoi-provider-sim")
    assert spec.provider_name == PROVIDER.name
    built = build_order(spec, timestamp=T0)
    validate_message(sign_message(built.message, _key()))
    assert built.task_reference is not None
    assert built.task_reference.endswith("VNM-PO-1")


def test_a_preservation_order_for_a_preservation_request() -> None:
    spec = spec_of("expedited-preservation")
    assert spec.kind is OrderKind.PRESERVATION
    assert spec.request_type == "TrafficData"
    assert build_order(spec, timestamp=T0).task_reference is None


def test_kinds_no_provider_executes_are_refused() -> None:
    assert order_kind("mla-stored-data") is OrderKind.DISCLOSURE
    with pytest.raises(OrderNotAllowed):
        order_kind("mla-general")


def test_identifiers_are_type_equals_value() -> None:
    assert parse_identifier(" EmailAddress = a@b.example ") == ("EmailAddress", "a@b.example")
    for bad in ("a@b.example", "=x", "Email Address=x", "EmailAddress="):
        with pytest.raises(InvalidInput):
            parse_identifier(bad)
    with pytest.raises(InvalidInput) as caught:
        spec_of("mla-stored-data", replace(INPUT, identifiers=(("bad name", "x"),)))
    assert caught.value.fields[0].path == "identifiers/0"


def task(owner: str, name: str, value: str) -> ObjectState:
    return ObjectState(
        object_id="t", kind="LDTaskObject", status=DictionaryValue(owner, name, value),
        reason=None, reference=None, associated=(), generation=1, last_changed=None,
        preservation_expiration=None, raw={},
    )  # fmt: skip


@pytest.mark.parametrize("value", sorted(ETSI_STATUSES))
def test_every_etsi_task_status_is_read(value: str) -> None:
    for dictionary in ("LPTaskStatus", "LDTaskStatus"):
        assert status_of(task("ETSI", dictionary, value)) is ETSI_STATUSES[value]


def test_statuses_of_other_dictionaries_or_owners_change_nothing() -> None:
    assert status_of(task("ETSI", "LDTaskStatus", "Exploded")) is None
    assert status_of(task("XX", "LDTaskStatus", "Disclosed")) is None
    assert status_of(task("ETSI", "AuthorisationStatus", "Invalid")) is None


def order(status: OrderStatus, kind: OrderKind, *, complete: bool = False) -> ProviderOrder:
    return ProviderOrder(
        id="0" * 32, request_id="EGY-1", provider_id="vnm-sim", kind=kind, status=status,
        officer="lan", issued_at=T0, domestic_reference="R", legal_basis="L",
        order_sha256="0" * 64, transaction_id="t", task_id="k", authorisation_id="a",
        document_id="d", task_reference=None, complete=complete,
    )  # fmt: skip


def test_an_order_is_open_until_the_provider_is_done() -> None:
    assert order(OrderStatus.AWAITING, OrderKind.PRESERVATION).open
    assert not order(OrderStatus.PRESERVED, OrderKind.PRESERVATION).open
    assert order(OrderStatus.DISCLOSED, OrderKind.DISCLOSURE).open
    assert not order(OrderStatus.DISCLOSED, OrderKind.DISCLOSURE, complete=True).open
    for final in (OrderStatus.REJECTED, OrderStatus.FAILED, OrderStatus.ERROR):
        assert not order(final, OrderKind.DISCLOSURE).open


def _key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def client(handler: Any) -> httpx.Client:
    return client_for(PROVIDER.endpoint, httpx.MockTransport(handler), provider_id="vnm-sim")


def query() -> Any:
    return build_status_request(
        sender=NODE, receiver=Endpoint("VN", "hanoi-provider-sim"),
        object_ids=["0b6b8e0e-0000-4000-8000-000000000002"], timestamp=T0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"not json"),
        httpx.Response(500, content=b"{}"),
        httpx.Response(200, content=json.dumps({"Header": {}}).encode()),
        httpx.Response(200, content=b"[" * 100_000),
        httpx.Response(200, content=b"x" * (2 * 1024 * 1024)),
    ],
    ids=["garbage", "http-error", "schema", "deep", "oversized"],
)
def test_whatever_a_provider_answers_wrong_is_a_typed_peer_error(answer: httpx.Response) -> None:
    sent = query()
    with client(lambda request: answer) as c, pytest.raises(ProviderAnswerInvalid):
        exchange(c, sent.message, transaction_id=sent.transaction_id, provider_id="vnm-sim")


def simulator(**settings: Any) -> tuple[ProviderSimulator, FixedClock]:
    clock = FixedClock(T0)
    return ProviderSimulator(SimSettings(delay=60, **settings), clock=clock), clock


def send(sim: ProviderSimulator, message: dict[str, Any]) -> Any:
    status, answer = sim.handle(json.dumps(sign_message(message, _key())).encode())
    validate_message(answer)
    return status, read_answer(answer)


def test_the_simulator_answers_the_same_transaction_and_discloses_after_its_delay() -> None:
    sim, clock = simulator()
    built = build_order(spec_of("mla-stored-data"), timestamp=T0)
    status, answer = send(sim, built.message)
    assert status == 200
    assert answer.header.transaction_id == built.transaction_id
    assert answer.errors == ()
    assert answer.header.receiver == NODE

    def ask(*lists: str) -> Any:
        q = build_status_request(
            sender=NODE, receiver=Endpoint("VN", "hanoi-provider-sim"),
            object_ids=[built.task_id], list_types=lists, timestamp=clock.now(),
        )  # fmt: skip
        return send(sim, q.message)[1]

    (state,) = ask("Delivery").objects
    assert state.status is not None
    assert state.status.value == "AwaitingDisclosure"
    clock.advance(timedelta(seconds=61))
    answer = ask("Delivery")
    assert answer.objects[0].status.value == "Disclosed"
    records = answer.results[1].records
    assert len(records) == 2
    first = send(
        sim,
        build_status_request(
            sender=NODE,
            receiver=Endpoint("VN", "hanoi-provider-sim"),
            object_ids=[records[0].object_id],
            timestamp=clock.now(),
        ).message,
    )[1]
    (delivery,) = first.deliveries
    assert delivery.data == sample_data(INPUT.identifiers)[0][2]
    assert delivery.task_reference == built.task_reference


def test_the_simulators_test_data_is_deterministic() -> None:
    one = sample_data((("EmailAddress", "a@b.example"),))
    assert one == sample_data((("EmailAddress", "a@b.example"),))
    assert one != sample_data((("EmailAddress", "c@d.example"),))
    assert [name for name, _, _ in one] == ["subscriber-data.json", "traffic-data.csv"]


def test_the_simulator_refuses_unsigned_and_misaddressed_messages() -> None:
    sim, _ = simulator()
    built = build_order(spec_of("mla-stored-data"), timestamp=T0)
    _, answer = sim.handle(json.dumps(built.message).encode())
    assert read_answer(answer).error is not None
    other = replace(spec_of("mla-stored-data"), receiver=Endpoint("VN", "another"))
    _, answer = send(sim, build_order(other, timestamp=T0).message)
    assert answer.error is not None
    assert "another provider" in answer.error.description
