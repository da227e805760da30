"""``hanoi demo``: a sandbox federation of three States and a scripted case through it.

Each State is a real node in its own process, with its own SQLite database and
folder, talking to the others over loopback HTTP with signed, encrypted messages.
The script plays the officers of each State through the same JSON API the web UI
uses, prints each step as it happens, and writes ``demo.json`` for trainers and
tests.

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
from hanoi.cooperation.samples import sample_contents
from hanoi.crypto.agekeys import AgeIdentity, AgeRecipient, format_identity_file
from hanoi.errors import HanoiError, PeerError
from hanoi.federation.court_export import export_for_court
from hanoi.federation.sandbox import Sandbox, SandboxNode, build_sandbox, describe, write_json
from hanoi.node.folder import load_keys
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


class StepFailed(Exception):
    pass


@dataclass
class Demo:
    sandbox: Sandbox
    clock: Clock
    out: Callable[[str], None] = print
    steps: list[dict[str, Any]] = field(default_factory=list)
    exported: Path | None = None
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
        digest = hashlib.sha256(EVIDENCE).hexdigest()
        headers = {**self.vnm.headers("officer"), "Tus-Resumable": "1.0.0"}
        created = httpx.post(
            f"{self.vnm.url}/api/v1/uploads",
            headers={
                **headers,
                "Upload-Length": str(len(EVIDENCE)),
                "Upload-Metadata": "sha256 " + base64.b64encode(digest.encode()).decode(),
            },
            timeout=30,
        )
        if created.status_code != 201:
            raise StepFailed(f"upload: {created.status_code} {created.text[:200]}")
        location = created.headers["location"]
        patched = httpx.patch(
            f"{self.vnm.url}{location}" if location.startswith("/") else location,
            content=EVIDENCE,
            timeout=60,
            headers={
                **headers,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        if patched.status_code != 204:
            raise StepFailed(f"upload: {patched.status_code} {patched.text[:200]}")
        item = self.call(
            self.vnm,
            "officer",
            "POST",
            "/api/v1/evidence",
            {
                "upload_id": location.rsplit("/", 1)[1],
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

    def verify(self) -> None:
        root = self.sandbox.root
        shows = [
            json.loads(self._hanoi("node", "show", "--dir", str(n.node_dir)))
            for n in self.sandbox.nodes.values()
        ]
        write_json(root / "trust.json", {"nodes": shows, "min_witnesses": 1})
        assert self.exported is not None
        court = [
            "--trust",
            str(root / "trust.json"),
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

    def _hanoi(self, *args: str) -> str:
        hanoi = str(Path(sys.executable).with_name("hanoi"))
        result = subprocess.run([hanoi, *args], capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StepFailed(f"hanoi {args[0]} {args[1]}: {result.stderr.strip()[:300]}")
        return result.stdout


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
        sandbox = build_sandbox(root, STATES, base_port=base_port, clock=clock, start=True)
        try:
            interrupts.release()
            demo = Demo(sandbox=sandbox, clock=clock, out=out)
            out(
                f"sandbox federation in {root}: "
                + ", ".join(f"{n.state} {n.url}" for n in sandbox.nodes.values())
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
