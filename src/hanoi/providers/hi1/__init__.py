"""ETSI TS 103 120 (HI-1) in JSON, as the Hanoi "UN" national profile uses it.

The profile is described in ``docs/hi1-profile.md``. Modules:

- :mod:`~hanoi.providers.hi1.vendored`: where the vendored ETSI schemas are, in a checkout
  or in an installed wheel.
- :mod:`~hanoi.providers.hi1.jsontext`: strict parsing of raw bytes (size, UTF-8, duplicate
  keys, NaN, depth).
- :mod:`~hanoi.providers.hi1.schemas`: one Draft 2020-12 validator over every vendored
  schema; :func:`~hanoi.providers.hi1.schemas.validate_message`.
- :mod:`~hanoi.providers.hi1.vocabulary`: ETSI's dictionaries and the profile's own (owner
  ``UN``), generated from the Convention catalogue.
- :mod:`~hanoi.providers.hi1.orders`: :class:`OrderSpec`, :func:`build_order`,
  :func:`build_status_request`,
  :func:`build_config_request`.
- :mod:`~hanoi.providers.hi1.answers`: :func:`read_answer` and its typed results.
- :mod:`~hanoi.providers.hi1.deliveries`: :func:`check_delivery` (checksums, size).
- :mod:`~hanoi.providers.hi1.signing`: the message signature (a detached JWS in ETSI's
  ``Signature`` element).
- :mod:`~hanoi.providers.hi1.messages`: the profile's constants and the message header.

Everything is pure: no I/O but reading the vendored files once, no clock (callers pass
times and identifiers in), errors typed (:mod:`~hanoi.providers.hi1.errors`).
"""

from hanoi.providers.hi1.answers import (
    ActionResult,
    Answer,
    Delivery,
    DictionaryValue,
    ErrorInformation,
    Notification,
    ObjectState,
    read_answer,
)
from hanoi.providers.hi1.deliveries import check_delivery
from hanoi.providers.hi1.errors import (
    AnswerUnreadable,
    DeliveryMismatch,
    DeliveryUnverifiable,
    Hi1Error,
    MessageInvalid,
    MessageTooLarge,
)
from hanoi.providers.hi1.jsontext import parse_json
from hanoi.providers.hi1.messages import Endpoint, MessageHeader
from hanoi.providers.hi1.orders import (
    OrderKind,
    OrderSpec,
    StatusQuery,
    build_config_request,
    build_order,
    build_status_request,
)
from hanoi.providers.hi1.schemas import validate_message
from hanoi.providers.hi1.signing import sign_message, verify_message

__all__ = [
    "ActionResult",
    "Answer",
    "AnswerUnreadable",
    "Delivery",
    "DeliveryMismatch",
    "DeliveryUnverifiable",
    "DictionaryValue",
    "Endpoint",
    "ErrorInformation",
    "Hi1Error",
    "MessageHeader",
    "MessageInvalid",
    "MessageTooLarge",
    "Notification",
    "ObjectState",
    "OrderKind",
    "OrderSpec",
    "StatusQuery",
    "build_config_request",
    "build_order",
    "build_status_request",
    "check_delivery",
    "parse_json",
    "read_answer",
    "sign_message",
    "validate_message",
    "verify_message",
]
