"""``hanoi requests``: cooperation requests from a terminal or a script, on the node.

Each command opens the node folder and acts as ``--user`` (a user of this node):
the same role and case checks as the API apply, and refusals are recorded. Output
is a table for people or ``--json`` for scripts; errors are one line and an exit
code (see ``hanoi.cli.output``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hanoi.cli.acting import user_session
from hanoi.cli.output import print_json

if TYPE_CHECKING:
    pass

app = typer.Typer(
    help="Draft, validate, list and follow cooperation requests.", no_args_is_help=True
)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]
UserOption = Annotated[str, typer.Option("--user", help="Act as this user of the node.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
MAX_FILE_BYTES = 1024 * 1024


def _read_json(path: Path, what: str) -> Any:
    from hanoi.errors import InvalidInput, PayloadTooLarge

    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{path} is not a readable file: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"{what} is at most {MAX_FILE_BYTES} bytes")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path} is not JSON: {exc}") from None


def _print_problems(findings: list[Any]) -> None:
    for f in findings:
        print(f"{f.path}: {f.message} ({f.citation or 'form'})")


@app.command("draft")
def draft(
    directory: DirOption,
    user: UserOption,
    kind: Annotated[str, typer.Option(help="A request kind of the catalogue.")],
    to: Annotated[str, typer.Option("--to", help="The requested State (ISO alpha-3).")],
    contents: Annotated[
        Path | None, typer.Option(help="A JSON file of the contents (item key to value).")
    ] = None,
    urgency: Annotated[str, typer.Option(help="routine, urgent or emergency.")] = "routine",
    urgency_reasons: Annotated[str | None, typer.Option(help="Why it is urgent.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Draft a request; print its id and what it still lacks."""
    from hanoi.cooperation import Urgency, UrgencyLevel
    from hanoi.cooperation.service import DraftInput
    from hanoi.errors import InvalidInput

    values = _read_json(contents, "the contents") if contents else {}
    if not isinstance(values, dict):
        raise InvalidInput("the contents file holds a JSON object (item key to value)")
    try:
        level = UrgencyLevel(urgency)
    except ValueError:
        raise InvalidInput("--urgency is routine, urgent or emergency") from None
    with user_session(directory, user) as (node, actor):
        request = node.cooperation.draft(
            actor,
            DraftInput(
                kind=kind,
                requested_state=to,
                contents=values,
                urgency=Urgency(level=level, reasons=urgency_reasons),
            ),
        ).request
        findings = node.cooperation.validate(request.kind, request.contents)
    if as_json:
        print_json(
            {
                "id": request.id,
                "status": request.status.value,
                "problems": [
                    {"pointer": f.path, "detail": f.message, "article": f.citation}
                    for f in findings
                ],
            }
        )
        return
    print(f"{request.id} drafted ({request.kind}, to {request.requested_state})")
    if findings:
        print("before approval it still needs:")
        _print_problems(findings)


@app.command("validate")
def validate(
    file: Annotated[
        Path | None, typer.Argument(help="A JSON draft {kind, contents} to check offline.")
    ] = None,
    request_id: Annotated[str | None, typer.Option("--request", help="A stored draft.")] = None,
    directory: Annotated[Path | None, typer.Option("--dir", help="The node folder.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Act as this user.")] = None,
) -> None:
    """Check a draft against the Convention: exit 0 if complete, 5 with one line per problem."""
    from hanoi.convention import Draft, default_catalogue
    from hanoi.convention import validate as check
    from hanoi.errors import InvalidInput, RuleViolation

    if (file is None) == (request_id is None):
        raise InvalidInput("give a draft file, or --request with --dir and --user")
    if file is not None:
        draft_value = _read_json(file, "the draft")
        if not isinstance(draft_value, dict) or "kind" not in draft_value:
            raise InvalidInput("the draft is a JSON object with 'kind' and 'contents'")
        findings = check(
            Draft(kind=str(draft_value["kind"]), contents=draft_value.get("contents") or {}),
            catalogue=default_catalogue(),
        )
    else:
        if directory is None or user is None or request_id is None:
            raise InvalidInput("--request needs --dir and --user")
        with user_session(directory, user) as (node, actor):
            findings = node.cooperation.findings(actor, request_id)
    if findings:
        _print_problems(findings)
        raise RuleViolation(f"the draft is incomplete: {len(findings)} problem(s)")
    print("complete: every item the Convention requires is present and valid")


