"""``hanoi log``: audit any C2SP tiled log, and check one custody event, offline.

The rules live in :mod:`hanoi.custody`; this module reads files, fetches over
HTTP (or from a folder), shows progress, and records state atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlparse
from urllib.request import url2pathname

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hanoi.cli.files import read_limited
from hanoi.crypto.ed25519keys import NoteVerifierKey
from hanoi.custody.audit import TileSource, audit_log
from hanoi.custody.events import parse_event, verify_event_logged
from hanoi.custody.limits import DEFAULT_LIMITS
from hanoi.custody.note import Ed25519Verifier
from hanoi.custody.policy import CheckpointPolicy
from hanoi.custody.succession import Succession, open_succession, read_succession
from hanoi.custody.tlogproof import load_proof
from hanoi.errors import InvalidInput, NotFound, PeerError
from hanoi.files import write_atomically

if TYPE_CHECKING:
    import httpx  # imported where used, so that `hanoi --help` starts fast

app = typer.Typer(
    help="Audit custody logs (any C2SP tlog-tiles log) and check custody events offline.",
    no_args_is_help=True,
)

USER_AGENT = "hanoi-log-audit"
_SALT = re.compile(r"[0-9a-fA-F]{64}")


class HttpTileSource:
    """Fetches a log's resources over HTTP(S), with timeouts and a size limit per response."""

    def __init__(self, client: httpx.Client, prefix: str) -> None:
        self._client = client
        self._prefix = prefix.rstrip("/") + "/"

    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        import httpx

        from hanoi.httpbody import read_body

        url = self._prefix + path
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code == httpx.codes.NOT_FOUND:
                    raise NotFound(f"{url}: 404 Not Found")
                if response.status_code != httpx.codes.OK:
                    raise PeerError(f"{url}: HTTP {response.status_code}")
                return read_body(response, max_bytes=max_bytes, url=url)
        except httpx.HTTPError as exc:
            raise PeerError(f"{url}: {type(exc).__name__}: {exc}") from None


class FolderTileSource:
    """Reads a log's resources from a folder laid out as tlog-tiles paths."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise NotFound(f"no log folder at {root}")
        self._root = root

    def fetch(self, path: str, *, max_bytes: int) -> bytes:
        return read_limited(self._root / path, max_bytes=max_bytes, what=path)


@contextmanager
def _open_source(location: str, *, timeout: float) -> Iterator[TileSource]:
    scheme = urlparse(location).scheme
    if scheme in ("http", "https"):
        import httpx

        with httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, identity"},
            follow_redirects=True,
            max_redirects=5,
        ) as client:
            yield HttpTileSource(client, location)
    elif scheme == "file":
        yield FolderTileSource(Path(url2pathname(urlparse(location).path)))
    elif scheme and len(scheme) > 1:
        raise InvalidInput(
            f"unsupported log location {location!r}: use http(s)://, file:// or a folder"
        )
    else:
        yield FolderTileSource(Path(location))


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, creating its folder if need be."""
    path.resolve().parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path.resolve(), data)


@contextmanager
def _progress() -> Iterator[Progress]:
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        yield progress


