"""Evidence a State without a node sent off the network, recorded on a real node (SQLite and
PostgreSQL): the evidence service keeps from which State, by which channel, under which
reference; the court report shows it beside how the file was obtained; and ``case_validate``
accepts the CASE/UCO description of a package holding such a file."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import require_tool
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import Language, default_catalogue
from hanoi.cooperation.routes import Route
from hanoi.cooperation.service import DraftInput
from hanoi.errors import InvalidInput
from hanoi.evidence.items import Acquisition, SourceKind
from hanoi.reports.gather import court_report
from hanoi.reports.render import render_html
from hanoi.wiring import Node
from support_nodes import T0, build_node
from unit.cooperation.builders import complete_contents
from unit.evidence.package_support import make_node as keyed_node
from unit.evidence.received_support import acquisition, packed_with
from unit.reports.render_support import text_of

KIND = "mla-stored-data"
WAYBILL = "AWB 176-2026-0042"


@pytest.fixture
def node(tmp_path: Path, migrated_url: str) -> Iterator[Node]:
    egy = build_node(tmp_path / "egy", "EGY", migrated_url, FixedClock(T0))
    egy.accounts.add_user(name="amira", role=Role.OFFICER, password=None)
    yield egy
    egy.engine.dispose()


def drafted(node: Node) -> str:
    """A request of Egypt to Ghana, which runs no node, on amira's case."""
    contents = complete_contents(default_catalogue().kind(KIND))
    view = node.cooperation.draft(
        node.accounts.named("amira"),
        DraftInput(kind=KIND, requested_state="GHA", contents=contents),
    )
    return view.request.id


def received_by_courier(request_id: str, **changes: Any) -> Acquisition:
    values: dict[str, Any] = {
        "original_name": "phone-image.e01",
        "media_type": "application/octet-stream",
        "source_kind": SourceKind.DEVICE,
        "source": "Seized telephone, on a USB stick sealed by the Ghana Police Service",
        "method": "forensic image made by the Ghana Police Service",
        "acquired_at": T0 - timedelta(days=9),
        "officer": "somebody else",  # recorded in the name of the user who records it
        "request_ref": request_id,
        "article": "Art. 40(17)",
        "legal_basis": "Search warrant 5/2026 of the Accra Circuit Court",
        "authority": "Central Authority of Egypt",
        "received_from": "GHA",
        "channel": Route.COURIER,
        "channel_reference": WAYBILL,
    }
    return Acquisition(**{**values, **changes})


def test_the_service_records_and_reads_back_where_the_evidence_came_from(node: Node) -> None:
    amira = node.accounts.named("amira")
    request_id = drafted(node)
    recorded = node.evidence.ingest(amira, io.BytesIO(b"image"), received_by_courier(request_id))
    item = node.evidence.get(amira, recorded.item.id)
    a = item.acquisition
    assert (a.received_from, a.channel, a.channel_reference) == ("GHA", Route.COURIER, WAYBILL)
    assert a.officer == "amira"
    assert node.evidence.for_request(amira, request_id) == [item]


def test_this_nodes_own_state_is_refused_and_nothing_is_recorded(node: Node) -> None:
    amira = node.accounts.named("amira")
    request_id = drafted(node)
    node.custody.sequence()
    size = node.custody.size()  # the draft's step
    with pytest.raises(InvalidInput, match="another State than EGY"):
        node.evidence.ingest(
            amira, io.BytesIO(b"image"), received_by_courier(request_id, received_from="EGY")
        )
    node.custody.sequence()
    assert node.evidence.for_request(amira, request_id) == []
    assert node.custody.size() == size


def test_the_court_report_shows_the_receipt_beside_the_acquisition(node: Node) -> None:
    amira = node.accounts.named("amira")
    request_id = drafted(node)
    node.evidence.ingest(amira, io.BytesIO(b"image"), received_by_courier(request_id))
    node.evidence.ingest(
        amira,
        io.BytesIO(b"collected here"),
        replace(
            received_by_courier(request_id),
            original_name="subscriber.csv",
            received_from=None,
            channel=None,
            channel_reference=None,
        ),
    )
    node.custody.sequence()
    report = court_report(node, amira, request_id, identities=[])
    text = text_of(render_html(report, Language.EN, catalogue=node.cooperation.catalogue))
    assert f"Received from Ghana by Courier, reference {WAYBILL} GHA" in text
    assert text.count("Received off the network") == 1  # not for the file collected here
    assert "Executing authority Central Authority of Egypt EGY" in text
    assert "Obtained by Egypt" in text


def test_case_validate_accepts_a_package_with_a_receipt(tmp_path: Path) -> None:
    tool = Path(sys.executable).with_name("case_validate")
    validator = str(tool) if tool.exists() else require_tool("case_validate")
    egy = keyed_node("EGY")
    packed = packed_with(
        egy,
        tmp_path / "pkg",
        acquisition(received_from="GHA", channel=Route.COURIER, channel_reference=WAYBILL),
        acquisition(original_name="plain.bin"),
    )
    result = subprocess.run(
        [validator, str(packed.path / "case-uco.jsonld")],
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
    assert b"Conforms: True" in result.stdout
