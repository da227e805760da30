"""``hanoi requests export-hi1`` and ``import-hi1``: a request as an ETSI TS 103 120 (HI-1)
message, for EU-profile systems and domestic case systems (``docs/hi1-profile.md``).

The mapping is :mod:`hanoi.providers.hi1.request_messages`; these commands read and write the
files, act as ``--user`` with the service's case checks, and check the other State against
the node's directory. Registered onto the ``requests`` group by :func:`register`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hanoi.cli.acting import user_session
from hanoi.cli.output import print_json

if TYPE_CHECKING:
    from hanoi.cooperation import Urgency
    from hanoi.cooperation.offline import Registration
    from hanoi.cooperation.service import DraftInput
    from hanoi.providers.hi1.request_messages import ImportedRequest
    from hanoi.wiring import Node

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]
UserOption = Annotated[str, typer.Option("--user", help="Act as this user of the node.")]


def register(app: typer.Typer) -> None:
    """Add the HI-1 commands to the ``requests`` group."""
    app.command("export-hi1")(export_hi1)
    app.command("import-hi1")(import_hi1)


def export_hi1(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    directory: DirOption,
    user: UserOption,
    out: Annotated[
        Path | None, typer.Option("--out", help="The file to write (standard output without).")
    ] = None,
) -> None:
    """Write a request of your cases as an HI-1 message (JSON): an AuthorisationObject with
    an LP task (preservation) or LD tasks (disclosure) per data category; a kind with no
    HI-1 task goes as the authorisation alone. Checked against ETSI's schemas before it is
    written; an existing --out file is never replaced."""
    from hanoi.cli.files import check_output, publish, write_temporary
    from hanoi.providers.hi1.request_messages import exchanged_of, request_to_hi1

    if out is not None:
        check_output(out, force=False)
    with user_session(directory, user) as (node, actor):
        request = node.cooperation.show(actor, request_id).request
        export = request_to_hi1(exchanged_of(request), timestamp=node.clock.now())
    text = json.dumps(export.message, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        print(text, end="")
        return
    check_output(out, force=False)  # again: it may have appeared meanwhile
    publish(write_temporary(out, text.encode("utf-8")), out)
    tasks = f"{export.tasks} task(s)" if export.tasks else "no task (the authorisation alone)"
    print(f"{out}  HI-1 message {export.transaction_id}: {request.kind}, {tasks}")


def _known_state(node: Node, state: str) -> None:
    """``NotFound`` unless the node's directory lists ``state`` (on the network or off)."""
    from hanoi.errors import NotFound

    if state not in node.federation.directory.current().directory.all_states():
        raise NotFound(f"{state} is not a State of this node's directory")


def import_hi1(
    file: Annotated[Path, typer.Argument(help="The HI-1 message (JSON).")],
    directory: DirOption,
    user: UserOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Read a request from an HI-1 message. From another State to this one: registered as a
    request received (channel 'other', the sender's reference recorded). From this node's
    own State (a domestic system): a draft to the requested State. A message is imported
    once: its TransactionIdentifier becomes the request's id."""
    from hanoi.cli.files import read_limited
    from hanoi.errors import InvalidInput
    from hanoi.providers.hi1 import MessageTooLarge, parse_json
    from hanoi.providers.hi1.jsontext import MAX_MESSAGE_BYTES
    from hanoi.providers.hi1.request_import import hi1_to_request

    raw = read_limited(
        file, max_bytes=MAX_MESSAGE_BYTES, what="the message", too_large=MessageTooLarge
    )
    imported = hi1_to_request(parse_json(raw))
    exchanged = imported.request
    with user_session(directory, user) as (node, actor):
        own = node.settings.state
        if exchanged.requesting_state == own:
            _known_state(node, exchanged.requested_state)
            view = node.cooperation.draft(actor, _draft(imported))
            how = "drafted"
        elif exchanged.requested_state == own:
            _known_state(node, exchanged.requesting_state)
            view = node.cooperation.register(actor, _registration(imported, node))
            how = "registered"
        else:
            raise InvalidInput(
                f"the message is from {exchanged.requesting_state} to "
                f"{exchanged.requested_state}: neither is this node's State ({own})"
            )
        findings = node.cooperation.findings(actor, view.request.id)
    if as_json:
        print_json(
            {
                "id": view.request.id,
                "status": view.request.status.value,
                "imported_as": how,
                "transaction_id": imported.transaction_id,
                "missing": [
                    {"path": f.path, "message": f.message, "article": f.citation} for f in findings
                ],
            }
        )
        return
    print(f"{view.request.id} {how} ({exchanged.kind}, {exchanged.requesting_state} -> "
          f"{exchanged.requested_state})")  # fmt: skip
    for f in findings:
        print(f"{f.path}: {f.message} ({f.citation or 'form'})")


def _urgency(imported: ImportedRequest) -> Urgency:
    from hanoi.cooperation import Urgency, UrgencyLevel

    request = imported.request
    return Urgency(level=UrgencyLevel(request.urgency), reasons=request.urgency_reasons)


def _draft(imported: ImportedRequest) -> DraftInput:
    from hanoi.cooperation.service import DraftInput

    request = imported.request
    return DraftInput(
        kind=request.kind,
        requested_state=request.requested_state,
        requested_authority=request.requested_authority,
        authority=request.requesting_authority,
        contents=request.contents(),
        urgency=_urgency(imported),
        imported_from=imported.transaction_id,
    )


def _registration(imported: ImportedRequest, node: Node) -> Registration:
    """A request received as an HI-1 message: channel ``other``, received today, under the
    sender's reference; no scan (the message is the request)."""
    from hanoi.cooperation.offline import Registration
    from hanoi.cooperation.routes import ChannelRecord, Route

    request = imported.request
    return Registration(
        kind=request.kind,
        requesting_state=request.requesting_state,
        requesting_authority=request.requesting_authority,
        requested_authority=request.requested_authority,
        via=ChannelRecord(
            channel=Route.OTHER, on=node.clock.now().date(), reference=request.reference
        ),
        contents=request.contents(),
        scan=None,
        urgency=_urgency(imported),
        imported_from=imported.transaction_id,
    )
