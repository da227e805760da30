"""The Convention as data: articles, offences, request kinds, validation, treaty status.

A pure package: it reads only its own bundled data files (with
:mod:`importlib.resources`), never the clock, a database or the network.
Dates are passed in.

The main entry points:

- :func:`default_catalogue` -> :class:`Catalogue`: articles, offences, request
  kinds (``catalogue.kind("mla-stored-data")``), refusal grounds, conditions,
  labels in six languages, and the treaty rules of Arts 64-67.
- :func:`validate` / :func:`require_valid`: a draft request against its kind.
- :func:`parse_parties` and :func:`treaty_status`: signatures, instruments and
  entry into force (Art. 65).
"""

from hanoi.convention.catalogue import Catalogue
from hanoi.convention.labels import Language
from hanoi.convention.loading import CatalogueError, default_catalogue, load_catalogue
from hanoi.convention.messages import FindingCode
from hanoi.convention.models import (
    Article,
    AttachableCondition,
    Channel,
    ContentItem,
    FieldType,
    Offence,
    Period,
    RefusalGround,
    RequestKind,
)
from hanoi.convention.parties import (
    PartyRecord,
    bundled_parties_bytes,
    check_parties,
    format_parties,
    parse_parties,
)
from hanoi.convention.sources import Confidence, Source
from hanoi.convention.status import PartyStatus, TreatyStatus, treaty_status
from hanoi.convention.treaty_rules import Instrument, PartyKind, TreatyRules
from hanoi.convention.validation import Draft, Finding, is_required, require_valid, validate

__all__ = [
    "Article",
    "AttachableCondition",
    "Catalogue",
    "CatalogueError",
    "Channel",
    "Confidence",
    "ContentItem",
    "Draft",
    "FieldType",
    "Finding",
    "FindingCode",
    "Instrument",
    "Language",
    "Offence",
    "PartyKind",
    "PartyRecord",
    "PartyStatus",
    "Period",
    "RefusalGround",
    "RequestKind",
    "Source",
    "TreatyRules",
    "TreatyStatus",
    "bundled_parties_bytes",
    "check_parties",
    "default_catalogue",
    "format_parties",
    "is_required",
    "load_catalogue",
    "parse_parties",
    "require_valid",
    "treaty_status",
    "validate",
]
