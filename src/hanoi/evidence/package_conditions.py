"""The conditions of a request as they travel in its evidence packages. Pure.

Who imposes what. Evidence given in execution of a request is the requested State's:
using it for anything else needs that State's prior consent (Art. 40(19)), and so does
passing personal data on to a third State (Art. 36(3)). So the Convention's own terms in
a package are imposed by the State that **gives** the evidence (the requested State for
evidence sent back; this State for evidence it collected itself), never by the State that
asked for it. A condition the States set on the request (Arts. 36, 40(19)-(20)) travels
verbatim as a term of its own, with the State that set it, the step at which it was set
(``accept``...) and when the other State agreed to it (``agree-to-conditions``).

A package's statement carries both the structured ``terms`` and, for readers that know
only them, the four texts of ``Conditions`` built from the same terms. A condition on how
the request is executed rather than on the evidence (who bears substantial or
extraordinary costs, Art. 40(29)) travels among the terms but in none of the four texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from hanoi.convention import Catalogue
from hanoi.cooperation.model import CooperationRequest, TransitionRecord
from hanoi.cooperation.statuses import Side
from hanoi.cooperation.table import TransitionName
from hanoi.evidence.provenance import Term
from hanoi.evidence.statement import Conditions

FIELD_OF = {
    "use-limitation": "use_limitation",
    "confidentiality": "confidentiality",
    "personal-data-protection": "retention",
    "onward-transfer-authorization": "onward_transfer",
}
"""Which of the four legacy texts a kind of term belongs to."""

EXECUTION_TERMS = frozenset({"extraordinary-costs"})
"""Conditions on the execution of the request, not on the evidence: the costs (Art.
40(29)). They are terms of the package, but none of the four legacy texts is about them."""

CONVENTION_ARTICLES = {
    "use-limitation": "Art. 40(19)",
    "confidentiality": "Art. 40(20)",
    "personal-data-protection": "Art. 36(1)(b); Art. 36(2)",
    "onward-transfer-authorization": "Art. 36(3)",
}


def convention_terms(*, giving_state: str, request: str | None) -> tuple[Term, ...]:
    """The Convention's conditions on evidence that ``giving_state`` gives."""
    which = f"request {request}" if request else "the request this package answers"
    texts = {
        "use-limitation": (
            f"Use only for the investigation, prosecution or proceedings described in {which}; "
            f"any other use needs the prior consent of {giving_state} (Art. 40(19))."
        ),
        "confidentiality": (
            "Keep the fact and substance of the request confidential, except as needed "
            "to execute it (Art. 40(20))."
        ),
        "personal-data-protection": (
            "Keep personal data only as long as needed for the purposes for which it was "
            "transferred, under effective and appropriate safeguards (Art. 36(1)(b), 36(2))."
        ),
        "onward-transfer-authorization": (
            "No transfer to a third State or an international organization without the "
            f"prior, written authorization of {giving_state} (Art. 36(3))."
        ),
    }
    return tuple(
        Term(kind=kind, imposed_by=giving_state, text=text, article=CONVENTION_ARTICLES[kind])
        for kind, text in texts.items()
    )


def request_terms(request: CooperationRequest, *, catalogue: Catalogue) -> tuple[Term, ...]:
    """Each condition the States set on the request, verbatim, with who set it, at which
    step, and when the other State agreed."""
    terms = []
    for condition in request.conditions:
        imposed_by = request.party(condition.imposed_by).state
        text = condition.terms
        if condition.retain_until is not None:
            text += f" Delete after {condition.retain_until.isoformat()}."
        set_at = _step_setting(request.history, condition.key)
        agreed = _agreement(request.history, after=set_at, by=_other(condition.imposed_by))
        try:
            article = catalogue.condition(condition.key).source.citation()
        except Exception:  # noqa: BLE001 (a key the catalogue lost: cite the Convention's)
            article = CONVENTION_ARTICLES.get(condition.key, "Art. 40(19)")
        terms.append(
            Term(
                kind=condition.key,
                imposed_by=imposed_by,
                text=text[:4000],
                article=article,
                step=set_at.type if set_at is not None else None,
                step_time=set_at.at if set_at is not None else None,
                agreed_time=agreed.at if agreed is not None else None,
            )
        )
    return tuple(terms)


def conditions_of(terms: Sequence[Term]) -> Conditions:
    """The four texts older readers know: the terms of each kind, each with the State that
    imposed it and the article."""
    texts: dict[str, list[str]] = {name: [] for name in FIELD_OF.values()}
    for term in terms:
        if term.kind in EXECUTION_TERMS:
            continue
        texts[FIELD_OF.get(term.kind, "use_limitation")].append(
            f"{term.imposed_by} ({term.article}): {term.text}"
        )

    def text(name: str) -> str:
        return (" ".join(texts[name]) or "None beyond the Convention's.")[:4000]

    return Conditions(
        use_limitation=text("use_limitation"),
        confidentiality=text("confidentiality"),
        retention=text("retention"),
        onward_transfer=text("onward_transfer"),
    )


def package_conditions(
    request: CooperationRequest, *, giving_state: str, catalogue: Catalogue
) -> tuple[Conditions, tuple[Term, ...]]:
    """The conditions of a package of evidence ``giving_state`` gives under ``request``:
    the legacy texts and the terms they come from."""
    terms = (
        *convention_terms(giving_state=giving_state, request=request.id),
        *request_terms(request, catalogue=catalogue),
    )
    return conditions_of(terms), terms


def _other(side: Side) -> Side:
    return Side.REQUESTING if side is Side.REQUESTED else Side.REQUESTED


def _step_setting(history: Sequence[TransitionRecord], key: str) -> TransitionRecord | None:
    return next((r for r in history if key in r.conditions), None)


def _agreement(
    history: Sequence[TransitionRecord], *, after: TransitionRecord | None, by: Side
) -> TransitionRecord | None:
    if after is None:
        return None
    return next(
        (
            r
            for r in history
            if r.sequence > after.sequence
            and r.transition is TransitionName.AGREE_TO_CONDITIONS
            and r.side is by
        ),
        None,
    )
