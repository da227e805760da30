"""The HTTP surface: health, OpenAPI, and problem+json for every error."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import free_port
from hanoi.errors import FieldProblem, RuleViolation
from hanoi.settings import load_settings
from hanoi.web import problems
from hanoi.web.app import create_app
from hanoi.wiring import open_node

PROBLEM = "application/problem+json"


@pytest.fixture
def client(node_dir: Path) -> Iterator[TestClient]:
    node = open_node(load_settings(node_dir))
    with TestClient(create_app(node), raise_server_exceptions=False) as test_client:
        yield test_client
    node.engine.dispose()


def test_readyz_reports_each_dependency(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "state": "EGY",
        "database": "ok",
        "migrations": "ok",
        "blobs": "ok",
    }
    assert client.get("/healthz").json() == {"status": "ok", "state": "EGY"}


def test_openapi_document_is_served_under_the_api(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/node" in document["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(document["paths"])


def test_node_identity_endpoint(client: TestClient) -> None:
    identity = client.get("/api/v1/node").json()
    assert identity["state"] == "EGY"
    assert identity["age_recipient"].startswith("age1")


def test_unknown_path_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert body["instance"] == "/api/v1/nothing-here"
    assert body["type"].endswith("/not-found")


def test_wrong_method_is_problem_json(client: TestClient) -> None:
    response = client.delete("/api/v1/node")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert "allow" in response.headers


def test_blob_store_down_makes_readyz_503_but_not_healthz(tmp_path: Path, node_dir: Path) -> None:
    copy = tmp_path / "node"
    shutil.copytree(node_dir, copy)
    node = open_node(load_settings(copy))
    shutil.rmtree(copy / "blobs")
    (copy / "blobs").write_text("not a folder")
    with TestClient(create_app(node), raise_server_exceptions=False) as test_client:
        response = test_client.get("/readyz")
        alive = test_client.get("/healthz")
    node.engine.dispose()
    assert alive.status_code == 200  # alive: restarting the process would not help
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert "blobs unavailable" in response.json()["detail"]


def _app_with_failing_routes() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    @app.get("/rule")
    def rule() -> None:
        raise RuleViolation(
            "the request is incomplete",
            fields=(FieldProblem("contents/grounds", "missing", article="Art. 40(15)(c)"),),
        )

    @app.get("/typed")
    def typed(limit: int) -> dict[str, int]:
        return {"limit": limit}

    return app


def test_unexpected_error_is_a_500_problem_without_internals() -> None:
    with TestClient(_app_with_failing_routes(), raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_domain_error_lists_each_field_with_its_article() -> None:
    with TestClient(_app_with_failing_routes()) as test_client:
        response = test_client.get("/rule")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "contents/grounds", "detail": "missing", "article": "Art. 40(15)(c)"}
    ]


def test_request_validation_error_has_one_entry_per_field() -> None:
    with TestClient(_app_with_failing_routes()) as test_client:
        response = test_client.get("/typed", params={"limit": "many"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    [entry] = response.json()["errors"]
    assert entry["pointer"] == "#query/limit"


@pytest.mark.slow
def test_hanoi_serve_runs_as_a_real_process(node_dir: Path) -> None:
    import subprocess
    import sys

    port = free_port()
    # By hand, not conftest.serving: the test reads what the process itself prints.
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("hanoi")),
            "serve",
            "--dir",
            str(node_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.json()["status"] == "ok"
        assert httpx.get(f"{url}/api/v1/openapi.json").status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"open http://127.0.0.1:{port}/" in output


def test_serve_on_a_busy_port_is_one_line(node_dir: Path) -> None:
    import socket

    from conftest import run_hanoi

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_hanoi("serve", "--dir", str(node_dir), "--port", str(port))
    assert result.returncode == 9
    assert result.stderr.strip().count("\n") == 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_serve_with_unreachable_database_is_one_line(node_dir: Path) -> None:
    from conftest import run_hanoi

    result = run_hanoi(
        "serve",
        "--dir",
        str(node_dir),
        "--port",
        str(free_port()),
        env={"HANOI_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"},
    )
    assert result.returncode == 9
    assert "cannot connect to database" in result.stderr
    assert "Traceback" not in result.stderr
