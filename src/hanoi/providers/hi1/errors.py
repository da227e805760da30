"""The errors of HI-1 handling, each in the family that says who must act.

- :class:`MessageTooLarge` (:class:`~hanoi.errors.PayloadTooLarge`): raw bytes over a limit,
  refused before parsing.
- :class:`MessageInvalid` (:class:`~hanoi.errors.InvalidInput`): not strict JSON, or not a
  message that ETSI's schemas accept. ``fields`` lists the failing JSON paths (at most
  :data:`MAX_PROBLEMS`, each message cut to :data:`MAX_PROBLEM_CHARS`).
- :class:`AnswerUnreadable` (:class:`~hanoi.errors.InvalidInput`): a valid HI-1 message that
  is not an answer this profile reads (a request verb, an object it does not know, a
  delivery without its data).
- :class:`DeliveryMismatch` (:class:`~hanoi.errors.IntegrityError`): delivered bytes whose
  length or checksum differ from what the DeliveryObject declares.
- :class:`DeliveryUnverifiable` (:class:`~hanoi.errors.IntegrityError`): a delivery that
  carries no checksum this profile can check, so its integrity cannot be shown.

Signature failures are :mod:`hanoi.crypto.jws`'s own errors (``JwsFormatError``,
``JwsSignatureError``), raised unchanged by :mod:`~hanoi.providers.hi1.signing`.
"""

from __future__ import annotations

from hanoi.errors import FieldProblem, HanoiError, IntegrityError, InvalidInput, PayloadTooLarge

MAX_PROBLEMS = 20
MAX_PROBLEM_CHARS = 200


class Hi1Error(HanoiError):
    """Marker base for the errors of this package (each also belongs to a family)."""


class MessageTooLarge(PayloadTooLarge, Hi1Error):
    title = "HI-1 message too large"


class MessageInvalid(InvalidInput, Hi1Error):
    title = "Invalid HI-1 message"


class AnswerUnreadable(InvalidInput, Hi1Error):
    title = "Unreadable HI-1 answer"


class DeliveryMismatch(IntegrityError, Hi1Error):
    title = "HI-1 delivery does not match its checksum"


class DeliveryUnverifiable(IntegrityError, Hi1Error):
    title = "HI-1 delivery cannot be verified"


def problem(path: str, message: str) -> FieldProblem:
    """A field problem with its message cut to :data:`MAX_PROBLEM_CHARS`."""
    if len(message) > MAX_PROBLEM_CHARS:
        message = message[: MAX_PROBLEM_CHARS - 1] + "…"
    return FieldProblem(path, message)
