"""A letter's custody proof (ADR 0031): Egypt issues a letter of request, Viet Nam's witness
cosigns Egypt's log, and whoever holds the letter checks, without Egypt's node folder,
that Egypt logged it: from a proof file, or by asking Egypt's node (a real ``hanoi
serve``). Changed letters, changed proofs, untrusted logs and unwitnessed letters fail,
each with its exit code."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rfc8785
from fastapi.testclient import TestClient

from conftest import run_hanoi, serving
from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import Language
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.events import CustodyAction
from hanoi.letters.issued import issue_letter, logged_letters
from hanoi.letters.proof import LetterProof, MalformedLetterProof, parse_letter_proof
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_custody import events
from support_directory import import_directory
from support_nodes import build_node
from support_ui import PASSWORD, signed_in
from unit.cooperation.builders import CATALOGUE, complete_contents

pytestmark = pytest.mark.slow

KIND = "mla-stored-data"
VNM_WITNESS = "https://hanoi.vnm.example/witness"


class ClientTransport:
    """tlog-witness to Viet Nam's real witness routes, in process (no DNS for .example)."""

    def __init__(self, client: TestClient) -> None:
        self._client = client

    def add_checkpoint(self, url: str, body: bytes) -> tuple[int, bytes]:
        assert url == VNM_WITNESS
        response = self._client.post("/witness/add-checkpoint", content=body)
        return response.status_code, response.content


@dataclass
class World:
    egy: Node
    vnm: Node
    folder: Path
    letter: Path
    """Egypt's letter of request to Viet Nam, issued and witnessed."""
    proof: Path
    """Its custody proof, as ``hanoi letter proof`` wrote it."""
    trust: Path
    """Egypt's and Viet Nam's nodes as ``hanoi node show`` prints them, quorum 1."""
    certificate: Path

    def sha256(self, path: Path | None = None) -> str:
        return hashlib.sha256((path or self.letter).read_bytes()).hexdigest()


def approved_request(egy: Node) -> str:
    amira = egy.accounts.named("amira")
    contents = complete_contents(CATALOGUE.kind(KIND))
    draft = DraftInput(kind=KIND, requested_state="VNM", contents=contents)
    request_id = egy.cooperation.draft(amira, draft).request.id
    egy.cooperation.assign(amira, request_id, "samir")
    egy.cooperation.take(egy.accounts.named("samir"), request_id, StepInput(transition="approve"))
    return request_id


def node_show(node: Node) -> dict[str, object]:
    shown = run_hanoi("node", "show", "--dir", str(node.settings.node_dir))
    assert shown.returncode == 0, shown.stderr
    value: dict[str, object] = json.loads(shown.stdout)
    return value


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("letter-proof")
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    egy = build_node(root / "egy", "EGY", None, clock)
    vnm = build_node(root / "vnm", "VNM", None, clock)
    try:
        import_directory([egy, vnm], into=[egy, vnm], clock=clock)
        for name, role in (("amira", Role.OFFICER), ("samir", Role.SUPERVISOR)):
            egy.accounts.add_user(name=name, role=role, password=PASSWORD)
        assert egy.peering.sync()
        assert vnm.peering.sync()
        with TestClient(create_app(vnm, background=False)) as vnm_client:
            egy.collector._transport = ClientTransport(vnm_client)
            issued = issue_letter(
                egy, egy.accounts.named("amira"), approved_request(egy), language=Language.EN
            )
            egy.custody.sequence()
            assert egy.collector.collect() == 1  # Viet Nam cosigned Egypt's checkpoint
        letter = root / "letter.pdf"
        letter.write_bytes(issued.pdf)
        proof = root / "letter.proof.json"
        made = run_hanoi("letter", "proof", str(letter), "--dir", str(egy.settings.node_dir),
                         "--out", str(proof), "--wait", "0")  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert str(proof) in made.stdout
        trust = root / "trust.json"
        trust.write_text(
            json.dumps({"nodes": [node_show(egy), node_show(vnm)], "min_witnesses": 1})
        )
        yield World(egy, vnm, root, letter, proof, trust,
                    egy.settings.keys_dir / "document-signing.crt")  # fmt: skip
    finally:
        egy.engine.dispose()
        vnm.engine.dispose()


def verify(world: World, *args: str, letter: Path | None = None) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = run_hanoi(
        "letter", "verify", str(letter or world.letter), "--trust", str(world.certificate),
        *args, "--json",
    )  # fmt: skip
    return result.returncode, json.loads(result.stdout), result.stderr


def changed(world: World, name: str, data: bytes) -> Path:
    path = world.folder / name
    path.write_bytes(data)
    return path


