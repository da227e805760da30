"""Whole-catalogue consistency checks, run once at load.

Each file is valid on its own by the time these run; here we check what the
files say about each other: unique keys, cited articles that exist, value
sets and triggers that point at something real.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from hanoi.convention.models import ContentItem, FieldType, Period, RequestKind, Trigger
from hanoi.convention.sources import Source
from hanoi.errors import FieldProblem

if TYPE_CHECKING:
    from hanoi.convention.catalogue import Catalogue


def catalogue_problems(catalogue: Catalogue) -> list[FieldProblem]:
    problems = list(_unique_keys(catalogue))
    chapters = {chapter.numeral for chapter in catalogue.chapters}
    articles = {article.number for article in catalogue.articles}
    for article in catalogue.articles:
        if article.chapter not in chapters:
            problems.append(_problem(f"article {article.number}", f"no chapter {article.chapter}"))
    for path, source in _sources(_everything(catalogue), "catalogue"):
        if source.article not in articles:
            problems.append(_problem(path, f"cites article {source.article}, not in articles.yaml"))
    for kind in catalogue.kinds:
        problems.extend(_kind_problems(catalogue, kind, articles))
    return problems


def _problem(path: str, message: str) -> FieldProblem:
    return FieldProblem(path=path, message=message)


def _repeated(what: str, keys: Iterable[object]) -> Iterator[FieldProblem]:
    for key, count in Counter(keys).items():
        if count > 1:
            yield _problem(what, f"{key} appears {count} times")


def _unique_keys(catalogue: Catalogue) -> Iterator[FieldProblem]:
    yield from _repeated("chapters", (chapter.numeral for chapter in catalogue.chapters))
    yield from _repeated("articles", (article.number for article in catalogue.articles))
    yield from _repeated("offences", (offence.code for offence in catalogue.offences))
    yield from _repeated("enums", (enum.name for enum in catalogue.enums))
    for enum in catalogue.enums:
        yield from _repeated(f"enum {enum.name}", enum.keys)
    yield from _repeated("refusal_grounds", (g.key for g in catalogue.refusal_grounds))
    yield from _repeated("excluded_grounds", (g.key for g in catalogue.excluded_grounds))
    yield from _repeated("conditions", (c.key for c in catalogue.conditions))
    yield from _repeated("kinds", catalogue.kind_keys)
    for kind in catalogue.kinds:
        where = f"kind {kind.key}"
        yield from _repeated(f"{where}: contents", (item.key for item in kind.contents))
        yield from _repeated(f"{where}: periods", (period.key for period in kind.periods))
        yield from _repeated(f"{where}: refusal_grounds", (g.key for g in kind.refusal_grounds))
        yield from _repeated(f"{where}: excluded_grounds", (g.key for g in kind.excluded_grounds))
        yield from _repeated(f"{where}: conditions", (c.key for c in kind.conditions))


def _everything(catalogue: Catalogue) -> tuple[Any, ...]:
    return (
        catalogue.chapters,
        catalogue.articles,
        catalogue.offences,
        catalogue.enums,
        catalogue.refusal_grounds,
        catalogue.excluded_grounds,
        catalogue.conditions,
        catalogue.kinds,
        catalogue.treaty_rules,
    )


def _sources(value: Any, path: str) -> Iterator[tuple[str, Source]]:
    """Every :class:`Source` inside a model tree, with where it sits."""
    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _sources(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, tuple):
        for index, inner in enumerate(value):
            yield from _sources(inner, f"{path}[{index}]")


def _kind_problems(
    catalogue: Catalogue, kind: RequestKind, articles: set[int]
) -> list[FieldProblem]:
    where = f"kind {kind.key}"
    problems = [
        _problem(where, f"names article {number}, not in articles.yaml")
        for number in kind.articles
        if number not in articles
    ]
    enums = {enum.name: enum.keys for enum in catalogue.enums}
    items = {item.key: item for item in kind.contents}
    for item in kind.contents:
        at = f"{where}: item {item.key}"
        if item.enum is not None and item.enum not in enums:
            problems.append(_problem(at, f"no value set {item.enum!r}"))
        if item.not_before is not None:
            other = items.get(item.not_before)
            if other is None or other.type is not FieldType.DATE:
                problems.append(_problem(at, f"not_before {item.not_before!r} is not a date item"))
        if item.trigger is not None:
            problems.extend(_trigger_problems(at, item, item.trigger, items, enums))
    for period in kind.periods:
        if period.agreed_in is not None:
            problems.extend(_agreement_problems(f"{where}: period {period.key}", period, items))
    return problems


def _agreement_problems(
    at: str, period: Period, items: dict[str, ContentItem]
) -> list[FieldProblem]:
    """An agreed period is a whole number of days, at least one, with a maximum."""
    item = items.get(period.agreed_in or "")
    if item is None or item.type is not FieldType.INTEGER:
        return [_problem(at, f"agreed_in {period.agreed_in!r} is not an integer item")]
    if item.minimum is None or item.minimum < 1 or item.maximum is None:
        return [_problem(at, f"agreed_in {item.key!r} needs a minimum of at least 1 and a maximum")]
    return []


def _trigger_problems(
    at: str,
    item: ContentItem,
    trigger: Trigger,
    items: dict[str, ContentItem],
    enums: dict[str, tuple[str, ...]],
) -> list[FieldProblem]:
    target = items.get(trigger.item)
    if target is None or target.key == item.key:
        return [_problem(at, f"trigger item {trigger.item!r} is not another item of this kind")]
    if trigger.is_true and target.type is not FieldType.BOOLEAN:
        return [_problem(at, f"is_true needs a boolean item, {target.key} is {target.type}")]
    values = trigger.includes or trigger.only
    if values:
        allowed = enums.get(target.enum or "", ())
        if not allowed:
            return [_problem(at, f"includes/only need an enum item, {target.key} is not one")]
        return [
            _problem(at, f"trigger value {value!r} is not in value set {target.enum}")
            for value in values
            if value not in allowed
        ]
    return []
