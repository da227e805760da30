"""``hanoi evidence``: record evidence on a node; pack, export and verify evidence packages.

The rules live in :mod:`hanoi.evidence`; this module reads options and files,
opens the node, shows progress on standard error and prints results. Imports
sit inside the commands so that ``hanoi --help`` stays fast.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from hanoi.cli.files import check_output, publish, read_limited, write_temporary
from hanoi.cli.output import print_json

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from rich.progress import Progress, TaskID

    from hanoi.crypto.agekeys import AgeRecipient
    from hanoi.evidence.age import Identity, Recipient
    from hanoi.evidence.package import PackedPackage
    from hanoi.evidence.statement import Conditions
    from hanoi.node.identity import NodeKeys
    from hanoi.settings import Settings
    from hanoi.wiring import Node

app = typer.Typer(help="Record, pack and verify electronic evidence.", no_args_is_help=True)


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The file to record (read once, streamed).")],
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    request_ref: Annotated[str, typer.Option("--request", help="The request it answers.")],
    source_kind: Annotated[str, typer.Option(help="provider, system or device.")],
    source: Annotated[str, typer.Option(help="Which provider, system or device.")],
    method: Annotated[str, typer.Option(help="How it was acquired (tool, order, procedure).")],
    user: Annotated[
        str,
        typer.Option(
            "--user",
            "--officer",
            help="The acquiring officer: a user of the node on the request's case.",
        ),
    ],
    article: Annotated[str, typer.Option(help="The article that authorises it.")] = "Art. 40",
    acquired_at: Annotated[
        str | None, typer.Option(help="ISO 8601 time of acquisition; default now.")
    ] = None,
    media_type: Annotated[str, typer.Option(help="Media type.")] = "application/octet-stream",
    legal_basis: Annotated[
        str | None,
        typer.Option(help="The legal basis, or the order's reference (e.g. a production order)."),
    ] = None,
    authority: Annotated[
        str | None, typer.Option(help="The executing authority; default: this node's name.")
    ] = None,
    received_from: Annotated[
        str | None,
        typer.Option(
            "--received-from",
            help="Received off the network from this State (ISO 3166-1 alpha-3), "
            "with --channel and --reference.",
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel", help="How it came: diplomatic, email, interpol, courier or other."
        ),
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            help="The consignment's reference: the diplomatic note's number, the waybill.",
        ),
    ] = None,
) -> None:
    """Record a file as evidence for a request of your case: hash and store it in one pass,
    log its custody event. The request must exist on this node and the user must be on its
    case (the same check as the API and the web pages).

    Evidence a State without a node sent on media, by courier or in the diplomatic bag:
    say from which State, by which channel and under which reference (--received-from,
    --channel, --reference: all three, or none)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from hanoi.cli.acting import user_session
    from hanoi.errors import InvalidInput
    from hanoi.evidence.items import Acquisition, SourceKind

    try:
        kind = SourceKind(source_kind)
    except ValueError:
        raise InvalidInput("--source-kind is provider, system or device") from None
    receipt = _receipt(received_from, channel, reference)
    try:
        when = datetime.fromisoformat(acquired_at) if acquired_at else None
    except ValueError:
        raise InvalidInput(
            "--acquired-at must be ISO 8601, e.g. 2026-11-28T09:30:00+00:00"
        ) from None
    if not file.is_file():
        raise InvalidInput(f"{file} is not a readable file")
    with user_session(directory, user) as (node, actor):
        acquisition = Acquisition(
            original_name=file.name,
            media_type=media_type,
            source_kind=kind,
            source=source,
            method=method,
            acquired_at=when or node.clock.now(),
            officer=actor.name,
            request_ref=request_ref,
            article=article,
            legal_basis=legal_basis,
            authority=authority or node.settings.name,
            **receipt,
        )
        columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
        with Progress(*columns, transient=True) as progress, file.open("rb") as stream:
            task = progress.add_task(f"recording {file.name}", total=file.stat().st_size)
            recorded = node.evidence.ingest(
                actor, progress.wrap_file(stream, task_id=task), acquisition
            )
        node.custody.sequence()
    item = recorded.item
    print_json({"id": item.id, "sha256": item.sha256, "size": item.size, "request": request_ref})


