"""Checking a draft request against the Convention, field by field.

A draft is ``{kind, contents: {item key: value}}``, as a :class:`Draft` or a
plain mapping. :func:`validate` returns every :class:`Finding`, each with the
field path, the article and paragraph the rule comes from, and a message in
the chosen language; :func:`require_valid` raises them as one
:class:`hanoi.errors.InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hanoi.convention.catalogue import Catalogue
from hanoi.convention.labels import FALLBACK, Language, parse_language
from hanoi.convention.loading import default_catalogue
from hanoi.convention.messages import FindingCode
from hanoi.convention.models import ContentItem, RequestKind, Trigger
from hanoi.convention.sources import Confidence, Source
from hanoi.convention.values import ValueChecker, as_date, is_empty
from hanoi.errors import FieldProblem, InvalidInput


@dataclass(frozen=True, slots=True)
class Draft:
    """A request being drafted: its kind and its contents by item key."""

    kind: str
    contents: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one field of a draft."""

    path: str
    """``kind``, ``contents``, ``contents.<item>`` or ``contents.<item>[<index>]``."""
    code: FindingCode
    message: str
    """In the language asked for (English where that language has no text yet)."""
    article: int | None = None
    paragraph: str | None = None
    confidence: Confidence | None = None
    """How sure the catalogue is of the rule; anything but ``confirmed`` is provisional."""
    citation: str | None = None
    """The rule's citation in English, e.g. ``Art. 40(15)(a)``."""

    def as_field_problem(self) -> FieldProblem:
        return FieldProblem(path=self.path, message=self.message, article=self.citation)


def validate(
    draft: Draft | Mapping[str, Any],
    *,
    language: str | Language = FALLBACK,
    catalogue: Catalogue | None = None,
) -> list[Finding]:
    """Every finding about ``draft``; an empty list means it meets the Convention."""
    return _Validator(catalogue or default_catalogue(), parse_language(language)).run(draft)


def require_valid(
    draft: Draft | Mapping[str, Any],
    *,
    language: str | Language = FALLBACK,
    catalogue: Catalogue | None = None,
) -> None:
    """Raise :class:`InvalidInput` with one field problem per finding, if there are any."""
    findings = validate(draft, language=language, catalogue=catalogue)
    if findings:
        raise InvalidInput(
            f"the draft request has {len(findings)} problem(s)",
            fields=tuple(finding.as_field_problem() for finding in findings),
        )


def is_required(item: ContentItem, contents: Mapping[str, Any]) -> bool:
    """Whether ``item`` must have a value, given the rest of the contents."""
    if item.required_when is not None:
        return trigger_holds(item.required_when, contents)
    if item.not_required_when is not None:
        return not trigger_holds(item.not_required_when, contents)
    return item.required


def trigger_holds(trigger: Trigger, contents: Mapping[str, Any]) -> bool:
    value = contents.get(trigger.item)
    if is_empty(value):
        return False
    if trigger.present:
        return True
    if trigger.is_true:
        return value is True
    selected = _selected(value)
    if trigger.includes:
        return bool(selected & set(trigger.includes))
    return bool(selected) and selected <= set(trigger.only)


def _selected(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {element for element in value if isinstance(element, str)}
    return set()


class _Validator:
    def __init__(self, catalogue: Catalogue, language: Language) -> None:
        self.catalogue = catalogue
        self.language = language

    def message(self, code: FindingCode, **values: object) -> str:
        return self.catalogue.labels.format(code.label_key, self.language, **values)

    def finding(
        self, path: str, code: FindingCode, source: Source | None, **values: Any
    ) -> Finding:
        if source is not None:
            values["citation"] = self.catalogue.cite(source, self.language)
        return Finding(
            path=path,
            code=code,
            message=self.message(code, **values),
            article=source.article if source else None,
            paragraph=source.paragraph if source else None,
            confidence=source.confidence if source else None,
            citation=source.citation() if source else None,
        )

    def run(self, draft: Draft | Mapping[str, Any]) -> list[Finding]:
        kind_key: object
        contents: object
        if isinstance(draft, Draft):
            kind_key, contents, extra = draft.kind, draft.contents, []
        elif isinstance(draft, Mapping):
            kind_key, contents = draft.get("kind"), draft.get("contents", {})
            extra = [key for key in draft if key not in ("kind", "contents")]
        else:
            return [self.finding("draft", FindingCode.MALFORMED_DRAFT, None, field="draft")]
        findings = [
            self.finding(str(key), FindingCode.MALFORMED_DRAFT, None, field=key) for key in extra
        ]
        if not isinstance(kind_key, str):
            findings.append(self.finding("kind", FindingCode.MALFORMED_DRAFT, None, field="kind"))
        if not isinstance(contents, Mapping):
            findings.append(
                self.finding("contents", FindingCode.MALFORMED_DRAFT, None, field="contents")
            )
        if findings or not isinstance(kind_key, str) or not isinstance(contents, Mapping):
            return findings
        if kind_key not in self.catalogue.kind_keys:
            return [self.finding("kind", FindingCode.UNKNOWN_KIND, None, value=kind_key)]
        return self.contents(self.catalogue.kind(kind_key), contents)

    def contents(self, kind: RequestKind, contents: Mapping[str, Any]) -> list[Finding]:
        title = self.catalogue.label(kind.title_key, self.language)
        findings = [
            self.finding(f"contents.{key}", FindingCode.UNKNOWN_ITEM, None, item=key, kind=title)
            for key in contents
            if not isinstance(key, str) or kind.item(key) is None
        ]
        checker = ValueChecker(self.catalogue, self.language, self.finding)
        for item in kind.contents:
            value = contents.get(item.key)
            path = f"contents.{item.key}"
            if is_empty(value):
                if is_required(item, contents):
                    label = self.catalogue.label(item.label_key, self.language)
                    findings.append(
                        self.finding(path, FindingCode.MISSING, item.source, label=label)
                    )
                continue
            findings.extend(checker.check(item, value, path))
            findings.extend(self.order(kind, item, contents, path))
        return findings

    def order(
        self, kind: RequestKind, item: ContentItem, contents: Mapping[str, Any], path: str
    ) -> list[Finding]:
        if item.not_before is None:
            return []
        other = kind.item(item.not_before)
        mine, earliest = as_date(contents.get(item.key)), as_date(contents.get(item.not_before))
        if other is None or mine is None or earliest is None or mine >= earliest:
            return []
        label = self.catalogue.label(item.label_key, self.language)
        other_label = self.catalogue.label(other.label_key, self.language)
        return [
            self.finding(path, FindingCode.DATE_ORDER, item.source, label=label, other=other_label)
        ]
