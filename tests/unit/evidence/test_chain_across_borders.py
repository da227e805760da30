"""The chain of custody a court receives runs from the requested State's collection to the
courtroom (issue 14): the export for court carries the originating State's package whole,
and the verifier checks both States' statements, links them by plaintext SHA-256, and
prints one chain. Each fault gives NOT VERIFIED with its reason, never a crash."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest

from hanoi.clock import FixedClock
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.evidence.origins import read_origin
from hanoi.evidence.package import build_package
from hanoi.evidence.package_errors import CustodyNotProven, PackageTampered
from hanoi.evidence.verify import verify_package
from hanoi.reports.verification import chain_links
from unit.evidence.borders_support import (
    DELIVERY,
    REQUEST,
    Borders,
    acquisition,
    export,
    make_borders,
    sources,
    verify,
    vnm_terms,
)
from unit.evidence.package_support import (
    NOW,
    read_statement,
    refresh_tagmanifest,
    resign,
    sha256_file,
    write_evidence,
)


@pytest.fixture
def borders(tmp_path: Path) -> Borders:
    return make_borders(tmp_path)


def test_the_court_export_verifies_with_one_chain_across_both_states(
    borders: Borders, tmp_path: Path
) -> None:
    packed = export(borders, tmp_path / "court.tar")
    report = verify(borders, packed.path)
    assert report.verified, report.shortfalls
    chain = [(s.state, s.event) for s in report.chain()]
    assert chain == [
        ("VNM", "collected"),
        ("VNM", "collected"),
        ("EGY", "received"),
        ("EGY", "exported"),
        ("EGY", "received"),
        ("EGY", "exported"),
    ]
    for step in report.chain():
        assert step.witnesses, step  # cosigned by at least one other State
        assert step.state not in step.witnesses  # never by its own
    assert {s.witnesses for s in report.chain() if s.state == "VNM"} == {("EGY", "FRA")}
    out = report.as_json()
    assert out["verified"] is True
    assert out["reasons"] == []
    [mailbox] = [i for i in out["items"] if i["name"] == "mailbox.mbox"]
    assert mailbox["acquisition"]["legal_basis"].startswith("Production order 17/2026")
    assert mailbox["acquisition"]["obtained_at"] == "2026-11-25T09:30:00Z"
    assert mailbox["acquisition"]["state"] == "VNM"
    assert {c["imposed_by"] for c in out["conditions"]} == {"VNM"}
    assert [o["sending_state"] for o in out["origins"]] == ["VNM"]
    assert "VERIFIED: package" in report.verdict()
    assert "across EGY, VNM" in report.verdict()
    json.dumps(out)  # all JSON


def test_a_provider_s_delivery_is_the_first_step_of_each_file_s_chain(tmp_path: Path) -> None:
    """Issue 20: the delivery VNM logged before its collection travels in VNM's package,
    nested in EGY's export, and the court sees it first, with the provider, the order's
    reference, the time the provider gave and the checksum it declared."""
    borders = make_borders(tmp_path / "b", delivered=True)
    report = verify(borders, export(borders, tmp_path / "court.tar").path)
    assert report.verified, report.shortfalls
    chain = report.chain()
    for f in borders.files:
        mine = [(s.state, s.event) for s in chain if s.evidence_sha256 == sha256_file(f)]
        assert mine == [
            ("VNM", "delivered"),
            ("VNM", "collected"),
            ("EGY", "received"),
            ("EGY", "exported"),
        ]
    delivered = [s for s in chain if s.event == "delivered"]
    assert [s.witnesses for s in delivered] == [("EGY", "FRA")] * 2
    for step in delivered:
        assert step.delivery is not None
        assert {**step.delivery} == {
            **DELIVERY,
            "declared_checksums": [f"SHA256:{step.evidence_sha256}"],
        }
    assert [s["delivery"] for s in report.as_json()["chain"] if s["event"] == "delivered"] == [
        dict(s.delivery or {}) for s in delivered
    ]
    others = [s for s in report.as_json()["chain"] if s["event"] != "delivered"]
    assert len(others) == 6
    assert all("delivery" not in s for s in others)
    links = chain_links(report, package_id="court")  # the court report PDF's rows
    assert {link.provider for link in links if link.action == "delivered"} == {
        ("Example Mail Ltd (VNM)", "VNM-PO-17")
    }
    assert {link.provider for link in links if link.action != "delivered"} == {None}
    lines = report.lines()
    headed = [n for n, line in enumerate(lines) if " VNM delivered by Example Mail Ltd" in line]
    assert len(headed) == 2
    for n in headed:
        assert " VNM delivered by Example Mail Ltd (VNM) to lan (Art. 44): entry " in lines[n]
        assert lines[n + 1].startswith(
            "  delivery   from provider example-mail at 2026-11-25T09:29:58Z (the provider's "
            "time), order VNM-PO-17 (HI-1 order 0f6d2c1e-order), checksum declared SHA256:"
        )


def test_a_nested_statement_from_a_state_not_in_the_trust_file_is_not_verified(
    borders: Borders, tmp_path: Path
) -> None:
    packed = export(borders, tmp_path / "court.tar")
    report = verify(borders, packed.path, borders.trust(borders.egy, borders.fra))
    assert not report.verified
    assert any("not in the trust file" in r for r in report.shortfalls), report.shortfalls
    assert report.verdict().startswith("NOT VERIFIED: ")


def test_files_that_do_not_link_to_the_originating_statement_are_not_verified(
    borders: Borders, tmp_path: Path
) -> None:
    other = write_evidence(tmp_path / "other", {"forged.mbox": 4000})
    borders.egy_log.record(
        CustodyEvent(
            action=CustodyAction.EXPORTED,
            time=NOW,
            node="EGY",
            officer="samir",
            request_id=REQUEST,
            article="Art. 40(19)",
            evidence_sha256=sha256_file(other[0]),
        )
    )
    packed = export(borders, tmp_path / "court.tar", files=other, acquired={})
    report = verify(borders, packed.path)
    assert not report.verified
    assert any("do not link" in r for r in report.shortfalls), report.shortfalls


def test_a_proof_below_the_quorum_is_not_verified(borders: Borders, tmp_path: Path) -> None:
    borders.vnm_log.witnesses = []  # VNM's checkpoints now cosigned by nobody
    unwitnessed = build_package(
        tmp_path / "unwitnessed.tar",
        files=sources(borders.files, {f.name: acquisition(f.name) for f in borders.files}),
        recipients=[borders.egy.keys.age.recipient()],
        signing_key=borders.vnm.keys.signing,
        sending_state="VNM",
        request=REQUEST,
        clock=FixedClock(NOW - timedelta(days=2)),
        terms=vnm_terms(),
        custody=borders.vnm_log,
    ).path
    packed = export(borders, tmp_path / "court2.tar", origin=read_origin(unwitnessed))
    with pytest.raises(CustodyNotProven, match="trusted witness"):
        verify(borders, packed.path)


def test_altered_conditions_are_not_verified(borders: Borders, tmp_path: Path) -> None:
    [use, onward] = vnm_terms()
    softened = dataclasses.replace(use, text="Use for any purpose.")
    packed = export(borders, tmp_path / "court.tar", terms=[softened, onward])
    report = verify(borders, packed.path)
    assert not report.verified
    assert any("missing or altered" in r for r in report.shortfalls)
    assert any("did not set" in r for r in report.shortfalls)
    dropped = export(borders, tmp_path / "court2.tar", terms=[onward])
    assert any("missing or altered" in r for r in verify(borders, dropped.path).shortfalls)


def test_an_altered_acquisition_is_not_verified(borders: Borders, tmp_path: Path) -> None:
    bundle = read_origin(borders.received)
    acquired = {f.name: bundle.acquisition_for(sha256_file(f)) for f in borders.files}
    first = borders.files[0].name
    original = acquired[first]
    assert original is not None
    acquired[first] = dataclasses.replace(original, legal_basis="none")
    packed = export(borders, tmp_path / "court.tar", acquired=acquired)
    report = verify(borders, packed.path)
    assert any("differs from what VNM signed" in r for r in report.shortfalls)


def test_a_file_of_the_originating_package_changed_inside_is_refused(
    borders: Borders, tmp_path: Path
) -> None:
    packed = export(borders, tmp_path / "court", origin=None)
    bag = packed.path
    event = next((bag / "origins").rglob("custody/events/0001.json"))
    event.write_bytes(event.read_bytes().replace(b'"lan"', b'"xxx"'))
    refresh_tagmanifest(bag)
    digests = {p: sha256_file(bag / p) for p in read_statement(bag).tag_files}
    resign(bag, borders.egy.keys.signing, lambda s: dataclasses.replace(s, tag_files=digests))
    with pytest.raises(PackageTampered, match="differs from the file VNM signed"):
        verify(borders, bag)


def test_a_key_given_does_not_identify_a_package_that_carries_another_state_s(
    borders: Borders, tmp_path: Path
) -> None:
    packed = export(borders, tmp_path / "court.tar")
    report = verify_package(
        packed.path, signing_key=borders.egy.keys.signing.public_key(), identities=[borders.court]
    )
    assert not report.verified
    assert any("without a trust file" in r for r in report.shortfalls)
