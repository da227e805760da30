"""``hanoi letter``: check a signed PDF letter, of request or answer (ADR 0027, 0029)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Check signed PDF letters (of request, or answers).", no_args_is_help=True)


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
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="The node folder that issued the letter: also find its 'letter-issued' "
            "custody event; without --trust, trust that node's certificates.",
        ),
    ] = None,
) -> None:
    """Check a letter's PAdES signature: signed, intact (the signature covers the whole
    file, nothing appended after) and trusted (its certificate is in --trust or chains to
    one; without --trust nothing is trusted). With --dir, also look up the file's SHA-256
    among the node's 'letter-issued' custody events (trusting, without --trust, the node's
    document-signing certificates, current and replaced). Exit 0 only when all hold; 6
    when the file is not signed or not intact, or --dir finds no event for it; 7 when it
    is intact but its signer is not trusted; 2 for a file over 50 MiB or a bad trust file;
    3 for a missing file. --json prints signed, intact, trusted, signer {subject,
    fingerprint}, signing_time, problems, and with --dir custody {found, index,
    request_id, verification_code, purpose (request or answer), step, ...}."""
    import hashlib

    from hanoi.clock import SystemClock
    from hanoi.errors import IntegrityError, PermissionDenied
    from hanoi.letters.pades import PDF_LIMIT, load_trust, verify_pdf

    # pyHanko logs each failed check with a traceback; the result says it in one line.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    data = _read_pdf(letter, PDF_LIMIT)
    trusted = load_trust(trust) if trust is not None else []
    custody: dict[str, object] | None = None
    if directory is not None:
        custody, own = _custody_of(directory, hashlib.sha256(data).hexdigest())
        if trust is None:
            trusted = own
    check = verify_pdf(data, trusted=trusted, now=SystemClock().now())
    problems = list(check.problems)
    if custody is not None and not custody["found"]:
        problems.append(
            f"the node at {directory} logged no letter-issued event for this file's SHA-256: "
            "it did not issue it, or the file was changed"
        )
    if as_json:
        print_json(
            {**check.as_json(), "problems": problems}
            | ({"custody": custody} if custody is not None else {})
        )
    else:
        print(f"signed:      {_yes(check.signed)}")
        print(f"intact:      {_yes(check.intact)}")
        print(f"trusted:     {_yes(check.trusted)}")
        if check.signer is not None:
            print(f"signer:      {check.signer.subject}")
            print(f"fingerprint: SHA-256 {check.signer.fingerprint}")
        if check.signing_time is not None:
            print(f"signed at:   {check.signing_time.isoformat()} (the signer's claim)")
        if custody is not None and custody["found"]:
            what = (
                f"answer ({custody['step']}) to request"
                if custody["purpose"] == "answer"
                else "request"
            )
            print(
                f"custody:     letter-issued, entry {custody['index']} of "
                f"{custody['log_origin']}: {what} {custody['request_id']}, verification "
                f"code {custody['verification_code_grouped']}"
            )
        for problem in problems:
            print(f"problem:     {problem}")
        ok = check.ok and not problems
        print("VERIFIED" if ok else "NOT VERIFIED")
    if check.ok and not problems:
        return
    summary = "; ".join(problems) or "the letter is not verified"
    if check.signed and check.intact and (custody is None or custody["found"]):
        raise PermissionDenied(f"{letter}: {summary}")
    raise IntegrityError(f"{letter}: {summary}")


def _custody_of(directory: Path, sha256: str) -> tuple[dict[str, object], list[Any]]:
    """The node's ``letter-issued`` event for this digest (the first, if it issued the same
    bytes twice) as JSON, ``{"found": false}`` when none; and the node's document-signing
    certificates, current and replaced."""
    from hanoi.letters.issued import logged_letters
    from hanoi.letters.letter import grouped
    from hanoi.letters.pades import load_trust
    from hanoi.node.folder import load_document_certificate
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    settings = load_settings(directory)
    own: list[Any] = []
    current = load_document_certificate(settings)
    if current is not None:
        own.append(current)
    for archived in sorted(settings.keys_dir.glob("document-signing.*.crt")):
        own.extend(load_trust(archived))
    node = open_node(settings)
    try:
        found = logged_letters(node, sha256)
    finally:
        node.engine.dispose()
    if not found:
        return {"found": False, "sha256": sha256}, own
    value = found[0].to_json()
    code = found[0].verification_code
    value["verification_code_grouped"] = grouped(code) if code else None
    return {**value, "sha256": sha256}, own
