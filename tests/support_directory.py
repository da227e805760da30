"""A signed directory of the test nodes, imported into some of them: what the secretariat
and every State do (docs/directory.md), in one process."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.clock import Clock
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
