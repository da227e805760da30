"""The transition table: every step a cooperation request can take, as data.

This table is the only way a status changes (:func:`hanoi.cooperation.apply`
reads it; nothing else writes a status). Each row names the statuses it starts
from, the status it leads to, the side that takes it, the field it sets (the
status of record, or the desired status of the requesting State), the permission
it needs, the kinds it applies to, what it requires, and the provision that
authorises it.

| step | from | to | by | needs | art. |
|---|---|---|---|---|---|
| submit | draft | submitted | S | complete contents | 40(13) |
| approve | draft, submitted | approved | S | complete contents | 40(13) |
| return-to-draft | submitted, approved | draft | S | reasons | 40(13) |
| abandon | draft, submitted, approved | closed | S | reasons | 40(13) |
| send | approved | sent | S | complete contents | 40(14) |
| dispatch | approved | sent | S | complete contents, channel record | 40(14) |
| register | (none) | received | R | channel record | 40(14) |
| receive | sent | received | R | | 40(13) |
| acknowledge | received | acknowledged | R | | 40(25) |
| request-additional-information | D, consultation, in-execution | ai-req | R | reasons | 40(16) |
| provide-additional-information | ai-req | *ai-prov* | S | reasons | 40(16) |
| record-additional-information | ai-req | ai-prov | R | desired | 40(16) |
| consult [mla] | D, in-execution, consultation | consultation | R | reasons | 40(27) |
| propose-terms [mla] | consultation | *consultation* | S | reasons | 40(27) |
| agree-to-conditions [mla] | consultation | *in-execution* | S | | 40(27) |
| accept [exe] | D, consultation, postponed | in-execution | R | conditions agreed | 40(17) |
| execute-partially [exe] | in-execution | partially-executed | R | reasons | 40(25) |
| resume-execution [exe] | partially-executed | in-execution | R | | 40(25) |
| complete [exe] | in-execution, partially-executed | executed | R | | 40(25) |
| postpone [mla] | consultation | postponed | R | reasons | 40(26) |
| refuse [ref] | D, ai-req, consultation, postponed | refused | R | grounds, reasons, C | 40(24) |
| withdraw | O | *withdrawn* | S | reasons | 40(25) |
| confirm-withdrawal | O | withdrawn | R | desired | 40(25) |
| close | executed, refused, withdrawn, released | closed | R | | 40(25) |
| order-preservation [pre] | D | ordered | R | | 42(4) |
| preserve [pre] | ordered | active | R | end date | 42(8) |
| renew-preservation [pre] | active | active | R | later end date | 42(9) |
| continue-preservation [pre] | active | extended | R | follow-up received | 42(8) |
| release-preservation [pre] | active, extended | released | R | reasons, may end | 42(8) |

S is the requesting State, R the requested State. D ("deciding") is acknowledged or
additional-information-provided (ai-prov); ai-req is additional-information-requested;
O is any status after sending and before an outcome. A target in *italics* is the
desired status the requesting State sets; the others set the status. C: consultation
first when a ground is of Art. 40(21) (Art. 40(27)). Kinds: [mla] mutual legal assistance,
[exe] executed (all but preservation), [ref] with refusal grounds, [pre] preservation.

A consultation goes back and forth (Art. 40(27)): the requested State says on which
conditions it could grant the request (``consult``); the requesting State agrees to
them, or proposes other terms (``propose-terms``, its desired status stays
``consultation`` until the requested State answers with ``consult`` again, accepts,
postpones or refuses).

Off the network (ADR 0028), ``dispatch`` sends the request by another channel (a
diplomatic note, e-mail between central authorities, INTERPOL, courier) and
``register`` creates a request received that way, already received (it starts from no
status of an existing request: it is the first record of a request registered from
paper); both carry a channel record (channel, day, reference). On such a request an
officer of one State also records the other State's steps from its letters, with a
channel record each: the rows are the same, only who types them in differs.

``submit`` is the hand-over inside the requesting State: an officer, who may draft but
not approve, gives a complete draft to the supervisors of the authority; one of them
approves it or returns it to draft with comments (the reasons of ``return-to-draft``).

:data:`EXPECTED` names, for each status, the steps that usually come next, most likely
first. The first of them that the reader's side and role may take is the primary
action of the request page; the others are secondary. A step that ends or turns the
case back (abandon, refuse, withdraw, return-to-draft) is never the expected one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from hanoi.accounts.model import Action
from hanoi.convention import Source
from hanoi.convention.sources import Certainty, Confidence
from hanoi.cooperation.kinds import KindTrait
from hanoi.cooperation.statuses import OPEN_AFTER_SENDING, Side, Status, StatusField


class TransitionName(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN_TO_DRAFT = "return-to-draft"
    ABANDON = "abandon"
    SEND = "send"
    DISPATCH = "dispatch"
    REGISTER = "register"
    RECEIVE = "receive"
    ACKNOWLEDGE = "acknowledge"
    REQUEST_ADDITIONAL_INFORMATION = "request-additional-information"
    PROVIDE_ADDITIONAL_INFORMATION = "provide-additional-information"
    RECORD_ADDITIONAL_INFORMATION = "record-additional-information"
    CONSULT = "consult"
    PROPOSE_TERMS = "propose-terms"
    AGREE_TO_CONDITIONS = "agree-to-conditions"
    ACCEPT = "accept"
    EXECUTE_PARTIALLY = "execute-partially"
    RESUME_EXECUTION = "resume-execution"
    COMPLETE = "complete"
    POSTPONE = "postpone"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    CONFIRM_WITHDRAWAL = "confirm-withdrawal"
    CLOSE = "close"
    ORDER_PRESERVATION = "order-preservation"
    PRESERVE = "preserve"
    RENEW_PRESERVATION = "renew-preservation"
    CONTINUE_PRESERVATION = "continue-preservation"
    RELEASE_PRESERVATION = "release-preservation"


class Requirement(StrEnum):
    """What a step needs besides the right status, side and permission."""

    COMPLETE_CONTENTS = "complete-contents"
    """Every item the kind requires, valid (Art. 40(15) for MLA; each kind's own article)."""
    REASONS = "reasons"
    GROUNDS = "grounds"
    """Refusal grounds the catalogue gives for the kind; never an excluded reason."""
    CONSULTATION_BEFORE_REFUSAL = "consultation-before-refusal"
    """For a ground of Art. 40(21), a consultation was held first (Art. 40(27)); not for
    Art. 40(22), which the model (UNTOC 18(26)) does not name. Postponement needs one
    too: ``postpone`` starts only from ``consultation``."""
    DESIRED = "desired"
    """The requesting State has asked for the target status (its desired status)."""
    CONDITIONS_AGREED = "conditions-agreed"
    """Conditions imposed on acceptance were agreed by the requesting State (Art. 40(27))."""
    PRESERVATION_END = "preservation-end"
    """An end date at least the minimum period after the order (Art. 42(8))."""
    FOLLOW_UP_RECEIVED = "follow-up-received"
    """The MLA request that follows the preservation has been received (Art. 42(8))."""
    PRESERVATION_MAY_END = "preservation-may-end"
    """The period has run out without a follow-up, or the follow-up was decided."""
    CHANNEL_RECORD = "channel-record"
    """Off the network: the channel, the day and the reference of the letter or note that
    carried the request (Art. 40(14))."""


URGENT_ACTION = Action.HANDLE_URGENT
"""On a request sent over the 24/7 point-of-contact channel, the point of contact may
take any step (Art. 41(1), (4)): immediate assistance cannot wait for a supervisor."""

DECIDING = frozenset({Status.ACKNOWLEDGED, Status.ADDITIONAL_INFORMATION_PROVIDED})


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """One row of the table."""

    name: TransitionName
    sources: frozenset[Status]
    target: Status
    side: Side
    sets: StatusField
    action: Action
    source: Source
    """The provision that authorises the step."""
    requires: frozenset[Requirement] = frozenset()
    only_for: KindTrait | None = None
    """The step exists only for kinds with this trait."""

    @property
    def article(self) -> str:
        return self.source.citation()


def _recalled(article: int, paragraph: str | None, certainty: Certainty, basis: str) -> Source:
    return Source(
        article=article,
        paragraph=paragraph,
        confidence=Confidence.RECALLED,
        certainty=certainty,
        basis=basis,
    )


HIGH, MODERATE = Certainty.HIGH, Certainty.MODERATE
CENTRAL_AUTHORITY = _recalled(
    40,
    "13",
    HIGH,
    "UNTOC 18(13): the central authority receives requests and transmits them; approval "
    "by a supervisor before transmission is Hanoi's node policy",
)
FORM = _recalled(40, "14", HIGH, "UNTOC 18(14): in writing, in an acceptable language")
WRITTEN_RECORD = _recalled(
    40,
    "14",
    HIGH,
    "UNTOC 18(14): in writing or, where possible, by any means capable of producing a "
    "written record; urgent requests through INTERPOL or orally, confirmed in writing",
)
EXECUTION = _recalled(
    40,
    "25",
    MODERATE,
    "UNTOC 18(24): execute as soon as possible, inform of progress; the requesting State "
    "informs when assistance is no longer required",
)
ADDITIONAL_INFORMATION = _recalled(40, "16", HIGH, "UNTOC 18(16)")
CONSULTATION = _recalled(40, "27", MODERATE, "UNTOC 18(26)")
LAW_OF_EXECUTION = _recalled(40, "17", HIGH, "UNTOC 18(17): executed under the requested law")
POSTPONEMENT = _recalled(40, "26", MODERATE, "UNTOC 18(25)")
REASONS_FOR_REFUSAL = _recalled(
    40,
    "24",
    MODERATE,
    "UNTOC 18(23): reasons shall be given for any refusal; each ground cites its own provision",
)
PRESERVATION_ORDER = _recalled(42, "4", HIGH, "Budapest 29(3): preserve expeditiously")
PRESERVATION_PERIOD = _recalled(
    42,
    "8",
    HIGH,
    "Budapest 29(7): not less than sixty days; after receipt of the MLA request the data "
    "stay preserved pending a decision on it",
)
PRESERVATION_RENEWAL = _recalled(42, "9", MODERATE, "the requesting State may ask for more time")

S, R = Side.REQUESTING, Side.REQUESTED
STATUS, DESIRED = StatusField.STATUS, StatusField.DESIRED
N, Q = TransitionName, Requirement


def _row(
    name: TransitionName,
    sources: set[Status] | frozenset[Status],
    target: Status,
    side: Side,
    action: Action,
    source: Source,
    *requires: Requirement,
    sets: StatusField = STATUS,
    only_for: KindTrait | None = None,
) -> Transition:
    return Transition(
        name=name,
        sources=frozenset(sources),
        target=target,
        side=side,
        sets=sets,
        action=action,
        source=source,
        requires=frozenset(requires),
        only_for=only_for,
    )


# fmt: off
TABLE: tuple[Transition, ...] = (
    # The requesting State, before the request leaves it.
    _row(N.SUBMIT, {Status.DRAFT}, Status.SUBMITTED, S, Action.DRAFT, CENTRAL_AUTHORITY,
         Q.COMPLETE_CONTENTS),
    _row(N.APPROVE, {Status.DRAFT, Status.SUBMITTED}, Status.APPROVED, S, Action.APPROVE,
         CENTRAL_AUTHORITY, Q.COMPLETE_CONTENTS),
    _row(N.RETURN_TO_DRAFT, {Status.SUBMITTED, Status.APPROVED}, Status.DRAFT, S,
         Action.APPROVE, CENTRAL_AUTHORITY, Q.REASONS),
    _row(N.ABANDON, {Status.DRAFT, Status.SUBMITTED, Status.APPROVED}, Status.CLOSED, S,
         Action.DRAFT, CENTRAL_AUTHORITY, Q.REASONS),
    _row(N.SEND, {Status.APPROVED}, Status.SENT, S, Action.DRAFT, FORM, Q.COMPLETE_CONTENTS),
    _row(N.DISPATCH, {Status.APPROVED}, Status.SENT, S, Action.DRAFT, WRITTEN_RECORD,
         Q.COMPLETE_CONTENTS, Q.CHANNEL_RECORD),
    _row(N.REGISTER, frozenset(), Status.RECEIVED, R, Action.DECIDE, WRITTEN_RECORD,
         Q.CHANNEL_RECORD),
    # The requested State takes the request in.
    _row(N.RECEIVE, {Status.SENT}, Status.RECEIVED, R, Action.DECIDE, CENTRAL_AUTHORITY),
    _row(N.ACKNOWLEDGE, {Status.RECEIVED}, Status.ACKNOWLEDGED, R, Action.DECIDE, EXECUTION),
    # Additional information (Art. 40(16)).
    _row(N.REQUEST_ADDITIONAL_INFORMATION,
         DECIDING | {Status.CONSULTATION, Status.IN_EXECUTION},
         Status.ADDITIONAL_INFORMATION_REQUESTED, R, Action.DECIDE, ADDITIONAL_INFORMATION,
         Q.REASONS),
    _row(N.PROVIDE_ADDITIONAL_INFORMATION, {Status.ADDITIONAL_INFORMATION_REQUESTED},
         Status.ADDITIONAL_INFORMATION_PROVIDED, S, Action.DRAFT, ADDITIONAL_INFORMATION,
         Q.REASONS, sets=DESIRED),
    _row(N.RECORD_ADDITIONAL_INFORMATION, {Status.ADDITIONAL_INFORMATION_REQUESTED},
         Status.ADDITIONAL_INFORMATION_PROVIDED, R, Action.DECIDE, ADDITIONAL_INFORMATION,
         Q.DESIRED),
    # Consultation before refusal or postponement (Art. 40(27)).
    _row(N.CONSULT, DECIDING | {Status.IN_EXECUTION, Status.CONSULTATION}, Status.CONSULTATION,
         R, Action.DECIDE, CONSULTATION, Q.REASONS, only_for=KindTrait.MLA),
    _row(N.PROPOSE_TERMS, {Status.CONSULTATION}, Status.CONSULTATION, S, Action.DECIDE,
         CONSULTATION, Q.REASONS, sets=DESIRED, only_for=KindTrait.MLA),
    _row(N.AGREE_TO_CONDITIONS, {Status.CONSULTATION}, Status.IN_EXECUTION, S, Action.DECIDE,
         CONSULTATION, sets=DESIRED, only_for=KindTrait.MLA),
    # Execution (Art. 40(17), (25)).
    _row(N.ACCEPT, DECIDING | {Status.CONSULTATION, Status.POSTPONED}, Status.IN_EXECUTION, R,
         Action.DECIDE, LAW_OF_EXECUTION, Q.CONDITIONS_AGREED, only_for=KindTrait.EXECUTED),
    _row(N.EXECUTE_PARTIALLY, {Status.IN_EXECUTION}, Status.PARTIALLY_EXECUTED, R,
         Action.DECIDE, EXECUTION, Q.REASONS, only_for=KindTrait.EXECUTED),
    _row(N.RESUME_EXECUTION, {Status.PARTIALLY_EXECUTED}, Status.IN_EXECUTION, R,
         Action.DECIDE, EXECUTION, only_for=KindTrait.EXECUTED),
    _row(N.COMPLETE, {Status.IN_EXECUTION, Status.PARTIALLY_EXECUTED}, Status.EXECUTED, R,
         Action.DECIDE, EXECUTION, only_for=KindTrait.EXECUTED),
    # Postponement and refusal (Art. 40(21)-(27)).
    _row(N.POSTPONE, {Status.CONSULTATION}, Status.POSTPONED, R, Action.DECIDE, POSTPONEMENT,
         Q.REASONS, only_for=KindTrait.MLA),
    _row(N.REFUSE,
         DECIDING | {Status.ADDITIONAL_INFORMATION_REQUESTED, Status.CONSULTATION,
                     Status.POSTPONED},
         Status.REFUSED, R, Action.DECIDE, REASONS_FOR_REFUSAL,
         Q.GROUNDS, Q.REASONS, Q.CONSULTATION_BEFORE_REFUSAL, only_for=KindTrait.REFUSABLE),
    # Withdrawal and closure (Art. 40(25)).
    _row(N.WITHDRAW, OPEN_AFTER_SENDING, Status.WITHDRAWN, S, Action.DECIDE, EXECUTION,
         Q.REASONS, sets=DESIRED),
    _row(N.CONFIRM_WITHDRAWAL, OPEN_AFTER_SENDING, Status.WITHDRAWN, R, Action.DECIDE,
         EXECUTION, Q.DESIRED),
    _row(N.CLOSE, {Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN, Status.RELEASED},
         Status.CLOSED, R, Action.DECIDE, EXECUTION),
    # Expedited preservation (Art. 42).
    _row(N.ORDER_PRESERVATION, DECIDING, Status.ORDERED, R, Action.DECIDE, PRESERVATION_ORDER,
         only_for=KindTrait.PRESERVATION),
    _row(N.PRESERVE, {Status.ORDERED}, Status.ACTIVE, R, Action.DECIDE, PRESERVATION_PERIOD,
         Q.PRESERVATION_END, only_for=KindTrait.PRESERVATION),
    _row(N.RENEW_PRESERVATION, {Status.ACTIVE}, Status.ACTIVE, R, Action.DECIDE,
         PRESERVATION_RENEWAL, Q.PRESERVATION_END, only_for=KindTrait.PRESERVATION),
    _row(N.CONTINUE_PRESERVATION, {Status.ACTIVE}, Status.EXTENDED, R, Action.DECIDE,
         PRESERVATION_PERIOD, Q.FOLLOW_UP_RECEIVED, only_for=KindTrait.PRESERVATION),
    _row(N.RELEASE_PRESERVATION, {Status.ACTIVE, Status.EXTENDED}, Status.RELEASED, R,
         Action.DECIDE, PRESERVATION_PERIOD, Q.REASONS, Q.PRESERVATION_MAY_END,
         only_for=KindTrait.PRESERVATION),
)
# fmt: on

ROWS: Mapping[TransitionName, Transition] = MappingProxyType({row.name: row for row in TABLE})

# fmt: off
EXPECTED: Mapping[Status, tuple[TransitionName, ...]] = MappingProxyType({
    # A supervisor approves what an officer would submit.
    Status.DRAFT: (N.APPROVE, N.SUBMIT),
    Status.SUBMITTED: (N.APPROVE,),
    Status.APPROVED: (N.SEND, N.DISPATCH),
    Status.SENT: (N.RECEIVE,),
    Status.RECEIVED: (N.ACKNOWLEDGE,),
    Status.ACKNOWLEDGED: (N.ACCEPT, N.ORDER_PRESERVATION),
    Status.ADDITIONAL_INFORMATION_REQUESTED: (N.PROVIDE_ADDITIONAL_INFORMATION,
                                              N.RECORD_ADDITIONAL_INFORMATION),
    Status.ADDITIONAL_INFORMATION_PROVIDED: (N.ACCEPT, N.ORDER_PRESERVATION),
    Status.CONSULTATION: (N.AGREE_TO_CONDITIONS, N.ACCEPT),
    Status.IN_EXECUTION: (N.COMPLETE,),
    Status.PARTIALLY_EXECUTED: (N.COMPLETE, N.RESUME_EXECUTION),
    Status.POSTPONED: (N.ACCEPT,),
    Status.EXECUTED: (N.CLOSE,),
    Status.REFUSED: (N.CLOSE,),
    Status.WITHDRAWN: (N.CLOSE,),
    Status.ORDERED: (N.PRESERVE,),
    Status.EXTENDED: (N.RELEASE_PRESERVATION,),
    Status.RELEASED: (N.CLOSE,),
})
# fmt: on
"""For each status, the steps that usually come next, most likely first (see the module's
docstring). A status that is missing has no expected step: a request that is closed, or a
preservation running its period (renewed, continued or released only as events require)."""


def row_named(name: TransitionName) -> Transition:
    return ROWS[name]


def expected_step(status: Status, possible: Sequence[Transition]) -> Transition | None:
    """Of the steps ``possible`` for a reader now, the one expected next from ``status``."""
    by_name = {row.name: row for row in possible}
    return next((by_name[name] for name in EXPECTED.get(status, ()) if name in by_name), None)
