"""``hanoi demo``: a sandbox federation of three States and a scripted case through it.

Each State is a real node in its own process, with its own SQLite database and
folder, talking to the others over loopback HTTP with signed, encrypted messages.
The script plays the officers of each State through the same JSON API the web UI
uses, prints each step as it happens, and writes ``demo.json`` for trainers and
tests (:mod:`hanoi.sandbox.runner`). A fourth State, Ghana, runs no node: the directory
lists it, and EGY's officers play a case with it on paper (ADR 0028), its letters
simulated (:mod:`hanoi.sandbox.off_network`).
"""

from __future__ import annotations

from hanoi.sandbox.network_case import NetworkCase
from hanoi.sandbox.off_network import OFFLINE, OffNetworkCase
from hanoi.sandbox.statistics_case import StatisticsCase

STATES = ("EGY", "VNM", "FRA")
PROVIDER_STATE = "VNM"
"""Where the sandbox's simulated service provider is (``hanoi provider-sim``): VNM
executes EGY's Art. 44 request by ordering it over HI-1."""


class Demo(NetworkCase, OffNetworkCase, StatisticsCase):
    """The whole case: each step on the network, then the one off it, then each State's
    signed statistics and their sum."""

    def run(self) -> None:
        for name, play in (
            (
                "Art. 42 preservation request from EGY to VNM through the 24/7 contacts",
                self.preserve,
            ),
            ("Art. 43 disclosure of traffic data naming a provider in FRA", self.disclose),
            ("Art. 44 mutual legal assistance request for the preserved data", self.mla),
            (
                "Execution in VNM: a disclosure order to a service provider over HI-1, its "
                "delivery taken in as evidence",
                self.execute,
            ),
            ("The encrypted evidence package sent back to EGY", self.package),
            ("An export for court in EGY", self.export),
            ("Offline verification of the export (hanoi evidence verify)", self.verify),
            ("A refusal with grounds and reasons on a second request", self.refuse),
            (
                f"{OFFLINE}, a State without a node: a signed letter of request by diplomatic "
                "note, and a request received on paper",
                self.off_network,
            ),
            (
                "Each State's signed statistics for the Conference of the States Parties, "
                "and their sum (Art. 57)",
                self.publish_statistics,
            ),
        ):
            with self.step(name):
                play()
