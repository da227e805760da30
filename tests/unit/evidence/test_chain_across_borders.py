"""The chain of custody a court receives runs from the requested State's collection to the
courtroom (issue 14): the export for court carries the originating State's package whole,
and the verifier checks both States' statements, links them by plaintext SHA-256, and
prints one chain. Each fault gives NOT VERIFIED with its reason, never a crash."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from hanoi.clock import FixedClock
from hanoi.crypto.agekeys import AgeIdentity
from hanoi.custody.events import CustodyAction, CustodyEvent
from hanoi.evidence.origins import OriginBundle, read_origin
from hanoi.evidence.package import PackedPackage, PayloadSource, build_package
from hanoi.evidence.package_errors import CustodyNotProven, PackageTampered
from hanoi.evidence.provenance import PayloadAcquisition, Term
from hanoi.evidence.report import PackageReport
from hanoi.evidence.trust import TrustStore
from hanoi.evidence.verify import verify_package
from unit.evidence.package_support import (
    NOW,
    KeyedNode,
    MemoryCustody,
    make_node,
    read_statement,
    refresh_tagmanifest,
    resign,
    sha256_file,
    write_evidence,
)

REQUEST = "EGY-2026-00042"
OBTAINED = NOW - timedelta(days=3)


@dataclass
class Borders:
    egy: KeyedNode
    vnm: KeyedNode
    fra: KeyedNode
    court: AgeIdentity
    files: list[Path]
    received: Path  # VNM's package as EGY holds it
    egy_log: MemoryCustody
    vnm_log: MemoryCustody

    def trust(self, *nodes: KeyedNode, quorum: int = 1) -> TrustStore:
        chosen = nodes or (self.egy, self.vnm, self.fra)
        return TrustStore(tuple(n.identity for n in chosen), quorum)


def acquisition(name: str) -> PayloadAcquisition:
    return PayloadAcquisition(
        source_kind="provider",
        source=f"Example Mail Ltd, mailbox of {name}",
        obtained_at=OBTAINED,
        method="export by the provider",
        officer="lan",
        state="VNM",
        article="Art. 44",
        legal_basis="Production order 17/2026 of the Hanoi People's Procuracy",
        authority="Supreme People's Procuracy of Viet Nam",
    )


def vnm_terms() -> tuple[Term, ...]:
    return (
        Term(
            kind="use-limitation",
            imposed_by="VNM",
            text="Use only for the proceedings of request EGY-2026-00042; ask VNM otherwise.",
            article="Art. 40(19)",
        ),
        Term(
            kind="onward-transfer-authorization",
            imposed_by="VNM",
            text="No transfer to a third State without VNM's written authorization.",
            article="Art. 36(3)",
            step="accept",
            step_time=NOW - timedelta(days=5),
            agreed_time=NOW - timedelta(days=4),
        ),
    )


def sources(files: Sequence[Path], acquired: dict[str, PayloadAcquisition | None]) -> list:  # type: ignore[type-arg]
    return [
        PayloadSource(
            name=f.name,
            open=lambda f=f: f.open("rb"),  # type: ignore[misc]
            size=f.stat().st_size,
            acquisition=acquired.get(f.name),
        )
        for f in files
    ]


@pytest.fixture
def borders(tmp_path: Path) -> Borders:
    egy, vnm, fra = make_node("EGY"), make_node("VNM"), make_node("FRA")
    files = write_evidence(tmp_path / "in", {"mailbox.mbox": 5000, "subscriber.csv": 300})
    vnm_log = MemoryCustody(vnm, witnesses=[egy, fra])
    for f in files:
        collected = CustodyEvent(
            action=CustodyAction.COLLECTED, time=OBTAINED, node="VNM", officer="lan",
            request_id=REQUEST, article="Art. 44", evidence_sha256=sha256_file(f),
        )  # fmt: skip
        vnm_log.record(collected)
    received = build_package(
        tmp_path / "vnm-to-egy.tar",
        files=sources(files, {f.name: acquisition(f.name) for f in files}),
        recipients=[egy.keys.age.recipient()],
        signing_key=vnm.keys.signing,
        sending_state="VNM",
        request=REQUEST,
        clock=FixedClock(NOW - timedelta(days=2)),
        terms=vnm_terms(),
        custody=vnm_log,
    ).path
    egy_log = MemoryCustody(egy, witnesses=[vnm, fra])
    for f in files:
        for action in (CustodyAction.RECEIVED, CustodyAction.EXPORTED):
            egy_log.record(
                CustodyEvent(
                    action=action,
                    time=NOW - timedelta(days=1) + timedelta(hours=len(egy_log.logged)),
                    node="EGY",
                    officer="egy-node" if action is CustodyAction.RECEIVED else "samir",
                    request_id=REQUEST,
                    article="Art. 40(17)" if action is CustodyAction.RECEIVED else "Art. 40(19)",
                    evidence_sha256=sha256_file(f),
                )
            )
    return Borders(egy, vnm, fra, AgeIdentity.generate(), files, received, egy_log, vnm_log)


def export(
    b: Borders,
    out: Path,
    *,
    files: Sequence[Path] | None = None,
    terms: Sequence[Term] | None = None,
    origin: OriginBundle | None = None,
    acquired: dict[str, PayloadAcquisition | None] | None = None,
) -> PackedPackage:
    """What EGY's node does for its court: the files re-encrypted, VNM's package inside."""
    bundle = origin or read_origin(b.received)
    chosen = list(files or b.files)
    return build_package(
        out,
        files=sources(
            chosen,
            acquired
            if acquired is not None
            else {f.name: bundle.acquisition_for(sha256_file(f)) for f in chosen},
        ),
        recipients=[b.court.recipient()],
        signing_key=b.egy.keys.signing,
        sending_state="EGY",
        request=REQUEST,
        clock=FixedClock(NOW),
        terms=bundle.statement.terms if terms is None else tuple(terms),
        origins=[bundle],
        custody=b.egy_log,
    )


def verify(b: Borders, path: Path, trust: TrustStore | None = None) -> PackageReport:
    return verify_package(path, trust=trust or b.trust(), identities=[b.court])


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
