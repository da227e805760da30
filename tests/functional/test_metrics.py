"""Issue 21, part 5: ``/metrics`` scraped from a real ``hanoi serve --workers 2`` (every
process's counts summed, the database's gauges moving with the node), who may scrape it,
the request id, and readiness when the migrations are behind (ADR 0047)."""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from conftest import run_hanoi, serving
from hanoi.errors import InvalidInput
from hanoi.settings import load_settings
from hanoi.storage import migrate
from hanoi.web.app import create_app
from hanoi.wiring import open_node
from support_signin import add_setting

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
DRAFT = {"kind": "mla-stored-data", "requested_state": "VNM", "contents": {}}


def parse(exposition: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        yield {}
    else:
        yield {"HANOI_DATABASE_URL": request.getfixturevalue("migrated_databases").postgres()}


@pytest.mark.slow
def test_a_node_served_by_two_workers_is_scraped(
    node_dir: Path, tmp_path: Path, database_env: dict[str, str]
) -> None:
    folder = tmp_path / "node"
    shutil.copytree(node_dir, folder)
    added = run_hanoi(
        "user", "add", "amira.hassan", "--role", "officer", "--dir", str(folder), "--token",
        env=database_env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.split('"token": "')[1].split('"')[0]
    started = time.time()
    with serving(folder, workers=2, env=database_env, log=folder / "server.log") as server:
        metrics = f"{server.url}/metrics"
        before = parse(httpx.get(metrics, timeout=10).text)
        assert before[("hanoi_node_scrape_ok", ())] == 1
        drafts = total(before, "hanoi_requests", status="draft")

        auth = {"Authorization": f"Bearer {token}"}
        created = httpx.post(f"{server.url}/api/v1/requests", json=DRAFT, headers=auth)
        assert created.status_code == 201, created.text
        request_id = created.json()["id"]
        for _ in range(12):
            assert httpx.get(f"{server.url}/healthz").status_code == 200

        # Whichever worker answers, it sums both processes' counts (multiprocess mode).
        deadline = time.monotonic() + 30
        while True:
            scrapes = [httpx.get(metrics, timeout=10) for _ in range(4)]
            after = [parse(s.text) for s in scrapes]
            beats = [
                total(a, "hanoi_job_last_run_timestamp_seconds", job=job)
                for a in after
                for job in ("federation", "workflow-jobs", "custody-sequencer")
            ]
            if min(beats) >= started or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert min(beats) >= started, "every background job has a heartbeat since the start"
        for scrape, samples in zip(scrapes, after, strict=True):
            assert scrape.headers["content-type"].startswith("text/plain")
            assert request_id not in scrape.text  # counts only: no id, no name
            assert "amira" not in scrape.text
            assert total(samples, "hanoi_requests", status="draft") == drafts + 1
            healthz = total(samples, "hanoi_http_request_duration_seconds_count", route="/healthz")
            assert healthz >= 12
            posted = total(
                samples,
                "hanoi_http_request_duration_seconds_count",
                method="POST",
                route="/api/v1/requests",
                status="201",
            )
            assert posted == 1
            assert samples[("hanoi_outbox_pending_messages", ())] >= 0
            assert samples[("hanoi_witness_lag_entries", ())] >= 0
            assert samples[("hanoi_transfer_bytes_total", (("direction", "sent"),))] == 0
            assert ("hanoi_transfer_bytes_total", (("direction", "received"),)) in samples
        # Label values are route templates, never paths.
        httpx.get(f"{server.url}/api/v1/requests/{request_id}", headers=auth)
        text_ = httpx.get(metrics, timeout=10).text
        assert 'route="/api/v1/requests/{request_id}"' in text_
        assert request_id not in text_
    assert (folder / "metrics").is_dir()


@pytest.fixture
def node_copy(node_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "node"
    shutil.copytree(node_dir, folder)
    return folder


def test_metrics_need_loopback_or_the_metrics_token(node_copy: Path) -> None:
    token = secrets.token_urlsafe(32)
    add_setting(node_copy, f'metrics_token = "{token}"')
    node = open_node(load_settings(node_copy))
    app = create_app(node, background=False)
    try:
        with TestClient(app, raise_server_exceptions=False) as remote:  # peer "testclient"
            refused = remote.get("/metrics")
            assert refused.status_code == 403
            assert refused.headers["content-type"] == "application/problem+json"
            wrong = remote.get("/metrics", headers={"Authorization": "Bearer " + "x" * 43})
            assert wrong.status_code == 403
            allowed = remote.get("/metrics", headers={"Authorization": f"Bearer {token}"})
            assert allowed.status_code == 200
            assert parse(allowed.text)[("hanoi_node_scrape_ok", ())] == 1
        with TestClient(app, client=("127.0.0.1", 40000)) as local:
            assert local.get("/metrics").status_code == 200
            # Through a proxy on this host, the real client may be anyone.
            proxied = local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            assert proxied.status_code == 403
    finally:
        node.close()


def test_a_placeholder_or_short_metrics_token_is_refused(node_copy: Path) -> None:
    config = node_copy / "hanoi.toml"
    original = config.read_text(encoding="utf-8")
    for value in ("changeme", "short-token"):
        config.write_text(original + f'metrics_token = "{value}"\n', encoding="utf-8")
        with pytest.raises(InvalidInput) as refused:
            load_settings(node_copy)
        assert [f.path for f in refused.value.fields] == ["metrics_token"]


def test_the_request_id_is_echoed_when_well_formed_and_made_otherwise(node_copy: Path) -> None:
    node = open_node(load_settings(node_copy))
    try:
        with TestClient(create_app(node, background=False)) as client:
            given = client.get("/api/v1/node", headers={"X-Request-ID": "lb-7f3a.91:2"})
            assert given.headers["x-request-id"] == "lb-7f3a.91:2"
            for bad in ("", "a b", "x" * 200, "<script>"):
                made = client.get("/api/v1/node", headers={"X-Request-ID": bad})
                assert made.headers["x-request-id"] != bad
                assert len(made.headers["x-request-id"]) == 32
            refused = client.get("/api/v1/me")  # errors carry one too
            assert refused.status_code == 401
            assert len(refused.headers["x-request-id"]) == 32
    finally:
        node.close()


def test_readyz_is_503_while_the_migrations_are_behind(node_copy: Path) -> None:
    node = open_node(load_settings(node_copy))
    head = migrate.head_revision(node.engine)
    assert head is not None
    behind = f"{int(head) - 1:04d}"
    try:
        with node.engine.begin() as db:
            db.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": behind})
        with TestClient(create_app(node, background=False), raise_server_exceptions=False) as c:
            ready = c.get("/readyz")
            assert c.get("/healthz").status_code == 200
        assert ready.status_code == 503
        assert ready.headers["content-type"] == "application/problem+json"
        assert ready.json()["detail"] == f"not ready: migrations at {behind}, not {head}"
    finally:
        node.close()


def test_an_unexpected_error_answers_with_the_request_id_it_is_logged_under(
    node_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    node = open_node(load_settings(node_copy))
    app = create_app(node, background=False)

    def boom(capability: str) -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/v1/boom/{capability}", boom)
    try:
        with (
            caplog.at_level(logging.ERROR),
            TestClient(app, raise_server_exceptions=False) as client,
        ):
            answer = client.get("/api/v1/boom/fetch-capability-1", headers={"X-Request-ID": "e-1"})
    finally:
        node.close()
    assert answer.status_code == 500
    assert answer.headers["x-request-id"] == "e-1"
    logged = [r for r in caplog.records if r.getMessage().startswith("unexpected error")]
    assert [getattr(r, "request_id", None) for r in logged] == ["e-1"]
    assert logged[0].getMessage() == "unexpected error on GET /api/v1/boom/{capability}"
