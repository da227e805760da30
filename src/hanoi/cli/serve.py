"""``hanoi serve`` and ``hanoi demo``: run a node's web server.

Heavy imports (FastAPI, SQLAlchemy, boto3) happen inside the commands, so
that ``hanoi --help`` and quick commands start fast.
"""

from __future__ import annotations

import os
import socket
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hanoi.errors import Unavailable

if TYPE_CHECKING:
    from hanoi.settings import Settings

DEFAULT_DEMO_DIR = Path(".hanoi-demo")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise Unavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run_server(
    settings: Settings, *, host: str, port: int, workers: int, log_format: str | None = None
) -> None:
    import sys

    if "prometheus_client" in sys.modules:  # its storage is chosen when first imported
        raise RuntimeError("prometheus_client was imported before hanoi serve set it up")
    _check_port(host, port)
    # Every process writes its metrics to DIR/metrics/ (emptied now), and /metrics, in
    # any of them, sums them (ADR 0047). Set before the app is imported.
    from hanoi.observability.metrics import prepare_multiprocess

    prepare_multiprocess(settings.node_dir)

    import uvicorn

    from hanoi.backup.log_guard import guard_log
    from hanoi.observability.logs import json_logging_config
    from hanoi.web.asgi import served_app
    from hanoi.wiring import open_node

    node = open_node(settings)  # fail fast, with one line, before the server starts
    try:
        guard_log(node)  # never sign a log that is behind its witnesses (ADR 0048)
    except BaseException:
        node.close()
        raise
    url = f"http://{host}:{port}/"
    print(f"Hanoi node {node.identity.state} ({node.identity.name})")
    print(f"  open {url}   API {url}api/v1/docs   ready {url}readyz   metrics {url}metrics")
    print("  press Ctrl-C to stop", flush=True)
    log_level = settings.log_level
    logging: dict[str, Any] = {}
    if (log_format or settings.log_format) == "json":
        # Our access line (route templates) replaces uvicorn's (raw paths, query strings).
        logging = {"log_config": json_logging_config(level=log_level), "access_log": False}
    # Forwarded headers are read by hanoi.web.proxies from the trusted_proxies setting
    # only; uvicorn's own reading would believe them from 127.0.0.1 (or $FORWARDED_ALLOW_IPS).
    if workers == 1:
        uvicorn.run(
            served_app(node),
            host=host,
            port=port,
            log_level=log_level,
            proxy_headers=False,
            **logging,
        )
        return
    node.close()
    os.environ["HANOI_NODE_DIR"] = str(settings.node_dir)
    uvicorn.run(
        "hanoi.web.asgi:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        **logging,
    )


def serve(
    directory: Annotated[Path, typer.Option("--dir", help="The node folder.")],
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
    log_format: Annotated[
        LogFormat | None,
        typer.Option(help="Log lines: text, or one JSON object a line (log_format setting)."),
    ] = None,
) -> None:
    """Run the node: JSON API under /api/v1, /healthz, /readyz and /metrics."""
    from hanoi.settings import load_settings

    settings = load_settings(directory)
    run_server(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_format=log_format.value if log_format else None,
    )


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Sandbox folder; every node's folder goes under it.")
    ] = DEFAULT_DEMO_DIR,
    base_port: Annotated[
        int,
        typer.Option(
            min=1024,
            max=65000,
            help="State i's node listens on port P+i, the simulated provider after them.",
        ),
    ] = 8100,
    exit_after: Annotated[
        bool, typer.Option("--exit", help="Run the scenario, stop, exit 0 only if it all passed.")
    ] = False,
) -> None:
    """Start a sandbox federation (EGY, VNM, FRA) and play a whole case through it."""
    import shutil

    from hanoi.clock import SystemClock
    from hanoi.errors import Conflict, RuleViolation
    from hanoi.sandbox.runner import run_demo

    if directory.exists() and any(directory.iterdir()):
        if not (directory / "demo.json").exists():
            raise Conflict(f"{directory} is not empty and is not an earlier sandbox; choose --dir")
        shutil.rmtree(directory)  # an earlier sandbox of ours: start afresh
    ok = run_demo(directory, base_port=base_port, clock=SystemClock(), keep_running=not exit_after)
    if not ok:
        raise RuleViolation("the demo scenario failed; see demo.json and each node's server.log")
