"""Reading the catalogue from its YAML files and checking it as a whole.

The files live in ``hanoi/convention/data`` and are read with
:mod:`importlib.resources`, so they work from a wheel or a zip. Each file is
validated against a frozen model; then every cross-reference is checked
(cited articles exist, items name real value sets, triggers point at items
of the same kind, every label exists in English). All problems are collected
and raised together as one :class:`CatalogueError`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, Discriminator, Field, Tag, ValidationError

from hanoi.convention.catalogue import Catalogue
from hanoi.convention.checks import catalogue_problems
from hanoi.convention.labels import Language, label_book, label_problems
from hanoi.convention.models import (
    OFFENCE_ENUM,
    Applies,
    Article,
    AttachableCondition,
    ChannelRule,
    Chapter,
    ContentItem,
    EnumSet,
    EnumValue,
    ExcludedGround,
    Frozen,
    Key,
    Offence,
    Period,
    RefusalGround,
    RequestKind,
    Transmission,
)
from hanoi.convention.sources import ArticleNumber, Source
from hanoi.convention.treaty_rules import TreatyRules
from hanoi.errors import FieldProblem, HanoiError

DATA_PACKAGE = "hanoi.convention"
DATA_FOLDER = "data"


class CatalogueError(HanoiError):
    """A data file of the catalogue is missing, malformed or inconsistent."""

    title = "Invalid Convention catalogue"
    type_slug = "invalid-catalogue"


# --- file schemas ----------------------------------------------------------------------


class ArticlesFile(Frozen):
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]


class OffencesFile(Frozen):
    offences: tuple[Offence, ...]


class EnumsFile(Frozen):
    enums: tuple[EnumSet, ...]


class ProvisionsFile(Frozen):
    refusal_grounds: tuple[RefusalGround, ...]
    excluded_grounds: tuple[ExcludedGround, ...]
    conditions: tuple[AttachableCondition, ...]


class UseSet(Frozen):
    use: Key


class AppliesSpec(Frozen):
    key: Key
    source: Source | None = None


def _entry_tag(value: Any) -> str:
    is_use = isinstance(value, UseSet) or (isinstance(value, dict) and "use" in value)
    return "use" if is_use else "item"


ContentEntry = Annotated[
    Annotated[UseSet, Tag("use")] | Annotated[ContentItem, Tag("item")],
    Discriminator(_entry_tag),
]


class KindSpec(Frozen):
    key: Key
    articles: tuple[ArticleNumber, ...]
    source: Source
    channels: tuple[ChannelRule, ...]
    transmission: Transmission
    contents: tuple[ContentEntry, ...]
    periods: tuple[Period, ...] = ()
    refusal_grounds: tuple[AppliesSpec, ...] = ()
    excluded_grounds: tuple[AppliesSpec, ...] = ()
    conditions: tuple[AppliesSpec, ...] = ()


class KindsFile(Frozen):
    content_sets: dict[Key, tuple[ContentItem, ...]] = Field(default_factory=dict)
    kinds: tuple[KindSpec, ...]


# --- reading ---------------------------------------------------------------------------


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader (libyaml's when available) that refuses duplicate keys.

    PyYAML otherwise keeps the last of two equal keys silently, which would
    hide a mistyped label or rule.
    """


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _read_yaml(root: Traversable, name: str) -> Any:
    try:
        text = root.joinpath(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue file {name}: {exc}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}, line {mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(
            f"catalogue file {name} is not valid YAML",
            fields=(FieldProblem(path=where, message=str(problem)),),
        ) from None


M = TypeVar("M", bound=BaseModel)


def _parse(root: Traversable, name: str, schema: type[M], problems: list[FieldProblem]) -> M | None:
    try:
        return schema.model_validate(_read_yaml(root, name))
    except ValidationError as exc:
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            problems.append(FieldProblem(path=f"{name}: {location}", message=error["msg"]))
        return None


def _flatten(value: Any, prefix: str, out: dict[str, str], problems: list[FieldProblem]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out, problems)
    elif isinstance(value, str) and value.strip():
        out[prefix] = value
    else:
        problems.append(FieldProblem(path=prefix or "(file)", message="a label must be text"))


def _read_labels(root: Traversable, problems: list[FieldProblem]) -> dict[Language, dict[str, str]]:
    texts: dict[Language, dict[str, str]] = {}
    for language in Language:
        name = f"labels/{language.value}.yaml"
        entries: dict[str, str] = {}
        file_problems: list[FieldProblem] = []
        _flatten(_read_yaml(root, name) or {}, "", entries, file_problems)
        problems.extend(
            FieldProblem(path=f"{name}: {p.path}", message=p.message) for p in file_problems
        )
        texts[language] = entries
    return texts


# --- assembling ------------------------------------------------------------------------


def _offence_enum(offences: Iterable[Offence]) -> EnumSet:
    values = tuple(EnumValue(key=offence.code, source=offence.source) for offence in offences)
    return EnumSet(name=OFFENCE_ENUM, values=values)


def _expand(spec: KindSpec, sets: dict[str, tuple[ContentItem, ...]]) -> list[ContentItem]:
    own = {entry.key: entry for entry in spec.contents if isinstance(entry, ContentItem)}
    items: list[ContentItem] = []
    for entry in spec.contents:
        if isinstance(entry, UseSet):
            items.extend(own.pop(item.key, item) for item in sets.get(entry.use, ()))
        elif entry.key in own:
            items.append(own.pop(entry.key))
    return items


def _resolve(
    specs: Iterable[AppliesSpec], own: dict[str, Source], what: str, problems: list[FieldProblem]
) -> tuple[Applies, ...]:
    resolved = []
    for spec in specs:
        source = spec.source or own.get(spec.key)
        if source is None:
            problems.append(FieldProblem(path=f"{what} {spec.key}", message="not defined"))
            continue
        resolved.append(Applies(key=spec.key, source=source))
    return tuple(resolved)


def _build_kind(
    spec: KindSpec, kinds_file: KindsFile, provisions: ProvisionsFile, problems: list[FieldProblem]
) -> RequestKind:
    where = f"request_kinds.yaml: kind {spec.key}"
    for entry in spec.contents:
        if isinstance(entry, UseSet) and entry.use not in kinds_file.content_sets:
            problems.append(FieldProblem(path=where, message=f"no content set {entry.use!r}"))
    grounds = {ground.key: ground.source for ground in provisions.refusal_grounds}
    excluded = {ground.key: ground.source for ground in provisions.excluded_grounds}
    conditions = {condition.key: condition.source for condition in provisions.conditions}
    return RequestKind(
        key=spec.key,
        articles=spec.articles,
        source=spec.source,
        channels=spec.channels,
        contents=tuple(_expand(spec, kinds_file.content_sets)),
        transmission=spec.transmission,
        periods=spec.periods,
        refusal_grounds=_resolve(spec.refusal_grounds, grounds, f"{where}: ground", problems),
        excluded_grounds=_resolve(spec.excluded_grounds, excluded, f"{where}: excluded", problems),
        conditions=_resolve(spec.conditions, conditions, f"{where}: condition", problems),
    )


def load_catalogue(root: Traversable | None = None) -> Catalogue:
    """Read, validate and cross-check the catalogue; raise :class:`CatalogueError`."""
    root = root if root is not None else files(DATA_PACKAGE).joinpath(DATA_FOLDER)
    problems: list[FieldProblem] = []
    articles = _parse(root, "articles.yaml", ArticlesFile, problems)
    offences = _parse(root, "offences.yaml", OffencesFile, problems)
    enums = _parse(root, "enums.yaml", EnumsFile, problems)
    provisions = _parse(root, "provisions.yaml", ProvisionsFile, problems)
    kinds_file = _parse(root, "request_kinds.yaml", KindsFile, problems)
    rules = _parse(root, "final_provisions.yaml", TreatyRules, problems)
    texts = _read_labels(root, problems)
    if (
        problems
        or articles is None
        or offences is None
        or enums is None
        or provisions is None
        or kinds_file is None
        or rules is None
    ):
        raise CatalogueError(
            "the Convention catalogue's data files are malformed", fields=tuple(problems)
        )
    kinds = tuple(_build_kind(spec, kinds_file, provisions, problems) for spec in kinds_file.kinds)
    catalogue = Catalogue(
        chapters=articles.chapters,
        articles=articles.articles,
        offences=offences.offences,
        enums=(*enums.enums, _offence_enum(offences.offences)),
        refusal_grounds=provisions.refusal_grounds,
        excluded_grounds=provisions.excluded_grounds,
        conditions=provisions.conditions,
        kinds=kinds,
        treaty_rules=rules,
        labels=label_book(texts),
    )
    problems.extend(catalogue_problems(catalogue))
    problems.extend(_duplicated_set_items(kinds_file))
    problems.extend(label_problems(catalogue.labels, catalogue.label_keys()))
    if problems:
        raise CatalogueError("the Convention catalogue is inconsistent", fields=tuple(problems))
    return catalogue


def _duplicated_set_items(kinds_file: KindsFile) -> Iterator[FieldProblem]:
    for name, items in kinds_file.content_sets.items():
        for key, count in Counter(item.key for item in items).items():
            if count > 1:
                yield FieldProblem(
                    path=f"request_kinds.yaml: content set {name}", message=f"{key} repeated"
                )


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue bundled with Hanoi, loaded once per process."""
    return load_catalogue()