# --- the proof file -----------------------------------------------------------------------


def test_the_proof_holds_the_letter_issued_event_and_a_witnessed_tlog_proof(world: World) -> None:
    data = world.proof.read_bytes()
    assert rfc8785.dumps(json.loads(data)) == data  # canonical JSON
    parsed = parse_letter_proof(data)
    assert parsed.sha256 == world.sha256()
    [logged] = logged_letters(world.egy, world.sha256())
    assert parsed.letter.logged == logged.logged
    assert parsed.letter.event.action is CustodyAction.LETTER_ISSUED
    assert parsed.letter.log_origin == world.egy.identity.log_origin
    # Its checkpoint carries Viet Nam's cosignature: its witness name is on a line of it.
    assert world.vnm.identity.witness_name in parsed.tlog_proof.checkpoint.decode()


def test_letter_verify_with_the_proof_proves_the_custody(world: World) -> None:
    code, result, stderr = verify(
        world, "--proof", str(world.proof), "--log-trust", str(world.trust)
    )
    assert code == 0, stderr
    assert result["signed"] is result["intact"] is result["trusted"] is True
    custody = result["custody"]
    assert custody["found"] is custody["proven"] is True
    assert custody["source"] == "proof"
    assert custody["state"] == "EGY"
    assert custody["purpose"] == "request"
    assert [w.split("+")[0] for w in custody["witnesses"]] == [world.vnm.identity.witness_name]
    text = run_hanoi("letter", "verify", str(world.letter), "--trust", str(world.certificate),
                     "--proof", str(world.proof), "--log-trust", str(world.trust))  # fmt: skip
    assert text.returncode == 0
    assert "proven:      in the checkpoint of size" in text.stdout
    assert text.stdout.rstrip().endswith("VERIFIED")