@app.command("list")
def list_requests(
    directory: DirOption,
    user: UserOption,
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    side: Annotated[
        str | None, typer.Option(help="requesting (outgoing) or requested (incoming).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """The requests of your cases, most recently changed first."""
    from hanoi.cooperation import Side, Status
    from hanoi.cooperation.ports import ListQuery
    from hanoi.errors import InvalidInput

    try:
        statuses = tuple(Status(s) for s in status or ())
        chosen_side = Side(side) if side else None
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    with user_session(directory, user) as (node, actor):
        items, total = node.cooperation.summaries(
            actor,
            ListQuery(
                user_id=actor.id,
                statuses=statuses,
                kind=kind,
                side=chosen_side,
                limit=limit,
                offset=offset,
            ),
        )
    if as_json:
        print_json(
            {
                "total": total,
                "items": [
                    {
                        "id": s.id,
                        "kind": s.kind,
                        "side": s.side.value,
                        "status": s.status.value,
                        "requesting_state": s.requesting_state,
                        "requested_state": s.requested_state,
                        "urgency": s.urgency,
                        "route": s.route.value,
                        "updated_at": s.updated_at.isoformat(),
                    }
                    for s in items
                ],
            }
        )
        return
    for s in items:
        other = s.requested_state if s.side is Side.REQUESTING else s.requesting_state
        arrow = "->" if s.side is Side.REQUESTING else "<-"
        by = "" if s.route.on_network else f", by {s.route.value}"
        print(f"{s.id:<24} {arrow} {other}  {s.status.value:<32} {s.kind}  ({s.urgency}{by})")
    print(f"{len(items)} of {total}")


@app.command("show")
def show(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    directory: DirOption,
    user: UserOption,
    as_json: JsonOption = False,
) -> None:
    """A request: contents, conditions, timeline and the steps possible now."""
    from hanoi.cooperation.codec import record_json, request_json

    with user_session(directory, user) as (node, actor):
        view = node.cooperation.show(actor, request_id)
    request = view.request
    if as_json:
        print_json(
            {
                "request": request_json(request),
                "status": request.status.value,
                "desired_status": request.desired_status.value if request.desired_status else None,
                "side": view.side.value,
                "route": request.route.value,
                "allowed_steps": [row.name.value for row in view.allowed],
                "recordable_steps": [row.name.value for row in view.recordable],
            }
        )
        return
    print(f"{request.id}  {request.kind}  {request.requesting_state} -> {request.requested_state}")
    print(f"status: {request.status.value}  (this node is the {view.side.label})")
    if not request.route.on_network:
        print(f"channel: {request.route.value} (off the network: letters carry the steps)")
    for condition in request.conditions:
        print(f"condition [{condition.key}]: {condition.terms}")
    for record in request.history:
        r = record_json(record)
        why = f" - {r['reasons']}" if r["reasons"] else ""
        print(f"  {r['at']}  {r['state']} {r['officer']}: {r['transition']} ({r['article']}){why}")
    print("next: " + (", ".join(row.name.value for row in view.allowed) or "nothing"))
    if view.recordable:
        recordable = ", ".join(row.name.value for row in view.recordable)
        print(f"record from the other State's letters: {recordable}")


@app.command("overdue")
def overdue(directory: DirOption, user: UserOption, as_json: JsonOption = False) -> None:
    """Deadlines overdue or due soon in your cases, soonest first."""
    with user_session(directory, user) as (node, actor):
        found = node.cooperation.overdue(actor)
    if as_json:
        print_json(
            [
                {
                    "request_id": d.request_id,
                    "rule": d.rule.value,
                    "state": d.state.value,
                    "due_at": d.due_at.isoformat(),
                    "seconds_left": int(d.time_left.total_seconds()),
                    "side": d.side.value,
                    "article": d.article,
                }
                for d in found
            ]
        )
        return
    for d in found:
        when = d.due_at.isoformat()
        print(f"{d.state.value:<9} {when}  {d.request_id}  {d.rule.value} ({d.article})")
    if not found:
        print("nothing overdue or due soon")


ChannelOption = Annotated[
    str | None,
    typer.Option(
        "--channel",
        help="Off the network: diplomatic, email, interpol, courier or other (ADR 0028).",
    ),
]
ScanOption = Annotated[
    Path | None,
    typer.Option("--scan", help="The scanned letter or note: a PDF or a PNG, JPEG, TIFF image."),
]


def _day(value: str, option: str) -> Any:
    from datetime import date

    from hanoi.errors import FieldProblem, InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"bad {option}", fields=(FieldProblem(option, f"{value!r} is not YYYY-MM-DD"),)
        ) from None


def _scan(path: Path) -> Any:
    from hanoi.cooperation.documents import MAX_DOCUMENT_BYTES
    from hanoi.cooperation.offline import LetterScan
    from hanoi.errors import InvalidInput, PayloadTooLarge

    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{path} is not a readable file: {exc.strerror}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"a scanned letter is at most {MAX_DOCUMENT_BYTES} bytes")
    return LetterScan(data=data, title=path.name[:200])


def _via(channel: str | None, on: str | None, reference: str | None) -> Any:
    from hanoi.cooperation.routes import ChannelRecord
    from hanoi.errors import InvalidInput

    if channel is None and on is None and reference is None:
        return None
    if channel is None or on is None or reference is None:
        raise InvalidInput("a channel record needs --channel, --on and --reference together")
    route: Any = channel  # checked by the channel record
    return ChannelRecord(channel=route, on=_day(on, "--on"), reference=reference)


@app.command("step")
def take_step(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    name: Annotated[str, typer.Argument(help="The step, e.g. approve, send, acknowledge.")],
    directory: DirOption,
    user: UserOption,
    reasons: Annotated[str | None, typer.Option(help="Reasons (required by some steps).")] = None,
    ground: Annotated[list[str] | None, typer.Option(help="A refusal ground (repeatable).")] = None,
    channel: ChannelOption = None,
    on: Annotated[
        str | None, typer.Option("--on", help="Off the network: the day, YYYY-MM-DD.")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(help="Off the network: the note's number or the e-mail's Message-ID."),
    ] = None,
    scan: ScanOption = None,
) -> None:
    """Take a step of the transition table. Off the network, 'dispatch' sends an approved
    request by another channel, and the other State's steps are recorded from its letters:
    give --channel, --on, --reference and, if you have it, --scan."""
    from hanoi.cooperation.service import StepInput

    via = _via(channel, on, reference)
    letter = _scan(scan) if scan is not None else None
    with user_session(directory, user) as (node, actor):
        after, record = node.cooperation.take(
            actor,
            request_id,
            StepInput(
                transition=name,
                reasons=reasons,
                grounds=tuple(ground or ()),
                via=via,
                scan=letter,
            ),
        )
    print(f"{after.id}: {record.from_status.value} -> {after.status.value} ({record.article})")


@app.command("register")
def register(
    directory: DirOption,
    user: UserOption,
    requesting_state: Annotated[
        str, typer.Option("--from", help="The requesting State (ISO 3166-1 alpha-3).")
    ],
    channel: Annotated[
        str, typer.Option("--channel", help="diplomatic, email, interpol, courier or other.")
    ],
    received_at: Annotated[
        str, typer.Option("--received-at", help="The day it was received, YYYY-MM-DD.")
    ],
    reference: Annotated[
        str, typer.Option(help="The sender's reference: the note's number, the Message-ID.")
    ],
    scan: Annotated[Path, typer.Option("--scan", help="The scanned letter (PDF or image).")],
    contents: Annotated[
        Path, typer.Option("--contents", help="JSON: the request's items, as for a draft.")
    ],
    kind: Annotated[str, typer.Option(help="The kind of request.")] = "mla-general",
    authority: Annotated[
        str, typer.Option(help="The requesting authority, as the letter names it.")
    ] = "central authority",
    as_json: JsonOption = False,
) -> None:
    """Register a request received off the network, from its letter (ADR 0028). Prints the
    new request's id; what the letter lacks is listed with its article, not refused."""
    from hanoi.cooperation.offline import Registration
    from hanoi.cooperation.routes import ChannelRecord
    from hanoi.errors import InvalidInput

    route: Any = channel  # checked by the channel record
    items = _read_json(contents, "the contents")
    if not isinstance(items, dict):
        raise InvalidInput("the contents file is a JSON object of items")
    spec = Registration(
        kind=kind,
        requesting_state=requesting_state,
        requesting_authority=authority,
        via=ChannelRecord(
            channel=route,
            on=_day(received_at, "--received-at"),
            reference=reference,
        ),
        contents=items,
        scan=_scan(scan),
    )
    with user_session(directory, user) as (node, actor):
        view = node.cooperation.register(actor, spec)
        findings = node.cooperation.findings(actor, view.request.id)
    if as_json:
        from hanoi.cooperation.codec import request_json

        print_json({"request": request_json(view.request), "missing": [
            {"path": f.path, "message": f.message, "article": f.citation} for f in findings
        ]})  # fmt: skip
        return
    print(view.request.id)
    _print_problems(findings)


@app.command("letter")
def letter(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    directory: DirOption,
    user: UserOption,
    language: Annotated[str, typer.Option("--language", help="ar, zh, en, fr, ru or es.")],
    out: Annotated[Path, typer.Option("--out", help="The PDF file to write.")],
    override_reason: Annotated[
        str | None,
        typer.Option(help="Why the letter is in a language the other State does not list."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write the signed PDF letter this node sends for a request, and log it as a
    'letter-issued' custody event. On a request this State makes: the letter of request
    (Art. 40(14)), once approved and complete, in a language the requested State accepts.
    On a request this State received: its answer to the last step an answer reports
    (acknowledged, additional information, consultation, accepted, executed, postponed,
    refused with its grounds and reasons), in a language the requesting State accepts.
    A language the directory does not list needs --override-reason. Prints the file, its
    SHA-256 and the verification code. Exit 0 once written; 5 for a language not accepted,
    a request not approved or not complete, or nothing to answer yet; 3 for a request not
    among your cases."""
    from hanoi.cli.acting import report_language
    from hanoi.cli.files import check_output, publish, write_temporary
    from hanoi.letters.issued import issue_for, logged_index
    from hanoi.letters.letter import Purpose, grouped

    chosen = report_language(language)
    check_output(out, force=force)
    with user_session(directory, user) as (node, actor):
        issued = issue_for(
            node, actor, request_id, language=chosen, override_reason=override_reason
        )
        publish(write_temporary(out, issued.pdf), out)  # recorded and queued already
        node.custody.sequence()  # no server may be running: the event gets its entry now
        index = logged_index(node, issued)
        origin = node.custody.origin
    record = issued.record
    what = (
        f"letter of request {record.request_id}"
        if record.purpose is Purpose.REQUEST
        else f"answer to request {record.request_id} ({record.step})"
    )
    print(f"{out}  {record.size} bytes  {what} ({chosen.value})")
    entry = f"entry {index} of {origin}" if index is not None else f"queued in {origin}"
    print(f"SHA-256 {record.sha256}  letter-issued: {entry}")
    print(f"verification code {grouped(record.verification_code)}")
