"""A real ``hanoi provider-sim`` process and a real ``hanoi serve`` node: an officer orders the
provider from the command line, the node's background worker polls it, and the deliveries
become evidence of the request; a simulator told to reject shows its reason."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from conftest import run_hanoi, serving
from hanoi.accounts.model import Role
from hanoi.convention import default_catalogue
from hanoi.cooperation.offline import LetterScan, Registration
from hanoi.cooperation.routes import ChannelRecord, Route
from hanoi.cooperation.service import StepInput
from hanoi.providers.model import ProviderFields
from support_nodes import init_folder, open_at
from support_provider_orders import simulator
from unit.cooperation.builders import complete_contents


def executing_node(folder: Path, endpoint: str) -> str:
    """VNM's node with a request registered from France's letter and accepted, and the
    simulator in its provider directory; the request's id."""
    init_folder(folder, "VNM")
    node = open_at(folder, users={"lan": Role.SUPERVISOR, "root": Role.ADMINISTRATOR})
    try:
        lan = node.accounts.named("lan")
        view = node.cooperation.register(
            lan,
            Registration(
                kind="mla-stored-data",
                requesting_state="FRA",
                requesting_authority="Bureau de l'entraide pénale internationale",
                via=ChannelRecord(channel=Route.DIPLOMATIC, on=date(2026, 3, 9), reference="NV 1"),
                contents=complete_contents(default_catalogue().kind("mla-stored-data")),
                scan=LetterScan(data=b"%PDF-1.4 scan of the note", title="Note verbale"),
            ),
        )
        request_id = view.request.id
        for step in ("acknowledge", "accept"):
            node.cooperation.take(lan, request_id, StepInput(transition=step))
        node.providers.create(
            node.accounts.named("root"),
            "vnm-sim",
            ProviderFields(
                name="Simulated provider",
                endpoint=endpoint,
                country_code="VN",
                unique_identifier="hanoi-provider-sim",
            ),
        )
        return request_id
    finally:
        node.close()


def order(folder: Path, request_id: str, order_file: Path) -> dict[str, Any]:
    done = run_hanoi(
        "requests", "order-provider", request_id, "--dir", str(folder), "--user", "lan",
        "--provider", "vnm-sim", "--identifier", "EmailAddress=suspect@example.vn",
        "--deadline", "2030-01-01T00:00:00Z", "--from", "2026-01-01T00:00:00Z",
        "--to", "2026-03-01T00:00:00Z", "--order-file", str(order_file),
        "--domestic-ref", "VNM-PO-7", "--legal-basis", "Criminal Procedure Code", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def orders(folder: Path, request_id: str) -> list[dict[str, Any]]:
    done = run_hanoi(
        "requests", "provider-orders", request_id, "--dir", str(folder), "--user", "lan", "--json"
    )
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def test_an_order_through_real_processes_ends_as_evidence(tmp_path: Path) -> None:
    order_file = tmp_path / "order.pdf"
    order_file.write_bytes(b"%PDF-1.7 domestic production order")
    with simulator("--delay", "1") as endpoint:
        folder = tmp_path / "vnm"
        request_id = executing_node(folder, endpoint)
        issued = order(folder, request_id, order_file)
        assert issued["status"] == "awaiting"
        with serving(folder, env={"HANOI_PROVIDER_POLL_SECONDS": "1"}):
            deadline = time.monotonic() + 60
            while True:
                (current,) = orders(folder, request_id)
                if current["complete"]:
                    break
                assert time.monotonic() < deadline, current
                time.sleep(0.5)
        assert current["status"] == "disclosed"
        assert [d["outcome"] for d in current["deliveries"]] == ["ingested", "ingested"]
        node = open_at(folder)
        try:
            items = node.evidence.held_for_request(request_id)
        finally:
            node.close()
        assert {i.acquisition.original_name for i in items} == {
            "subscriber-data.json",
            "traffic-data.csv",
        }
        assert {i.id for i in items} == {d["evidence_item_id"] for d in current["deliveries"]}
        assert all(i.acquisition.source == "Simulated provider" for i in items)
        (note,) = current["notifications"]
        assert note["details"] == "The data are disclosed in 2 deliveries."
        plain = run_hanoi(
            "requests", "provider-orders", request_id, "--dir", str(folder), "--user", "lan"
        )
        assert f"  notification {note['object_id']}\tGeneral\t{note['details']}" in plain.stdout


def test_a_rejecting_simulator_gives_its_reason(tmp_path: Path) -> None:
    order_file = tmp_path / "order.txt"
    order_file.write_text("domestic order")
    with simulator("--reject", "the account was closed in 2025") as endpoint:
        folder = tmp_path / "vnm"
        request_id = executing_node(folder, endpoint)
        rejected = order(folder, request_id, order_file)
    assert rejected["status"] == "rejected"
    assert rejected["error"] == "the account was closed in 2025"
    plain = run_hanoi(
        "requests", "provider-orders", request_id, "--dir", str(folder), "--user", "lan"
    )
    assert "the account was closed in 2025" in plain.stdout


def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    order_file = tmp_path / "order.txt"
    order_file.write_text("domestic order")
    refused = run_hanoi("provider-sim", "--port", "9", "--host", "0.0.0.0")
    assert refused.returncode == 2
    assert "loopback" in refused.stderr
    with simulator() as endpoint:
        folder = tmp_path / "vnm"
        request_id = executing_node(folder, endpoint)
        bad = run_hanoi(
            "requests", "order-provider", request_id, "--dir", str(folder), "--user", "lan",
            "--provider", "vnm-sim", "--identifier", "suspect@example.vn",
            "--deadline", "2030-01-01T00:00:00Z", "--order-file", str(order_file),
            "--domestic-ref", "VNM-PO-8", "--legal-basis", "Code",
        )  # fmt: skip
        assert bad.returncode == 2
        assert bad.stderr.startswith("hanoi: invalid input:")
        assert "TYPE=VALUE" in bad.stderr
        unknown = run_hanoi(
            "requests", "provider-orders", "EGY-2026-NOPE", "--dir", str(folder), "--user", "lan"
        )
        assert unknown.returncode == 3
