"""The demo's case off the network (ADR 0028) with Ghana, a State that runs no node:
EGY's request to it as a signed letter of request sent by diplomatic note, its answers
recorded from its (simulated) notes, and its own request received on paper, registered
and refused by letter; each step with its channel record."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

from hanoi.convention import default_catalogue
from hanoi.cooperation.kinds import consultation_required
from hanoi.cooperation.samples import sample_contents
from hanoi.sandbox.nodes import GHANA
from hanoi.sandbox.session import WAIT_SECONDS, Session, StepFailed

OFFLINE = str(GHANA["state"])
"""The State without a node, listed in the sandbox's directory."""
OFFLINE_AUTHORITY = str(GHANA["authorities"][0]["name"])
CHANNEL_NAMES = {"diplomatic": "diplomatic note", "email": "e-mail"}
PAPER_GROUND = "domestic-prohibition"
"""Why EGY refuses GHA's request received on paper: Art. 40(21)(c), so after a
consultation (Art. 40(27)). The sample contents give 4 years as the maximum penalty."""


class OffNetworkCase(Session):
    """The steps of the case with the State without a node, taken on EGY's node."""

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
