"""The ``hanoi`` command: one sub-command group per domain."""

from __future__ import annotations

import logging
import sys

import typer

from hanoi import __version__
from hanoi.cli import (
    backup,
    cooperation,
    db,
    directory,
    evidence,
    letter,
    log,
    node,
    provider_orders,
    providers,
    requests_hi1,
    serve,
    stats,
    treaty,
    user,
    witness,
)
from hanoi.cli.output import EXIT_UNEXPECTED, report_error
from hanoi.errors import HanoiError

app = typer.Typer(
    name="hanoi",
    help="Hanoi: cooperation under the UN Convention against Cybercrime, node by node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(node.app, name="node")
app.add_typer(directory.app, name="directory")
app.add_typer(db.app, name="db")
app.add_typer(evidence.app, name="evidence")
app.add_typer(cooperation.app, name="requests")
requests_hi1.register(cooperation.app)  # export-hi1, import-hi1
app.add_typer(log.app, name="log")
app.add_typer(letter.app, name="letter")
app.add_typer(treaty.app, name="treaty")
app.add_typer(user.app, name="user")
app.add_typer(witness.app, name="witness")
app.add_typer(stats.app, name="stats")  # with stats_publish's export and aggregate
app.add_typer(providers.app, name="providers")
cooperation.app.command("order-provider")(provider_orders.order_provider)
cooperation.app.command("provider-orders")(provider_orders.provider_orders)
cooperation.app.command("poll-provider")(provider_orders.poll_provider)
app.command("provider-sim")(provider_orders.provider_sim)
app.command("serve")(serve.serve)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("demo")(serve.demo)


@app.command("version")
def version() -> None:
    """Print the version."""
    print(__version__)


def run(args: list[str] | None = None) -> int:
    """Run the command with ``args`` (default: the process's) and return its exit code,
    reporting a Hanoi error in one line and any other error as internal. ``main`` adds the
    process's logging; the test suite calls this in its own process for the commands that
    are not about the process (ADR 0041)."""
    try:
        app(args=args, prog_name="hanoi")
    except SystemExit as exc:
        return _exit_code(exc.code)
    except HanoiError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        logging.getLogger("hanoi").debug("unexpected error", exc_info=True)
        print(f"hanoi: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_UNEXPECTED
    return 0


def _exit_code(code: object) -> int:
    """What the process would exit with for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(run())
