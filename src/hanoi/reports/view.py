"""The court report in a reader's words: labels, dates and names in one of the six languages.

No rules live here. Statuses, steps, sides, channels and custody actions are labelled
with the messages the UI shows too (:mod:`hanoi.i18n.labels`), Convention labels and
citations come from the catalogue, dates, numbers and State names from Babel
(:class:`~hanoi.i18n.formatting.LocaleFormat`).
Messages are translated by the template (``_(message)``), as in the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from hanoi.convention import Catalogue, Language
from hanoi.cooperation.routes import Route
from hanoi.custody.events import CustodyAction
from hanoi.i18n.formatting import LocaleFormat, display_value
from hanoi.i18n.labels import (
    AUTHORITY_LABELS,
    CUSTODY_LABELS,
    ROUTE_LABELS,
    SIDE_LABELS,
    SOURCE_KINDS,
    STATUS_LABELS,
    URGENCY_LABELS,
    step_label,
)
from hanoi.i18n.messages import N_, Message
from hanoi.reports.court import (
    Acquired,
    ChainLink,
    CheckpointEntry,
    CourtReport,
    Direction,
    FileChain,
    Origin,
    Outcome,
    PackageEntry,
    TimelineEntry,
    Verdict,
)

VERDICTS: dict[Verdict, Message] = {
    Verdict.VERIFIED: N_(
        "Verified: every evidence package of this request was verified again when this "
        "report was generated."
    ),
    Verdict.FAILED: N_(
        "Verification failed: at least one evidence package of this request did not pass "
        "verification. The reason is given below."
    ),
    Verdict.INCOMPLETE: N_(
        "Incomplete: at least one evidence package has not been received in full. The "
        "packages received were verified again."
    ),
    Verdict.NO_PACKAGES: N_("No evidence package has been sent or received for this request."),
}
OUTCOMES: dict[Outcome, Message] = {
    Outcome.VERIFIED: N_("Verified"),
    Outcome.FAILED: N_("Verification failed"),
    Outcome.NOT_RECEIVED: N_("Not received in full"),
}
DIRECTIONS: dict[Direction, Message] = {
    Direction.SENT: N_("Sent to"),
    Direction.RECEIVED: N_("Received from"),
}
ORIGINS: dict[Origin, Message] = {
    Origin.STEP: N_("Request step"),
    Origin.LOG: N_("This node's custody log"),
    Origin.PACKAGE: N_("Proven by an evidence package"),
}
SHORT_DIGEST = 16
FULL_STOPS: dict[Language, str] = {Language.ZH: "。"}
"""The stop that ends a sentence; Arabic uses ".", like the others."""
FINAL_PUNCTUATION = ".!?\u2026\u3002\uff01\uff1f\u061f"
"""What ends a sentence: full stop, !, ?, the ellipsis, the ideographic full stop, the
fullwidth ! and ?, the Arabic question mark."""
CLOSERS = "\"')]}\u00bb\u201d\u2019\u300d\u300f\uff09"
"""Quotes and brackets that may close a sentence after its stop: ``(as agreed.)``."""


def sentence(text: str, language: Language) -> str:
    """``text`` ending with the language's full stop, unless it already ends a sentence.

    Terms an officer typed often end with their own stop; the report writes sentences
    after them, and a stop added blindly gives ``17/2026..``. Works on Markup as on text."""
    ended = text.rstrip()
    last = ended.rstrip(CLOSERS)[-1:]
    if not ended or (last and last in FINAL_PUNCTUATION):
        return ended
    return ended + FULL_STOPS.get(language, ".")


def sentences(language: Language) -> tuple[Callable[[str], str], str]:
    """The template's ``sentence`` and what separates two sentences (nothing in Chinese)."""
    return (lambda text: sentence(text, language)), ("" if language is Language.ZH else " ")


def _action_label(entry: TimelineEntry) -> Message:
    if entry.origin is Origin.STEP:
        return step_label(entry.action)
    try:
        return CUSTODY_LABELS[CustodyAction(entry.action)]
    except (KeyError, ValueError):
        return Message(entry.action)


def _timeline_row(
    entry: TimelineEntry, fmt: LocaleFormat, names: Mapping[str, str], node_state: str
) -> dict[str, Any]:
    digest = entry.evidence_sha256
    # A package proves events in its sender's log (the event's State); the rest are this node's.
    log_state = entry.state if entry.origin is Origin.PACKAGE else node_state
    return {
        "at": entry.at,
        "at_text": fmt.moment(entry.at),
        "origin": ORIGINS[entry.origin],
        "origin_shown": entry.origin is Origin.PACKAGE,
        "action": _action_label(entry),
        "from": STATUS_LABELS[entry.from_status] if entry.from_status else None,
        "to": STATUS_LABELS[entry.to_status] if entry.to_status else None,
        "state": entry.state,
        "officer": entry.officer,
        "article": entry.article,
        "reasons": entry.reasons,
        "via": None
        if entry.via is None
        else {
            "channel": ROUTE_LABELS[entry.via.channel],
            "on": fmt.date(entry.via.on),
            "reference": entry.via.reference,
        },
        "item": names.get(digest) if digest else None,
        "digest": f"{digest[:SHORT_DIGEST]}…" if digest else None,
        "log_origin": entry.log_origin,
        "log_index": entry.log_index,
        "log_state": log_state,
    }


def _package(package: PackageEntry, fmt: LocaleFormat) -> dict[str, Any]:
    return {
        "entry": package,
        "direction": DIRECTIONS[package.direction],
        "peer": fmt.territory(package.peer),
        "created_text": fmt.moment(package.created_at),
        "outcome": OUTCOMES[package.check.outcome],
        "verified": package.check.outcome is Outcome.VERIFIED,
    }


