"""``hanoi witness``: which logs this node cosigns, and which witnesses it asks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Witness other States' logs; have yours witnessed.", no_args_is_help=True)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]


@app.command("trust")
def trust(
    directory: DirOption,
    key: Annotated[str, typer.Option(help="The log's verifier key, origin+keyid+base64.")],
) -> None:
    """Cosign checkpoints of the log with this verifier key (its origin is the key's name)."""
    from hanoi.crypto.ed25519keys import NoteVerifierKey
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    parsed = NoteVerifierKey.parse(key)
    node = open_node(load_settings(directory))
    try:
        node.witnesses.trust(origin=parsed.name, verifier_key=str(parsed), now=node.clock.now())
    finally:
        node.close()
    print(f"this node now witnesses {parsed.name}")


@app.command("add-peer")
def add_peer(
    directory: DirOption,
    url: Annotated[
        str, typer.Option(help="The witness's base URL, e.g. https://vnm.example/witness")
    ],
    key: Annotated[str, typer.Option(help="The witness's cosigner key (name+keyid+base64).")],
) -> None:
    """Ask this witness to cosign every new checkpoint of this node's log."""
    from hanoi.custody.cosignature import CosignerKey
    from hanoi.errors import InvalidInput
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    if not url.startswith(("http://", "https://")):
        raise InvalidInput("the witness URL starts with http:// or https://")
    parsed = CosignerKey.parse(key)
    node = open_node(load_settings(directory))
    try:
        node.witnesses.add_peer(
            name=parsed.name, url=url, cosigner_key=str(parsed), now=node.clock.now()
        )
    finally:
        node.close()
    print(f"this node will ask {parsed.name} at {url} to cosign its checkpoints")


@app.command("status")
def status(directory: DirOption) -> None:
    """Logs witnessed, witnesses asked (with what they last cosigned), and alerts."""
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    node = open_node(load_settings(directory))
    try:
        print_json(
            {
                "witnessing": sorted(node.witnesses.trusted()),
                "witnesses": [
                    {
                        "name": p.name,
                        "url": p.url,
                        "cosigned_size": p.cosigned_size,
                        "error": p.last_error,
                    }
                    for p in node.witnesses.peers()
                ],
                "alerts": node.witness.alerts(),
            }
        )
    finally:
        node.close()
