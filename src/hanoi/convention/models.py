"""The typed catalogue: articles, offences, request kinds and what they require.

Every model is frozen and rejects unknown fields, so a typo in a data file
fails at load rather than silently dropping a rule. Human text is not stored
here: each model names its label key, and :mod:`hanoi.convention.labels`
supplies the text in the six languages of the Convention (Art. 68).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hanoi.convention.sources import ArticleNumber, Source
from hanoi.errors import InvalidInput, NotFound

Key = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
"""A stable kebab-case key: never renamed once published, because drafts store it."""

OFFENCE_ENUM = "offence"
"""The value set built from the offence catalogue, for items that name offences."""
OFFENCE_CODE = re.compile(r"^art-(?P<article>[0-9]+)-[a-z0-9-]+$")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Chapter(Frozen):
    numeral: Annotated[str, Field(pattern=r"^(I|II|III|IV|V|VI|VII|VIII|IX)$")]
    source: Source

    @property
    def label_key(self) -> str:
        return f"chapter.{self.numeral}"


class Article(Frozen):
    """An article of the Convention; its ``source`` is the source of its title."""

    number: ArticleNumber
    chapter: str
    source: Source

    @property
    def label_key(self) -> str:
        return f"article.{self.number}"


class CooperationScope(StrEnum):
    """Art. 35(1): what international cooperation under the Convention may serve."""

    CONVENTION_OFFENCE = "convention-offence"
    """Art. 35(1)(a)-(b): offences established in accordance with the Convention."""
    SERIOUS_CRIME = "serious-crime"
    """Art. 35(1)(c): evidence in electronic form of any serious crime (Art. 2(h))."""


class Offence(Frozen):
    code: Key
    article: ArticleNumber
    scope: CooperationScope
    source: Source

    @model_validator(mode="after")
    def _code_names_its_article(self) -> Offence:
        match = OFFENCE_CODE.match(self.code)
        if match is None or int(match["article"]) != self.article:
            raise ValueError(f"offence code {self.code!r} must start with art-{self.article}-")
        return self

    @property
    def label_key(self) -> str:
        """Offences are also the values of the built-in ``offence`` value set."""
        return f"enum.{OFFENCE_ENUM}.{self.code}"


class EnumValue(Frozen):
    key: Key
    source: Source


class EnumSet(Frozen):
    """A closed list of values a content item may take."""

    name: Key
    values: tuple[EnumValue, ...] = Field(min_length=1)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(value.key for value in self.values)

    def label_key(self, value: str) -> str:
        return f"enum.{self.name}.{value}"


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long-text"
    DATE = "date"
    STATE_CODE = "state-code"
    ENUM = "enum"
    LIST = "list"
    BOOLEAN = "boolean"
    INTEGER = "integer"


LIST_ITEM_TYPES = frozenset({FieldType.TEXT, FieldType.STATE_CODE, FieldType.ENUM})


class Trigger(Frozen):
    """A condition on another item of the same request, for conditional requirements.

    Exactly one form is used: ``includes`` (an enum value, or any element of a
    list, is one of these), ``only`` (every selected value is one of these),
    ``present`` (the item has a value) or ``is_true`` (a boolean item is true).
    """

    item: Key
    includes: tuple[Key, ...] = ()
    only: tuple[Key, ...] = ()
    present: bool = False
    is_true: bool = False

    @model_validator(mode="after")
    def _one_form(self) -> Trigger:
        forms = [bool(self.includes), bool(self.only), self.present, self.is_true]
        if sum(forms) != 1:
            raise ValueError("a trigger uses exactly one of includes, only, present, is_true")
        return self


class ContentItem(Frozen):
    """One item of a request's contents, enough for a user interface to draw a field.

    The item is required when ``required`` is true and ``not_required_when`` does
    not hold, or when ``required_when`` holds.
    """

    key: Key
    type: FieldType
    required: bool
    source: Source
    required_when: Trigger | None = None
    not_required_when: Trigger | None = None
    enum: Key | None = None
    item_type: FieldType | None = None
    minimum: int | None = None
    maximum: int | None = None
    must_be_true: bool = False
    not_before: Key | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ContentItem:
        is_enum = self.type is FieldType.ENUM or self.item_type is FieldType.ENUM
        if is_enum != (self.enum is not None):
            raise ValueError("enum names a value set exactly when the item takes enum values")
        if (self.type is FieldType.LIST) != (self.item_type is not None):
            raise ValueError("item_type is given exactly for list items")
        if self.item_type is not None and self.item_type not in LIST_ITEM_TYPES:
            raise ValueError(f"a list holds text, state-code or enum values, not {self.item_type}")
        if (self.minimum, self.maximum) != (None, None) and self.type is not FieldType.INTEGER:
            raise ValueError("minimum and maximum apply to integer items only")
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and low > high:
            raise ValueError("minimum is above maximum")
        if self.must_be_true and self.type is not FieldType.BOOLEAN:
            raise ValueError("must_be_true applies to boolean items only")
        if self.not_before is not None and self.type is not FieldType.DATE:
            raise ValueError("not_before applies to date items only")
        if self.required_when is not None and self.required:
            raise ValueError("required_when is for items that are otherwise optional")
        if self.not_required_when is not None and not self.required:
            raise ValueError("not_required_when is for items that are otherwise required")
        return self

    @property
    def label_key(self) -> str:
        return f"item.{self.key}"

    @property
    def conditional(self) -> bool:
        return self.required_when is not None or self.not_required_when is not None

    @property
    def trigger(self) -> Trigger | None:
        return self.required_when or self.not_required_when


class Channel(StrEnum):
    """Who sends and receives a kind of request."""

    CENTRAL_AUTHORITY = "central-authority"
    """Art. 40(13): the authority designated to receive and execute or transmit MLA requests."""
    POINT_OF_CONTACT = "point-of-contact"
    """Art. 41(1): the point of contact available 24 hours a day, 7 days a week."""
    COMPETENT_AUTHORITY = "competent-authority"
    """Arts. 47-48: direct channels between law enforcement and other competent authorities."""

    @property
    def label_key(self) -> str:
        return f"channel.{self.value}"


class ChannelRule(Frozen):
    channel: Channel
    source: Source


class Transmission(Frozen):
    """Whether a request may be sent urgently or orally (Art. 40(14))."""

    urgent: bool
    oral: bool
    written_confirmation: bool
    source: Source


class PendingEvent(StrEnum):
    MLA_REQUEST_DECISION = "mla-request-decision"
    """Art. 42: preserved data stay preserved until a decision on the MLA request."""


class Bound(StrEnum):
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    FIXED = "fixed"
    """A set length."""
    UNLESS_AGREED = "unless-agreed"
    """A set length, unless the States agree another period: the request carries the agreed
    number of days in the item ``agreed_in`` names (safe conduct, Art. 40(28))."""


class Period(Frozen):
    key: Key
    days: int = Field(gt=0)
    bound: Bound
    continues_pending: PendingEvent | None = None
    agreed_in: Key | None = None
    """For an ``unless-agreed`` period: the integer item of the request that carries the
    number of days the States agreed. The loader checks it is one, with a minimum of at
    least 1 and a maximum."""
    source: Source

    @model_validator(mode="after")
    def _agreement(self) -> Period:
        if (self.bound is Bound.UNLESS_AGREED) != (self.agreed_in is not None):
            raise ValueError("agreed_in names an item exactly when the bound is unless-agreed")
        return self

    @property
    def label_key(self) -> str:
        return f"period.{self.key}"


class RefusalGround(Frozen):
    """A ground on which the requested State may refuse (or withhold) assistance."""

    key: Key
    discretionary: bool
    source: Source

    @property
    def label_key(self) -> str:
        return f"ground.{self.key}"


class ExcludedGround(Frozen):
    """A reason the Convention says may *not* justify refusal (e.g. bank secrecy)."""

    key: Key
    source: Source

    @property
    def label_key(self) -> str:
        return f"excluded-ground.{self.key}"


class AttachableCondition(Frozen):
    """A condition that may travel with a request or with the data it returns."""

    key: Key
    source: Source

    @property
    def label_key(self) -> str:
        return f"condition.{self.key}"


class Applies(Frozen):
    """A ground or condition that applies to a kind, with the provision that applies it.

    In the data file ``source`` may be left out; it is then the ground's or
    condition's own provision (e.g. Art. 40(21)(b)).
    """

    key: Key
    source: Source


class RequestKind(Frozen):
    """One cooperation mechanism of Chapter V and everything a request of it needs."""

    key: Key
    articles: tuple[ArticleNumber, ...] = Field(min_length=1)
    source: Source
    channels: tuple[ChannelRule, ...] = Field(min_length=1)
    contents: tuple[ContentItem, ...] = Field(min_length=1)
    transmission: Transmission
    periods: tuple[Period, ...] = ()
    refusal_grounds: tuple[Applies, ...] = ()
    excluded_grounds: tuple[Applies, ...] = ()
    conditions: tuple[Applies, ...] = ()

    @property
    def title_key(self) -> str:
        return f"kind.{self.key}.title"

    @property
    def description_key(self) -> str:
        return f"kind.{self.key}.description"

    @property
    def channel(self) -> Channel:
        """The preferred channel (the first listed)."""
        return self.channels[0].channel

    def item(self, key: str) -> ContentItem | None:
        return next((item for item in self.contents if item.key == key), None)

    def period_days(self, key: str, contents: Mapping[str, Any]) -> int:
        """The length in days of the period ``key`` for a request with ``contents``: the
        days the States agreed, when the period allows it and the request carries them
        (Art. 40(28): "or any period agreed upon"); otherwise the period's own days."""
        period = next((p for p in self.periods if p.key == key), None)
        if period is None:
            raise NotFound(f"a {self.key!r} request has no period {key!r}")
        item = self.item(period.agreed_in) if period.agreed_in is not None else None
        agreed = contents.get(item.key) if item is not None else None
        if item is None or agreed is None:
            return period.days
        low, high = item.minimum or 1, item.maximum
        if type(agreed) is not int or agreed < low or (high is not None and agreed > high):
            raise InvalidInput(
                f"{item.key} is a whole number of days from {low} to {high}, not {agreed!r}"
            )
        return agreed

    @property
    def required_items(self) -> tuple[ContentItem, ...]:
        """Items required unless an exception of ``not_required_when`` holds."""
        return tuple(item for item in self.contents if item.required)
