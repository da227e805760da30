"""The demo's case on the network, between nodes: an Art. 42 preservation from EGY to
VNM, an Art. 43 disclosure naming a provider in FRA, the Art. 44 request that follows it,
its execution in VNM, the evidence package back to EGY, an export for court and its
offline verification, and a refusal on a second request."""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient, format_identity_file
from hanoi.federation.court_export import export_for_court
from hanoi.node.folder import load_keys
from hanoi.sandbox.session import WAIT_SECONDS, Session, StepFailed
from hanoi.settings import load_settings
from hanoi.wiring import open_node

REFUSAL_GROUND = "essential-interests"
"""Why VNM refuses EGY's second request: Art. 40(21)(b), after a consultation."""
PROVIDER_ID = "example-mail"
PROVIDER_NAME = "Example Mail Ltd (VNM)"
PROVIDER_HI1_ID = "hanoi-provider-sim"
"""The simulator's HI-1 identifier (``hanoi provider-sim``'s default)."""
MAILBOX = "j.doe@example.vn"


def production_order(request_id: str) -> bytes:
    """The domestic order VNM's officer sends the provider with the HI-1 order (a text; a
    real one is a signed PDF)."""
    return (
        "SUPREME PEOPLE'S PROCURACY OF VIET NAM\n"
        f"Production order for request {request_id} (sandbox)\n\n"
        f"Example Mail Ltd shall disclose the stored data of the mailbox {MAILBOX}.\n"
    ).encode()


FAILED_ORDER = frozenset({"rejected", "error", "invalid", "failed", "not-available"})


def _settled(order: dict[str, Any]) -> dict[str, Any] | None:
    """The order once the provider is done with it: complete with its deliveries, refused,
    or with a delivery refused; None while it is still to come."""
    refused = any(d["outcome"] != "ingested" for d in order["deliveries"])
    complete = order["complete"] and order["deliveries"]
    return order if complete or refused or order["status"] in FAILED_ORDER else None


