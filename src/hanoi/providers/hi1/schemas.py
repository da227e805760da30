"""ETSI's HI-1 JSON schemas as one Draft 2020-12 validator, and :func:`validate_message`.

Every vendored schema (ADR 0039) is put in one :class:`referencing.Registry` under its own
``$id`` (``ts_103120_Core_2019_10``, ``ts_103120_Task_2020_09``, ...), with the TS 103 280
stand-in under ``ts_103280_2017_07`` and ETSI's dictionary schema under
``ts_103280_Dictionaries_2019_10``, so that their ``$ref`` resolve without any network
access. The validator for a whole message is ``ts_103120_Core_2019_10`` (whose root is
``HI1Message``); it is built once per process (:func:`message_validator`).

:func:`validate_message` raises :class:`~hanoi.providers.hi1.errors.MessageInvalid` listing
each failing JSON path and reason, at most :data:`~hanoi.providers.hi1.errors.MAX_PROBLEMS`
of them. For ``oneOf`` failures (the payload, the verb of an action, the kind of an object)
the reasons are those of the form the document meant, found by the member that tells the
forms apart (the verb, ``RequestPayload``/``ResponsePayload``, ``@xsi:type``), rather than
"is not valid under any of the given schemas".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hanoi.errors import FieldProblem, Unavailable
from hanoi.providers.hi1.errors import MAX_PROBLEMS, MessageInvalid, problem
from hanoi.providers.hi1.vendored import ETSI, TS103280_STAND_IN, vendored_dir

CORE_ID = "ts_103120_Core_2019_10"
"""The schema of a whole HI-1 message."""
DICTIONARIES_ID = "ts_103280_Dictionaries_2019_10"
"""ETSI's schema of dictionary files (``dictionaries/ts_103120_Dictionaries.schema.json``)."""
TS103280_ID = "ts_103280_2017_07"


def schema_files() -> tuple[Path, ...]:
    """Every schema file the registry holds: ETSI's 11 message schemas, ETSI's dictionary
    schema, and the TS 103 280 stand-in."""
    etsi = vendored_dir(ETSI) / "103120"
    return (
        *sorted((etsi / "schema" / "json").glob("*.schema.json")),
        etsi / "dictionaries" / "ts_103120_Dictionaries.schema.json",
        vendored_dir(TS103280_STAND_IN) / f"{TS103280_ID}.schema.json",
    )


@cache
def registry() -> Registry[Any]:
    """Every vendored schema under its ``$id``. Read once per process."""
    resources: list[tuple[str, Resource[Any]]] = []
    for path in schema_files():
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Unavailable(f"the vendored schema {path.name} cannot be read: {exc}") from None
        resources.append((contents["$id"], DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources).crawl()


def _validator(schema_id: str) -> Draft202012Validator:
    schema = registry().contents(schema_id)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry())


@cache
def message_validator() -> Draft202012Validator:
    """The validator of a whole HI-1 message (``HI1Message``), built once."""
    return _validator(CORE_ID)


@cache
def dictionaries_validator() -> Draft202012Validator:
    """The validator of an ETSI-format dictionary file (``Dictionaries``), built once."""
    return _validator(DICTIONARIES_ID)


def json_path(error: ValidationError) -> str:
    """``error``'s place as a JSON pointer (``#/Payload/RequestPayload/...``)."""
    parts = (str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path)
    return "/".join(("#", *parts))


def _mismatched(branch: list[ValidationError], at: list[str | int]) -> bool:
    """Whether a ``oneOf`` branch failed on the member that tells the forms apart: the
    verb or payload key is ``required`` there, or the ``@xsi:type`` is another's."""
    for error in branch:
        where = list(error.absolute_path)
        if error.validator == "required" and where == at:
            return True
        if error.validator in ("enum", "const") and where[-1:] == ["@xsi:type"]:
            return True
    return False


def _causes(error: ValidationError) -> list[tuple[str, str, bool]]:
    """(path, message, whether it is an unevaluated-property complaint) of what is wrong.

    For a ``oneOf``/``anyOf`` failure, the errors of the form the document meant (the branch
    that did not fail on its discriminating member), recursively; if every form failed on
    it, one problem at the error's place."""
    if not error.context:
        return [(json_path(error), error.message, error.validator == "unevaluatedProperties")]
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    at = list(error.absolute_path)
    meant = [branch for branch in branches.values() if not _mismatched(branch, at)]
    if len(meant) != 1:
        kinds = "form" if len(branches) == 1 else "forms"
        return [(json_path(error), f"matches none of the {len(branches)} allowed {kinds}", False)]
    return [cause for sub in meant[0] for cause in _causes(sub)]


def problems_of(errors: Iterable[ValidationError]) -> tuple[FieldProblem, ...]:
    """At most :data:`MAX_PROBLEMS` field problems, one per failing place and reason. An
    "unevaluated property" complaint is dropped when a problem below it says why the
    property did not match (``CREATE`` is "unexpected" only because its object is wrong)."""
    causes: list[tuple[str, str, bool]] = []
    for error in islice(errors, MAX_PROBLEMS * 5):
        causes.extend(_causes(error))
    kept: dict[tuple[str, str], FieldProblem] = {}
    for path, message, unevaluated in causes:
        if unevaluated and any(other.startswith(f"{path}/") for other, _, _ in causes):
            continue
        kept.setdefault((path, message), problem(path, message))
    return tuple(sorted(kept.values(), key=lambda p: p.path)[:MAX_PROBLEMS])


def _errors(validator: Draft202012Validator, document: object) -> Iterator[ValidationError]:
    return iter(validator.iter_errors(document))


def validate_message(document: object) -> None:
    """Accept ``document`` if ETSI's schemas accept it as a HI-1 message; otherwise raise
    :class:`~hanoi.providers.hi1.errors.MessageInvalid` with every failing path (bounded)."""
    problems = problems_of(_errors(message_validator(), document))
    if problems:
        first = problems[0]
        raise MessageInvalid(
            f"not a valid HI-1 message: {first.path}: {first.message}", fields=problems
        )


def validate_dictionaries(document: Mapping[str, object]) -> None:
    """Accept ``document`` if it is an ETSI-format dictionary file; :class:`MessageInvalid`
    otherwise."""
    problems = problems_of(_errors(dictionaries_validator(), document))
    if problems:
        raise MessageInvalid("not a valid dictionary file", fields=problems)
