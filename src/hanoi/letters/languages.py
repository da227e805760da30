"""Which of the six languages a letter may be written in for a State (Art. 40(14)). Pure.

The directory lists, for each authority of a State, the languages it takes requests in,
as BCP 47 tags (``en``, ``fr``, ``zh-Hans``). A letter is in one of the six languages of
the Convention; it is acceptable when its language is the primary subtag of one of the
State's tags (``zh`` for ``zh-Hans``). :func:`choose` refuses any other language, and a
State the directory does not list, unless the officer gives a reason to override, which
is then recorded with the letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hanoi.convention import Language
from hanoi.errors import FieldProblem, InvalidInput, RuleViolation
from hanoi.letters.letter import ARTICLE

MAX_REASON = 500


class LanguageNotAccepted(RuleViolation):
    """The letter's language is not one the requested State accepts, or the directory does
    not say which it accepts, and no reason to override was given."""

    def __init__(self, detail: str, *, state: str, accepted: tuple[str, ...] | None) -> None:
        said = f"accepted: {', '.join(accepted)}" if accepted else "none known for the State"
        problem = FieldProblem(path="language", message=said, article=ARTICLE)
        super().__init__(detail, fields=(problem,))
        self.state = state
        self.accepted = accepted
        """The State's tags as the directory lists them; None when it does not list it."""


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    language: Language
    accepted: tuple[str, ...] | None
    override_reason: str | None
    """Why the letter is in a language the directory does not give for the State (or for
    a State it does not list); None when the language is accepted."""


def primary(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, lower case: ``zh`` for ``zh-Hans``."""
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def acceptable(tags: Sequence[str]) -> tuple[Language, ...]:
    """The six languages among ``tags``, in the order the State lists them."""
    primaries = [primary(tag) for tag in tags]
    found = [language for code in primaries for language in Language if language.value == code]
    return tuple(dict.fromkeys(found))


def check_reason(text: str | None) -> str | None:
    """An override reason: 1-500 printable characters, spaces around dropped; blank is none."""
    if text is None or not text.strip():
        return None
    reason = " ".join(text.split())
    if len(reason) > MAX_REASON or not reason.isprintable():
        raise InvalidInput(
            f"a reason to override is 1-{MAX_REASON} printable characters",
            fields=(FieldProblem(path="override_reason", message="too long, or not text"),),
        )
    return reason


def choose(
    language: Language,
    *,
    state: str,
    accepted: Sequence[str] | None,
    override_reason: str | None,
) -> LanguageChoice:
    """``language`` for a letter to ``state``, whose tags the directory gives as
    ``accepted`` (None: it does not list the State, or there is no directory). Raises
    :class:`LanguageNotAccepted` unless the language is acceptable or a reason overrides."""
    reason = check_reason(override_reason)
    tags = tuple(accepted) if accepted is not None else None
    if tags is not None and language in acceptable(tags):
        return LanguageChoice(language=language, accepted=tags, override_reason=None)
    if reason is not None:
        return LanguageChoice(language=language, accepted=tags, override_reason=reason)
    if tags is None:
        detail = (
            f"the directory this node holds does not list {state}, so it does not say which "
            f"languages {state} accepts ({ARTICLE}); give a reason to issue the letter anyway"
        )
    elif not tags:
        detail = (
            f"the directory lists no language in which {state} accepts requests ({ARTICLE}); "
            "give a reason to issue the letter anyway"
        )
    else:
        detail = (
            f"{state} accepts requests in {', '.join(tags)} ({ARTICLE}), not in "
            f"{language.value!r}; choose one of them, or give a reason to override"
        )
    raise LanguageNotAccepted(detail, state=state, accepted=tags)