def test_a_changed_letter_is_not_the_one_the_proof_is_about(world: World) -> None:
    data = bytearray(world.letter.read_bytes())
    data[len(data) // 2] ^= 0x01
    other = changed(world, "changed.pdf", bytes(data))
    code, result, stderr = verify(
        world, "--proof", str(world.proof), "--log-trust", str(world.trust), letter=other
    )
    assert code == 6
    assert result["custody"]["found"] is False
    assert any("the proof is about the file" in p for p in result["problems"])
    assert "Traceback" not in stderr


def test_a_changed_proof_fails(world: World) -> None:
    value = json.loads(world.proof.read_bytes())
    value["event"]["officer"] = "karim"  # someone else issued it, says the proof now
    proof = changed(world, "changed.proof.json", rfc8785.dumps(value))
    code, result, _ = verify(world, "--proof", str(proof), "--log-trust", str(world.trust))
    assert code == 6
    assert result["custody"]["proven"] is False


def test_without_a_trusted_log_the_custody_is_not_proven(world: World) -> None:
    code, result, _ = verify(world, "--proof", str(world.proof))
    assert code == 7
    assert result["custody"]["found"] is True
    assert result["custody"]["proven"] is False
    assert result["problems"] == ["custody not proven: no trust file gives the log's key"]
    vnm_only = changed(world, "vnm-only.json", json.dumps([node_show(world.vnm)]).encode())
    code, result, _ = verify(world, "--proof", str(world.proof), "--log-trust", str(vnm_only))
    assert code == 7
    assert "is not in the trust file" in result["problems"][0]


def test_a_proof_on_a_checkpoint_nobody_cosigned_fails_a_quorum_of_one(world: World) -> None:
    egy = world.egy
    egy.custody.record(events(1))
    egy.custody.sequence()  # a new checkpoint, which nobody cosigned
    [logged] = logged_letters(egy, world.sha256())
    unwitnessed = LetterProof(logged, egy.custody.proof_for(logged.logged.index))
    assert world.vnm.identity.witness_name not in unwitnessed.tlog_proof.checkpoint.decode()
    proof = changed(world, "unwitnessed.proof.json", unwitnessed.to_bytes())
    code, result, _ = verify(world, "--proof", str(proof), "--log-trust", str(world.trust))
    assert code == 6
    assert "witness" in " ".join(result["problems"])


def test_bad_proof_files_and_options_give_one_line(world: World) -> None:
    for name, data in (
        ("not-json.json", b"%PDF-1.7"),
        ("other.json", b'{"type": "hanoi-evidence"}'),
        (
            "bad-tlog.json",
            world.proof.read_bytes().replace(b'"tlog_proof":"', b'"tlog_proof":"x', 1),
        ),
        ("big.json", b" " * (64 * 1024 + 1)),
    ):
        result = run_hanoi("letter", "verify", str(world.letter), "--proof",
                           str(changed(world, name, data)))  # fmt: skip
        assert result.returncode == 2, (name, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    both = run_hanoi("letter", "verify", str(world.letter), "--proof", str(world.proof),
                     "--dir", str(world.egy.settings.node_dir))  # fmt: skip
    assert both.returncode == 2
    assert "give one of --dir, --proof and --node" in both.stderr
    alone = run_hanoi("letter", "verify", str(world.letter), "--log-trust", str(world.trust))
    assert alone.returncode == 2
    assert "--log-trust checks a custody proof" in alone.stderr
    with pytest.raises(MalformedLetterProof, match="lacks"):
        parse_letter_proof(b'{"type": "hanoi-letter-proof", "version": 1}')


def test_letter_proof_of_a_letter_the_node_did_not_issue(world: World) -> None:
    other = changed(world, "not-issued.pdf", b"%PDF-1.7\n" + b"0" * 100)
    out = world.folder / "none.json"
    result = run_hanoi("letter", "proof", str(other), "--dir", str(world.egy.settings.node_dir),
                       "--out", str(out))  # fmt: skip
    assert result.returncode == 3
    assert "logged no letter" in result.stderr
    assert not out.exists()
    again = run_hanoi("letter", "proof", str(world.letter), "--dir",
                      str(world.egy.settings.node_dir), "--out", str(world.proof))  # fmt: skip
    assert again.returncode == 4
    assert "--force" in again.stderr


def test_the_request_page_gives_the_proof_to_the_case_team(world: World) -> None:
    [logged] = logged_letters(world.egy, world.sha256())
    url = f"/ui/requests/{logged.event.request_id}"
    with signed_in(world.egy, "amira", enter=False) as client:
        page = client.get(url, headers={"Accept-Language": "en"}).text
        assert "Send the custody proof with the letter" in page
        answer = client.get(f"{url}/letters/{world.sha256()}.proof.json")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="letter-{logged.event.request_id}-en.proof.json"'
        )
        assert parse_letter_proof(answer.content).letter.logged == logged.logged
        assert client.get(f"{url}/letters/{'0' * 64}.proof.json").status_code == 404
    world.egy.accounts.add_user(name="karim", role=Role.OFFICER, password=PASSWORD)
    with signed_in(world.egy, "karim", enter=False) as client:  # not on the case
        assert client.get(f"{url}/letters/{world.sha256()}.proof.json").status_code == 404


# --- asking the node ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(world: World) -> Iterator[str]:
    with serving(world.egy.settings.node_dir) as server:
        yield server.url


def test_the_node_serves_the_proof_to_anyone_holding_the_letter(world: World, served: str) -> None:
    import httpx

    answer = httpx.get(f"{served}/api/v1/custody/letters/{world.sha256()}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert parse_letter_proof(answer.content).sha256 == world.sha256()
    for digest in ("0" * 64, "not-a-digest"):
        missing = httpx.get(f"{served}/api/v1/custody/letters/{digest}")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


def test_letter_verify_asks_the_node(world: World, served: str) -> None:
    code, result, stderr = verify(world, "--node", served, "--log-trust", str(world.trust))
    assert code == 0, stderr
    assert result["custody"]["proven"] is True
    assert result["custody"]["source"] == "node"
    data = bytearray(world.letter.read_bytes())
    data[len(data) // 3] ^= 0x01
    other = changed(world, "changed-for-node.pdf", bytes(data))
    code, result, _ = verify(world, "--node", served, "--log-trust", str(world.trust), letter=other)
    assert code == 6
    assert "logged no letter for this file" in result["problems"][-1]


def test_a_letter_its_witnesses_have_not_cosigned_yet(world: World, served: str) -> None:
    """Viet Nam's witness is out of the served node's reach (.example): a new letter stays
    unwitnessed. The node answers 409 with Retry-After; the verifier waits, then says so."""
    import httpx

    egy = world.egy
    issued = issue_letter(egy, egy.accounts.named("amira"), approved_request(egy),
                          language=Language.EN)  # fmt: skip
    egy.custody.sequence()
    digest = hashlib.sha256(issued.pdf).hexdigest()
    answer = httpx.get(f"{served}/api/v1/custody/letters/{digest}")
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/not-witnessed-yet")
    assert int(answer.headers["Retry-After"]) >= 1
    letter = changed(world, "unwitnessed.pdf", issued.pdf)
    result = run_hanoi("letter", "verify", str(letter), "--node", served, "--wait", "3")
    assert result.returncode == 8
    assert "have not cosigned" in result.stderr
    assert "waiting for the witnesses" in result.stderr
