"""The words for the states and events of a request, in the catalogues' messages.

One table per thing the service names with a code: a request's status, a step of the
transition table, a side, an urgency, a deadline and how far it has run, a custody action,
an authority the drafter did not name, a channel (ADR 0028), where evidence came
from, and what the statistics count (directions, outcomes, response times, refusals of
packages). The UI and the court report show the same words. Each label is a message id,
translated where it is shown (``_(label)``); labels of the Convention catalogue (kinds,
items, grounds for refusal, conditions) are the catalogue's own (``fmt.label(key)``).
"""

from __future__ import annotations

from hanoi.convention import Catalogue, Channel
from hanoi.cooperation import DueRule, Side, Status, TransitionName, UrgencyLevel
from hanoi.cooperation.deadlines import DueState
from hanoi.cooperation.routes import Route
from hanoi.cooperation.service import AUTHORITY_NAMES
from hanoi.custody.events import CustodyAction
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.statistics.figures import Direction, Measure, Outcome

STATUS_LABELS: dict[Status, Message] = {
    Status.DRAFT: N_("Draft"),
    Status.SUBMITTED: N_("Awaiting approval"),
    Status.APPROVED: N_("Approved"),
    Status.SENT: N_("Sent"),
    Status.RECEIVED: N_("Received"),
    Status.ACKNOWLEDGED: N_("Acknowledged"),
    Status.ADDITIONAL_INFORMATION_REQUESTED: N_("Additional information requested"),
    Status.ADDITIONAL_INFORMATION_PROVIDED: N_("Additional information provided"),
    Status.CONSULTATION: N_("In consultation"),
    Status.IN_EXECUTION: N_("In execution"),
    Status.PARTIALLY_EXECUTED: N_("Partially executed"),
    Status.EXECUTED: N_("Executed"),
    Status.POSTPONED: N_("Postponed"),
    Status.REFUSED: N_("Refused"),
    Status.WITHDRAWN: N_("Withdrawn"),
    Status.CLOSED: N_("Closed"),
    Status.ORDERED: N_("Preservation ordered"),
    Status.ACTIVE: N_("Data preserved"),
    Status.EXTENDED: N_("Preservation extended"),
    Status.RELEASED: N_("Preservation released"),
}

STEP_LABELS: dict[TransitionName, Message] = {
    TransitionName.SUBMIT: N_("Submit for approval"),
    TransitionName.APPROVE: N_("Approve"),
    TransitionName.RETURN_TO_DRAFT: N_("Return to draft"),
    TransitionName.ABANDON: N_("Abandon"),
    TransitionName.SEND: N_("Send"),
    TransitionName.DISPATCH: N_("Send by another channel"),
    TransitionName.REGISTER: N_("Register a request received by letter"),
    TransitionName.RECEIVE: N_("Receive"),
    TransitionName.ACKNOWLEDGE: N_("Acknowledge receipt"),
    TransitionName.REQUEST_ADDITIONAL_INFORMATION: N_("Request additional information"),
    TransitionName.PROVIDE_ADDITIONAL_INFORMATION: N_("Provide additional information"),
    TransitionName.RECORD_ADDITIONAL_INFORMATION: N_("Record the additional information"),
    TransitionName.CONSULT: N_("Consult the requesting State"),
    TransitionName.PROPOSE_TERMS: N_("Propose other terms"),
    TransitionName.AGREE_TO_CONDITIONS: N_("Agree to the conditions"),
    TransitionName.ACCEPT: N_("Accept and execute"),
    TransitionName.EXECUTE_PARTIALLY: N_("Record partial execution"),
    TransitionName.RESUME_EXECUTION: N_("Resume execution"),
    TransitionName.COMPLETE: N_("Record execution"),
    TransitionName.POSTPONE: N_("Postpone"),
    TransitionName.REFUSE: N_("Refuse"),
    TransitionName.WITHDRAW: N_("Withdraw"),
    TransitionName.CONFIRM_WITHDRAWAL: N_("Confirm the withdrawal"),
    TransitionName.CLOSE: N_("Close"),
    TransitionName.ORDER_PRESERVATION: N_("Order preservation"),
    TransitionName.PRESERVE: N_("Record preservation"),
    TransitionName.RENEW_PRESERVATION: N_("Renew preservation"),
    TransitionName.CONTINUE_PRESERVATION: N_("Continue preservation"),
    TransitionName.RELEASE_PRESERVATION: N_("Release the preserved data"),
}


DUE_STATE_LABELS: dict[DueState, Message] = {
    DueState.OVERDUE: N_("Overdue"),
    DueState.DUE_SOON: N_("Due soon"),
    DueState.RUNNING: N_("Running"),
}

SIDE_LABELS: dict[Side, Message] = {
    Side.REQUESTING: N_("Requesting State"),
    Side.REQUESTED: N_("Requested State"),
}

URGENCY_LABELS: dict[UrgencyLevel, Message] = {
    UrgencyLevel.ROUTINE: N_("Routine"),
    UrgencyLevel.URGENT: N_("Urgent"),
    UrgencyLevel.EMERGENCY: N_("Emergency"),
}

DUE_RULE_LABELS: dict[DueRule, Message] = {
    DueRule.ACKNOWLEDGE_POINT_OF_CONTACT: N_("Acknowledge a request to the 24/7 point of contact"),
    DueRule.ACKNOWLEDGE_EMERGENCY: N_("Acknowledge an emergency request"),
    DueRule.PRESERVATION_PERIOD: N_("End of the preservation period"),
    DueRule.SUGGESTED_DEADLINE: N_("Deadline suggested by the requesting State"),
}