def _receipt(
    received_from: str | None, channel: str | None, reference: str | None
) -> dict[str, Any]:
    """``--received-from``, ``--channel`` and ``--reference`` as the acquisition's fields,
    each checked here so that a mistake is one line naming its option."""
    import re

    from hanoi.cooperation.routes import OFF_NETWORK, Route
    from hanoi.errors import InvalidInput
    from hanoi.evidence.items import MAX_CHANNEL_REFERENCE

    options = {"--received-from": received_from, "--channel": channel, "--reference": reference}
    given = [name for name, value in options.items() if value is not None]
    if not given:
        return {}
    if received_from is None or channel is None or reference is None:
        missing = ", ".join(name for name in options if name not in given)
        raise InvalidInput(
            f"{', '.join(given)} needs {missing}: evidence received off the network names "
            "the State it came from, the channel and the reference, all three"
        )
    if not re.fullmatch(r"[A-Z]{3}", received_from):
        raise InvalidInput(
            f"--received-from {received_from[:16]!r}: an ISO 3166-1 alpha-3 code in capitals, "
            "such as GHA"
        )
    names = ", ".join(route.value for route in OFF_NETWORK)
    if channel == Route.HANOI.value:
        raise InvalidInput(
            f"--channel hanoi: evidence over the network arrives in a package, not by hand; "
            f"a channel off the network is one of {names}"
        )
    if channel not in {route.value for route in OFF_NETWORK}:
        raise InvalidInput(f"--channel {channel[:16]!r}: one of {names}")
    text = reference.strip()
    if len(text) > MAX_CHANNEL_REFERENCE:
        raise InvalidInput(
            f"--reference is at most {MAX_CHANNEL_REFERENCE} characters, not {len(text)}"
        )
    if not text or not text.isprintable():
        raise InvalidInput(
            "--reference is the consignment's reference (the note's number, the waybill): "
            "printable characters on one line"
        )
    return {"received_from": received_from, "channel": Route(channel), "channel_reference": text}


# --- packages: pack, export, verify ------------------------------------------------------

RecipientOption = Annotated[
    list[str], typer.Option("--recipient", help="An age recipient (age1...); repeatable.")
]
PassphraseFileOption = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="A file (chmod 600) whose first line is the age passphrase.",
    ),
]
PassphraseStdinOption = Annotated[
    bool,
    typer.Option(
        "--passphrase-stdin",
        help="Read the age passphrase from standard input (asked for, unseen, on a terminal).",
    ),
]
OutOption = Annotated[
    Path, typer.Option("--out", help="The package to create: PACKAGE.tar, or else a folder.")
]
UseOption = Annotated[
    str | None, typer.Option(help="Use limitation (Art. 40(19)); default: the Convention's.")
]
ConfidentialityOption = Annotated[
    str | None, typer.Option(help="Confidentiality (Art. 40(20)); default: the Convention's.")
]
RetentionOption = Annotated[
    str | None, typer.Option(help="Retention (Art. 36(1)(b)); default: the Convention's.")
]
OnwardOption = Annotated[
    str | None, typer.Option(help="Onward transfer (Art. 36(3)); default: the Convention's.")
]


