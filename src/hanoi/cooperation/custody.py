"""The custody events of the workflow: every step, and the creation of a request. Pure.

Each step of the transition table is written to the custody log as a
``request-step`` event. The event names the State that took the step (``node``),
its officer, the request and the article, with the step, the statuses before and
after and the side as extra members (and, off the network, the channel record: how the
step crossed the border, and which scanned letter carried it); so both States' logs
hold the same event for the same step (with different salts), and a court can match
them.
"""

from __future__ import annotations

from datetime import datetime

from hanoi.convention import Catalogue, default_catalogue
from hanoi.cooperation.codec import channel_record_json
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.custody.events import CustodyAction, CustodyEvent


def step_event(record: TransitionRecord) -> CustodyEvent:
    extra: dict[str, object] = {
        "step": record.transition.value,
        "from": record.from_status.value,
        "to": record.to_status.value,
        "side": record.side.value,
        "sequence": record.sequence,
    }
    if record.grounds:
        extra["grounds"] = list(record.grounds)
    if record.via is not None:  # off the network: how the step crossed the border
        extra["via"] = channel_record_json(record.via)
    return CustodyEvent(
        action=CustodyAction.REQUEST_STEP,
        time=record.at,
        node=record.state,
        officer=record.officer,
        request_id=record.request_id,
        article=record.article,
        unknown=extra,
    )


def created_event(
    request: CooperationRequest, *, officer: str, catalogue: Catalogue | None = None
) -> CustodyEvent:
    kind = (catalogue or default_catalogue()).kind(request.kind)
    return CustodyEvent(
        action=CustodyAction.CREATED,
        time=request.created_at,
        node=request.requesting_state,
        officer=officer,
        request_id=request.id,
        article=kind.source.citation(),
        unknown={"kind": request.kind, "requested_state": request.requested_state},
    )


def onward_transfer_event(
    request: CooperationRequest,
    *,
    node: str,
    officer: str,
    third_state: str,
    consented_by: str,
    at: datetime,
    evidence_sha256: str | None = None,
) -> CustodyEvent:
    return CustodyEvent(
        action=CustodyAction.ONWARD_TRANSFER,
        time=at,
        node=node,
        officer=officer,
        request_id=request.id,
        article="Art. 36(3)",
        evidence_sha256=evidence_sha256,
        unknown={"third_state": third_state, "consented_by": consented_by},
    )