CUSTODY_LABELS: dict[CustodyAction, Message] = {
    CustodyAction.CREATED: N_("Created"),
    CustodyAction.COLLECTED: N_("Collected"),
    CustodyAction.PRESERVED: N_("Preserved"),
    CustodyAction.SENT: N_("Sent"),
    CustodyAction.RECEIVED: N_("Received"),
    CustodyAction.ACCESSED: N_("Accessed"),
    CustodyAction.DECRYPTED: N_("Decrypted"),
    CustodyAction.EXPORTED: N_("Exported"),
    CustodyAction.DELETED_UNDER_RETENTION: N_("Deleted at the end of the retention period"),
    CustodyAction.REQUEST_STEP: N_("Step of the request"),
    CustodyAction.ONWARD_TRANSFER: N_("Passed on to a third State"),
    CustodyAction.DELIVERED: N_("Delivered by a service provider"),
    CustodyAction.REPORT_ISSUED: N_("Court report issued"),
    CustodyAction.LETTER_ISSUED: N_("Letter of request issued"),
    CustodyAction.PROVIDER_ORDER: N_("Order to a service provider"),
}

AUTHORITY_LABELS: dict[str, Message] = {
    AUTHORITY_NAMES[Channel.CENTRAL_AUTHORITY]: N_("central authority"),
    AUTHORITY_NAMES[Channel.POINT_OF_CONTACT]: N_("24/7 point of contact"),
    AUTHORITY_NAMES[Channel.COMPETENT_AUTHORITY]: N_("competent authority"),
}
"""The names a party's authority gets when the drafter names none (the service's
defaults, by channel), in the reader's language; a name an officer typed is shown as is."""

ROUTE_LABELS: dict[Route, Message] = {
    Route.HANOI: N_("The Hanoi network"),
    Route.DIPLOMATIC: N_("Diplomatic channels"),
    Route.EMAIL: N_("E-mail between central authorities"),
    Route.INTERPOL: N_("INTERPOL (I-24/7)"),
    Route.COURIER: N_("Courier"),
    Route.OTHER: N_("Another channel"),
}
"""The channels a request travels by, one label each (ADR 0028): on a request, its route
(:class:`hanoi.cooperation.routes.Route`)."""
CHANNEL_LABELS: dict[str, Message] = {route.value: label for route, label in ROUTE_LABELS.items()}
"""The same labels by the directory's channel names (the channels a State accepts,
:data:`hanoi.directory.model.CHANNELS`)."""

SOURCE_KINDS: dict[str, Message] = {
    "provider": N_("Service provider"),
    "system": N_("Computer system"),
    "device": N_("Device or storage medium"),
}
"""Where the data came from (``hanoi.evidence.items.SourceKind``), on the package page and
in the court report."""


DIRECTION_LABELS: dict[Direction, Message] = {
    Direction.OUTGOING: N_("Outgoing"),
    Direction.INCOMING: N_("Incoming"),
}
"""The two directions of the statistics: requests this State sent, and those it received."""

OUTCOME_LABELS: dict[Outcome, Message] = {
    Outcome.EXECUTED: N_("Executed"),
    Outcome.PARTIALLY_EXECUTED: N_("Partially executed"),
    Outcome.REFUSED: N_("Refused"),
    Outcome.POSTPONED: N_("Postponed"),
    Outcome.WITHDRAWN: N_("Withdrawn"),
    Outcome.OPEN: N_("Still open"),
}
"""Where a request stood at the end of the period (the statistics' outcomes)."""

MEASURE_LABELS: dict[Measure, Message] = {
    Measure.FIRST_DECISION: N_("From receipt to the first decision"),
    Measure.EXECUTION: N_("From receipt to execution"),
    Measure.EVIDENCE_DELIVERED: N_("From receipt to the evidence delivered"),
}
"""The response times the statistics measure, all counted from the day of receipt."""

PACKAGE_REFUSAL_LABELS: dict[str, Message] = {
    "damaged": N_("Damaged in transfer"),
    "integrity": N_("A digest, signature or custody proof did not verify"),
    "malformed": N_("Not a package Hanoi can read"),
    "rule": N_("A rule was not met (witnesses or conditions)"),
    "unknown-request": N_("Names a request or item this node does not hold"),
    "unrecorded": N_("Refused before reasons were recorded"),
}
"""Why this node refused an evidence package it received, by the code the statistics count
it under (``hanoi.federation.ports.PackageRefusal``)."""


ORDER_STEP_LABELS: dict[str, Message] = {
    "issued": N_("Order sent to the provider"),
    "status": N_("The provider's status changed"),
    "notification": N_("Notification from the provider"),
    "delivery-refused": N_("Delivery refused"),
    "provider-error": N_("Provider error"),
}
"""The steps of an order to a service provider (``provider-order`` custody events,
:func:`hanoi.providers.orders.order_event`)."""


def step_label(name: str) -> Message:
    """A step by its name: of the transition table (``approve``), or of an order to a
    provider (``issued``). Any other name (a custody event of another node's making) is
    shown as written."""
    try:
        return STEP_LABELS[TransitionName(name)]
    except (ValueError, KeyError):
        return ORDER_STEP_LABELS.get(name, Message(name[:64]))


def kind_title(fmt: LocaleFormat, catalogue: Catalogue, kind: str) -> str:
    """A kind of request by its key, as the catalogue titles it in ``fmt``'s language."""
    return fmt.label(catalogue.kind(kind).title_key)
