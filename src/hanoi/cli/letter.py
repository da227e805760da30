"""``hanoi letter``: check a signed PDF letter of request (ADR 0027)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Check signed PDF letters of request.", no_args_is_help=True)


def _read_pdf(path: Path, limit: int) -> bytes:
    from hanoi.errors import InvalidInput, NotFound, PayloadTooLarge

    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise NotFound(f"no file at {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a PDF") from None
    if len(data) > limit:
        raise PayloadTooLarge(f"{path} is larger than {limit} bytes; letters are smaller")
    return data


def _yes(value: bool) -> str:
    return "yes" if value else "no"


@app.command("verify")
def verify(
    letter: Annotated[Path, typer.Argument(help="The signed PDF letter.", metavar="FILE.pdf")],
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust",
            help="PEM file of the certificates you trust (the sending node's "
            "keys/document-signing.crt, or a CA it chains to).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check a letter's PAdES signature: signed, intact (the signature covers the whole
    file, nothing appended after) and trusted (its certificate is in --trust or chains to
    one; without --trust nothing is trusted). Exit 0 only when all three hold; 6 when the
    file is not signed or not intact; 7 when it is intact but its signer is not trusted;
    2 for a file over 50 MiB or a bad trust file; 3 for a missing file. --json prints
    signed, intact, trusted, signer {subject, fingerprint}, signing_time, problems."""
    from hanoi.clock import SystemClock
    from hanoi.errors import IntegrityError, PermissionDenied
    from hanoi.letters.pades import PDF_LIMIT, load_trust, verify_pdf

    # pyHanko logs each failed check with a traceback; the result says it in one line.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    trusted = load_trust(trust) if trust is not None else []
    check = verify_pdf(_read_pdf(letter, PDF_LIMIT), trusted=trusted, now=SystemClock().now())
    if as_json:
        print_json(check.as_json())
    else:
        print(f"signed:      {_yes(check.signed)}")
        print(f"intact:      {_yes(check.intact)}")
        print(f"trusted:     {_yes(check.trusted)}")
        if check.signer is not None:
            print(f"signer:      {check.signer.subject}")
            print(f"fingerprint: SHA-256 {check.signer.fingerprint}")
        if check.signing_time is not None:
            print(f"signed at:   {check.signing_time.isoformat()} (the signer's claim)")
        for problem in check.problems:
            print(f"problem:     {problem}")
        print("VERIFIED" if check.ok else "NOT VERIFIED")
    if check.ok:
        return
    summary = "; ".join(check.problems) or "the letter is not verified"
    if check.signed and check.intact:
        raise PermissionDenied(f"{letter}: {summary}")
    raise IntegrityError(f"{letter}: {summary}")
