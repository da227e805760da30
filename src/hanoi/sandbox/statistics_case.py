"""The demo's last step (issue 19): each State's statistics for the days of the demo,
signed by its node (``hanoi stats export``), checked and summed as a Conference
secretariat would (``hanoi stats aggregate`` against the signed directory), and EGY's
figures held against the requests the demo made with it: every one counted once, in its
direction, with its State and kind, and each refusal under its ground (Art. 40(21))."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from hanoi.sandbox.network_case import REFUSAL_GROUND
from hanoi.sandbox.nodes import write_json
from hanoi.sandbox.off_network import PAPER_GROUND
from hanoi.sandbox.session import Session, StepFailed

REFUSALS = {"refused": ("outgoing", REFUSAL_GROUND), "on-paper": ("incoming", PAPER_GROUND)}
"""The demo's refused requests (:attr:`Session.ids`): in which of EGY's directions, and
on which ground."""


class StatisticsCase(Session):
    """Signed statistics of every node, their sum, and EGY's figures checked."""

    def publish_statistics(self) -> None:
        folder = self.sandbox.root / "statistics"
        folder.mkdir(exist_ok=True)
        today = self.clock.now().date()
        # The demo's requests were all made today, or yesterday for a demo started
        # before midnight (UTC): a period of both days holds them, whatever the hour.
        period = ("--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat())
        files = []
        for node in self.sandbox.nodes.values():
            out = folder / f"{node.state.lower()}.jws"
            self._hanoi("stats", "export", "--signed", "--dir", str(node.node_dir), *period,
                        "--out", str(out), "--force")  # fmt: skip
            files.append(str(out))
        trust = (
            "--trust", str(self.sandbox.root / "directory-authority" / "directory.json"),
            "--authority-key", str(self.sandbox.authority_public_pem),
        )  # fmt: skip
        (folder / "aggregate.txt").write_text(self._hanoi("stats", "aggregate", *files, *trust))
        summed = json.loads(self._hanoi("stats", "aggregate", *files, *trust, "--json"))
        write_json(folder / "aggregate.json", summed)
        egy = json.loads(self._hanoi("stats", "--dir", str(self.egy.node_dir), *period, "--json"))
        expected = self._egy_requests()
        check_figures(egy, expected)
        self.statistics_folder = folder
        self.out(
            f"      EGY's signed figures: {egy['outgoing']['total']} requests sent, "
            f"{egy['incoming']['total']} received, each refusal under its ground; "
            f"the sum of {len(files)} States verified: {folder / 'aggregate.txt'}"
        )

    def _egy_requests(self) -> dict[str, dict[str, Any]]:
        """The demo's requests as EGY's node holds them, by the demo's name for each, each
        read by one of the officers whose case it is (the 24/7 contact's or the
        supervisor's)."""
        held = {}
        for name, rid in self.ids.items():
            if name != "evidence":
                held[name] = self._read(rid)
        return held

    def _read(self, request_id: str) -> dict[str, Any]:
        for who in ("supervisor", "contact"):
            try:
                found: dict[str, Any] = self.call(
                    self.egy, who, "GET", f"/api/v1/requests/{request_id}"
                )
                return found
            except StepFailed:
                continue
        raise StepFailed(f"no officer of EGY can read {request_id}")


def check_figures(figures: dict[str, Any], requests: dict[str, dict[str, Any]]) -> None:
    """``StepFailed`` unless EGY's figures count exactly ``requests``: each in its
    direction, by State, kind and channel, and the refusals by ground."""
    for direction, side, other in (
        ("outgoing", "requesting", "requested"),
        ("incoming", "requested", "requesting"),
    ):
        mine = [r for r in requests.values() if r["side"] == side]
        flow = figures[direction]
        wanted = {
            "total": len(mine),
            "by_state": dict(Counter(r["document"][other]["state"] for r in mine)),
            "by_kind": dict(Counter(r["kind"] for r in mine)),
            "by_channel": dict(Counter(r["route"] for r in mine)),
        }
        found = {key: flow[key] for key in wanted}
        if found != wanted:
            raise StepFailed(f"EGY's {direction} figures {found} are not the demo's {wanted}")
    for name, (direction, ground) in REFUSALS.items():
        grounds = figures[direction]["refusals_by_ground"]
        if name not in requests or grounds.get(ground, {}).get("count") != 1:
            raise StepFailed(f"EGY's {direction} refusals {grounds} lack the demo's {ground}")
