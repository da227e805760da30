"""``POST /api/v1/providers/{id}/csp-config`` in process, the provider simulated: an
administrator fetches the configuration and gets the entry with it; an officer is refused;
a provider that answers garbage is problem+json and nothing is kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from hanoi.accounts.model import Role
from hanoi.web.app import create_app
from support_cooperation import add_user
from support_provider_orders import Execution, executing

PROBLEM = "application/problem+json"
URL = "/api/v1/providers/vnm-sim/csp-config"


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Execution]:
    yield from executing(tmp_path, None, None)


def test_an_administrator_fetches_the_configuration(run: Execution) -> None:
    x = run
    admin = add_user(x.vnm, "hoa", Role.ADMINISTRATOR)
    as_admin = {"Authorization": f"Bearer {x.vnm.accounts.issue_token(admin)}"}
    officer = {"Authorization": f"Bearer {x.vnm.accounts.issue_token(x.officer)}"}
    with TestClient(create_app(x.vnm, background=False)) as client:
        assert client.post(URL, headers=officer).status_code == 403

        x.transport.handler = lambda request: httpx.Response(200, content=b"<html>oops</html>")
        failed = client.post(URL, headers=as_admin)
        assert failed.status_code == 502
        assert failed.headers["content-type"].startswith(PROBLEM)
        assert failed.json()["type"].endswith("/provider-answer-invalid")
        assert (
            client.get("/api/v1/providers/vnm-sim", headers=as_admin).json()["csp_config"] is None
        )

        x.transport.handler = None
        fetched = client.post(URL, headers=as_admin)
        assert fetched.status_code == 200, fetched.text
        config = fetched.json()["csp_config"]
        assert "TargetingConfigurations" in config["document"]
        changes = client.get("/api/v1/providers/vnm-sim/changes", headers=as_admin).json()
        assert (changes[0]["kind"], changes[0]["by"]) == ("csp-config", "hoa")