class _Bar:
    """A rich progress bar (on standard error) as the packer's and verifier's progress port."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)


@contextmanager
def _progress_bar() -> Iterator[_Bar]:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    console = Console(stderr=True)
    columns = ("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as p:
        yield _Bar(p)


def _recipients(values: list[str]) -> list[AgeRecipient]:
    from hanoi.crypto.agekeys import AgeRecipient
    from hanoi.errors import HanoiError, InvalidInput

    recipients = []
    for value in values:
        try:
            recipients.append(AgeRecipient.parse(value.strip()))
        except HanoiError as exc:
            raise InvalidInput(f"--recipient {value[:24]!r}: {exc.diagnostics()}") from None
    return recipients


def _conditions(
    state: str, request_ref: str | None, overrides: dict[str, str | None]
) -> Conditions:
    from dataclasses import replace

    from hanoi.evidence.statement import default_conditions

    base = default_conditions(sending_state=state, request=request_ref)
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    return replace(base, **given)


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb", buffering=0)


def _signing_key_file(path: Path) -> Ed25519PrivateKey:
    from hanoi.crypto.ed25519keys import private_from_pem
    from hanoi.errors import IntegrityError
    from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS

    data = read_limited(path, max_bytes=DEFAULT_PACKAGE_LIMITS.max_key_file, what="--key")
    if path.stat().st_mode & 0o077:
        raise IntegrityError(
            f"{path} is readable by other users; run 'chmod 600 {path}' and check who read it"
        )
    return private_from_pem(data)


def _passphrase(file: Path | None, stdin: bool, *, confirm: bool) -> str | None:
    """The passphrase from ``--passphrase-file`` or ``--passphrase-stdin``, if either is
    given. It is never printed, logged or put in an error message."""
    import getpass
    import sys

    from hanoi.errors import IntegrityError, InvalidInput
    from hanoi.evidence.passphrase import MAX_INPUT_BYTES, passphrase_text

    if file is not None and stdin:
        raise InvalidInput("give the passphrase once: --passphrase-file or --passphrase-stdin")
    if file is not None:
        data = read_limited(file, max_bytes=MAX_INPUT_BYTES, what="--passphrase-file")
        if file.stat().st_mode & 0o077:
            raise IntegrityError(
                f"{file} is readable by other users; run 'chmod 600 {file}', check who read "
                "it, and choose another passphrase if anyone did"
            )
        return passphrase_text(data, what="--passphrase-file")
    if not stdin:
        return None
    if not sys.stdin.isatty():
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        return passphrase_text(data, what="--passphrase-stdin")
    typed = getpass.getpass("age passphrase: ")
    if confirm and getpass.getpass("the same passphrase again: ") != typed:
        raise InvalidInput("the two passphrases typed differ; nothing was exported")
    return passphrase_text(typed.encode("utf-8"), what="--passphrase-stdin")


def _print_packed(packed: PackedPackage, **more: object) -> None:
    from hanoi.crypto.ed25519keys import b64url, raw_public

    s = packed.statement
    print_json(
        {
            "package": str(packed.path),
            "package_id": s.package_id,
            "sending_state": s.sending_state,
            "request": s.request,
            "files": [
                {"name": e.name, "path": e.path, "sha256": e.sha256, "size": e.size}
                for e in s.payload
            ],
            "custody_events": packed.custody_events,
            "signing_key_id": packed.key_id,
            "signing_public_key": b64url(raw_public(packed.public_key)),
            **more,
        }
    )


@app.command("pack")
def pack(
    files: Annotated[list[Path], typer.Argument(help="The files to pack (each read once).")],
    recipient: RecipientOption,
    out: OutOption,
    request_ref: Annotated[str | None, typer.Option("--request", help="The request.")] = None,
    state: Annotated[
        str | None, typer.Option(help="The sending State (ISO 3166-1 alpha-3).")
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="Ed25519 signing key, PKCS#8 PEM.")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Sign as this node; add its custody proofs.")
    ] = None,
    use_limitation: UseOption = None,
    confidentiality: ConfidentialityOption = None,
    retention: RetentionOption = None,
    onward_transfer: OnwardOption = None,
) -> None:
    """Pack files into an evidence package: age-encrypted, signed, with custody proofs."""
    from hanoi.clock import SystemClock
    from hanoi.errors import InvalidInput
    from hanoi.evidence.package import PayloadSource, build_package

    if (key is None) == (directory is None):
        raise InvalidInput("sign with either --key SIGNING_KEY_PEM or --dir NODE_DIR")
    for file in files:
        if not file.is_file():
            raise InvalidInput(f"{file} is not a readable file")
    sources = [
        PayloadSource(
            name=file.name,
            open=partial(_open_binary, file),
            size=file.stat().st_size,
        )
        for file in files
    ]
    overrides = {
        "use_limitation": use_limitation,
        "confidentiality": confidentiality,
        "retention": retention,
        "onward_transfer": onward_transfer,
    }
    recipients = _recipients(recipient)
    with ExitStack() as stack:
        if directory is not None:
            node = stack.enter_context(_opened_node(directory))
            if state is not None and state != node.settings.state:
                raise InvalidInput(f"--state {state}, but the node serves {node.settings.state}")
            state = node.settings.state
            # As for every package a node signs: proofs on a checkpoint the quorum of other
            # States' witnesses cosigned, waited for (asking them); else exit 8 (ADR 0022).
            node.node.custody.sequence()
            node.node.quorum.witnessed(seconds=node.settings.witness_wait_seconds)
            signing_key, clock = node.keys.signing, node.node.clock
            custody = node.node.custody.witnessed(node.node.quorum.policy())
        else:
            assert key is not None
            if state is None:
                raise InvalidInput("--state is required with --key (e.g. --state EGY)")
            signing_key, custody, clock = _signing_key_file(key), None, SystemClock()
        bar = stack.enter_context(_progress_bar())
        packed = build_package(
            out,
            files=sources,
            recipients=recipients,
            signing_key=signing_key,
            sending_state=state,
            request=request_ref,
            clock=clock,
            conditions=_conditions(state, request_ref, overrides),
            custody=custody,
            progress=bar,
        )
    _print_packed(packed)


@app.command("export")
def export(
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    request_ref: Annotated[str, typer.Option("--request", help="Export its evidence items.")],
    user: Annotated[
        str,
        typer.Option(
            "--user",
            "--officer",
            help="Who exports: a user of the node on the request's case (in the custody log).",
        ),
    ],
    out: OutOption,
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", help="An age recipient (age1...); repeatable."),
    ] = None,
    passphrase_file: PassphraseFileOption = None,
    passphrase_stdin: PassphraseStdinOption = False,
    to_state: Annotated[
        str | None,
        typer.Option(
            "--to-state",
            help="The State it goes to (ISO 3166-1 alpha-3); required with a passphrase.",
        ),
    ] = None,
    guide_language: Annotated[
        str,
        typer.Option(
            "--guide-language", help="The verification guide's language: ar, zh, en, fr, ru, es."
        ),
    ] = "en",
    use_limitation: UseOption = None,
    confidentiality: ConfidentialityOption = None,
    retention: RetentionOption = None,
    onward_transfer: OnwardOption = None,
    article: Annotated[str, typer.Option(help="The article that authorises it.")] = "Art. 40(19)",
) -> None:
    """Export a request's evidence for a court, with the chain of custody from its collection.

    Evidence received from another State carries that State's package whole (its signed
    statement, custody proofs and CASE/UCO description) and its conditions, imposed by
    it. The export is logged ('exported' custody events, with --to-state and the kind of
    encryption) before packing, so the package proves it too. --use-limitation and the
    like add conditions of this State.

    For a State without a node, encrypt to a passphrase (--passphrase-file or
    --passphrase-stdin, at least 12 characters, instead of --recipient) and send it by
    another channel; the package holds VERIFY.<language>.txt, which says what its court
    runs (age -d, bagit.py --validate, hanoi evidence verify) and what each check proves."""
    import re

    from hanoi.errors import InvalidInput
    from hanoi.evidence.guide import LANGUAGES
    from hanoi.evidence.package_conditions import CONVENTION_ARTICLES
    from hanoi.evidence.passphrase import export_recipient
    from hanoi.evidence.provenance import Term
    from hanoi.federation.court_export import export_for_court

    if guide_language not in LANGUAGES:
        raise InvalidInput(
            f"--guide-language {guide_language[:16]!r}: one of {', '.join(LANGUAGES)}"
        )
    if to_state is not None and not re.fullmatch(r"[A-Z]{3}", to_state):
        raise InvalidInput(
            f"--to-state {to_state[:16]!r}: an ISO 3166-1 alpha-3 code in capitals, such as FRA"
        )
    secret = passphrase_file is not None or passphrase_stdin
    if secret and recipient:
        raise InvalidInput(
            "--recipient and a passphrase are mutually exclusive: age accepts a passphrase "
            "only as the one recipient of a file"
        )
    if not secret and not recipient:
        raise InvalidInput(
            "give --recipient age1... (repeatable), or a passphrase for a State without a "
            "node (--passphrase-file FILE or --passphrase-stdin, with --to-state)"
        )
    if secret and to_state is None:
        raise InvalidInput(
            "a package encrypted to a passphrase leaves the network: name the State it goes "
            "to with --to-state (ISO 3166-1 alpha-3)"
        )
    passphrase = _passphrase(passphrase_file, passphrase_stdin, confirm=True)
    if passphrase is not None:
        recipients: list[Recipient] = [export_recipient(passphrase, what="the passphrase")]
    else:
        recipients = [*_recipients(recipient or [])]
    added = {
        "use-limitation": use_limitation,
        "confidentiality": confidentiality,
        "personal-data-protection": retention,
        "onward-transfer-authorization": onward_transfer,
    }
    # Each witness's refusals are for 'hanoi witness status'; this command says in one line
    # whether the quorum came (ADR 0022).
    logging.getLogger("hanoi.custody.witness").setLevel(logging.ERROR)
    with _opened_node(directory) as opened, _progress_bar() as bar:
        node, state = opened.node, opened.settings.state
        actor = node.accounts.named(user)
        extra = [
            Term(kind=kind, imposed_by=state, text=text, article=CONVENTION_ARTICLES[kind])
            for kind, text in added.items()
            if text is not None
        ]
        exported = export_for_court(
            out,
            user=actor,
            request_id=request_ref,
            recipients=recipients,
            state=state,
            keys=opened.keys,
            evidence=node.evidence,
            cooperation=node.cooperation,
            transfers=node.transfers,
            # Proofs against a checkpoint the quorum of other States' witnesses cosigned,
            # waited for (asking them) up to witness_wait_seconds; else exit 8 (ADR 0022).
            custody=node.custody.witnessed(node.quorum.policy()),
            clock=node.clock,
            article=article,
            extra_terms=extra,
            to_state=to_state,
            guide_language=guide_language,
            before_packing=partial(
                node.quorum.witnessed, seconds=node.settings.witness_wait_seconds
            ),
            progress=bar,
        )
    _print_packed(
        exported.packed,
        recipients=exported.recipients,
        recipient_state=exported.recipient_state,
        guide=exported.guide,
    )


def _verification_key(text: str) -> Ed25519PublicKey:
    """``--key``: the base64url public key ('signing_public_key'), or a PEM public key file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from hanoi.errors import InvalidInput
    from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS
    from hanoi.evidence.trust import decode_signing_key

    path = Path(text)
    if not path.is_file():
        return decode_signing_key(text.strip())
    data = read_limited(path, max_bytes=DEFAULT_PACKAGE_LIMITS.max_key_file, what="--key")
    if b"PRIVATE KEY" in data:
        raise InvalidInput("--key takes the sender's public key, not a private key")
    try:
        public = load_pem_public_key(data)
    except ValueError:
        raise InvalidInput(f"--key: {path} is not a PEM public key") from None
    if not isinstance(public, Ed25519PublicKey):
        raise InvalidInput(f"--key: {path} is not an Ed25519 key")
    return public