def _ingested(order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order's deliveries, each an evidence item; ``StepFailed`` otherwise."""
    if order["status"] in FAILED_ORDER:
        raise StepFailed(f"the provider's answer: {order['status']} ({order.get('error')})")
    refused = [d for d in order["deliveries"] if d["outcome"] != "ingested"]
    if refused:
        raise StepFailed(f"a delivery was refused: {refused[0].get('problem')}")
    deliveries: list[dict[str, Any]] = order["deliveries"]
    return deliveries


class NetworkCase(Session):
    """The steps of the case played between EGY's, VNM's and FRA's nodes."""

    def preserve(self) -> None:
        rid = self.draft(
            self.egy,
            "contact",
            "expedited-preservation",
            "VNM",
            urgency={"level": "urgent", "reasons": "the provider deletes logs in 7 days"},
        )
        self.approve_and_send(self.egy, "contact", rid)
        self.until_status(self.vnm, "contact", rid, "received")
        self.take(self.vnm, "contact", rid, "acknowledge")
        self.take(self.vnm, "contact", rid, "order-preservation")
        until = (self.clock.now() + timedelta(days=90)).isoformat()
        self.take(self.vnm, "contact", rid, "preserve", until=until)
        self.until_status(self.egy, "contact", rid, "active")
        self.ids["preservation"] = rid

    def disclose(self) -> None:
        preservation = self.ids["preservation"]
        rid = self.draft(
            self.vnm,
            "contact",
            "preserved-traffic-data-disclosure",
            "EGY",
            contents={
                "preservation_request_reference": preservation,
                "service_provider_state": "FRA",
                "service_provider": "Exemple Hébergement SAS (FRA)",
            },
            links=[{"relation": "discloses-for", "request_id": preservation, "third_state": "FRA"}],
        )
        self.approve_and_send(self.vnm, "contact", rid)
        self.until_status(self.egy, "contact", rid, "received")
        for step in ("acknowledge", "accept", "complete"):
            self.take(self.egy, "contact", rid, step)
        self.until_status(self.vnm, "contact", rid, "executed")
        self.ids["disclosure"] = rid

    def mla(self) -> None:
        preservation = self.ids["preservation"]
        for colleague in ("egy-supervisor", "egy-officer"):
            self.call(
                self.egy,
                "contact",
                "POST",
                f"/api/v1/requests/{preservation}/assignments",
                {"user": colleague},
            )
        self.out("      EGY contact: hands the case to the central authority (egy-officer)")
        rid = self.draft(
            self.egy,
            "officer",
            "mla-stored-data",
            "VNM",
            links=[{"relation": "follows-preservation", "request_id": preservation}],
        )
        self.take(self.egy, "officer", rid, "submit")  # to the supervisors (Art. 40(13))
        self.approve_and_send(self.egy, "supervisor", rid)
        self.until_status(self.vnm, "supervisor", rid, "received")
        self.take(self.vnm, "contact", preservation, "continue-preservation", follow_up=rid)
        self.take(self.vnm, "supervisor", rid, "acknowledge")
        self.take(self.vnm, "supervisor", rid, "accept")
        self.until_status(self.egy, "supervisor", rid, "in-execution")
        self.ids["mla"] = rid

    def execute(self) -> None:
        """VNM executes EGY's Art. 44 request through its domestic provider: an
        administrator adds the sandbox's simulated provider to VNM's directory, the officer
        on the case orders it over HI-1 and polls it until its deliveries, checked against
        the checksums the provider declared, are evidence items of the request."""
        rid = self.ids["mla"]
        provider = self.sandbox.provider
        if provider is None:
            raise StepFailed("the sandbox has no simulated provider (hanoi provider-sim)")
        self.call(
            self.vnm,
            "supervisor",
            "POST",
            f"/api/v1/requests/{rid}/assignments",
            {"user": "vnm-officer"},
        )
        self.call(
            self.vnm,
            "admin",
            "POST",
            "/api/v1/providers",
            {
                "id": PROVIDER_ID,
                "name": PROVIDER_NAME,
                "endpoint": provider.endpoint,
                "hi1_identifier": {"country_code": "VN", "unique_identifier": PROVIDER_HI1_ID},
            },
        )
        self.out(f"      VNM admin: adds {PROVIDER_NAME} to the providers ({provider.endpoint})")
        now = self.clock.now()
        order = self.call(
            self.vnm,
            "officer",
            "POST",
            f"/api/v1/requests/{rid}/provider-orders",
            {
                "provider_id": PROVIDER_ID,
                "identifiers": [f"EmailAddress={MAILBOX}"],
                "window_start": (now - timedelta(days=120)).isoformat(),
                "window_end": now.isoformat(),
                "deadline": (now + timedelta(days=30)).isoformat(),
                "domestic_reference": f"VNM-PO-{rid}",
                "legal_basis": f"Production order of the Supreme People's Procuracy for {rid}",
                "order_document": base64.b64encode(production_order(rid)).decode(),
                "order_media_type": "text/plain",
                "order_name": "production-order.txt",
            },
        )
        self.out(
            f"      VNM officer: orders {PROVIDER_NAME} over HI-1 to disclose {MAILBOX} "
            f"(order {order['domestic_reference']}): {order['status']}"
        )
        path = f"/api/v1/requests/{rid}/provider-orders/{order['id']}"
        settled = self.wait(
            f"{PROVIDER_NAME} to answer the order",
            lambda: _settled(self.call(self.vnm, "officer", "POST", f"{path}/poll")),
        )
        deliveries = _ingested(settled)
        self.out(
            f"      {PROVIDER_NAME}: delivered {len(deliveries)} item(s), each checked against "
            "the checksum it declared and recorded as evidence"
        )
        for d in deliveries:
            self.out(f"        sha256 {d['sha256'][:16]}... ({d['size']} bytes)")
        for note in settled["notifications"]:
            self.out(f"      {PROVIDER_NAME} notifies: {note['details'] or '-'}")
        self.evidence = [d["evidence_item_id"] for d in deliveries]
        self.take(self.vnm, "supervisor", rid, "complete")
        self.until_status(self.egy, "supervisor", rid, "executed")

    def package(self) -> None:
        rid = self.ids["mla"]
        offer = self.call(
            self.vnm,
            "supervisor",
            "POST",
            f"/api/v1/requests/{rid}/evidence-packages",
            {"evidence": self.evidence},
        )
        self.out(
            f"      VNM supervisor: package {offer['id'][:12]}... ({offer['size']} bytes) offered"
        )
        accepted = self.wait(
            "the package to be verified and accepted in EGY",
            lambda: [
                p
                for p in self.call(
                    self.egy, "supervisor", "GET", f"/api/v1/requests/{rid}/evidence-packages"
                )
                if p["status"] == "accepted"
            ],
        )
        self.out(f"      EGY: package verified, {len(accepted[0]['items'])} item(s) recorded")
        learned = self.wait(  # EGY's signed evidence-outcome reaches VNM (ADR 0023)
            "VNM to learn that EGY accepted the package",
            lambda: [
                p
                for p in self.call(self.vnm, "supervisor", "GET", f"/api/v1/packages?request={rid}")
                if p["id"] == offer["id"] and p["status"] == "accepted"
            ],
        )
        self.out(f"      VNM sees package {offer['id'][:12]}...: {learned[0]['status']} by EGY")

    def export(self) -> None:
        rid = self.ids["mla"]
        root = self.sandbox.root
        court = AgeIdentity.generate()
        (root / "court-identity.txt").write_text(
            format_identity_file(court, created=self.clock.now().isoformat())
        )
        os.chmod(root / "court-identity.txt", 0o600)
        target = root / "court-export.tar"
        self._export(rid, target, court.recipient())
        self.exported = target
        self.out(f"      EGY: exported {target.name} for the court")

    def _export(self, request_id: str, target: Path, court: AgeRecipient) -> None:
        """What ``hanoi evidence export`` does, in this process (the node keeps running):
        the export is logged, then packed once a checkpoint of EGY's log holding it is
        cosigned by the quorum of other States' witnesses, asked and waited for as the
        command does (ADR 0022)."""
        settings = load_settings(self.egy.node_dir)
        node = open_node(settings)
        try:
            export_for_court(
                target,
                user=node.accounts.named("egy-supervisor"),
                request_id=request_id,
                recipients=[court],
                state="EGY",
                keys=load_keys(settings),
                evidence=node.evidence,
                cooperation=node.cooperation,
                transfers=node.transfers,
                custody=node.custody.witnessed(node.quorum.policy()),
                clock=node.clock,
                before_packing=partial(node.quorum.witnessed, seconds=WAIT_SECONDS),
            )
        finally:
            node.close()

    def verify(self) -> None:
        root = self.sandbox.root
        trust = self.trust_file()
        assert self.exported is not None
        court = [
            "--trust",
            str(trust),
            "--identity",
            str(root / "court-identity.txt"),
        ]
        report = self._hanoi("evidence", "verify", str(self.exported), *court)
        self.out("      " + report.strip().splitlines()[-1])
        found = json.loads(self._hanoi("evidence", "verify", str(self.exported), *court, "--json"))
        check_chain(found)
        for step in found["chain"]:
            what = f"{step['state']} {step['event']}"
            delivery = step.get("delivery")
            if delivery is not None:
                what += f" by {delivery['provider_name']}, order {delivery['reference']}"
            self.out(
                f"      {step['time'][:19]}Z  {step['evidence_sha256'][:8]}  {what}, "
                f"cosigned by {', '.join(step['witnesses'])}"
            )

    def refuse(self) -> None:
        rid = self.draft(self.egy, "supervisor", "mla-general", "VNM")
        self.approve_and_send(self.egy, "supervisor", rid)
        self.until_status(self.vnm, "supervisor", rid, "received")
        self.take(self.vnm, "supervisor", rid, "acknowledge")
        self.take(
            self.vnm, "supervisor", rid, "consult", reasons="the request concerns national security"
        )
        self.take(
            self.vnm,
            "supervisor",
            rid,
            "refuse",
            grounds=[REFUSAL_GROUND],
            reasons="execution would prejudice the essential interests of Viet Nam",
        )
        self.until_status(self.egy, "supervisor", rid, "refused")
        self.ids["refused"] = rid


def check_chain(found: dict[str, Any]) -> None:
    """What a court must see in the export (issues 14 and 20): verified; first the provider's
    delivery to VNM (naming the provider, its order and the checksum the provider declared),
    then VNM's collection, EGY's receipt and export, each cosigned by another State's
    witness; VNM's conditions."""
    if not found.get("verified"):
        raise StepFailed(f"the export is not verified: {found.get('reasons')}")
    wanted = [("VNM", "delivered"), ("VNM", "collected"), ("EGY", "received"), ("EGY", "exported")]
    by_item: dict[str, list[tuple[str, str]]] = {}
    for step in found["chain"]:
        by_item.setdefault(step["evidence_sha256"], []).append((step["state"], step["event"]))
    for digest, steps in by_item.items():
        if steps[0] != wanted[0] or [s for s in steps if s in wanted] != wanted:
            raise StepFailed(
                f"the chain of {str(digest)[:16]}... is {steps}, not the provider's delivery "
                "to VNM, VNM collected, EGY received, EGY exported"
            )
    for step in found["chain"]:
        if step["event"] != "delivered":
            continue
        delivery = step.get("delivery") or {}
        declared = delivery.get("declared_checksums") or []
        if delivery.get("provider_name") != PROVIDER_NAME or not any(
            str(c).endswith(f":{step['evidence_sha256']}") for c in declared
        ):
            raise StepFailed(f"the delivery step does not name {PROVIDER_NAME}: {delivery}")
    for step in found["chain"]:
        if not set(step["witnesses"]) - {step["state"]}:
            raise StepFailed(f"{step['state']} {step['event']} is cosigned by no other State")
    imposers = {c["imposed_by"] for c in found["conditions"]}
    if imposers != {"VNM"}:
        raise StepFailed(f"the conditions are imposed by {sorted(imposers)}, not by VNM")