@app.command("audit")
def audit(
    location: Annotated[
        str, typer.Argument(help="The log: http(s)://prefix, file://, or a folder.")
    ],
    key: Annotated[
        list[str],
        typer.Option("--key", help="The log's verifier key (name+id+base64); repeatable."),
    ],
    state: Annotated[
        Path | None,
        typer.Option(help="A file recording the last audited checkpoint; checked, then updated."),
    ] = None,
    origin: Annotated[
        str | None, typer.Option(help="The log's origin line; default: the key's name.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per HTTP request.")] = 30.0,
    former_key: Annotated[
        list[str] | None,
        typer.Option(
            "--former-key",
            help="The key of an origin the log had before a key rotation (the state file's "
            "checkpoint may be of it); repeatable.",
        ),
    ] = None,
    succession: Annotated[
        list[Path] | None,
        typer.Option(
            help="A succession note linking a former origin to the next (as 'hanoi node "
            "show' lists under former_logs); repeatable."
        ),
    ] = None,
) -> None:
    """Check every tile and entry of a log against its signed checkpoint, and its history.
    After a log key rotation, a state file recorded under the former origin is followed
    to the current one by the successions given (ADR 0051)."""
    limits = DEFAULT_LIMITS
    policy = CheckpointPolicy.from_vkeys(key, origin=origin or NoteVerifierKey.parse(key[0]).name)
    former = CheckpointPolicy.from_vkeys(former_key) if former_key else None
    successions = [
        _succession(read_limited(path, max_bytes=4096, what="--succession"), former_key or [])
        for path in succession or []
    ]
    previous = None
    if state is not None and state.exists():
        previous = read_limited(state, max_bytes=limits.max_note_bytes, what="the state file")
    with _open_source(location, timeout=timeout) as source, _progress() as progress:
        task = progress.add_task(f"auditing {location}", total=None)
        report = audit_log(
            source,
            policy=policy,
            previous=previous,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            limits=limits,
            former=former,
            successions=successions,
        )
    if state is not None:
        _write_atomically(state, report.witnessed.signed.note_bytes)
    print(f"ok: {report.summary()} ({report.tiles} tiles, {report.entries} entries)")


def _succession(data: bytes, former_keys: list[str]) -> Succession:
    """A succession note verified by the former key named after its old origin."""
    old_origin = read_succession(data).old_origin
    keys = [k for k in former_keys if NoteVerifierKey.parse(k).name == old_origin]
    if not keys:
        raise InvalidInput(
            f"a --succession ends log {old_origin[:200]!r}: give that log's key with --former-key"
        )
    return open_succession(data, old_key=Ed25519Verifier.parse(keys[0]))


@app.command("verify-event")
def verify_event(
    event_file: Annotated[Path, typer.Argument(metavar="EVENT.json", help="The custody event.")],
    salt: Annotated[str, typer.Option(help="The event's 32-byte salt, in hex.")],
    proof: Annotated[Path, typer.Option(help="A tlog-proof file, or the proof as JSON.")],
    key: Annotated[list[str], typer.Option("--key", help="The log's verifier key; repeatable.")],
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="The checkpoint note; needed if the proof does not carry it."),
    ] = None,
    witness_key: Annotated[
        list[str] | None,
        typer.Option("--witness-key", help="A witness's cosigner key (0x04 vkey); repeatable."),
    ] = None,
    min_witnesses: Annotated[
        int | None,
        typer.Option(help="How many witnesses must have cosigned; default: all those given."),
    ] = None,
    origin: Annotated[str | None, typer.Option(help="The log's origin; default: any.")] = None,
) -> None:
    """Prove that a custody event was logged, in a checkpoint the witnesses cosigned."""
    limits = DEFAULT_LIMITS
    if not _SALT.fullmatch(salt):
        raise InvalidInput("--salt is 64 hexadecimal digits (32 bytes)")
    witnesses = witness_key or []
    policy = CheckpointPolicy.from_vkeys(
        key,
        witness_keys=witnesses,
        min_witnesses=len(witnesses) if min_witnesses is None else min_witnesses,
        origin=origin,
    )
    note = None
    if checkpoint is not None:
        note = read_limited(checkpoint, max_bytes=limits.max_note_bytes, what="the checkpoint")
    event = parse_event(
        read_limited(event_file, max_bytes=limits.max_event_bytes, what="the event")
    )
    tlog_proof = load_proof(
        read_limited(proof, max_bytes=limits.max_tlog_proof_bytes, what="the proof"),
        checkpoint=note,
        limits=limits,
    )
    logged = verify_event_logged(
        event=event, salt=bytes.fromhex(salt), proof=tlog_proof, policy=policy, limits=limits
    )
    cp = logged.witnessed.signed.checkpoint
    print(
        f"ok: {event.action.value} event {logged.commitment.hex()} is entry {logged.index} "
        f"of {cp.describe()}, cosigned by {len(logged.witnessed.witnesses)} trusted witness(es)"
    )
