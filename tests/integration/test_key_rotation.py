"""Rotating a node's signing key and age identity while evidence is on its way (ADR 0051).

Two nodes in one process (``support_federation``): VNM offers EGY a package signed with
its first key, then rotates its signing key and age identity and restarts. Until the
directory authority publishes VNM's new entry, what VNM's new key signs is refused and
stays in its outbox, while what EGY encrypts to VNM's old recipient still opens. Once
the new directory is held, the package signed with the old key is accepted (the key is
in its overlap period), and so is one signed with the new key; once the overlap is over,
a package signed with the old key is no longer accepted, but one accepted earlier still
verifies for a court.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from conftest import run_hanoi
from hanoi.accounts.model import Role
from hanoi.clock import SystemClock
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.custody.checkpoint import parse_checkpoint
from hanoi.custody.note import parse_note
from hanoi.custody.succession import Succession
from hanoi.directory.authoring import DEFAULT_OVERLAP, assemble, build_entry, cosigning_keys
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.evidence.package_errors import UntrustedSigner
from hanoi.evidence.verify import verify_package
from hanoi.federation.acceptance import directory_trust
from hanoi.federation.ports import OutboxEntry, OutboxStatus
from hanoi.node.folder import load_keys
from hanoi.storage.tables import outbox
from hanoi.wiring import Node, public_identity, rotate_key
from support_nodes import open_at
from support_transfers import (
    CATALOGUE,
    KIND,
    Federated,
    Pair,
    blob_file,
    collected,
    federated_pair,
    offered,
)
from support_ui import PASSWORD, signed_in
from unit.cooperation.builders import complete_contents


class Rotation:
    """The pair, with what a rotation needs: restarting VNM, publishing its new entry."""

    def __init__(self, federated: Federated) -> None:
        self.p = federated.pair
        self.root, self.authority, self.federation = (
            federated.root,
            federated.authority,
            federated.federation,
        )

    def restart_vnm(self) -> None:
        """VNM's process stopped and started again: it reads its keys anew."""
        self.p.vnm.engine.dispose()
        self.p.vnm = open_at(self.root / "vnm", http_client=self.federation.client)
        self.federation.serve(self.p.vnm_url, self.p.vnm)

    def publish_vnm_entry(self, version: int) -> None:
        """VNM's entry built again after its rotation (both keys, cosigned by the old one),
        signed into a new directory version by the authority, imported by both nodes."""
        now = SystemClock().now().replace(microsecond=0)
        held = self.p.egy.federation.directory.current().directory
        previous = held.entry("VNM").entry
        settings = self.p.vnm.settings
        keys = load_keys(settings)
        identity = public_identity(settings)  # with the log's successions, if any
        entry = build_entry(
            identity,
            node_url=previous.node_url,
            authorities=[a.to_json() for a in previous.authorities],
            declarations=previous.declarations,
            valid_from=now,
            previous=previous,
            retire_previous_at=now + DEFAULT_OVERLAP,
        )
        signed = sign_entry(entry, [keys.signing, *cosigning_keys(keys.retired_signing, previous)])
        document = assemble(
            [held.entry("EGY"), signed], version=version, issued_at=now, expires=now + timedelta(30)
        )
        data = dump_json(sign_directory(document, self.authority).to_json())
        for state in ("egy", "vnm"):
            import_document(self.root / state, data, now=now, pin=self.authority.public_key())


@pytest.fixture
def rotation(tmp_path: Path) -> Iterator[Rotation]:
    for federated in federated_pair("sqlite", tmp_path, network=False):
        yield Rotation(federated)


def pending(node: Node) -> list[OutboxEntry]:
    return [m for m in node.federation.store.outbox(limit=20) if m.status == OutboxStatus.PENDING]


def view_of(p: Pair, origin: str) -> bytes:
    """The checkpoint of ``origin`` EGY's witness cosigned last, as it serves it."""
    view = p.egy.witness.view(origin)
    assert view is not None, f"EGY's witness holds nothing of {origin}"
    return view.encode()


def retry_now(node: Node) -> None:
    """The outbox's next attempt brought forward (its backoff is not under test here)."""
    with node.engine.begin() as connection:
        connection.execute(update(outbox).values(next_attempt_at=SystemClock().now()))


def status_of(p: Pair, package_id: str) -> str:
    return p.egy.transfers.row(package_id).status