@app.command("verify")
def verify(
    package: Annotated[Path, typer.Argument(help="The package: a folder or a .tar.")],
    identity: Annotated[
        Path | None,
        typer.Option("--identity", help="An age identity file: also decrypt and check contents."),
    ] = None,
    trust: Annotated[
        Path | None,
        typer.Option("--trust", help="Trusted nodes, as 'hanoi node show' prints them (JSON)."),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", help="The sender's public key (base64url, or a PEM file)."),
    ] = None,
    passphrase_file: PassphraseFileOption = None,
    passphrase_stdin: PassphraseStdinOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a package offline: bag, signatures, custody proofs and the chain of custody
    across States, the conditions, and, with --identity, contents. Prints VERIFIED only
    when everything holds (exit 0); otherwise NOT VERIFIED with the reasons (exit 6, or
    the family of the failure). A package encrypted to a passphrase is decrypted with
    --passphrase-file or --passphrase-stdin instead of --identity. --json prints one
    object: verified, reasons, chain, items, conditions (docs/evidence.md)."""
    from hanoi.crypto.agekeys import read_identity_file
    from hanoi.errors import HanoiError, IntegrityError, InvalidInput
    from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS as LIMITS
    from hanoi.evidence.report import Check, failure_json
    from hanoi.evidence.trust import parse_trust
    from hanoi.evidence.verify import verify_package

    if trust is None and key is None:
        raise InvalidInput(
            "give a trust file (--trust, as 'hanoi node show' prints each node) or, for a "
            "package of one State, the sender's public key (--key)"
        )
    trusted = None
    if trust is not None:
        trusted = parse_trust(read_limited(trust, max_bytes=LIMITS.max_trust_file, what="--trust"))
    from hanoi.evidence.passphrase import reading_identity

    identities: list[Identity] = []
    passphrase = _passphrase(passphrase_file, passphrase_stdin, confirm=False)
    if passphrase is not None:
        identities.append(reading_identity(passphrase, what="the passphrase"))
    if identity is not None:
        text = read_limited(identity, max_bytes=LIMITS.max_key_file, what="--identity")
        try:
            identities.append(read_identity_file(text.decode("utf-8")))
        except UnicodeDecodeError:
            raise InvalidInput("--identity: not an age identity file") from None
    passed: list[Check] = []
    try:
        with _progress_bar() as bar:
            report = verify_package(
                package,
                trust=trusted,
                signing_key=None if key is None else _verification_key(key),
                identities=identities,
                on_check=passed.append,
                progress=bar,
            )
    except HanoiError as exc:
        if as_json:
            print_json(failure_json(exc.diagnostics(), passed))
        else:
            for check in passed:
                print(f"checked      {check.area}: {check.detail}")
            print(f"NOT VERIFIED: {exc.diagnostics()}")
        raise
    if as_json:
        print_json(report.as_json())
    else:
        print("\n".join(report.lines()))
    if not report.verified:
        raise IntegrityError(report.verdict())


@dataclass(frozen=True)
class _OpenedNode:
    node: Node
    keys: NodeKeys
    settings: Settings


@contextmanager
def _opened_node(directory: Path) -> Iterator[_OpenedNode]:
    from hanoi.node.folder import load_keys
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    settings = load_settings(directory)
    node = open_node(settings)
    try:
        yield _OpenedNode(node, load_keys(settings), settings)
    finally:
        node.close()


# --- the court report ------------------------------------------------------------------


@app.command("report")
def report(
    request_id: Annotated[str, typer.Argument(help="The request id, e.g. EGY-2026-00042.")],
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    user: Annotated[str, typer.Option("--user", help="Act as this user of the node.")],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
    language: Annotated[str, typer.Option("--language", help="ar, zh, en, fr, ru or es.")] = "en",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    title: Annotated[
        str | None,
        typer.Option(help="The certifying officer's title on this report (default: the user's)."),
    ] = None,
) -> None:
    """Write the court report of a request as PDF: the request, each evidence file's chain
    of custody from its collection, the witnessed checkpoints, and every evidence package
    verified again now, certified by --user. The issue is logged as a 'report-issued'
    custody event with the PDF's SHA-256, printed on the second line. Exit 0 once written,
    whatever the verdict it prints."""
    from hanoi.cli.acting import report_language

    chosen = report_language(language)
    check_output(out, force=force)  # both before the slow imports below

    from hanoi.accounts.model import check_title
    from hanoi.cli.acting import user_session
    from hanoi.node.folder import load_keys
    from hanoi.reports.gather import court_report
    from hanoi.reports.issued import logged_index, record_issued
    from hanoi.reports.render import render_pdf

    title = check_title(title)
    with user_session(directory, user) as (node, actor):
        identities = load_keys(node.settings).age_identities
        node.custody.sequence()  # events still queued (no server may be running) are shown
        found = court_report(node, actor, request_id, identities=identities, title=title)
        pdf = render_pdf(found, chosen, catalogue=node.cooperation.catalogue)
        temporary = write_temporary(out, pdf)
        try:  # logged before the file is in place: no report leaves unrecorded
            issued = record_issued(
                node, actor, request_id=found.request.id, pdf=pdf, verdict=found.verdict.value
            )
            node.custody.sequence()
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        publish(temporary, out)
        index = logged_index(node, issued)
        origin = node.custody.origin
    print(f"{out}  {len(pdf)} bytes  {found.verdict_text()}")
    entry = f"entry {index} of {origin}" if index is not None else f"queued in {origin}"
    print(f"SHA-256 {issued.sha256}  report-issued: {entry}")


@app.command("report-check")
def report_check(
    pdf: Annotated[Path, typer.Argument(help="A copy of a court report (PDF).")],
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    user: Annotated[str, typer.Option("--user", help="Act as this user of the node.")],
) -> None:
    """Say whether this node issued this exact PDF: its SHA-256 looked up among the
    'report-issued' custody events of the user's cases. Prints each match as JSON, with the
    event, its salt and a tlog-proof for 'hanoi log verify-event'; exit 3 if none."""
    import hashlib

    from hanoi.cli.acting import user_session
    from hanoi.errors import InvalidInput, NotFound
    from hanoi.reports.issued import issued_reports

    try:
        with pdf.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as exc:
        raise InvalidInput(f"cannot read {pdf}: {exc.strerror}") from None
    with user_session(directory, user) as (node, actor):
        found = issued_reports(node, actor, digest)
        shown = [f.to_json(node.custody.proof_for(f.index).to_json()) for f in found]
    if not shown:
        raise NotFound(
            f"this node logged no report with SHA-256 {digest} among your cases "
            "(not issued here, altered, or issued seconds ago and not sequenced yet)"
        )
    print_json({"sha256": digest, "issued": shown})