def _checkpoint(checkpoint: CheckpointEntry, fmt: LocaleFormat) -> dict[str, Any]:
    return {
        "entry": checkpoint,
        "state": fmt.territory(checkpoint.log_state) if checkpoint.log_state else None,
        "witnesses": [
            {"name": w.name, "state": fmt.territory(w.state) if w.state else None}
            for w in checkpoint.witnesses
        ],
    }


def _contents(report: CourtReport, fmt: LocaleFormat, catalogue: Catalogue) -> list[Any]:
    request = report.request
    kind = catalogue.kind(request.kind)
    return [
        {
            "label": fmt.label(item.label_key),
            "citation": catalogue.cite(item.source, fmt.language),
            "value": request.contents[item.key],
            "text": display_value(fmt, catalogue, item, request.contents[item.key]),
        }
        for item in kind.contents
        if item.key in request.contents
    ]


def _conditions(report: CourtReport, fmt: LocaleFormat, catalogue: Catalogue) -> list[Any]:
    return [
        {
            "label": fmt.label(catalogue.condition(c.key).label_key),
            "citation": catalogue.cite(catalogue.condition(c.key).source, fmt.language),
            "terms": c.terms,
            "imposed_by": SIDE_LABELS[c.imposed_by],
            "retain_until": c.retain_until,
        }
        for c in report.request.conditions
    ]


def _names(report: CourtReport) -> dict[str, str]:
    """File names by digest, for the history of the request."""
    names = {c.file.sha256: c.file.name for c in report.chains}
    for package in report.packages:
        for item in package.items:
            names.setdefault(item.sha256, item.name)
    return names


def _place(fmt: LocaleFormat, value: str) -> str:
    """A State's name from its code; a witness the directory does not place, by its key."""
    return fmt.territory(value) if len(value) == 3 and value.isupper() else value


def _acquired(acquired: Acquired, fmt: LocaleFormat) -> dict[str, Any]:
    return {
        "entry": acquired,
        "state_name": fmt.territory(acquired.state),
        "obtained_text": fmt.moment(acquired.obtained_at),
        "source_kind": SOURCE_KINDS.get(acquired.source_kind, Message(acquired.source_kind)),
        "citation": fmt.citation(acquired.article),
        "received": _received(acquired, fmt),
    }


def _received(acquired: Acquired, fmt: LocaleFormat) -> dict[str, Any] | None:
    """Where a file another State sent off the network came from: the State, the channel
    (by the UI's label; a channel this version does not know, by its name) and reference."""
    state, channel = acquired.received_from, acquired.channel
    if state is None or channel is None or acquired.channel_reference is None:
        return None
    try:
        label = ROUTE_LABELS[Route(channel)]
    except ValueError:
        label = Message(channel)
    return {
        "state": state,
        "state_name": fmt.territory(state),
        "channel": label,
        "reference": acquired.channel_reference,
    }


def _link(link: ChainLink, fmt: LocaleFormat) -> dict[str, Any]:
    try:
        action = CUSTODY_LABELS.get(CustodyAction(link.action), Message(link.action))
    except ValueError:
        action = Message(link.action)
    return {
        "entry": link,
        "at_text": fmt.moment(link.at),
        "state_name": fmt.territory(link.state),
        "action": action,
        "citation": fmt.citation(link.article),
        "witnesses": [_place(fmt, w) for w in link.witnesses],
    }


def _chain(chain: FileChain, fmt: LocaleFormat) -> dict[str, Any]:
    return {
        "file": chain.file,
        "acquired": _acquired(chain.acquired, fmt) if chain.acquired is not None else None,
        "steps": [_link(link, fmt) for link in chain.steps],
    }


def _dates(report: CourtReport, fmt: LocaleFormat) -> list[tuple[Message, datetime, str]]:
    created = (N_("Created"), report.request.created_at)
    reached = [(STATUS_LABELS[s], at) for s, at in report.key_dates]
    return [(label, at, fmt.moment(at)) for label, at in (created, *reached)]


def template_values(report: CourtReport, fmt: LocaleFormat, catalogue: Catalogue) -> dict[str, Any]:
    """What ``court.html`` shows, for ``fmt``'s language."""
    request = report.request
    kind = catalogue.kind(request.kind)
    names = _names(report)
    end_sentence, between_sentences = sentences(fmt.language)
    return {
        "sentence": end_sentence,
        "between_sentences": between_sentences,
        "report": report,
        "req": request,
        "kind_title": fmt.label(kind.title_key),
        "kind_citation": catalogue.cite(kind.source, fmt.language),
        "side": SIDE_LABELS[report.side],
        "status_label": STATUS_LABELS[request.status],
        "desired_label": (
            STATUS_LABELS[request.desired_status] if request.desired_status else None
        ),
        "urgency_label": URGENCY_LABELS[request.urgency.level],
        "route_label": ROUTE_LABELS[request.route],
        "dates": _dates(report, fmt),
        "contents": _contents(report, fmt, catalogue),
        "conditions": _conditions(report, fmt, catalogue),
        "verdict": report.verdict.value,
        "verdict_text": VERDICTS[report.verdict],
        "packages": [_package(p, fmt) for p in report.packages],
        "timeline": [_timeline_row(e, fmt, names, report.node_state) for e in report.timeline],
        "checkpoints": [_checkpoint(c, fmt) for c in report.checkpoints],
        "generated_text": fmt.moment(report.generated_at),
        "chains": [_chain(chain, fmt) for chain in report.chains],
        "certifier": report.certifier,
        "certified_date": fmt.date(report.generated_at.date()),
        "authority_state": fmt.territory(report.certifier.state),
        "authority_labels": AUTHORITY_LABELS,
    }
