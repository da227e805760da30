"""``hanoi requests order-provider``, ``hanoi requests provider-orders`` and
``hanoi requests poll-provider``: orders to service providers for a request in execution;
and ``hanoi provider-sim``, a simulated provider's HI-1 endpoint for training and tests.
Thin: the rules are :mod:`hanoi.providers.ordering`'s."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hanoi.cli.acting import user_session
from hanoi.cli.files import read_limited
from hanoi.cli.output import print_json

if TYPE_CHECKING:
    from hanoi.providers.ordering import OrderView

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]
UserOption = Annotated[str, typer.Option("--user", help="Act as this user of the node.")]
RequestArgument = Annotated[str, typer.Argument(help="The request's id.")]
MAX_ORDER_FILE = 700 * 1024
MEDIA_TYPES = {".pdf": "application/pdf", ".txt": "text/plain", ".json": "application/json"}


def _time(value: str | None, option: str) -> datetime | None:
    from hanoi.errors import FieldProblem, InvalidInput

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            f"{option} {value[:40]!r}: an ISO 8601 time with its zone, e.g. 2027-01-31T00:00:00Z",
            fields=(FieldProblem(option.lstrip("-"), "an ISO 8601 time with its zone"),),
        )
    return moment


def _print(view: OrderView, *, as_json: bool) -> None:
    from hanoi.providers.order_codec import view_json

    if as_json:
        print_json(view_json(view))
        return
    order = view.order
    print(f"{order.id}\t{order.provider_id}\t{order.kind.value}\t{order.status.value}")
    if order.error:
        print(f"  provider: {order.error_code or '-'} {order.error}")
    for delivery in view.deliveries:
        what = delivery.evidence_item_id or delivery.problem or "-"
        print(f"  delivery {delivery.object_id}\t{delivery.outcome.value}\t{what}")
    for note in view.notifications:
        kind = note.type[2] if note.type else "-"
        print(f"  notification {note.object_id}\t{kind}\t{note.details or '-'}")


def order_provider(
    request_id: RequestArgument,
    directory: DirOption,
    user: UserOption,
    provider: Annotated[str, typer.Option(help="The provider's id in the directory.")],
    identifier: Annotated[
        list[str], typer.Option(help="TYPE=VALUE, e.g. EmailAddress=a@b.example; repeatable.")
    ],
    deadline: Annotated[
        str, typer.Option(help="Disclosure: by when; preservation: until when (ISO 8601).")
    ],
    order_file: Annotated[Path, typer.Option(help="The signed domestic order (PDF or text).")],
    domestic_ref: Annotated[str, typer.Option(help="The domestic order's reference.")],
    legal_basis: Annotated[str, typer.Option(help="The domestic legal basis of the order.")],
    start: Annotated[
        str | None, typer.Option("--from", help="Start of the time window (ISO 8601).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End of the time window.")] = None,
    request_type: Annotated[
        str | None, typer.Option(help="ETSI RequestType (SubscriberData, TrafficData...).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Order a service provider over HI-1 for a request this node executes."""
    from hanoi.providers.orders import OrderInput, parse_identifier

    document = read_limited(order_file, max_bytes=MAX_ORDER_FILE, what="--order-file")
    due = _time(deadline, "--deadline")
    assert due is not None
    order = OrderInput(
        provider_id=provider,
        identifiers=tuple(parse_identifier(text, index=i) for i, text in enumerate(identifier)),
        deadline=due,
        domestic_reference=domestic_ref,
        legal_basis=legal_basis,
        order_document=document,
        order_media_type=MEDIA_TYPES.get(order_file.suffix.lower(), "application/octet-stream"),
        order_name=order_file.name[:200] or "order",
        request_type=request_type,
        window_start=_time(start, "--from"),
        window_end=_time(end, "--to"),
    )
    with user_session(directory, user) as (node, actor):
        issued = node.provider_orders.issue(actor, request_id, order)
        _print(node.provider_orders.show(actor, request_id, issued.id), as_json=as_json)


def provider_orders(
    request_id: RequestArgument,
    directory: DirOption,
    user: UserOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The request's orders to service providers, with their deliveries and notifications."""
    with user_session(directory, user) as (node, actor):
        found = node.provider_orders.orders(actor, request_id)
        views = [node.provider_orders.show(actor, request_id, o.id) for o in found]
    if as_json:
        from hanoi.providers.order_codec import view_json

        print_json([view_json(v) for v in views])
        return
    if not views:
        print("No provider orders.")
    for view in views:
        _print(view, as_json=False)


def poll_provider(
    request_id: RequestArgument,
    order_id: Annotated[str, typer.Argument(help="The order's id.")],
    directory: DirOption,
    user: UserOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Ask the provider now about one order (the node also polls open orders by itself)."""
    with user_session(directory, user) as (node, actor):
        _print(node.provider_orders.poll(actor, request_id, order_id), as_json=as_json)


def provider_sim(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")],
    host: Annotated[str, typer.Option(help="Address to listen on (loopback).")] = "127.0.0.1",
    state: Annotated[str, typer.Option(help="The provider's State (ISO alpha-3).")] = "VNM",
    identifier: Annotated[
        str, typer.Option(help="The provider's HI-1 unique identifier.")
    ] = "hanoi-provider-sim",
    delay: Annotated[
        float, typer.Option(min=0, help="Seconds before a task is preserved or disclosed.")
    ] = 2.0,
    reject: Annotated[str | None, typer.Option(help="Reject every task, with this reason.")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Deliver the files of this folder instead of test data.")
    ] = None,
    corrupt_checksums: Annotated[
        bool, typer.Option(help="Declare checksums that do not match (to train on errors).")
    ] = False,
) -> None:
    """A simulated service provider's HI-1 endpoint (plain HTTP; loopback only)."""
    import ipaddress

    import uvicorn

    from hanoi.crypto.document_signing import alpha2
    from hanoi.errors import InvalidInput
    from hanoi.sandbox.provider_sim import PATH, ProviderSimulator, SimSettings, create_app

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInput(
            f"--host {host[:64]!r}: the simulator speaks plain HTTP on loopback only"
        )
    country = alpha2(state.upper())
    if country is None:
        raise InvalidInput(f"--state {state[:8]!r}: an ISO 3166-1 alpha-3 code with an alpha-2")
    if data_dir is not None and not data_dir.is_dir():
        raise InvalidInput(f"--data-dir {str(data_dir)[:200]!r} is not a folder")
    settings = SimSettings(
        country=country,
        identifier=identifier,
        delay=delay,
        reject=reject,
        data_dir=data_dir,
        corrupt_checksums=corrupt_checksums,
    )
    print(
        f"HI-1 provider simulator {country}/{identifier} at http://{host}:{port}{PATH}",
        flush=True,
    )
    uvicorn.run(create_app(ProviderSimulator(settings)), host=host, port=port, log_level="warning")
