"""Who may do what with the provider directory, and what the history keeps (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hanoi.accounts.model import Role, User
from hanoi.clock import FixedClock
from hanoi.cooperation.ports import AccessRefusal
from hanoi.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hanoi.providers.errors import ProviderDisabled
from hanoi.providers.history import NODE, ChangeKind
from hanoi.providers.memory import MemoryProviders
from hanoi.providers.model import Provider, ProviderFields
from hanoi.providers.service import ProviderService
from support_providers import NOW, issue, make_pki

PKI = make_pki()


def user(role: Role, name: str | None = None) -> User:
    return User(id=1, name=name or role.value, role=role, created_at=NOW)


ADMIN, AUDITOR = user(Role.ADMINISTRATOR, "admin"), user(Role.AUDITOR)
OFFICER, SUPERVISOR = user(Role.OFFICER, "lan"), user(Role.SUPERVISOR)
POINT_OF_CONTACT = user(Role.POINT_OF_CONTACT)


class Refusals:
    def __init__(self) -> None:
        self.recorded: list[AccessRefusal] = []

    def record_refusal(self, refusal: AccessRefusal) -> None:
        self.recorded.append(refusal)


class Setup:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = MemoryProviders()
        self.refusals = Refusals()
        self.connected: list[str] = []

        def connect(provider: Provider) -> httpx.Client:
            self.connected.append(provider.id)
            return httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))

        self.service = ProviderService(
            store=self.store, refusals=self.refusals, clock=self.clock, connect=connect
        )


@pytest.fixture
def setup() -> Setup:
    return Setup()


def test_an_administrator_adds_changes_disables_and_enables(setup: Setup) -> None:
    service = setup.service
    saved = service.create(ADMIN, "vnm-telecom", PKI.fields())
    assert saved.warnings == ()
    setup.clock.advance(timedelta(hours=1))
    changed = service.update(ADMIN, "vnm-telecom", ProviderFields(name="VNPT"))
    assert changed.changed == ("name",)
    setup.clock.advance(timedelta(hours=1))
    assert not service.disable(ADMIN, "vnm-telecom").enabled
    assert service.disable(ADMIN, "vnm-telecom").version == 3  # no second change
    assert service.enable(ADMIN, "vnm-telecom").enabled
    history = service.changes(ADMIN, "vnm-telecom")
    assert [c.kind for c in history] == [
        ChangeKind.ENABLED, ChangeKind.DISABLED, ChangeKind.UPDATED, ChangeKind.CREATED
    ]  # fmt: skip
    assert all(c.by == "admin" for c in history)
    assert history[2].fields == ("name",)
    assert history[2].summary == {"name": "VNPT"}
    assert history[2].at == NOW + timedelta(hours=1)


def test_the_history_shows_fingerprints_never_the_key(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    renewed = issue(PKI.client_ca, "hanoi-node-vnm")
    setup.service.update(
        ADMIN,
        "vnm-telecom",
        ProviderFields(client_certificate_chain=renewed.pem, client_private_key=renewed.key_pem),
    )
    latest = setup.service.changes(AUDITOR, "vnm-telecom")[0]
    assert latest.summary["client_private_key"] == "EC P-256"
    assert latest.summary["client_certificate_chain"].startswith("sha256:")
    everything = repr(setup.service.changes(ADMIN, "vnm-telecom"))
    for secret in (PKI.client.key_pem, renewed.key_pem):
        assert secret.splitlines()[1] not in everything


@pytest.mark.parametrize("actor", [OFFICER, SUPERVISOR, POINT_OF_CONTACT, AUDITOR])
def test_only_administrators_manage_and_each_refusal_is_recorded(setup: Setup, actor: User) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    for attempt in (
        lambda: setup.service.create(actor, "other", PKI.fields()),
        lambda: setup.service.update(actor, "vnm-telecom", ProviderFields(name="x")),
        lambda: setup.service.disable(actor, "vnm-telecom"),
        lambda: setup.service.enable(actor, "vnm-telecom"),
        lambda: setup.service.record_csp_config("vnm-telecom", {}, by=actor),
    ):
        with pytest.raises(PermissionDenied, match=actor.role.value):
            attempt()
    assert len(setup.refusals.recorded) == 5
    assert {r.user for r in setup.refusals.recorded} == {actor.name}
    assert setup.store.get("vnm-telecom") == setup.service.provider("vnm-telecom")
    assert len(setup.store.changes("vnm-telecom", limit=10)) == 1


@pytest.mark.parametrize("actor", [OFFICER, SUPERVISOR, POINT_OF_CONTACT])
def test_executing_officers_see_enabled_entries_only(setup: Setup, actor: User) -> None:
    setup.service.create(ADMIN, "a-telecom", PKI.fields(unique_identifier="a"))
    setup.service.create(ADMIN, "b-telecom", PKI.fields(unique_identifier="b"))
    setup.service.disable(ADMIN, "b-telecom")
    assert [p.id for p in setup.service.enabled(actor)] == ["a-telecom"]
    assert [p.id for p in setup.service.providers(actor)] == ["a-telecom"]
    assert setup.service.providers(actor, enabled=False) == []
    assert setup.service.get(actor, "a-telecom").id == "a-telecom"
    with pytest.raises(NotFound) as hidden:
        setup.service.get(actor, "b-telecom")
    with pytest.raises(NotFound) as missing:
        setup.service.get(actor, "c-telecom")
    assert hidden.value.detail.replace("b-", "c-") == missing.value.detail
    with pytest.raises(PermissionDenied):
        setup.service.changes(actor, "a-telecom")


@pytest.mark.parametrize("actor", [ADMIN, AUDITOR])
def test_administrators_and_auditors_read_everything(setup: Setup, actor: User) -> None:
    setup.service.create(ADMIN, "a-telecom", PKI.fields(unique_identifier="a"))
    setup.service.create(ADMIN, "b-telecom", PKI.fields(unique_identifier="b"))
    setup.service.disable(ADMIN, "b-telecom")
    assert [p.id for p in setup.service.providers(actor)] == ["a-telecom", "b-telecom"]
    assert [p.id for p in setup.service.providers(actor, enabled=False)] == ["b-telecom"]
    assert not setup.service.get(actor, "b-telecom").enabled


def test_auditors_may_not_order_and_administrators_neither(setup: Setup) -> None:
    for actor in (ADMIN, AUDITOR):
        with pytest.raises(PermissionDenied, match="order service providers"):
            setup.service.enabled(actor)


def test_a_disabled_user_may_do_nothing(setup: Setup) -> None:
    gone = User(id=9, name="gone", role=Role.ADMINISTRATOR, created_at=NOW, disabled=True)
    with pytest.raises(PermissionDenied):
        setup.service.create(gone, "vnm-telecom", PKI.fields())
    with pytest.raises(PermissionDenied):
        setup.service.providers(gone)


def test_ids_and_hi1_identifiers_are_unique(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    with pytest.raises(Conflict, match="exists already"):
        setup.service.create(ADMIN, "vnm-telecom", PKI.fields(unique_identifier="other"))
    with pytest.raises(Conflict, match="HI-1 identifier VN/'vnm-telecom-hi1'"):
        setup.service.create(ADMIN, "vnm-mobile", PKI.fields())
    setup.service.create(ADMIN, "vnm-mobile", PKI.fields(unique_identifier="mobile"))
    with pytest.raises(Conflict, match="HI-1 identifier"):
        setup.service.update(
            ADMIN, "vnm-mobile", ProviderFields(unique_identifier="vnm-telecom-hi1")
        )


def test_a_change_made_meanwhile_wins_and_the_later_one_is_a_conflict(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    read_before = setup.service.provider("vnm-telecom")
    setup.service.update(ADMIN, "vnm-telecom", ProviderFields(name="First"))
    from hanoi.providers.history import change_of
    from hanoi.providers.model import edited_provider

    stale = edited_provider(read_before, ProviderFields(name="Second"), by="b", now=NOW)
    with pytest.raises(Conflict, match="changed meanwhile"):
        setup.store.replace(
            stale.provider,
            expected_version=read_before.version,
            change=change_of(stale.provider, ChangeKind.UPDATED, ("name",), by="b", at=NOW),
        )
    assert setup.service.provider("vnm-telecom").name == "First"


def test_bad_input_changes_nothing(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    with pytest.raises(InvalidInput):
        setup.service.update(ADMIN, "vnm-telecom", ProviderFields(endpoint="http://x.example/"))
    assert setup.service.provider("vnm-telecom").endpoint == "https://127.0.0.1:8443/hi1"
    assert len(setup.service.changes(ADMIN, "vnm-telecom")) == 1
    with pytest.raises(NotFound):
        setup.service.update(ADMIN, "../etc", ProviderFields(name="x"))


def test_the_csp_configuration_is_kept_by_the_node_or_an_administrator(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    fetched = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    stored = setup.service.record_csp_config(
        "vnm-telecom", {"SupportedActions": ["CREATE"]}, fetched_at=fetched
    )
    assert stored.csp_config is not None
    assert stored.csp_config.fetched_at == fetched
    assert stored.csp_config.as_json() == {"SupportedActions": ["CREATE"]}
    setup.service.update(ADMIN, "vnm-telecom", ProviderFields(name="Renamed"))
    kept = setup.service.provider("vnm-telecom").csp_config
    assert kept is not None  # an administrator's change keeps the configuration
    assert kept.as_json() == {"SupportedActions": ["CREATE"]}
    again = setup.service.record_csp_config("vnm-telecom", {"v": 2}, by=ADMIN)
    assert again.csp_config is not None
    assert again.csp_config.fetched_at == NOW
    kinds = [(c.kind, c.by) for c in setup.service.changes(ADMIN, "vnm-telecom")]
    assert kinds[0] == (ChangeKind.CSP_CONFIG, "admin")
    assert kinds[2] == (ChangeKind.CSP_CONFIG, NODE)
    with pytest.raises(NotFound):
        setup.service.record_csp_config("nobody", {})


def test_a_client_is_opened_for_enabled_entries_only(setup: Setup) -> None:
    setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    with setup.service.open_client("vnm-telecom") as client:
        assert client.get("https://x.example/").status_code == 200
    setup.service.disable(ADMIN, "vnm-telecom")
    with pytest.raises(ProviderDisabled, match="enable it"):
        setup.service.open_client("vnm-telecom")
    with pytest.raises(NotFound):
        setup.service.open_client("nobody")
    assert setup.connected == ["vnm-telecom"]


def test_warnings_follow_the_clock(setup: Setup) -> None:
    saved = setup.service.create(ADMIN, "vnm-telecom", PKI.fields())
    assert saved.warnings == ()
    setup.clock.advance(timedelta(days=340))
    (warning,) = setup.service.warnings(setup.service.provider("vnm-telecom"))
    assert warning.path == "client_certificate_chain/0"
    assert "expires on" in warning.message
