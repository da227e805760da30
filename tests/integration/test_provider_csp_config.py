"""Fetching a provider's CSP configuration (``GETCSPCONFIG``) on SQLite and PostgreSQL,
from the simulated provider in process: the configuration kept with a history entry naming
the administrator; an officer refused; a provider that answers garbage, refuses, or cannot
be reached gets a typed error and nothing is kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hanoi.accounts.model import Role
from hanoi.errors import PermissionDenied
from hanoi.providers.errors import ProviderAnswerInvalid, ProviderRefused, ProviderUnreachable
from hanoi.providers.history import ChangeKind
from hanoi.sandbox.provider_sim import CONFIG_FORMATS, CONFIG_REQUEST_TYPES
from support_cooperation import add_user
from support_databases import templates as database_templates
from support_provider_orders import Execution, executing


@pytest.fixture(params=["sqlite", "postgresql"])
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Execution]:
    if request.param == "sqlite":
        yield from executing(tmp_path, None, None)
        return
    with database_templates().clones() as databases:
        yield from executing(tmp_path, databases.postgres(), databases.postgres())


def test_an_administrator_fetches_and_keeps_the_configuration(run: Execution) -> None:
    x = run
    admin = add_user(x.vnm, "hoa", Role.ADMINISTRATOR)
    x.later()
    provider = x.vnm.providers.fetch_csp_config(admin, "vnm-sim")

    [sent] = x.simulator.received
    assert sent["Payload"]["RequestPayload"]["ActionRequests"]["ActionRequest"] == [
        {"ActionIdentifier": 0, "GETCSPCONFIG": {}}
    ]
    assert "Signature" in sent
    assert provider.csp_config is not None
    assert provider.csp_config.fetched_at == x.clock.now()
    document = json.loads(json.dumps(provider.csp_config.as_json()))
    targeting = document["TargetingConfigurations"]["config:TargetingConfiguration"]
    assert [t["config:FormatName"] for t in targeting] == list(CONFIG_FORMATS)
    served = targeting[0]["config:AssociatedLDRequestTypes"]["common:DictionaryEntry"]
    assert [e["common:Value"] for e in served] == list(CONFIG_REQUEST_TYPES)
    assert x.vnm.providers.get(admin, "vnm-sim").csp_config == provider.csp_config

    latest = x.vnm.providers.changes(admin, "vnm-sim")[0]
    assert latest.kind is ChangeKind.CSP_CONFIG
    assert latest.by == "hoa"
    assert latest.fields == ("csp_config",)


def test_an_officer_may_not_fetch(run: Execution) -> None:
    x = run
    with pytest.raises(PermissionDenied):
        x.vnm.providers.fetch_csp_config(x.officer, "vnm-sim")
    assert x.simulator.received == []


def _refusing(x: Execution) -> None:
    """The simulator, but the message reaches it addressed to another provider: it answers
    the transaction with an ErrorInformation."""

    def handler(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.read())
        message["Header"]["ReceiverIdentifier"]["UniqueIdentifier"] = "someone-else"
        status, answer = x.simulator.handle(json.dumps(message).encode())
        return httpx.Response(status, json=answer)

    x.transport.handler = handler


def test_nothing_is_kept_when_the_provider_fails(run: Execution) -> None:
    x = run
    admin = add_user(x.vnm, "hoa", Role.ADMINISTRATOR)
    before = x.vnm.providers.changes(admin, "vnm-sim")

    x.transport.handler = lambda request: httpx.Response(200, content=b"<html>oops</html>")
    with pytest.raises(ProviderAnswerInvalid):
        x.vnm.providers.fetch_csp_config(admin, "vnm-sim")

    _refusing(x)
    with pytest.raises(ProviderRefused, match="1003"):
        x.vnm.providers.fetch_csp_config(admin, "vnm-sim")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    x.transport.handler = down
    with pytest.raises(ProviderUnreachable):
        x.vnm.providers.fetch_csp_config(admin, "vnm-sim")

    assert x.vnm.providers.get(admin, "vnm-sim").csp_config is None
    assert x.vnm.providers.changes(admin, "vnm-sim") == before
