"""``hanoi serve`` and ``hanoi demo``: run a node's web server.

Heavy imports (FastAPI, SQLAlchemy, boto3) happen inside the commands, so
that ``hanoi --help`` and quick commands start fast.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hanoi.errors import Unavailable

if TYPE_CHECKING:
    from hanoi.settings import Settings

DEFAULT_DEMO_DIR = Path(".hanoi-demo")


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise Unavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run_server(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    from hanoi.web.app import create_app
    from hanoi.wiring import open_node

    _check_port(host, port)
    node = open_node(settings)  # fail fast, with one line, before the server starts
    url = f"http://{host}:{port}/"
    print(f"Hanoi node {node.identity.state} ({node.identity.name})")
    print(f"  open {url}   API {url}api/v1/docs   health {url}healthz")
    print("  press Ctrl-C to stop", flush=True)
    log_level = settings.log_level
    if workers == 1:
        uvicorn.run(create_app(node), host=host, port=port, log_level=log_level)
        return
    node.engine.dispose()
    os.environ["HANOI_NODE_DIR"] = str(settings.node_dir)
    uvicorn.run(
        "hanoi.web.asgi:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )


def serve(
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
) -> None:
    """Run the node: JSON API under /api/v1, health at /healthz."""
    from hanoi.settings import load_settings

    settings = load_settings(directory)
    run_server(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
    )


def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Sandbox folder.")] = DEFAULT_DEMO_DIR,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start a sandbox node (State EGY) on SQLite and a local folder, creating it if needed."""
    from hanoi.clock import SystemClock
    from hanoi.node.folder import init_node
    from hanoi.settings import CONFIG_FILE, load_settings
    from hanoi.wiring import prepare_new_node

    node_dir = directory / "EGY"
    if not (node_dir / CONFIG_FILE).exists():
        clock = SystemClock()
        init_node(
            node_dir,
            state="EGY",
            name="Central Authority of Egypt (sandbox)",
            now=clock.now(),
            prepare=lambda settings, keys: prepare_new_node(settings, keys, clock),
        )
        print(f"created sandbox node in {node_dir}")
    run_server(load_settings(node_dir), host="127.0.0.1", port=port, workers=1)
