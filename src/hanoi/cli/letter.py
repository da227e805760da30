"""``hanoi letter``: check a signed PDF letter, of request or answer (ADR 0027, 0029)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from hanoi.cli.files import check_output, publish, read_limited, write_temporary
from hanoi.cli.output import print_json

app = typer.Typer(help="Check signed PDF letters (of request, or answers).", no_args_is_help=True)


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
    proof: Annotated[
        Path | None,
        typer.Option(
            "--proof",
            help="The letter's custody proof (JSON, as 'hanoi letter proof' writes it): "
            "check its letter-issued event in the issuing node's log.",
        ),
    ] = None,
    node: Annotated[
        str | None,
        typer.Option(
            "--node",
            help="The issuing node's address (https://host[:port]): ask it for the "
            "letter's custody proof and check it.",
        ),
    ] = None,
    log_trust: Annotated[
        Path | None,
        typer.Option(
            "--log-trust",
            help="The nodes whose logs and witnesses you trust, as 'hanoi node show' prints "
            "them (the file 'hanoi evidence verify --trust' takes): checks the proof.",
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", min=0, max=600, help="With --node: seconds to wait for the witnesses."
        ),
    ] = 60,
) -> None:
    """Check a letter's PAdES signature: signed, intact (the signature covers the whole
    file, nothing appended after) and trusted (its certificate is in --trust or chains to
    one; without --trust nothing is trusted); and its custody: with --dir, the file's
    SHA-256 among the node's 'letter-issued' custody events (trusting, without --trust,
    the node's document-signing certificates, current and replaced); with --proof or
    --node, the letter's custody proof: about this very file, and its event in a
    checkpoint of the issuing node's log cosigned by the witnesses, as --log-trust says.
    Exit 0 only when all hold; 6 when the file is not signed or not intact, or its custody
    is disproven (no event for it, a proof of another file, a proof that fails); 7 when
    it is intact but its signer or its log is not trusted; 2 for a file over 50 MiB or a
    bad trust or proof file; 3 for a missing file; 8 when --node cannot be reached. --json
    prints signed, intact, trusted, signer {subject, fingerprint}, signing_time,
    problems, and with a custody check custody {found, proven, source, index, log_origin,
    request_id, verification_code, purpose (request or answer), step, witnesses, ...}."""
    import hashlib

    from hanoi.clock import SystemClock
    from hanoi.errors import IntegrityError, InvalidInput, PayloadTooLarge, PermissionDenied
    from hanoi.letters.pades import PDF_LIMIT, load_trust, verify_pdf

    if sum(source is not None for source in (directory, proof, node)) > 1:
        raise InvalidInput("give one of --dir, --proof and --node: where the custody is checked")
    if log_trust is not None and proof is None and node is None:
        raise InvalidInput("--log-trust checks a custody proof: give --proof or --node too")
    # pyHanko logs each failed check with a traceback; the result says it in one line.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    data = read_limited(letter, max_bytes=PDF_LIMIT, what=str(letter), too_large=PayloadTooLarge)
    digest = hashlib.sha256(data).hexdigest()
    trusted = load_trust(trust) if trust is not None else []
    custody: dict[str, object] | None = None
    custody_problem: str | None = None
    untrusted_log = False
    if directory is not None:
        custody, own = _custody_of(directory, digest)
        if trust is None:
            trusted = own
        if not custody["found"]:
            custody_problem = (
                f"the node at {directory} logged no letter-issued event for this file's "
                "SHA-256: it did not issue it, or the file was changed"
            )
    elif proof is not None or node is not None:
        custody, custody_problem, untrusted_log = _custody_proven(
            digest, proof=proof, node=node, log_trust=log_trust, wait=wait
        )
    check = verify_pdf(data, trusted=trusted, now=SystemClock().now())
    problems = list(check.problems) + ([custody_problem] if custody_problem else [])
    if as_json:
        print_json(
            {**check.as_json(), "problems": problems}
            | ({"custody": custody} if custody is not None else {})
        )
    else:
        _print_result(check, custody, problems)
    if check.ok and not problems:
        return
    summary = "; ".join(problems) or "the letter is not verified"
    custody_holds = custody_problem is None or untrusted_log
    if check.signed and check.intact and custody_holds:
        raise PermissionDenied(f"{letter}: {summary}")
    raise IntegrityError(f"{letter}: {summary}")


def _print_result(check: Any, custody: dict[str, object] | None, problems: list[str]) -> None:
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
        if custody.get("proven"):
            witnesses = custody.get("witnesses")
            names = [str(w).split("+")[0] for w in witnesses] if isinstance(witnesses, list) else []
            cosigned = ", ".join(names) if names else "no witness"
            print(
                f"proven:      in the checkpoint of size {custody['tree_size']}, signed by "
                f"the log, cosigned by {cosigned}"
            )
    for problem in problems:
        print(f"problem:     {problem}")
    print("VERIFIED" if check.ok and not problems else "NOT VERIFIED")


def _custody_proven(
    digest: str, *, proof: Path | None, node: str | None, log_trust: Path | None, wait: float
) -> tuple[dict[str, object], str | None, bool]:
    """The custody a proof shows (read from --proof, or asked of --node), the problem if
    it does not hold, and whether that problem is only an untrusted log."""
    import sys

    from hanoi.errors import HanoiError, IntegrityError, InvalidInput
    from hanoi.evidence.layout import DEFAULT_PACKAGE_LIMITS as LIMITS
    from hanoi.evidence.trust import parse_trust
    from hanoi.letters.letter import grouped
    from hanoi.letters.proof import MAX_BYTES, check, parse_letter_proof
    from hanoi.letters.remote import fetch_proof

    logs = None
    if log_trust is not None:
        logs = parse_trust(
            read_limited(log_trust, max_bytes=LIMITS.max_trust_file, what="--log-trust")
        )
    source = "proof" if proof is not None else "node"
    if proof is not None:
        raw = read_limited(proof, max_bytes=MAX_BYTES, what="--proof")
    else:
        assert node is not None
        fetched = fetch_proof(
            node, digest, wait=wait, on_wait=lambda line: print(line, file=sys.stderr)
        )
        if fetched is None:
            missing = f"the node at {node} logged no letter for this file's SHA-256: it did not "
            missing += "issue it, or the file was changed"
            return {"found": False, "source": source, "sha256": digest}, missing, False
        raw = fetched
    parsed = parse_letter_proof(raw)
    try:
        result = check(parsed, sha256=digest, trust=logs)
    except IntegrityError as exc:
        value = {"found": False, "proven": False, "source": source, "sha256": digest}
        return value, exc.diagnostics(), False
    except HanoiError as exc:  # a proof that is well formed but cannot be read as one
        raise InvalidInput(f"--proof: {exc.diagnostics()}") from None
    value = result.to_json() | {"source": source, "sha256": digest}
    code = result.letter.verification_code
    value["verification_code_grouped"] = grouped(code) if code else None
    if result.proven:
        return value, None, False
    return value, f"custody not proven: {result.unproven}", True


@app.command("proof")
def proof(
    letter: Annotated[
        Path, typer.Argument(help="The signed PDF letter this node issued.", metavar="FILE.pdf")
    ],
    directory: Annotated[Path, typer.Option("--dir", help="The node folder that issued it.")],
    out: Annotated[Path, typer.Option("--out", help="The proof file to write (JSON).")],
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            min=0,
            max=600,
            help="Seconds to wait for the witnesses (default: the node's witness_wait_seconds).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Write a letter's custody proof (ADR 0031): its 'letter-issued' event and salt, with
    a C2SP tlog-proof against a checkpoint of this node's log cosigned by its witnesses.
    Send it with the letter: 'hanoi letter verify FILE.pdf --proof PROOF --log-trust
    NODES.json' checks it offline. Exit 3 when this node logged no letter with this file's
    SHA-256; 8 when the witnesses have not cosigned within --wait (run it again later)."""
    import hashlib

    from hanoi.errors import PayloadTooLarge
    from hanoi.letters.issued import letter_proof
    from hanoi.letters.pades import PDF_LIMIT
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    check_output(out, force=force)
    data = read_limited(letter, max_bytes=PDF_LIMIT, what=str(letter), too_large=PayloadTooLarge)
    digest = hashlib.sha256(data).hexdigest()
    settings = load_settings(directory)
    node = open_node(settings)
    try:
        seconds = settings.witness_wait_seconds if wait is None else wait
        made = letter_proof(node, digest, seconds=seconds)
    finally:
        node.close()
    temporary = write_temporary(out, made.to_bytes())
    publish(temporary, out)
    print(
        f"{out}: custody proof of {letter.name} (SHA-256 {digest}), entry "
        f"{made.letter.logged.index} of {made.letter.log_origin}"
    )


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
        node.close()
    if not found:
        return {"found": False, "sha256": sha256}, own
    value = found[0].to_json()
    code = found[0].verification_code
    value["verification_code_grouped"] = grouped(code) if code else None
    return {**value, "sha256": sha256}, own
