"""``hanoi user``: add and list the people who use this node, and give them the title a
court reads under their name on the reports they certify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hanoi.cli.output import print_json

app = typer.Typer(help="Users, roles, API tokens and UI sessions.", no_args_is_help=True)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name, e.g. amira.hassan.")],
    role: Annotated[
        str,
        typer.Option(help="officer, supervisor, point-of-contact, auditor or administrator."),
    ],
    directory: DirOption,
    token: Annotated[bool, typer.Option("--token", help="Also create an API token.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password from standard input.")
    ] = False,
    title: Annotated[
        str | None,
        typer.Option(help="Their title, printed on the court reports they certify."),
    ] = None,
) -> None:
    """Create a user. With --token, print an API token once: it is stored only hashed."""
    from hanoi.accounts.model import parse_role
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    parsed_role = parse_role(role)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    node = open_node(load_settings(directory))
    try:
        created = node.accounts.add_user(
            name=name, role=parsed_role, password=password, with_token=token, title=title
        )
    finally:
        node.close()
    result: dict[str, object] = {
        "name": created.user.name,
        "role": created.user.role.value,
        "title": created.user.title,
    }
    if created.token is not None:
        result["token"] = created.token
    print_json(result)
    if created.token is not None:
        print("Store the token now: it cannot be shown again.", file=sys.stderr)


@app.command("list")
def list_users(directory: DirOption) -> None:
    """List users and their roles."""
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    node = open_node(load_settings(directory))
    try:
        users = node.accounts.users()
    finally:
        node.close()
    print_json(
        [
            {
                "name": u.name,
                "role": u.role.value,
                "title": u.title,
                "created_at": u.created_at.isoformat(),
            }
            for u in users
        ]
    )


@app.command("sign-out")
def sign_out(
    name: Annotated[str, typer.Argument(help="The user to sign out of every browser.")],
    directory: DirOption,
) -> None:
    """End every web UI session of a user at once (a lost laptop, a shared computer).
    Their next page asks them to sign in again; API tokens are not affected."""
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    node = open_node(load_settings(directory))
    try:
        ended = node.accounts.sign_out_everywhere(name)
    finally:
        node.close()
    print_json({"name": name, "sessions_ended": ended})


@app.command("set-title")
def set_title(
    name: Annotated[str, typer.Argument(help="The user.")],
    title: Annotated[str, typer.Argument(help='The new title; "" removes it.')],
    directory: DirOption,
) -> None:
    """Set the title printed under a user's name when they certify a court report
    ("Public Prosecutor, Cybercrime Unit"). Reports issued before keep the title they had."""
    from hanoi.settings import load_settings
    from hanoi.wiring import open_node

    node = open_node(load_settings(directory))
    try:
        changed = node.accounts.set_title(name, title)
    finally:
        node.close()
    print_json({"name": changed.name, "title": changed.title})
