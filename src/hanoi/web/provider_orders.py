"""Orders to service providers over the API, for the officers executing a request: issue an
HI-1 order, list a request's orders, show one with its deliveries, poll the provider now.
Thin: the rules and the access checks are :mod:`hanoi.providers.ordering`'s; what is shown is
:mod:`hanoi.providers.order_codec`'s.

Only the request's case team with ``order-providers`` sees anything (404 for anyone else, as
for a request that does not exist; 403 for a role that may never order). Bad fields: 400
problem+json naming each one; a request not in execution: 422; a provider that cannot be
talked to or answers garbage: 502 (the order is kept, with what went wrong).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from hanoi.errors import FieldProblem, InvalidInput
from hanoi.providers.order_codec import order_json, view_json
from hanoi.providers.ordering import ProviderOrders
from hanoi.providers.orders import OrderInput, parse_identifier
from hanoi.web.auth import CurrentUser
from hanoi.web.problems import PROBLEM_RESPONSES

router = APIRouter(
    prefix="/api/v1/requests/{request_id}/provider-orders",
    tags=["provider orders"],
    responses=PROBLEM_RESPONSES,
)

RequestId = Annotated[str, Path(min_length=1, max_length=128)]
OrderId = Annotated[str, Path(max_length=64)]
Text = Annotated[str, Field(max_length=70_000)]


def service_of(request: Request) -> ProviderOrders:
    service: ProviderOrders = request.app.state.node.provider_orders
    return service


class OrderBody(BaseModel):
    """An order to one provider for the request."""

    model_config = ConfigDict(extra="forbid")

    provider_id: Annotated[str, Field(max_length=128)]
    identifiers: Annotated[list[Annotated[str, Field(max_length=70_000)]], Field(max_length=100)]
    """``TYPE=VALUE`` with an ETSI format name: ``EmailAddress=someone@example.org``."""
    deadline: datetime
    """Disclosure: by when. Preservation: until when."""
    domestic_reference: Text
    legal_basis: Text
    order_document: Annotated[str, Field(max_length=1_000_000)]
    """The signed domestic order, base64."""
    order_media_type: Annotated[str, Field(max_length=256)] = "application/pdf"
    order_name: Text = "order"
    request_type: Annotated[str, Field(max_length=64)] | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    preservation_reference: Text | None = None

    def order(self) -> OrderInput:
        try:
            document = base64.b64decode(self.order_document, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                "the order document is not base64",
                fields=(FieldProblem("order_document", "the signed order, base64"),),
            ) from None
        identifiers = tuple(
            parse_identifier(text, index=index) for index, text in enumerate(self.identifiers)
        )
        return OrderInput(
            provider_id=self.provider_id,
            identifiers=identifiers,
            deadline=self.deadline,
            domestic_reference=self.domestic_reference,
            legal_basis=self.legal_basis,
            order_document=document,
            order_media_type=self.order_media_type,
            order_name=self.order_name,
            request_type=self.request_type,
            window_start=self.window_start,
            window_end=self.window_end,
            preservation_reference=self.preservation_reference,
        )


@router.post("", status_code=201, summary="Order a service provider (HI-1) for the request")
def issue(request_id: RequestId, body: OrderBody, request: Request, user: CurrentUser) -> Any:
    service = service_of(request)
    order = service.issue(user, request_id, body.order())
    return view_json(service.show(user, request_id, order.id))


@router.get("", summary="The request's orders to service providers")
def orders(request_id: RequestId, request: Request, user: CurrentUser) -> Any:
    return [order_json(o) for o in service_of(request).orders(user, request_id)]


@router.get("/{order_id}", summary="One order, with the deliveries received for it")
def show(request_id: RequestId, order_id: OrderId, request: Request, user: CurrentUser) -> Any:
    return view_json(service_of(request).show(user, request_id, order_id))


@router.post("/{order_id}/poll", summary="Ask the provider now about the order")
def poll(request_id: RequestId, order_id: OrderId, request: Request, user: CurrentUser) -> Any:
    return view_json(service_of(request).poll(user, request_id, order_id))
