"""Where each rule comes from, and how sure we are of it.

Every rule in the catalogue (an article title, a content item of a request, a
refusal ground, a period) carries a :class:`Source`: the article and paragraph
it implements and a :class:`Confidence` taken from the research note
(``convention.md``): ``confirmed`` [C], ``model-text`` [C-model],
``recalled`` [R] and ``secondary`` [S]. Anything that is not ``confirmed`` is
*provisional*: a user interface shows it as such, and a correction is a
one-line change in the data files.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: A paragraph reference inside an article: ``15``, ``15(a)``, or ``(h)`` for an
#: article with lettered sub-paragraphs only (Art. 2). Roman sub-items are not used.
PARAGRAPH_PATTERN = re.compile(r"^(?=.)(?P<number>[1-9][0-9]?)?(?:\((?P<letter>[a-z])\))?$")

ENGLISH_TEMPLATE = "Art. {article}{paragraph}"

ArticleNumber = Annotated[int, Field(ge=1, le=68)]


class Confidence(StrEnum):
    """How a rule was established (the tags of ``convention.md``)."""

    CONFIRMED = "confirmed"
    """[C] read in an authentic text or the UN Treaty Collection."""
    MODEL_TEXT = "model-text"
    """[C-model] the confirmed text of the model provision (UNTOC, UNCAC or Budapest)."""
    RECALLED = "recalled"
    """[R] recalled or inferred; not checked against the official text."""
    SECONDARY = "secondary"
    """[S] a secondary source (news, NGO, commentary)."""


class Certainty(StrEnum):
    """For recalled rules, the research note's own estimate."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class Source(BaseModel):
    """The provision a rule implements: article, paragraph, confidence, basis."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    article: ArticleNumber
    paragraph: str | None = None
    confidence: Confidence
    certainty: Certainty | None = None
    basis: str | None = None
    """What the rule rests on, for maintainers: a model article, a URL, a note."""

    @field_validator("paragraph")
    @classmethod
    def _paragraph_form(cls, value: str | None) -> str | None:
        if value is not None and not PARAGRAPH_PATTERN.match(value):
            raise ValueError(f"paragraph {value!r} is not of the form 15, 15(a) or (h)")
        return value

    @property
    def provisional(self) -> bool:
        """True unless the rule was read in an authentic text."""
        return self.confidence is not Confidence.CONFIRMED

    @property
    def paragraph_number(self) -> int | None:
        match = PARAGRAPH_PATTERN.match(self.paragraph or "")
        return int(match["number"]) if match and match["number"] else None

    @property
    def letter(self) -> str | None:
        match = PARAGRAPH_PATTERN.match(self.paragraph or "")
        return match["letter"] if match else None

    def citation(self) -> str:
        """The English citation, e.g. ``Art. 40(15)(a)``."""
        return format_citation(self)


def format_citation(
    source: Source, *, template: str = ENGLISH_TEMPLATE, letters: tuple[str, ...] = ()
) -> str:
    """Fill ``template`` ({article}, {paragraph}) with e.g. ``40`` and ``(15)(a)``.

    ``letters`` maps the sub-paragraph letters a, b, c... to a language's own
    (Arabic texts letter sub-paragraphs in abjad order: أ, ب, ج...).
    """
    paragraph = ""
    if source.paragraph_number is not None:
        paragraph += f"({source.paragraph_number})"
    if source.letter is not None:
        index = ord(source.letter) - ord("a")
        paragraph += f"({letters[index] if index < len(letters) else source.letter})"
    return template.format(article=source.article, paragraph=paragraph)
