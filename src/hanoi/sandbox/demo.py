"""``hanoi demo``: a sandbox federation of three States and a scripted case through it.

Each State is a real node in its own process, with its own SQLite database and
folder, talking to the others over loopback HTTP with signed, encrypted messages.
The script plays the officers of each State through the same JSON API the web UI
uses, prints each step as it happens, and writes ``demo.json`` for trainers and
tests. A fourth State, Ghana, runs no node: the directory lists it, and EGY's
officers play a case with it on paper (ADR 0028), its letters simulated.

The nodes run in sessions of their own, so no signal sent to ``hanoi demo`` reaches
them: Ctrl-C, SIGTERM and SIGHUP all end the demo the same way, by stopping every node
it started (:class:`Interrupts`, :func:`shut_down`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import httpx

from hanoi.clock import Clock
from hanoi.convention import default_catalogue
from hanoi.cooperation.kinds import consultation_required
from hanoi.cooperation.samples import sample_contents
from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient, format_identity_file
from hanoi.errors import HanoiError, PeerError
from hanoi.federation.court_export import export_for_court
from hanoi.node.folder import load_keys
from hanoi.sandbox.nodes import (
    GHANA,
    Sandbox,
    SandboxNode,
    build_sandbox,
    describe,
    write_json,
)
from hanoi.settings import load_settings
from hanoi.wiring import open_node

STATES = ("EGY", "VNM", "FRA")
WAIT_SECONDS = 60.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GUIDE = "supervisor"
"""Whom a trainee signs in as to see the demo's case: EGY's supervisor approves and sends
the Art. 44 request (EGY's officer drafts and submits it), takes over the preservation
and receives the evidence package, so all of it is in their cases."""
EVIDENCE = b"From: sender@example.invalid\nSubject: invoice\n\n" + b"sandbox mailbox line\n" * 4000
OFFLINE = str(GHANA["state"])
"""The State without a node, listed in the sandbox's directory."""
OFFLINE_AUTHORITY = str(GHANA["authorities"][0]["name"])
CHANNEL_NAMES = {"diplomatic": "diplomatic note", "email": "e-mail"}
PAPER_GROUND = "domestic-prohibition"
"""Why EGY refuses GHA's request received on paper: Art. 40(21)(c), so after a
consultation (Art. 40(27)). The sample contents give 4 years as the maximum penalty."""


class StepFailed(Exception):
    pass


@dataclass
class Demo:
    sandbox: Sandbox
    clock: Clock
    out: Callable[[str], None] = print
    steps: list[dict[str, Any]] = field(default_factory=list)
    exported: Path | None = None
    letter: Path | None = None
    """The signed letter of request to the State without a node."""
    answer: Path | None = None
    """EGY's signed answer to that State's request received on paper: the refusal."""
    ids: dict[str, str] = field(default_factory=dict)

    # --- plumbing ------------------------------------------------------------------------

    @property
    def egy(self) -> SandboxNode:
        return self.sandbox.nodes["EGY"]

    @property
    def vnm(self) -> SandboxNode:
        return self.sandbox.nodes["VNM"]

    def call(self, node: SandboxNode, who: str, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{node.url}{path}", json=body, headers=node.headers(who), timeout=60
        )
        if response.status_code >= 400:
            raise StepFailed(
                f"{node.state} {method} {path}: {response.status_code} {response.text[:300]}"
            )
        return response.json() if response.content else None

    def take(self, node: SandboxNode, who: str, request_id: str, step: str, **body: Any) -> None:
        self.call(node, who, "POST", f"/api/v1/requests/{request_id}/steps", {"step": step, **body})
        self.out(f"      {node.state} {who}: {step}")

    def wait(self, what: str, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                found = check()
            except StepFailed:
                found = None
            if found:
                return found
            time.sleep(0.05)
        raise StepFailed(f"timed out waiting for {what}")

    def status(self, node: SandboxNode, who: str, request_id: str) -> str | None:
        response = httpx.get(
            f"{node.url}/api/v1/requests/{request_id}", headers=node.headers(who), timeout=30
        )
        return response.json()["status"] if response.status_code == 200 else None

    def until_status(self, node: SandboxNode, who: str, request_id: str, status: str) -> None:
        self.wait(
            f"{request_id} to be {status} at {node.state}",
            lambda: self.status(node, who, request_id) == status,
        )
        self.out(f"      {node.state} sees {request_id}: {status}")

    def upload(self, node: SandboxNode, who: str, data: bytes) -> str:
        """Upload ``data`` with tus in one PATCH, as the UI does; the completed upload's id."""
        digest = hashlib.sha256(data).hexdigest()
        headers = {**node.headers(who), "Tus-Resumable": "1.0.0"}
        created = httpx.post(
            f"{node.url}/api/v1/uploads",
            headers={
                **headers,
                "Upload-Length": str(len(data)),
                "Upload-Metadata": "sha256 " + base64.b64encode(digest.encode()).decode(),
            },
            timeout=30,
        )
        if created.status_code != 201:
            raise StepFailed(f"upload: {created.status_code} {created.text[:200]}")
        location = created.headers["location"]
        patched = httpx.patch(
            f"{node.url}{location}" if location.startswith("/") else location,
            content=data,
            timeout=60,
            headers={
                **headers,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if patched.status_code != 204:
            raise StepFailed(f"upload: {patched.status_code} {patched.text[:200]}")
        upload_id: str = location.rsplit("/", 1)[1]
        return upload_id

    def draft(self, node: SandboxNode, who: str, kind: str, to: str, **extra: Any) -> str:
        contents = sample_contents(kind, today=self.clock.now().date(), **extra.pop("contents", {}))
        created = self.call(
            node,
            who,
            "POST",
            "/api/v1/requests",
            {"kind": kind, "requested_state": to, "contents": contents, **extra},
        )
        request_id: str = created["id"]
        self.out(f"      {node.state} {who}: drafted {request_id} ({kind})")
        return request_id

    def approve_and_send(self, node: SandboxNode, who: str, request_id: str) -> None:
        for step in ("approve", "send"):
            self.call(node, who, "POST", f"/api/v1/requests/{request_id}/{step}")
            self.out(f"      {node.state} {who}: {step}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.out(f"[{len(self.steps) + 1}] {name}")
        started = time.monotonic()
        try:
            yield
        except (StepFailed, HanoiError, httpx.HTTPError, OSError, KeyError) as exc:
            self.steps.append({"name": name, "ok": False, "error": str(exc)[:500]})
            self.out(f"    FAILED: {exc}")
            raise
        self.steps.append(
            {"name": name, "ok": True, "seconds": round(time.monotonic() - started, 2)}
        )

    # --- the case --------------------------------------------------------------------------

    def run(self) -> None:
        for name, play in (
            (
                "Art. 42 preservation request from EGY to VNM through the 24/7 contacts",
                self.preserve,
            ),
            ("Art. 43 disclosure of traffic data naming a provider in FRA", self.disclose),
            ("Art. 44 mutual legal assistance request for the preserved data", self.mla),
            ("Execution in VNM, with an evidence file uploaded", self.execute),
            ("The encrypted evidence package sent back to EGY", self.package),
            ("An export for court in EGY", self.export),
            ("Offline verification of the export (hanoi evidence verify)", self.verify),
            ("A refusal with grounds and reasons on a second request", self.refuse),
            (
                f"{OFFLINE}, a State without a node: a signed letter of request by diplomatic "
                "note, and a request received on paper",
                self.off_network,
            ),
        ):
            with self.step(name):
                play()

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
        rid = self.ids["mla"]
        self.call(
            self.vnm,
            "supervisor",
            "POST",
            f"/api/v1/requests/{rid}/assignments",
            {"user": "vnm-officer"},
        )
        item = self.call(
            self.vnm,
            "officer",
            "POST",
            "/api/v1/evidence",
            {
                "upload_id": self.upload(self.vnm, "officer", EVIDENCE),
                "original_name": "mailbox.mbox",
                "media_type": "application/mbox",
                "source_kind": "provider",
                "source": "Example Mail Ltd (VNM), mailbox j.doe@example.vn",
                "method": "export by the provider, delivered on encrypted media",
                # obtained from the provider before it was uploaded here (issue 14)
                "acquired_at": (self.clock.now() - timedelta(hours=2)).isoformat(),
                "request_ref": rid,
                "article": "Art. 44",
                "legal_basis": f"Production order of the Supreme People's Procuracy for {rid}",
            },
        )
        self.out(
            f"      VNM officer: uploaded evidence {item['sha256'][:16]}... ({item['size']} bytes)"
        )
        self.ids["evidence"] = item["id"]
        self.take(self.vnm, "supervisor", rid, "complete")
        self.until_status(self.egy, "supervisor", rid, "executed")

    def package(self) -> None:
        rid = self.ids["mla"]
        offer = self.call(
            self.vnm,
            "supervisor",
            "POST",
            f"/api/v1/requests/{rid}/evidence-packages",
            {"evidence": [self.ids["evidence"]]},
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
            node.engine.dispose()

    def trust_file(self) -> Path:
        """``trust.json``: every node as ``hanoi node show`` prints it, quorum 1: what a
        court (or a State without a node) is given to check logs and witnesses."""
        path = self.sandbox.root / "trust.json"
        if not path.exists():
            shows = [
                json.loads(self._hanoi("node", "show", "--dir", str(n.node_dir)))
                for n in self.sandbox.nodes.values()
            ]
            write_json(path, {"nodes": shows, "min_witnesses": 1})
        return path

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
            self.out(
                f"      {step['time'][:19]}Z  {step['state']} {step['event']}, "
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
            grounds=["essential-interests"],
            reasons="execution would prejudice the essential interests of Viet Nam",
        )
        self.until_status(self.egy, "supervisor", rid, "refused")

    def off_network(self) -> None:
        letter, request_id = self.by_letter()
        # The letter is checked as GHA would, without EGY's node folder: its signature
        # against EGY's certificate (the directory publishes it), its custody by asking
        # EGY's node for the proof, witnessed by the other States. Meanwhile EGY answers
        # GHA's own request: two processes, so the demo waits for the slower.
        verify = (
            "letter", "verify", str(letter),
            "--trust", str(self.egy.node_dir / "keys" / "document-signing.crt"),
            "--node", self.egy.url, "--log-trust", str(self.trust_file()),
            "--wait", str(WAIT_SECONDS), "--json",
        )  # fmt: skip
        with self._running(*verify) as verifying:
            self.on_paper()
            found = json.loads(self._output(verifying, verify))
        custody = found["custody"]
        if not custody["proven"] or custody["request_id"] != request_id:
            raise StepFailed(f"{letter.name} is not proven a letter of {request_id}")
        self.out(
            f"      hanoi letter verify {letter.name} --node {self.egy.url}: signed, intact, "
            f"trusted; letter-issued, entry {custody['index']} of EGY's custody log, "
            f"cosigned by {', '.join(w.split('+')[0] for w in custody['witnesses'])}"
        )

    def by_letter(self) -> tuple[Path, str]:
        """EGY's request to GHA: approved, put in writing as a signed letter in a language
        GHA accepts, sent by diplomatic note; GHA's answers recorded from its notes. The
        letter's file and the request's id."""
        rid = self.draft(
            self.egy,
            "supervisor",
            "mla-general",
            OFFLINE,
            requested_authority=OFFLINE_AUTHORITY,
            contents={"person_nationality": [OFFLINE]},
        )
        self.call(self.egy, "supervisor", "POST", f"/api/v1/requests/{rid}/approve")
        self.out("      EGY supervisor: approve")
        letter = self.sandbox.root / f"letter-{rid}-en.pdf"
        self.issue_letter(rid, letter, "letter of request")
        self.letter = letter
        year = self.clock.now().year
        note = f"EGY MFA note verbale {year}/417"
        self.by_hand(rid, "dispatch", state="EGY", channel="diplomatic", reference=note)
        for number, step in enumerate(("receive", "acknowledge", "accept", "complete", "close")):
            channel = "email" if step == "acknowledge" else "diplomatic"
            reference = f"GHA AG/MLA/{year}/88-{number + 1}"
            self.by_hand(rid, step, state=OFFLINE, channel=channel, reference=reference)
        case = self.call(self.egy, "supervisor", "GET", f"/api/v1/requests/{rid}")
        if (case["status"], case["route"]) != ("closed", "diplomatic"):
            raise StepFailed(f"{rid} is {case['status']} by {case['route']}, not closed by note")
        check_channel_records(case, since="dispatch")
        self.out(f"      EGY sees {rid}: closed, every step since dispatch with its channel record")
        self.ids["by-letter"] = rid
        return letter, rid

    def on_paper(self) -> None:
        """GHA's request received by diplomatic note: registered from its scan and
        contents, acknowledged, and refused with a ground of its kind and reasons, after a
        consultation when the ground needs one (Art. 40(27)); each answer leaves by letter."""
        today = self.clock.now().date()
        kind = "mla-stored-data"
        reference = f"GHA AG/MLA/{today.year}/91"
        scan = scanned_letter(
            f"{OFFLINE_AUTHORITY}, Accra",
            f"Note verbale {reference} of {today.isoformat()}",
            "To the Central Authority of Egypt",
            f"Request for mutual legal assistance ({kind}, Art. 44)",
            "(sandbox: a scan of the letter received on paper)",
        )
        registered = self.call(
            self.egy,
            "supervisor",
            "POST",
            "/api/v1/registrations",
            {
                "kind": kind,
                "requesting_state": OFFLINE,
                "requesting_authority": OFFLINE_AUTHORITY,
                "channel": "diplomatic",
                "received_on": today.isoformat(),
                "reference": reference,
                "scan_upload_id": self.upload(self.egy, "supervisor", scan),
                "contents": sample_contents(
                    kind,
                    today=today,
                    requesting_authority=OFFLINE_AUTHORITY,
                    person_nationality=[OFFLINE],
                ),
            },
        )
        rid: str = registered["id"]
        self.out(
            f"      EGY supervisor: registered {rid} ({kind}) from {OFFLINE}'s "
            f"diplomatic note {reference}: {registered['status']}"
        )
        year = today.year
        # EGY's own answers, each by the letter it sends (no scan: EGY keeps its own copy).
        answer = partial(self.by_hand, rid, state="EGY", scan=False)
        answer("acknowledge", channel="email", reference=f"EGY CA/{year}/1203")
        if consultation_required(default_catalogue().kind(kind), PAPER_GROUND):
            answer(
                "consult",
                channel="email",
                reference=f"EGY CA/{year}/1204",
                reasons="Egyptian law allows no search of stored data for an offence punished "
                "by less than five years; can the assistance sought be narrowed?",
            )
        answer(
            "refuse",
            channel="diplomatic",
            reference=f"EGY MFA note verbale {year}/431",
            grounds=[PAPER_GROUND],
            reasons="the offence is punished by 4 years: Egyptian law would prohibit a search "
            "of stored data for a similar domestic offence (Art. 40(21)(c))",
        )
        case = self.call(self.egy, "supervisor", "GET", f"/api/v1/requests/{rid}")
        refusal = case["timeline"][-1]
        if case["status"] != "refused" or refusal["grounds"] != [PAPER_GROUND]:
            raise StepFailed(f"{rid} is {case['status']} on {refusal['grounds']}, not refused")
        check_channel_records(case, since="register")
        self.out(
            f"      EGY sees {rid}: refused ({PAPER_GROUND}), each step with its channel record"
        )
        self.ids["on-paper"] = rid
        self.answer = self.sandbox.root / f"answer-{rid}-en.pdf"
        self.issue_letter(rid, self.answer, "answer (the refusal, with its grounds)")

    def issue_letter(self, request_id: str, out: Path, what: str) -> None:
        """``hanoi requests letter``: the signed PDF letter, in English (GHA's language by
        the directory), logged as a ``letter-issued`` custody event on EGY's node."""
        issued = self._hanoi(
            "requests",
            "letter",
            request_id,
            *("--dir", str(self.egy.node_dir), "--user", "egy-supervisor"),
            *("--language", "en", "--out", str(out)),
        )
        code = issued.strip().splitlines()[-1]  # "verification code ABCD-EFGH-JK"
        self.out(f"      EGY supervisor: signed {what}, {out.name}, {code}")

    def by_hand(
        self,
        request_id: str,
        step: str,
        *,
        state: str,
        channel: str,
        reference: str,
        scan: bool = True,
        **body: Any,
    ) -> None:
        """A step off the network, taken by EGY's supervisor with its channel record: EGY's
        own (how its letter left) or ``state``'s, recorded from its letter; with ``scan``,
        the letter's scan (a generated PDF) uploaded and attached. ``body``: the step's
        reasons, grounds..."""
        today = self.clock.now().date().isoformat()
        via = {"channel": channel, "on": today, "reference": reference}
        if scan:
            pdf = scanned_letter(
                f"{reference} of {today}",
                f"Request {request_id}: {step}",
                "(sandbox: a scan of the letter)",
            )
            body["scan_upload_id"] = self.upload(self.egy, "supervisor", pdf)
        path = f"/api/v1/requests/{request_id}/steps"
        self.call(self.egy, "supervisor", "POST", path, {"step": step, "via": via, **body})
        who = "EGY supervisor" if state == "EGY" else f"{state} (recorded by EGY supervisor)"
        self.out(f"      {who}: {step}, by {CHANNEL_NAMES[channel]} {reference}")

    def _hanoi(self, *args: str) -> str:
        with self._running(*args) as process:
            return self._output(process, args)

    @contextmanager
    def _running(self, *args: str) -> Iterator[subprocess.Popen[str]]:
        """``hanoi ARGS`` in a process of its own while the block runs; killed if the
        block fails or is interrupted (Ctrl-C, SIGTERM: ``KeyboardInterrupt``)."""
        hanoi = str(Path(sys.executable).with_name("hanoi"))
        command = [hanoi, *args]
        pipe = subprocess.PIPE
        with subprocess.Popen(command, stdout=pipe, stderr=pipe, text=True) as process:  # noqa: S603
            try:
                yield process
            except BaseException:
                process.kill()
                raise

    def _output(self, process: subprocess.Popen[str], args: tuple[str, ...]) -> str:
        """The command's output once it has exited; ``StepFailed`` if it did not exit 0."""
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise StepFailed(f"hanoi {args[0]} {args[1]}: {stderr.strip()[:300]}")
        return stdout


def check_channel_records(case: dict[str, Any], *, since: str) -> None:
    """Every step of ``case`` from the first ``since`` on carries a channel record (ADR
    0028): the request travelled off the network, and each letter says how."""
    steps = [r["transition"] for r in case["timeline"]]
    if since not in steps:
        raise StepFailed(f"{case['id']} has no {since!r} step: {steps}")
    for record in case["timeline"][steps.index(since) :]:
        if not record.get("via", {}).get("reference"):
            raise StepFailed(f"{case['id']}: {record['transition']} has no channel record")


def scanned_letter(*lines: str) -> bytes:
    """A one-page PDF standing for the scan of a letter: what an officer uploads with a
    request received on paper or a step recorded from a letter. ASCII text in Helvetica,
    with its cross-reference table, so that any PDF reader opens it."""

    def escaped(line: str) -> bytes:
        text = line.encode("ascii", "replace")
        return text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    shown = b" ".join(b"(" + escaped(line) + b") '" for line in lines)
    stream = b"BT /F1 11 Tf 72 790 Td 16 TL " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(pdf)


def check_chain(found: dict[str, Any]) -> None:
    """What a court must see in the export (issue 14): verified; VNM's collection, then
    EGY's receipt and export, each cosigned by another State's witness; VNM's conditions."""
    if not found.get("verified"):
        raise StepFailed(f"the export is not verified: {found.get('reasons')}")
    steps = [(s["state"], s["event"]) for s in found["chain"]]
    wanted = [("VNM", "collected"), ("EGY", "received"), ("EGY", "exported")]
    if [s for s in steps if s in wanted] != wanted:
        raise StepFailed(f"the chain is {steps}, not VNM collected, EGY received, EGY exported")
    for step in found["chain"]:
        if not set(step["witnesses"]) - {step["state"]}:
            raise StepFailed(f"{step['state']} {step['event']} is cosigned by no other State")
    imposers = {c["imposed_by"] for c in found["conditions"]}
    if imposers != {"VNM"}:
        raise StepFailed(f"the conditions are imposed by {sorted(imposers)}, not by VNM")


class Interrupts:
    """SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` in the main thread, as Ctrl-C
    does, so that a demo stopped by ``kill``, a service manager or a closed terminal also
    stops its nodes on the way out. Between :meth:`hold` and :meth:`release` a signal
    waits: while the sandbox is built (it has started nodes that only it knows of), and
    while the nodes are stopped."""

    def __init__(self) -> None:
        self._holding = False
        self._pending: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():  # where Python runs handlers
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)

    def _handle(self, number: int, _frame: FrameType | None) -> None:
        if self._holding:
            self._pending = number
            return
        raise KeyboardInterrupt(signal.Signals(number).name)

    def hold(self) -> None:
        """Signals wait from now on, until :meth:`release`."""
        self._holding = True

    def release(self) -> None:
        """Signals raise again; one that came while held raises now."""
        self._holding = False
        pending, self._pending = self._pending, None
        if pending is not None:
            raise KeyboardInterrupt(signal.Signals(pending).name)


def shut_down(sandbox: Sandbox, interrupts: Interrupts) -> None:
    """Stop every node: SIGTERM to each at once, SIGKILL to any still running after a
    timeout (``Sandbox.stop``). A second Ctrl-C must not cut this short: signals wait."""
    interrupts.hold()
    sandbox.stop()


def stay_up(sandbox: Sandbox, out: Callable[[str], None]) -> None:
    """Wait for Ctrl-C (or SIGTERM, SIGHUP); a node that stops on its own is an error."""
    out("the nodes stay up until Ctrl-C")
    try:
        while all(
            n.process is not None and n.process.poll() is None for n in sandbox.nodes.values()
        ):
            time.sleep(1)
    except KeyboardInterrupt:
        out("stopping the nodes")
        return
    raise PeerError("a node of the sandbox stopped; see its server.log")


def print_users(demo: Demo) -> None:
    """Each State's UI and users, the one who sees the demo's case first."""
    guide = demo.egy.users[f"egy-{GUIDE}"]
    case = demo.ids.get("mla")
    if case is not None:
        demo.out(
            f"  sign in as {guide.name} / {guide.password} at {demo.egy.url}/ui/ "
            f"to see the demo case {case}"
        )
    by_letter = demo.ids.get("by-letter")
    if by_letter is not None and demo.letter is not None:
        demo.out(
            f"  the case with {OFFLINE}, a State without a node: {demo.egy.url}/ui/requests/"
            f"{by_letter} (signed letter of request: {demo.letter})"
        )
    for node in demo.sandbox.nodes.values():
        first = f"{node.state.lower()}-{GUIDE}"
        ordered = sorted(node.users.values(), key=lambda c: c.name != first)  # stable
        users = ", ".join(f"{c.name} / {c.password}" for c in ordered)
        demo.out(f"  {node.state}: {node.url}/ui/   users (name / password): {users}")


def write_state(demo: Demo, *, ready: bool) -> None:
    described = describe(demo.sandbox)
    value = {
        "ready": ready,
        "states": described["states"],
        "exported_package": str(demo.exported) if demo.exported else None,
        "letter_of_request": str(demo.letter) if demo.letter else None,
        "answer_letter": str(demo.answer) if demo.answer else None,
        "requests": {k: v for k, v in demo.ids.items() if k != "evidence"},
        "steps": demo.steps,
    }
    write_json(demo.sandbox.root / "demo.json", value)


def run_demo(
    root: Path,
    *,
    base_port: int,
    clock: Clock,
    keep_running: bool,
    out: Callable[[str], None] = print,
) -> bool:
    """Build and start the sandbox, play the case; returns True if every step succeeded.

    Every node started is stopped on the way out, however the demo ends: Ctrl-C, SIGTERM
    or SIGHUP (``KeyboardInterrupt`` from here on), a failure, or the end of ``--exit``."""
    started = time.monotonic()
    with Interrupts() as interrupts:
        interrupts.hold()
        sandbox = build_sandbox(
            root, STATES, base_port=base_port, clock=clock, start=True, offline=[GHANA]
        )
        try:
            interrupts.release()
            demo = Demo(sandbox=sandbox, clock=clock, out=out)
            out(
                f"sandbox federation in {root}: "
                + ", ".join(f"{n.state} {n.url}" for n in sandbox.nodes.values())
                + f"; {OFFLINE} runs no node (the directory lists it, with its channels)"
            )
            ok = play(demo)
            out(
                f"scenario {'done' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s; "
                f"details in {root / 'demo.json'}"
            )
            print_users(demo)
            if keep_running and ok:
                stay_up(sandbox, out)
            return ok
        finally:
            shut_down(sandbox, interrupts)


def play(demo: Demo) -> bool:
    """Start the nodes and play the case, with ``demo.json`` written before and after."""
    demo.sandbox.start()
    write_state(demo, ready=False)
    ok = True
    try:
        demo.run()
    except (StepFailed, HanoiError, httpx.HTTPError, OSError, KeyError):
        ok = False
    write_state(demo, ready=ok)
    return ok
