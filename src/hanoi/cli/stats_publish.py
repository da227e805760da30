"""``hanoi stats export --signed`` and ``hanoi stats aggregate``: a State's figures as a
signed file, and the sum of many States' signed files (issue 19, ADR 0034).

The ``stats`` group also holds ``hanoi stats`` itself (the figures of one node); these two
commands are added to it with :func:`register`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.files import check_output, publish, read_limited, write_temporary
from hanoi.cli.output import print_json


def _day(value: str, option: str) -> date:
    from hanoi.errors import InvalidInput

    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} {value[:20]!r}: a day, YYYY-MM-DD") from None


def aggregate(
    files: Annotated[
        list[Path],
        typer.Argument(help="The States' signed statistics files (JWS).", metavar="FILES..."),
    ],
    trust: Annotated[
        Path,
        typer.Option(
            "--trust",
            help="The signed directory, or a trust file of nodes as 'hanoi node show' prints "
            "them (the file 'hanoi evidence verify --trust' takes).",
        ),
    ],
    authority_key: Annotated[
        Path | None,
        typer.Option(
            "--authority-key",
            help="With a signed directory: the directory authority's public key (PEM), as "
            "'hanoi directory verify' takes it.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sum as JSON.")] = False,
) -> None:
    """Check each State's signed statistics and sum them: a table a secretariat can
    publish, or JSON (docs/statistics-publishing.md). Each file must be signed by the key
    the trust source gives for its State, hold valid figures, and cover the same period as
    the others, one file per State. Nothing is summed unless every file holds: the first
    bad one is named on one line, exit 2 (not a statistics file, another period, a State
    twice), 6 (changed or forged: the signature does not verify) or 7 (signed by a key
    or State the trust source does not give)."""
    from hanoi.directory.store import read_public_key
    from hanoi.statistics.aggregate import aggregate as sum_figures
    from hanoi.statistics.aggregate import aggregate_json
    from hanoi.statistics.signed import MAX_STATEMENT_BYTES, verify_statistics
    from hanoi.statistics.table import aggregate_table
    from hanoi.statistics.trust import MAX_TRUST_BYTES, load_trust_source

    source = load_trust_source(
        read_limited(trust, max_bytes=MAX_TRUST_BYTES, what="--trust"),
        authority_key=None if authority_key is None else read_public_key(authority_key),
    )
    verified = [
        verify_statistics(
            read_limited(path, max_bytes=MAX_STATEMENT_BYTES, what=str(path)),
            source,
            what=str(path),
        )
        for path in files
    ]
    result = sum_figures(verified)
    if as_json:
        print_json(aggregate_json(result))
    else:
        print(aggregate_table(result), end="")


def export(
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    period_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
    period_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC).")],
    out: Annotated[Path, typer.Option("--out", help="The signed file to write.")],
    signed: Annotated[
        bool, typer.Option("--signed", help="Sign the figures with the node's key (required).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Write this State's figures for the period as a JWS signed with the node's key, with
    the period and the version of the directory the node holds (ADR 0034). Anyone checks
    and sums such files with 'hanoi stats aggregate'. The file is checked before it is
    written, and written whole or not at all."""
    from hanoi.crypto.ed25519keys import jwk_thumbprint
    from hanoi.errors import InvalidInput
    from hanoi.evidence.trust import TrustStore
    from hanoi.node.folder import load_identity, load_keys
    from hanoi.settings import load_settings
    from hanoi.statistics.ports import Query
    from hanoi.statistics.signed import sign_statistics, verify_statistics
    from hanoi.statistics.trust import TrustFileTrust
    from hanoi.wiring import open_node

    if not signed:
        raise InvalidInput(
            "'hanoi stats export' writes signed statistics: add --signed "
            "('hanoi stats --json' prints them unsigned)"
        )
    query = Query(_day(period_from, "--from"), _day(period_to, "--to"))
    check_output(out, force=force)
    settings = load_settings(directory)
    keys = load_keys(settings)
    node = open_node(settings)
    try:
        figures = node.statistics.own_figures(query)
        signed_at = node.clock.now().replace(microsecond=0)
    finally:
        node.close()
    version = _held_directory_version(settings.node_dir)
    data = sign_statistics(figures, keys.signing, directory_version=version, signed_at=signed_at)
    # What any reader will check, checked before the file exists: figures a reader would
    # refuse are never published under this State's signature.
    verify_statistics(data, TrustFileTrust(TrustStore((load_identity(settings),))), what=str(out))
    publish(write_temporary(out, data), out)
    held = "no directory held" if version is None else f"directory version {version}"
    print(
        f"{out}: statistics of {figures.state} from {query.period_from.isoformat()} to "
        f"{query.period_to.isoformat()}, signed with key "
        f"{jwk_thumbprint(keys.signing.public_key())} ({held})"
    )


def _held_directory_version(node_dir: Path) -> int | None:
    from hanoi.directory.store import load_held

    held = load_held(node_dir)
    return None if held is None or held.held is None else held.directory.version


def register(app: typer.Typer) -> None:
    """Add ``export`` and ``aggregate`` to the ``stats`` group."""
    app.command("export")(export)
    app.command("aggregate")(aggregate)


app = typer.Typer(
    help="Statistics on cooperation: signed by each State, checked and summed by anyone.",
    no_args_is_help=True,
)
register(app)
