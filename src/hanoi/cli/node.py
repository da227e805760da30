"""``hanoi node``: create a node folder, show its public identity, and give it the
certificate that signs its PDF letters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Create a node and show its public identity.", no_args_is_help=True)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]


@app.command("init")
def init(
    directory: DirOption,
    state: Annotated[str, typer.Option(help="ISO 3166-1 alpha-3 code, e.g. EGY.")],
    name: Annotated[str, typer.Option(help='e.g. "Central Authority of Egypt".')],
    log_origin: Annotated[
        str | None, typer.Option(help="Custody log origin; default hanoi.node/<state>/<key id>.")
    ] = None,
) -> None:
    """Create a node folder: configuration, migrated database, blob folder and keys."""
    from hanoi.clock import SystemClock
    from hanoi.node.folder import init_node
    from hanoi.wiring import prepare_new_node

    clock = SystemClock()
    identity = init_node(
        directory,
        state=state,
        name=name,
        now=clock.now(),
        log_origin=log_origin,
        prepare=lambda settings, keys: prepare_new_node(settings, keys, clock),
    )
    print_json(identity.as_json())


@app.command("show")
def show(directory: DirOption) -> None:
    """Print the node's public identity as JSON, with the SHA-256 fingerprint of its
    document-signing certificate (document_certificate_fingerprint) if it has one."""
    from hanoi.crypto.document_signing import fingerprint
    from hanoi.node.folder import load_document_certificate
    from hanoi.settings import load_settings
    from hanoi.wiring import public_identity

    settings = load_settings(directory)
    shown = public_identity(settings).as_json()
    certificate = load_document_certificate(settings)
    if certificate is not None:
        shown["document_certificate_fingerprint"] = fingerprint(certificate)
    print_json(shown)


@app.command("document-certificate")
def document_certificate(
    directory: DirOption,
    renew: Annotated[
        bool,
        typer.Option(
            "--renew",
            help="Replace the key and certificate; the old certificate is kept as "
            "keys/document-signing.<serial>.crt to check letters it signed.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create the key and self-signed certificate that sign this node's PDF letters
    (keys/document-signing.pem and .crt), for a node made before signed letters.
    Refuses if they exist (exit 4) unless --renew. Prints the certificate's SHA-256
    fingerprint, which the other State pins, its subject, validity and path."""
    from hanoi.clock import SystemClock
    from hanoi.crypto.document_signing import subject_text
    from hanoi.node.document_certificate import issue_document_certificate
    from hanoi.settings import load_settings

    issued = issue_document_certificate(
        load_settings(directory), now=SystemClock().now(), renew=renew
    )
    certificate = issued.signer.certificate
    shown = {
        "fingerprint": issued.signer.fingerprint,
        "subject": subject_text(certificate),
        "not_before": certificate.not_valid_before_utc.isoformat(),
        "not_after": certificate.not_valid_after_utc.isoformat(),
        "path": str(issued.path),
        "archived": None if issued.archived is None else str(issued.archived),
    }
    if as_json:
        print_json(shown)
        return
    print(f"fingerprint: SHA-256 {shown['fingerprint']}")
    print(f"subject:     {shown['subject']}")
    print(f"valid:       {shown['not_before']} to {shown['not_after']}")
    print(f"certificate: {shown['path']}")
    if issued.archived is not None:
        print(f"replaced:    the old certificate is kept as {issued.archived}")


@app.command("rotate-key")
def rotate_key(
    kind: Annotated[
        str,
        typer.Argument(
            help="signing (the node key that signs messages and packages), age (what other "
            "States encrypt to), log (the custody log's key: the log goes on under a new "
            "origin) or document (the key and certificate of PDF letters)."
        ),
    ],
    directory: DirOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Replace one of the node's keys, keeping the old one in keys/retired/ (ADR 0051).

    Restart each 'hanoi serve' of the node, one at a time, to use the new key; then build
    the State's entry again with --previous (it lists both keys, the old one until the
    end of its overlap period, and is cosigned by the old key) and give it to the
    directory authority. Until other nodes hold that entry they refuse what the new
    signing key signs and the outbox retries; what they encrypt to the old age
    recipient still opens. A log key rotation starts a new log origin: the first checkpoint
    under it comes with a succession, signed by both log keys, that ends the old one."""
    from hanoi.clock import SystemClock
    from hanoi.crypto.document_signing import fingerprint
    from hanoi.node.document_certificate import issue_document_certificate
    from hanoi.node.folder import load_document_certificate
    from hanoi.settings import load_settings
    from hanoi.wiring import rotate_key as rotate

    settings = load_settings(directory)
    if kind == "document":
        before = load_document_certificate(settings)
        issued = issue_document_certificate(settings, now=SystemClock().now(), renew=True)
        shown = {
            "kind": kind,
            "old": None if before is None else fingerprint(before),
            "new": issued.signer.fingerprint,
            "retired": None if issued.archived is None else str(issued.archived),
        }
    else:  # signing, age or log; any other kind is refused there
        rotated = rotate(settings, kind, SystemClock())
        shown = {
            "kind": kind,
            "old": rotated.old,
            "new": rotated.new,
            "retired": str(rotated.retired),
        }
    if as_json:
        print_json(shown)
        return
    print(f"rotated {kind} key: {shown['old']} -> {shown['new']}")
    print(f"old key kept as {shown['retired']}")
    if kind == "log":
        print(
            f"the log goes on under {shown['new']} from its next checkpoint, which comes "
            f"with the succession that ends {shown['old']}"
        )
    print(
        "next: copy keys/ (with keys/retired/) and hanoi.toml to the node's other hosts, "
        "restart each 'hanoi serve' of this node, then build its entry again: "
        f"hanoi directory entry --dir {directory} --previous <the entry you published> ... "
        "(docs/operations.md, 'Rotating keys')"
    )