def test_packages_signed_before_and_after_a_rotation_are_accepted(rotation: Rotation) -> None:
    r = rotation
    p = r.p
    first_key = p.vnm.identity.signing_key_id
    first_recipient = p.vnm.identity.age_recipient
    request_id, old_offer, _ = offered(p, {"before.txt": os.urandom(50_000)})

    rotated = rotate_key(p.vnm.settings, "signing", SystemClock())
    aged = rotate_key(p.vnm.settings, "age", SystemClock())
    assert (rotated.old, aged.old) == (first_key, first_recipient)
    r.restart_vnm()
    assert p.vnm.identity.signing_key_id == rotated.new != first_key
    assert p.vnm.identity.age_recipient == aged.new != first_recipient
    assert [k.signing_key_id for k in p.vnm.identity.former_keys] == [first_key]

    # EGY still holds the old directory: it encrypts to VNM's old recipient, which opens
    # (VNM holds the request); VNM's receipt, signed by its new key, is not trusted yet.
    draft = DraftInput(kind=KIND, requested_state="VNM", contents=complete_contents(
        CATALOGUE.kind(KIND)))  # fmt: skip
    second = p.egy.cooperation.draft(p.amira, draft).request.id
    p.egy.cooperation.assign(p.amira, second, "samir")
    p.egy.cooperation.take(p.samir, second, StepInput(transition="approve"))
    p.egy.cooperation.take(p.amira, second, StepInput(transition="send"))
    assert p.egy.federation.deliver_due() == 0
    assert p.vnm.cooperation.show(p.lan, second).request.id == second
    [unconfirmed] = pending(p.egy)
    assert "VNM lists no key" in (unconfirmed.last_error or "")

    # What VNM's new key signs waits in its outbox until EGY holds the new entry.
    item = collected(p, request_id, "after.txt", os.urandom(40_000))
    new_offer = p.vnm.transfers.offer(p.lan, request_id, [item.id])
    assert p.vnm.federation.deliver_due() == 0
    [waiting] = pending(p.vnm)
    assert (waiting.type, waiting.attempts) == ("evidence-offer", 1)
    assert "EGY answered 403: VNM lists no key" in (waiting.last_error or "")

    r.publish_vnm_entry(version=2)
    entry = p.egy.federation.directory.entry("VNM")
    assert [k.key_id for k in entry.keys] == [first_key, rotated.new]
    assert entry.keys[0].valid_until is not None
    assert entry.age_recipient == aged.new

    # The package signed with the old key, during its overlap period, is accepted...
    p.egy.transfers.fetch(p.egy.transfers.row(old_offer.id))
    accepted = p.egy.transfers.accept(old_offer.id)
    assert len(accepted.items) == 1
    assert status_of(p, old_offer.id) == "accepted"
    # ... and the offer signed with the new key is delivered and accepted too.
    retry_now(p.vnm)
    assert p.vnm.federation.deliver_due() >= 1
    retry_now(p.egy)  # the request's delivery, confirmed by VNM's new key now
    assert p.egy.federation.deliver_due() >= 1  # and the packages' outcomes
    assert pending(p.egy) == pending(p.vnm) == []
    p.egy.transfers.fetch(p.egy.transfers.row(new_offer.id))
    assert len(p.egy.transfers.accept(new_offer.id).items) == 1

    # Once the overlap is over, the old key's package is no longer accepted, but the one
    # accepted earlier still verifies for a court (every key the entry lists counts).
    package = blob_file(p.egy, p.egy.transfers.row(old_offer.id))
    held = p.egy.federation.directory.current()
    later = SystemClock().now() + DEFAULT_OVERLAP + timedelta(days=1)
    assert not directory_trust(held, later).knows(first_key)
    with pytest.raises(UntrustedSigner):
        verify_package(package, trust=directory_trust(held, later))
    report = verify_package(package, trust=directory_trust(held, later, retired_too=True))
    assert report.statement.sending_state == "VNM"


