"""The conditions of a request as they travel in its evidence packages. Pure.

A package's statement carries four texts (use limitation, confidentiality, retention,
onward transfer; ``hanoi.evidence.statement.Conditions``). The Convention's wording is
the default; a condition the States set on the request (Arts. 36, 40(19)-(20)) is added
to the matching text, so the conditions travel with the data and show on every export.
"""

from __future__ import annotations

import dataclasses

from hanoi.cooperation.model import CooperationRequest
from hanoi.evidence.statement import Conditions, default_conditions

FIELD_OF = {
    "use-limitation": "use_limitation",
    "confidentiality": "confidentiality",
    "personal-data-protection": "retention",
    "onward-transfer-authorization": "onward_transfer",
}


def package_conditions(request: CooperationRequest, *, sending_state: str) -> Conditions:
    base = default_conditions(sending_state=sending_state, request=request.id)
    texts = {name: getattr(base, name) for name in FIELD_OF.values()}
    for condition in request.conditions:
        name = FIELD_OF.get(condition.key)
        if name is None:
            continue
        extra = f" Set by the {condition.imposed_by.value} State: {condition.terms}"
        if condition.retain_until is not None:
            extra += f" Delete after {condition.retain_until.isoformat()}."
        texts[name] = (texts[name] + extra)[:4000]
    return dataclasses.replace(base, **texts)
