"""``hanoi directory``: produce, sign, verify, import and show the signed directory of States."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hanoi.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from hanoi.directory.model import Authority, DeclarationValue, Directory

app = typer.Typer(
    help="The signed directory of States: authorities, nodes, keys and declarations.",
    no_args_is_help=True,
)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]
AUTHORITY_PRIVATE_FILE = "authority-signing.pem"
AUTHORITY_PUBLIC_FILE = "authority.pub"
"""In the node's keys folder: the certificate its letters are signed with (PEM)."""


def _write_output(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from hanoi.files import write_atomically

    if out.exists():
        raise Conflict(f"{out} exists; choose a new file (nothing was changed)")
    write_atomically(out, data)


def _read_document(path: Path) -> bytes:
    from hanoi.directory.limits import DEFAULT_LIMITS
    from hanoi.directory.store import read_limited

    return read_limited(path, DEFAULT_LIMITS.max_document_bytes, what="the directory file")


def _catalogue_keys() -> frozenset[str]:
    from hanoi.convention.loading import default_catalogue

    catalogue = default_catalogue()
    keys = {g.key for g in catalogue.refusal_grounds}
    keys |= {g.key for g in catalogue.excluded_grounds}
    keys |= {c.key for c in catalogue.conditions}
    return frozenset(keys)


def _check_declarations(keys: Any, *, where: str) -> None:
    if not isinstance(keys, dict):
        return  # the codec names the member
    known = _catalogue_keys()
    for key in keys:
        if key not in known:
            raise InvalidInput(
                f"{where} {str(key)[:60]!r} is not a key of the Convention catalogue"
            )


def _table_file(path: Path, *, option: str) -> bool:
    """Whether ``path`` is TOML (else JSON); any other suffix is refused."""
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise InvalidInput(f"{option} {path} must be a .toml or a .json file")
    return suffix == ".toml"


@app.command("authority-init")
def authority_init(
    out: Annotated[Path, typer.Option(help="A new folder for the directory authority's keys.")],
) -> None:
    """Create the directory authority's Ed25519 key (mode 0600) and print its public key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hanoi.cli.output import print_json
    from hanoi.crypto.ed25519keys import b64url, jwk_thumbprint, private_to_pem, raw_public
    from hanoi.directory.store import public_key_pem
    from hanoi.files import write_atomically
    from hanoi.node.folder import write_private

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise Conflict(f"{out} exists and is not an empty folder (nothing was changed)")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    write_private(out / AUTHORITY_PRIVATE_FILE, private_to_pem(key))
    write_atomically(out / AUTHORITY_PUBLIC_FILE, public_key_pem(public))
    print_json(
        {
            "key_id": jwk_thumbprint(public),
            "public_key": b64url(raw_public(public)),
            "public_key_file": str(out / AUTHORITY_PUBLIC_FILE),
            "private_key_file": str(out / AUTHORITY_PRIVATE_FILE),
        }
    )


@app.command("entry")
def entry(
    directory: DirOption,
    url: Annotated[str, typer.Option(help="The node's base URL, https://...")],
    authority: Annotated[
        list[str] | None,
        typer.Option(
            help='Repeatable: "kind=central-authority|point-of-contact; name=...; '
            "name.ar=...; languages=en,fr; contact=...; postal_address=...; email=...; "
            'telephone=..." (name.<ar|zh|en|fr|ru|es>, postal_address, email, telephone '
            "optional)."
        ),
    ] = None,
    authorities: Annotated[
        Path | None,
        typer.Option(
            help="A TOML or JSON file of [[authorities]] (kind, name, names, languages, "
            "contact, postal_address, email, telephone); listed before any --authority."
        ),
    ] = None,
    declare: Annotated[
        list[str] | None, typer.Option(help="Repeatable: catalogue-key=value.")
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(
            help="Repeatable, most preferred first: a channel the State takes requests by "
            "(hanoi, diplomatic, email, interpol, courier, other); none means hanoi only."
        ),
    ] = None,
    serial: Annotated[
        int | None, typer.Option(help="Entry serial; default 1, or previous + 1.")
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option(help="When the node key starts to sign; default now.")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option(help="The State's previous signed entry (keeps its keys).")
    ] = None,
    retire_previous_at: Annotated[
        str | None,
        typer.Option(
            help="End of the previous keys' overlap period; after 'hanoi node rotate-key "
            "signing', 30 days from now unless given."
        ),
    ] = None,
    cosign_key: Annotated[
        list[Path] | None, typer.Option(help="Another node key (PEM) to sign with; repeatable.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of printing.")] = None,
) -> None:
    """Build this node's State entry and sign it with the node key; print it as JSON.

    The node's document-signing certificate (keys/document-signing.crt), when the node
    has one, goes into the entry for other States to check its letters with, followed by
    those it replaced. After 'hanoi node rotate-key signing', the retired key that
    --previous lists cosigns the entry (ADR 0051)."""
    from hanoi.clock import SystemClock
    from hanoi.crypto.ed25519keys import private_from_pem
    from hanoi.directory.authoring import (
        DEFAULT_OVERLAP,
        MAX_AUTHORITIES_FILE_BYTES,
        build_entry,
        certificate_text,
        cosigning_keys,
        load_authorities_file,
        parse_authority_spec,
        parse_cli_time,
        parse_declaration,
    )
    from hanoi.directory.codec import dump_json, load_signed_entry
    from hanoi.directory.limits import DEFAULT_LIMITS
    from hanoi.directory.signing import sign_entry
    from hanoi.directory.store import read_limited
    from hanoi.node.folder import document_certificates, load_keys
    from hanoi.settings import load_settings
    from hanoi.wiring import public_identity

    listed: list[dict[str, Any]] = []
    if authorities is not None:
        toml = _table_file(authorities, option="--authorities")
        data = read_limited(authorities, MAX_AUTHORITIES_FILE_BYTES, what="--authorities")
        listed = load_authorities_file(data, toml=toml)
    listed += [parse_authority_spec(text) for text in authority or []]
    if not listed:
        raise InvalidInput("give the State's authorities: --authorities FILE or --authority ...")
    settings = load_settings(directory)
    keys = load_keys(settings)
    identity = public_identity(settings)
    declarations = dict(parse_declaration(text) for text in declare or [])
    _check_declarations(declarations, where="--declare")
    certificates = [
        certificate_text(c)
        for c in document_certificates(settings, limit=DEFAULT_LIMITS.max_document_certificates)
    ]
    held_entry = None
    if previous is not None:
        held_entry = load_signed_entry(read_limited(previous, 128 * 1024, what="--previous")).entry
    now = SystemClock().now().replace(microsecond=0)
    retire_at = (
        parse_cli_time(retire_previous_at, what="--retire-previous-at")
        if (retire_previous_at)
        else None
    )
    if (
        retire_at is None
        and held_entry is not None
        and not held_entry.has_key(identity.signing_key_id)
    ):
        retire_at = now + DEFAULT_OVERLAP  # a rotation: the old key for an overlap period
    built = build_entry(
        identity,
        node_url=url,
        authorities=listed,
        declarations=declarations,
        valid_from=parse_cli_time(valid_from, what="--valid-from") if valid_from else now,
        serial=serial,
        previous=held_entry,
        retire_previous_at=retire_at,
        channels=[text.strip() for text in channel or []],
        document_certificates=certificates,
    )
    extra_keys = [
        private_from_pem(read_limited(p, 64 * 1024, what="--cosign-key")) for p in cosign_key or []
    ]
    retired = cosigning_keys(keys.retired_signing, held_entry)  # after 'hanoi node rotate-key'
    signed = sign_entry(built, [keys.signing, *retired, *extra_keys])
    _write_output(dump_json(signed.to_json()), out)


@app.command("sign")
def sign(
    entries: Annotated[list[Path], typer.Argument(help="State entry files, as `entry` prints.")],
    authority_key: Annotated[Path, typer.Option(help="The directory authority's PEM key.")],
    version: Annotated[int, typer.Option(help="Document version; higher than the last one.")],
    expires: Annotated[str, typer.Option(help="Expiry, YYYY-MM-DD or an ISO 8601 time.")],
    issued_at: Annotated[
        str | None, typer.Option(help="Issue time; default now (YYYY-MM-DD or ISO 8601).")
    ] = None,
    offline: Annotated[
        Path | None,
        typer.Option(
            help="A TOML or JSON file of [[offline_states]]: States without a node, their "
            "authorities and the channels they take requests by (docs/directory.md)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of printing.")] = None,
) -> None:
    """Assemble State entries, and States without a node, into a directory document and
    sign it as the authority."""
    from hanoi.clock import SystemClock
    from hanoi.crypto.ed25519keys import private_from_pem
    from hanoi.directory.authoring import (
        MAX_OFFLINE_FILE_BYTES,
        assemble,
        load_offline_file,
        parse_cli_time,
    )
    from hanoi.directory.codec import dump_json, load_signed_entry
    from hanoi.directory.limits import DEFAULT_LIMITS
    from hanoi.directory.signing import sign_directory
    from hanoi.directory.store import read_limited

    key = private_from_pem(read_limited(authority_key, 64 * 1024, what="--authority-key"))
    signed_entries = [
        load_signed_entry(read_limited(p, DEFAULT_LIMITS.max_entry_bytes * 2, what="entry"))
        for p in entries
    ]
    offline_states: list[dict[str, Any]] = []
    if offline is not None:
        toml = _table_file(offline, option="--offline")
        data = read_limited(offline, MAX_OFFLINE_FILE_BYTES, what="--offline")
        offline_states = load_offline_file(data, toml=toml)
        for index, state in enumerate(offline_states):
            _check_declarations(
                state.get("declarations"), where=f"offline_states[{index}].declarations:"
            )
    now = SystemClock().now().replace(microsecond=0)
    document = assemble(
        signed_entries,
        version=version,
        issued_at=parse_cli_time(issued_at, what="--issued-at") if issued_at else now,
        expires=parse_cli_time(expires, what="--expires"),
        offline=offline_states,
    )
    _write_output(dump_json(sign_directory(document, key).to_json()), out)


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A directory document.")],
    authority_key: Annotated[Path, typer.Option(help="The directory authority's public key.")],
) -> None:
    """Check the authority's and every State's signature and the expiry; one line out."""
    from hanoi.clock import SystemClock
    from hanoi.directory.model import format_time
    from hanoi.directory.store import read_public_key
    from hanoi.directory.trust import TrustedDirectory

    trusted = TrustedDirectory(read_public_key(authority_key))
    signed, _ = trusted.check(_read_document(file), SystemClock().now())
    document = signed.directory
    offline = (
        f" and {len(document.offline_states)} without a node" if document.offline_states else ""
    )
    print(
        f"directory version {document.version} is valid: signed by directory authority "
        f"{trusted.authority_key_id}, {len(document.states)} State(s){offline}, "
        f"expires {format_time(document.expires)}"
    )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A directory document.")],
    directory: DirOption,
    pin: Annotated[
        Path | None,
        typer.Option(help="The directory authority's public key; needed on the first import."),
    ] = None,
) -> None:
    """Accept a directory into the node, refusing rollback, expiry and bad signatures."""
    from hanoi.clock import SystemClock
    from hanoi.directory.store import import_document, read_public_key

    pinned = read_public_key(pin) if pin is not None else None
    result = import_document(directory, _read_document(file), now=SystemClock().now(), pin=pinned)
    print(result.summary())


@app.command("export")
def export(directory: DirOption) -> None:
    """Print the directory the node holds, byte for byte as it was imported."""
    from hanoi.directory.store import export_held

    _write_output(export_held(directory), None)


def _describe_authorities(authorities: Sequence[Authority]) -> list[str]:
    lines = []
    for authority in authorities:
        languages = ",".join(authority.languages)
        lines.append(f"  {authority.kind:<18} {authority.name}  [{languages}]  {authority.contact}")
        for language, text in authority.names.items():
            lines.append(f"    name.{language:<13} {text}")
        if authority.postal_address:
            lines.append(f"    postal address    {authority.postal_address.replace(chr(10), ', ')}")
        if authority.email:
            lines.append(f"    email             {authority.email}")
        if authority.telephone:
            lines.append(f"    telephone         {authority.telephone}")
    return lines


def _describe_declarations(declarations: Mapping[str, DeclarationValue]) -> list[str]:
    return [
        f"  declares   {name} = {str(value).lower() if isinstance(value, bool) else value}"
        for name, value in sorted(declarations.items())
    ]


def _describe(document: Directory) -> list[str]:
    from hanoi.directory.model import format_time

    offline = f", {len(document.offline_states)} without a node" if document.offline_states else ""
    lines = [
        f"directory version {document.version}, issued {format_time(document.issued_at)}, "
        f"expires {format_time(document.expires)}, {len(document.states)} State(s){offline}"
    ]
    for signed in document.states:
        state = signed.entry
        lines.append("")
        lines.append(f"{state.state}  {state.name}  (entry serial {state.serial})")
        lines.append(f"  node       {state.node_url}")
        if state.channels:
            lines.append(f"  channels   {', '.join(state.channels)}")
        lines += _describe_authorities(state.authorities)
        for key in state.keys:
            until = format_time(key.valid_until) if key.valid_until else "open"
            lines.append(f"  key        {key.key_id}  {format_time(key.valid_from)} .. {until}")
        for index, _ in enumerate(state.document_certificates):
            lines.append(f"  document certificate {index + 1} (base64 DER in the entry)")
        lines += _describe_declarations(state.declarations)
    for off in document.offline_states:
        lines.append("")
        lines.append(f"{off.state}  {off.name}  (no Hanoi node; updated {off.updated})")
        lines.append(f"  channels   {', '.join(off.channels)}")
        lines.append(f"  source     {off.source}")
        lines += _describe_authorities(off.authorities)
        lines += _describe_declarations(off.declarations)
    return lines


@app.command("show")
def show(
    file: Annotated[Path | None, typer.Argument(help="A directory document (unverified).")] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Show the directory this node holds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show States, authorities, languages and node URLs, from a file or a node folder."""
    from hanoi.cli.output import print_json
    from hanoi.directory.codec import load_document
    from hanoi.directory.errors import NoDirectory
    from hanoi.directory.store import load_held

    if (file is None) == (directory is None):
        raise InvalidInput("give either a directory FILE or --dir NODE_DIR")
    if file is not None:
        signed = load_document(_read_document(file))
    else:
        assert directory is not None
        trusted = load_held(directory)
        if trusted is None or trusted.held is None:
            raise NoDirectory(f"{directory} holds no directory yet; import one first")
        signed = trusted.held
    if as_json:
        print_json(signed.to_json())
        return
    print("\n".join(_describe(signed.directory)))