def test_a_rotated_log_key_goes_on_under_a_new_origin_and_old_proofs_still_hold(
    rotation: Rotation,
) -> None:
    r = rotation
    p = r.p
    first_origin = p.vnm.identity.log_origin
    first_log_key = p.vnm.identity.log_verifier_key
    request_id, old_offer, _ = offered(p, {"before.txt": os.urandom(30_000)})
    p.vnm.custody.sequence()
    first_size = p.vnm.custody.size()
    first_checkpoint = p.vnm.custody.checkpoint().decode()

    rotated = rotate_key(p.vnm.settings, "log", SystemClock())
    assert rotated.old == first_origin
    assert rotated.new.startswith(first_origin + "/r")
    r.restart_vnm()
    assert p.vnm.settings.log_origin == rotated.new
    assert p.vnm.settings.resolved_witness_name == f"{first_origin}/witness"  # kept
    [former] = p.vnm.identity.former_logs
    assert (former.log_origin, former.log_verifier_key, former.succession) == (
        first_origin,
        first_log_key,
        None,  # not until the new origin's first checkpoint
    )

    # The next events are logged under the new origin, with the succession.
    item = collected(p, request_id, "after.txt", os.urandom(20_000))
    p.vnm.custody.sequence()
    assert p.vnm.custody.size() > first_size
    r.restart_vnm()  # reads the succession now kept in its database
    [former] = p.vnm.identity.former_logs
    assert former.succession is not None
    assert former.final_size() == first_size

    r.publish_vnm_entry(version=2)
    entry = p.egy.federation.directory.entry("VNM")
    assert (entry.log_origin, entry.former_logs) == (rotated.new, (former,))
    cosigned_old = parse_checkpoint(parse_note(view_of(p, first_origin)).text)
    p.egy.peering.sync()  # EGY's witness learns the new origin from the directory...
    # ... and starts it from what it cosigned of the old: the new origin must extend it.
    assert view_of(p, rotated.new) == view_of(p, first_origin)
    new_offer = p.vnm.transfers.offer(p.lan, request_id, [item.id])  # cosigned by EGY
    assert p.vnm.federation.deliver_due() >= 1
    cosigned_new = parse_checkpoint(parse_note(view_of(p, rotated.new)).text)
    assert cosigned_new.origin == rotated.new
    assert cosigned_new.size > first_size >= cosigned_old.size

    # A package whose proofs rest on the old origin, and one on the new, are accepted.
    for offer in (old_offer, new_offer):
        p.egy.transfers.fetch(p.egy.transfers.row(offer.id))
        assert len(p.egy.transfers.accept(offer.id).items) == 1

    # An auditor who recorded the old origin's checkpoint follows the log to the new one.
    served = r.root / "vnm-log"  # the log as /log/ serves it: tiles and the checkpoint
    shutil.copytree(r.root / "vnm" / "log", served)
    (served / "checkpoint").write_bytes(p.vnm.custody.checkpoint())
    state = r.root / "auditor-state"
    state.write_text(first_checkpoint)
    (r.root / "succession").write_text(former.succession)
    audit = ("log", "audit", str(served), "--key", p.vnm.identity.log_verifier_key,
             "--state", str(state))  # fmt: skip
    refused = run_hanoi(*audit)
    assert refused.returncode != 0
    assert "the recorded checkpoint does not verify" in refused.stderr
    followed = run_hanoi(*audit, "--former-key", first_log_key,
                         "--succession", str(r.root / "succession"))  # fmt: skip
    assert followed.returncode == 0, followed.stderr
    assert f"ok: {rotated.new} size " in followed.stdout
    assert state.read_text().startswith(rotated.new + "\n")

    # The old key can no longer vouch for the log beyond the size the succession gave.
    trust = directory_trust(p.egy.federation.directory.current(), SystemClock().now())
    policy = trust.policy_for(first_origin)
    assert policy.max_size == first_size
    assert trust.policy_for(rotated.new).max_size is None
    assert trust.log(first_origin) is trust.log(rotated.new)

    # A succession that ends the old origin before what EGY's witness cosigned of it is a
    # split view: alerted, and no new origin is started from it.
    forged = Succession(
        first_origin, cosigned_old.size - 1, os.urandom(32), f"{first_origin}/forged", "key"
    )
    assert not p.egy.witness.continue_log(forged)
    assert p.egy.witness.view(forged.new_origin) is None
    [alert] = [a for a in p.egy.witness.alerts() if a["origin"] == first_origin]
    assert alert["kind"] == "split-view"
    assert f"ended at size {cosigned_old.size - 1}" in str(alert["detail"])
    # The alerts page names the State whose former origin it is.
    p.egy.accounts.add_user(name="nour", role=Role.SUPERVISOR, password=PASSWORD)
    with signed_in(p.egy, "nour", enter=False) as browser:
        page = browser.get("/ui/alerts")
    assert page.status_code == 200
    logs = page.text.split('id="logs-caption"')[1].split("</table>")[0]
    assert first_origin in logs
    assert 'href="/ui/directory?state=VNM"' in logs
