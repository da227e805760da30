"""The profile's dictionaries: ETSI's format, and in step with the Convention catalogue."""

from __future__ import annotations

import json
from importlib.resources import files

from hanoi.convention.loading import default_catalogue
from hanoi.providers.hi1.schemas import validate_dictionaries
from hanoi.providers.hi1.vocabulary import (
    DISCLOSURE_KINDS,
    LEGAL_TYPE,
    PRESERVATION_KINDS,
    REFUSAL_GROUND,
    authorisation_only_kinds,
    etsi_dictionaries,
    known_value,
    render_un_dictionaries,
    shipped_un_dictionaries,
)

SHIPPED = files("hanoi.providers.hi1").joinpath("dictionaries", "un_dictionaries.json")


def test_the_shipped_file_is_what_the_catalogue_generates() -> None:
    # When the catalogue changes, regenerate the file (see hanoi.providers.hi1.vocabulary).
    assert SHIPPED.read_text(encoding="utf-8") == render_un_dictionaries()


def test_the_shipped_file_is_in_etsis_dictionary_format() -> None:
    validate_dictionaries(json.loads(SHIPPED.read_text(encoding="utf-8")))


def test_every_refusal_ground_of_the_catalogue_is_a_un_value() -> None:
    catalogue = default_catalogue()
    grounds = shipped_un_dictionaries()[REFUSAL_GROUND]
    assert grounds == {ground.key for ground in catalogue.refusal_grounds}
    assert known_value("UN", REFUSAL_GROUND, "essential-interests")


def test_the_request_kinds_are_the_catalogues_own() -> None:
    kinds = shipped_un_dictionaries()[LEGAL_TYPE]
    assert kinds == set(default_catalogue().kind_keys)


def test_every_kind_has_a_task_or_is_declared_to_have_none() -> None:
    preservation, disclosure = set(PRESERVATION_KINDS), set(DISCLOSURE_KINDS)
    alone = set(authorisation_only_kinds())
    assert not preservation & disclosure
    assert not (preservation | disclosure) & alone
    assert preservation | disclosure | alone == set(default_catalogue().kind_keys)
    assert "mla-interception-of-content-data" in alone


def test_etsis_dictionaries_are_read_from_the_vendored_xml() -> None:
    etsi = etsi_dictionaries()
    assert {"SubscriberData", "TrafficData", "StoredContentData"} <= etsi["RequestType"]
    assert {"Preserved", "PreservationNotAvailable"} <= etsi["LPTaskStatus"]
    assert {"Disclosed", "DisclosureNotAvailable"} <= etsi["LDTaskStatus"]
    assert known_value("ETSI", "RequestType", "SubscriberData")
    assert not known_value("ETSI", "RequestType", "Everything")
    assert not known_value("XX", "RequestType", "SubscriberData")
