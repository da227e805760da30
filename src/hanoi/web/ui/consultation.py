"""What is on the table while a request is in consultation (Art. 40(27))."""

from __future__ import annotations

from hanoi.cooperation import Status, TransitionName
from hanoi.cooperation.model import CooperationRequest, TransitionRecord


def consultation(request: CooperationRequest) -> TransitionRecord | None:
    """While a request is in consultation, its latest proposal: the requested State's
    conditions (``consult``) or the requesting State's other terms (``propose-terms``),
    in its reasons (Art. 40(27))."""
    if request.status is not Status.CONSULTATION:
        return None
    proposals = {TransitionName.CONSULT, TransitionName.PROPOSE_TERMS}
    return next((r for r in reversed(request.history) if r.transition in proposals), None)
