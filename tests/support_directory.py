"""A signed directory of the test nodes, imported into some of them: what the secretariat
and every State do (docs/directory.md), in one process; and one that also lists a State
without a node (Brazil), for the off-network tests."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.clock import Clock, FixedClock
from hanoi.directory.authoring import assemble, build_entry
from hanoi.directory.codec import dump_json
from hanoi.directory.signing import sign_directory, sign_entry
from hanoi.directory.store import import_document
from hanoi.node.folder import load_keys
from hanoi.wiring import Node

LANGUAGES = {"EGY": ["ar", "en"], "VNM": ["vi", "en"], "FRA": ["fr", "en"]}
"""The languages each test State takes requests in (Art. 40(14))."""


def import_directory(nodes: list[Node], *, into: list[Node], clock: Clock) -> None:
    """What the secretariat and every State do (docs/directory.md), in one process."""
    now = clock.now().replace(microsecond=0)
    signed = []
    for node in nodes:
        state = node.identity.state
        entry = build_entry(
            node.identity,
            node_url=f"https://hanoi.{state.lower()}.example",
            authorities=[
                {
                    "kind": "central-authority",
                    "name": f"Ministry of Justice of {state}",
                    "languages": LANGUAGES[state],
                    "contact": f"mla@{state.lower()}.example",
                },
                {
                    "kind": "point-of-contact",
                    "name": f"24/7 Cybercrime Unit of {state}",
                    "languages": ["en"],
                    "contact": "+1 555 0100",
                },
            ],
            declarations={},
            valid_from=now,
        )
        signed.append(sign_entry(entry, [load_keys(node.settings).signing]))
    authority = Ed25519PrivateKey.generate()
    document = assemble(signed, version=7, issued_at=now, expires=now + timedelta(days=365))
    data = dump_json(sign_directory(document, authority).to_json())
    for node in into:
        import_document(node.settings.node_dir, data, now=now, pin=authority.public_key())


BRAZIL = {
    "state": "BRA",
    "name": "Central Authority of Brazil",
    "authorities": [
        {
            "kind": "central-authority",
            "name": "Department of Asset Recovery and International Legal Cooperation",
            "languages": ["pt", "es"],
            "contact": "By diplomatic note",
            "postal_address": "SCN Quadra 6\nBrasília DF 70716-900",
            "email": "cooperacao@justice.example",
            "telephone": "+55 61 2025-8900",
        },
        {
            "kind": "point-of-contact",
            "name": "24/7 Cybercrime Unit of BRA",
            "languages": ["pt"],
            "contact": "+55 61 0000 0000",
        },
    ],
    "channels": ["diplomatic", "email"],
    "declarations": {},
    "source": "Note verbale 123/2026 of 2 October 2026",
    "updated": "2026-10-02",
}
"""A State without a node, as the directory lists it (issue 17)."""


def import_directory_with_offline(nodes: list[Node], *, into: Node, clock: FixedClock) -> None:
    """Egypt lists its channels and contacts; Viet Nam lists none; Brazil runs no node."""
    now = clock.now().replace(microsecond=0)
    signed = []
    for node in nodes:
        state = node.identity.state
        central = {
            "kind": "central-authority",
            "name": f"Ministry of Justice of {state}",
            "languages": ["ar", "en"] if state == "EGY" else ["vi", "en"],
            "contact": f"mla@{state.lower()}.example",
        }
        if state == "EGY":
            central |= {"email": "mla@justice.example", "telephone": "+20 2 2792 2263"}
        entry = build_entry(
            node.identity,
            node_url=f"https://hanoi.{state.lower()}.example",
            authorities=[central],
            declarations={},
            valid_from=now,
            channels=["hanoi", "email"] if state == "EGY" else (),
        )
        signed.append(sign_entry(entry, [load_keys(node.settings).signing]))
    authority = Ed25519PrivateKey.generate()
    document = assemble(
        signed, version=3, issued_at=now, expires=now + timedelta(days=365), offline=[BRAZIL]
    )
    data = dump_json(sign_directory(document, authority).to_json())
    import_document(into.settings.node_dir, data, now=now, pin=authority.public_key())
