"""Evidence a State without a node sent off the network (on media, by courier or in the
diplomatic bag; issue 17, point 5b): the item says from which State, by which channel,
under which reference; the signed statement and the CASE/UCO description carry it, and a
statement of an item received otherwise is what it was before."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from hanoi.cooperation.routes import Route
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.errors import InvalidInput
from hanoi.evidence.caseuco import DescribedFile, DescribedStep, case_uco_bytes, describe_package
from hanoi.evidence.items import EvidenceItem
from hanoi.evidence.package import acquisition_of
from hanoi.evidence.package_errors import MalformedPackage
from hanoi.evidence.provenance import PayloadAcquisition
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import NOW, KeyedNode, make_node, read_statement
from unit.evidence.received_support import RECEIPT, REFERENCE, REQUEST, acquisition, packed_with

OCTETS = "application/octet-stream"


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {f.path for f in error.value.fields}


# --- the item ---------------------------------------------------------------------------


def test_an_item_names_the_state_the_channel_and_the_reference() -> None:
    a = acquisition(received_from="GHA", channel="courier", channel_reference=REFERENCE)
    assert a.channel is Route.COURIER  # the channel's name is read as the Route
    assert acquisition().channel is None


@pytest.mark.parametrize(
    "given",
    [
        {"received_from": "GHA"},
        {"channel": Route.COURIER},
        {"channel_reference": REFERENCE},
        {"received_from": "GHA", "channel": Route.COURIER},
    ],
)
def test_the_three_come_together_or_not_at_all(given: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as error:
        acquisition(**given)
    assert problems(error) == {"received_from", "channel", "channel_reference"} - set(given)
    assert "together" in str(error.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_from": "gha"}, "received_from"),
        ({"received_from": "GHAN"}, "received_from"),
        ({"channel": "hanoi"}, "channel"),
        ({"channel": Route.HANOI}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel_reference": "x" * 201}, "channel_reference"),
        ({"channel_reference": "   "}, "channel_reference"),
        ({"channel_reference": "note 17\n2026"}, "channel_reference"),
        ({"channel_reference": "note\x0017"}, "channel_reference"),
    ],
)
def test_a_bad_receipt_is_refused_beside_its_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        acquisition(**{**RECEIPT, **change})
    assert problems(error) == {field}


def test_the_network_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidInput, match="arrives in a package, not by hand"):
        acquisition(**{**RECEIPT, "channel": "hanoi"})


def test_a_reference_of_200_characters_is_accepted() -> None:
    assert acquisition(**{**RECEIPT, "channel_reference": "x" * 200}).channel_reference


# --- the statement ----------------------------------------------------------------------


def test_the_collecting_state_stays_and_the_sending_state_is_its_own_member() -> None:
    item = EvidenceItem("a" * 32, "b" * 64, 10, acquisition(**RECEIPT), NOW)
    stated = acquisition_of(item, collected_by="EGY").to_json()
    assert stated["state"] == "EGY"
    assert (stated["received_from"], stated["channel"], stated["channel_reference"]) == (
        "GHA",
        "diplomatic",
        REFERENCE,
    )
    assert PayloadAcquisition.from_json(stated) == acquisition_of(item, collected_by="EGY")


def test_an_item_received_otherwise_is_stated_as_before() -> None:
    item = EvidenceItem("a" * 32, "b" * 64, 10, acquisition(), NOW)
    assert set(acquisition_of(item, collected_by="EGY").to_json()) == {
        "source_kind",
        "source",
        "obtained_at",
        "method",
        "officer",
        "state",
        "article",
        "legal_basis",
        "authority",
    }


def stated(**changes: Any) -> dict[str, Any]:
    item = EvidenceItem("a" * 32, "b" * 64, 10, acquisition(**RECEIPT), NOW)
    return {**acquisition_of(item, collected_by="EGY").to_json(), **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"channel": "hanoi"},
        {"channel": "Diplomatic bag"},
        {"received_from": "Ghana"},
        {"received_from": "EGY"},  # the collecting State itself
        {"channel_reference": "x" * 201},
        {"channel_reference": "a\tb"},
    ],
)
def test_a_statement_with_a_bad_receipt_is_malformed(changes: dict[str, Any]) -> None:
    with pytest.raises(MalformedPackage):
        PayloadAcquisition.from_json(stated(**changes))


def test_a_statement_with_part_of_a_receipt_is_malformed() -> None:
    value = stated()
    del value["channel_reference"]
    with pytest.raises(MalformedPackage, match="together"):
        PayloadAcquisition.from_json(value)


def test_a_reader_keeps_a_channel_it_does_not_know_yet() -> None:
    assert PayloadAcquisition.from_json(stated(channel="satellite")).channel == "satellite"


# --- the package ------------------------------------------------------------------------


@pytest.fixture
def node() -> KeyedNode:
    return make_node("EGY")


def test_the_package_states_and_verifies_where_the_file_came_from(
    node: KeyedNode, tmp_path: Path
) -> None:
    received = acquisition(**RECEIPT)
    collected = acquisition(original_name="here.bin", legal_basis=None)
    packed = packed_with(node, tmp_path / "pkg", received, collected)
    statement = read_statement(packed.path)
    first, second = (e.acquisition for e in statement.payload)
    assert first is not None
    assert second is not None
    assert (first.state, first.received_from, first.channel) == ("EGY", "GHA", "diplomatic")
    assert second.received_from is None
    report = verify_package(packed.path, trust=TrustStore((node.identity,)))
    assert report.verified, report.verdict()
    [item, other] = report.items()
    assert item["acquisition"]["received_from"] == "GHA"
    assert item["acquisition"]["channel"] == "diplomatic"
    assert item["acquisition"]["channel_reference"] == REFERENCE
    assert "received_from" not in other["acquisition"]
    lines = report.lines()
    assert f"  received   off the network from GHA by diplomatic, reference {REFERENCE}" in lines


def test_case_uco_records_the_receipt_on_the_acquisition(node: KeyedNode, tmp_path: Path) -> None:
    packed = packed_with(node, tmp_path / "pkg", acquisition(**RECEIPT), acquisition())
    graph = json.loads((packed.path / "case-uco.jsonld").read_text())["@graph"]
    by_id = {n["@id"]: n for n in graph}
    actions = [n for n in graph if n["@type"].endswith("InvestigativeAction")]
    received, plain = (n for n in actions if n["uco-core:name"] == "acquisition")
    assert received["uco-core:description"].endswith(
        f"; received off the network from GHA by diplomatic, reference {REFERENCE}"
    )
    participants = [by_id[p["@id"]]["uco-core:name"] for p in received["uco-action:participant"]]
    assert participants == ["Ghana Police Service, Cybercrime Unit", "GHA"]
    [record] = (by_id[r["@id"]] for r in received["uco-action:result"])
    assert "from GHA by diplomatic" in record["uco-core:description"]
    assert "off the network" not in plain["uco-core:description"]
    assert [by_id[p["@id"]]["uco-core:name"] for p in plain["uco-action:participant"]] == [
        "Ghana Police Service, Cybercrime Unit"
    ]


# Digests of the CASE/UCO description of one file, as the code wrote it before receipts
# off the network existed (computed with that code): a file without a receipt must still
# be described byte for byte the same.
DESCRIBED_BEFORE = {
    "with legal basis and authority": (
        "7171210d409f66158fcbc2eae9560fea09f1f8ba9914f52e362cf1a31cae6763"
    ),
    "without them": "77a12ee4d62c1da411b931eb2f7aac8f6bf6695b08ff7b3ddaef658e5de6111b",
}


def described(a: PayloadAcquisition) -> bytes:
    return case_uco_bytes(
        describe_package(
            package_id="3a7015ce-5599-4af4-b70d-2538ec683e7e",
            created=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
            sending_state="EGY",
            request=REQUEST,
            files=[DescribedFile("data/a.bin.age", "a.bin", "ab" * 32, 10, OCTETS, a)],
            custody=[
                DescribedStep(
                    CustodyEvent(
                        action=CustodyAction.COLLECTED,
                        time=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
                        node="EGY",
                        officer="amira",
                        request_id=REQUEST,
                        article="Art. 44",
                        evidence_sha256="ab" * 32,
                    ),
                    b"\x01" * 32,
                    "hanoi.node/egy/x",
                    3,
                )
            ],
        )
    )


PLAIN = PayloadAcquisition(
    source_kind="device",
    source="USB stick",
    obtained_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    method="image",
    officer="amira",
    state="EGY",
    article="Art. 40(17)",
    legal_basis="Warrant 5/2026",
    authority="Police",
)
BARE = PayloadAcquisition(
    source_kind="provider",
    source="Mail Ltd",
    obtained_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    method="export",
    officer="lan",
    state="VNM",
    article="Art. 44",
)


@pytest.mark.parametrize(
    ("a", "digest"),
    [
        (PLAIN, DESCRIBED_BEFORE["with legal basis and authority"]),
        (BARE, DESCRIBED_BEFORE["without them"]),
    ],
)
def test_a_file_without_a_receipt_is_described_as_before(
    a: PayloadAcquisition, digest: str
) -> None:
    assert hashlib.sha256(described(a)).hexdigest() == digest


def test_a_file_without_a_receipt_is_stated_as_before() -> None:
    assert rfc8785.dumps(PLAIN.to_json()) == (
        b'{"article":"Art. 40(17)","authority":"Police","legal_basis":"Warrant 5/2026",'
        b'"method":"image","obtained_at":"2026-11-20T08:00:00Z","officer":"amira",'
        b'"source":"USB stick","source_kind":"device","state":"EGY"}'
    )


def test_a_receipt_changes_only_the_acquisitions_description_and_participants() -> None:
    with_receipt = replace(
        PLAIN, received_from="GHA", channel="courier", channel_reference=REFERENCE
    )
    before = {n["@id"]: n for n in json.loads(described(PLAIN))["@graph"]}
    after = {n["@id"]: n for n in json.loads(described(with_receipt))["@graph"]}
    [added] = (after[key] for key in after.keys() - before.keys())
    assert (added["@type"], added["uco-core:name"]) == ("uco-identity:Organization", "GHA")
    changed = [n for key, n in before.items() if after[key] != n]
    assert [(n["@type"], n.get("uco-core:name")) for n in changed] == [
        ("case-investigation:ProvenanceRecord", None),
        ("case-investigation:InvestigativeAction", "acquisition"),
    ]
