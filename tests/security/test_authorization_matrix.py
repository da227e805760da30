"""Every route of the OpenAPI document, called by every role on and off the case, without a
token and with a bad one; the outcome each route must give is declared below, per route.

A route added to the API without a declaration here fails :func:`test_every_route_is_declared`,
so nobody can add an endpoint without saying who may call it. The attack run's 900 probes
held; these keep them holding (issue 13, "keep it closed").

Policies (who gets what), for a principal calling a route:

- ``public``: anyone, with or without a token; never 401 or 403.
- ``user``: any signed-in user; 401 without a valid token.
- ``role(A)``: 401 without a valid token; 403 for a role that may not ``A``; else allowed.
- ``case(A)``: as ``role(A)``, and then 404 for a user not on the case (exactly what a
  request that does not exist gives); allowed for the case team.
- ``owner(A)``: as ``role(A)``, and then 404 for anyone but the upload's owner.
- ``any_of(A, B...)``: 401 without a valid token; 403 for a role that may do none of the
  actions; else allowed.
- ``scraper``: 403 for every principal here, whatever their token: only a client on
  loopback, or one with the node's ``metrics_token`` (never a user's), reads ``/metrics``
  (``tests/functional/test_metrics.py`` checks those).

"Allowed" means the route did not refuse the caller: any answer but 401, 404 and 5xx (the
route's own rules may still refuse the step: 403 for a step the role may not take, 409,
422). Every answer must be below 500.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hanoi.accounts.model import Action, User
from support_databases import Templates
from support_security import ROLES, World, user_name, world

NO_TOKEN = "(no token)"
BAD_TOKEN = "(bad token)"
PRINCIPALS = [NO_TOKEN, BAD_TOKEN] + [
    user_name(role, on_case) for role in ROLES for on_case in (True, False)
]
MISSING_REQUEST = "EGY-2026-99999"


@dataclass(frozen=True)
class Policy:
    kind: str  # public | user | role | case | owner | any
    action: Action | None = None
    actions: tuple[Action, ...] = ()


PUBLIC = Policy("public")
USER = Policy("user")
SCRAPER = Policy("scraper")


def role(action: Action) -> Policy:
    return Policy("role", action)


def case(action: Action) -> Policy:
    """Steps of the transition table are ``case(READ)``: who may take which step is the
    table's rule, checked after the case (403 or 422 for the team, never 404)."""
    return Policy("case", action)


def owner(action: Action) -> Policy:
    return Policy("owner", action)


def any_of(*actions: Action) -> Policy:
    return Policy("any", actions=actions)


PROVIDER_READERS = any_of(Action.ORDER_PROVIDERS, Action.MANAGE_PROVIDERS, Action.AUDIT)
"""The provider directory: officers who execute read the enabled entries, administrators
and auditors all of them."""


Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Route:
    policy: Policy
    body: Body | None = None
    query: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    upstream: str | None = None
    """The problem type of a 502 the route gives an allowed caller when the peer it asks
    is down (the matrix's world runs no provider): access was granted, the peer failed."""


def _upload_of(w: World, name: str) -> str:
    """A completed upload of the caller's own, new for each call (recording evidence takes
    an upload, once), or, for a caller who may not upload, someone else's."""
    if name in w.users and w.users[name].may(Action.UPLOAD_EVIDENCE):
        return w.upload(name, os.urandom(64))
    return w.uploads["officer-on"]


TUS = {"Tus-Resumable": "1.0.0"}
CONTENTS: dict[str, Any] = {}

# (method, path template) -> what it must do. Templates as in the OpenAPI document.
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/healthz"): Route(PUBLIC),
    ("GET", "/readyz"): Route(PUBLIC),
    ("GET", "/metrics"): Route(SCRAPER),
    ("GET", "/api/v1/node"): Route(PUBLIC),
    ("GET", "/api/v1/me"): Route(USER),
    ("POST", "/api/v1/requests"): Route(
        role(Action.DRAFT),
        body=lambda w, n: {"kind": "mla-stored-data", "requested_state": "VNM", "contents": {}},
    ),
    ("POST", "/api/v1/requests/validate"): Route(
        USER, body=lambda w, n: {"kind": "mla-stored-data", "contents": {}}
    ),
    ("GET", "/api/v1/requests"): Route(role(Action.READ)),
    ("GET", "/api/v1/requests/{request_id}"): Route(case(Action.READ)),
    ("PATCH", "/api/v1/requests/{request_id}"): Route(
        case(Action.DRAFT), body=lambda w, n: {"contents": {"summary-of-facts": "revised"}}
    ),
    ("GET", "/api/v1/requests/{request_id}/validation"): Route(case(Action.READ)),
    ("POST", "/api/v1/requests/{request_id}/steps"): Route(
        case(Action.READ),
        body=lambda w, n: {"step": "refuse", "reasons": "no", "grounds": ["x"]},
    ),
    ("POST", "/api/v1/requests/{request_id}/approve"): Route(case(Action.READ)),
    ("POST", "/api/v1/requests/{request_id}/send"): Route(case(Action.READ)),
    ("POST", "/api/v1/requests/{request_id}/attachments"): Route(
        case(Action.DRAFT), body=lambda w, n: {"upload_id": _upload_of(w, n), "title": "Order"}
    ),
    ("POST", "/api/v1/requests/{request_id}/assignments"): Route(
        case(Action.DECIDE), body=lambda w, n: {"user": "officer-on"}
    ),
    ("POST", "/api/v1/requests/{request_id}/consents"): Route(
        case(Action.DECIDE),
        body=lambda w, n: {"third_state": "FRA", "reference": "note 12", "scope": "all"},
    ),
    ("POST", "/api/v1/requests/{request_id}/onward-transfers"): Route(
        case(Action.DECIDE), body=lambda w, n: {"third_state": "FRA"}
    ),
    ("GET", "/api/v1/requests/{request_id}/evidence-packages"): Route(case(Action.READ)),
    ("POST", "/api/v1/requests/{request_id}/evidence-packages"): Route(
        case(Action.UPLOAD_EVIDENCE), body=lambda w, n: {"evidence": [w.item.id]}
    ),
    ("GET", "/api/v1/packages"): Route(case(Action.READ), query={"request": "{request_id}"}),
    ("GET", "/api/v1/queue"): Route(role(Action.READ)),
    ("POST", "/api/v1/registrations"): Route(
        role(Action.DECIDE),
        body=lambda w, n: {
            "kind": "mla-stored-data",
            "requesting_state": "FRA",
            "requesting_authority": "Ministère de la Justice",
            "channel": "diplomatic",
            "received_on": "2025-11-03",
            "reference": "Note 1",
            "scan_upload_id": _upload_of(w, n),
        },
    ),
    ("GET", "/api/v1/packages/{package_id}"): Route(case(Action.READ)),
    ("GET", "/api/v1/deadlines"): Route(role(Action.READ)),
    ("GET", "/api/v1/deadline-alerts"): Route(role(Action.READ)),
    ("GET", "/api/v1/audit/refusals"): Route(role(Action.AUDIT)),
    ("POST", "/api/v1/evidence"): Route(
        case(Action.UPLOAD_EVIDENCE),
        body=lambda w, n: {
            "upload_id": _upload_of(w, n),
            "original_name": "x.bin",
            "source_kind": "device",
            "source": "seized laptop",
            "method": "forensic image",
            "acquired_at": "2026-03-02T09:00:00+00:00",
            "request_ref": "{request_id}",
            "article": "Art. 44",
        },
    ),
    ("GET", "/api/v1/evidence/{item_id}"): Route(case(Action.READ)),
    ("GET", "/api/v1/evidence/{item_id}/custody"): Route(case(Action.READ)),
    ("OPTIONS", "/api/v1/uploads"): Route(PUBLIC),
    ("POST", "/api/v1/uploads"): Route(
        role(Action.UPLOAD_EVIDENCE), headers={**TUS, "Upload-Length": "10"}
    ),
    ("HEAD", "/api/v1/uploads/{upload_id}"): Route(owner(Action.READ), headers=TUS),
    ("GET", "/api/v1/uploads/{upload_id}"): Route(owner(Action.READ)),
    ("PATCH", "/api/v1/uploads/{upload_id}"): Route(
        owner(Action.READ),
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    ),
    ("DELETE", "/api/v1/uploads/{upload_id}"): Route(owner(Action.READ), headers=TUS),
    ("GET", "/api/v1/federation/outbox"): Route(role(Action.AUDIT)),
    ("GET", "/api/v1/federation/refusals"): Route(role(Action.AUDIT)),
    ("POST", "/federation/v1/inbox"): Route(PUBLIC, body=lambda w, n: "not a sealed message"),
    ("GET", "/federation/v1/packages/{package_id}"): Route(PUBLIC),
    ("GET", "/log/checkpoint"): Route(PUBLIC),
    ("GET", "/log/tile/{path}"): Route(PUBLIC),
    ("GET", "/api/v1/custody/proof"): Route(PUBLIC, query={"index": "0", "size": "1"}),
    ("GET", "/api/v1/custody/letters/{sha256}"): Route(PUBLIC),
    ("POST", "/witness/add-checkpoint"): Route(PUBLIC, body=lambda w, n: "old 0\n"),
    ("GET", "/witness/view"): Route(PUBLIC, query={"origin": "nobody.example/log"}),
    ("GET", "/api/v1/alerts"): Route(role(Action.READ)),
    ("GET", "/api/v1/statistics"): Route(
        role(Action.READ_STATISTICS), query={"from": "2026-01-01", "to": "2026-12-31"}
    ),
    ("GET", "/api/v1/providers"): Route(PROVIDER_READERS),
    ("POST", "/api/v1/providers"): Route(
        role(Action.MANAGE_PROVIDERS),
        body=lambda w, n: {
            "id": f"sim-{n}",
            "name": "Simulated provider",
            "endpoint": "http://127.0.0.1:9/hi1",
            "hi1_identifier": {"country_code": "VN", "unique_identifier": n},
        },
    ),
    ("GET", "/api/v1/providers/{provider_id}"): Route(PROVIDER_READERS),
    ("PATCH", "/api/v1/providers/{provider_id}"): Route(
        role(Action.MANAGE_PROVIDERS), body=lambda w, n: {"name": "Viet Nam Telecom (HI-1)"}
    ),
    ("POST", "/api/v1/providers/{provider_id}/disable"): Route(role(Action.MANAGE_PROVIDERS)),
    ("POST", "/api/v1/providers/{provider_id}/enable"): Route(role(Action.MANAGE_PROVIDERS)),
    ("POST", "/api/v1/providers/{provider_id}/csp-config"): Route(
        role(Action.MANAGE_PROVIDERS), upstream="provider-unreachable"
    ),
    ("GET", "/api/v1/providers/{provider_id}/changes"): Route(
        any_of(Action.MANAGE_PROVIDERS, Action.AUDIT)
    ),
    # Orders to providers: the case's team with the right to order (the request is EGY's
    # own draft, so an order is refused by the rules, 409/422, never by access).
    ("GET", "/api/v1/requests/{request_id}/provider-orders"): Route(case(Action.ORDER_PROVIDERS)),
    ("POST", "/api/v1/requests/{request_id}/provider-orders"): Route(
        case(Action.ORDER_PROVIDERS),
        body=lambda w, n: {
            "provider_id": w.provider_id,
            "identifiers": ["EmailAddress=j.doe@example.vn"],
            "deadline": "2026-04-01T00:00:00+00:00",
            "domestic_reference": "PO-2",
            "legal_basis": "Production order PO-2",
            "order_document": "JVBERi0xLjQK",
        },
    ),
    ("GET", "/api/v1/requests/{request_id}/provider-orders/{order_id}"): Route(
        case(Action.ORDER_PROVIDERS)
    ),
    ("POST", "/api/v1/requests/{request_id}/provider-orders/{order_id}/poll"): Route(
        case(Action.ORDER_PROVIDERS), upstream="provider-unreachable"
    ),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    templates: Templates = request.getfixturevalue("database_templates")
    with templates.clones() as databases:
        url = databases.postgres() if request.param == "postgresql" else None
        with world(tmp_path_factory.mktemp("matrix"), url) as built:
            built.node.custody.sequence()
            yield built


def documented_routes(w: World) -> set[tuple[str, str]]:
    spec = w.client.get("/api/v1/openapi.json").json()
    return {
        (method.upper(), path.replace("{path:path}", "{path}"))
        for path, operations in spec["paths"].items()
        for method in operations
    }


def test_every_route_is_declared(node: World) -> None:
    documented = documented_routes(node)
    assert documented - set(ROUTES) == set(), "declare who may call these routes"
    assert set(ROUTES) - documented == set(), "these declared routes no longer exist"


def expected(policy: Policy, principal: str, user: User | None) -> str:
    """``refused:<status>`` or ``allowed``."""
    if policy.kind == "public":
        return "public"
    if policy.kind == "scraper":
        return "refused:403"
    if user is None:
        return "refused:401"
    if policy.kind == "user":
        return "allowed"
    if policy.kind == "any":
        return "allowed" if any(user.may(a) for a in policy.actions) else "refused:403"
    assert policy.action is not None
    if not user.may(policy.action):
        return "refused:403"
    on_case = principal.endswith("-on")
    if policy.kind == "case" and not on_case:
        return "refused:404"
    if policy.kind == "owner" and principal != "officer-on":
        return "refused:404"
    return "allowed"


def concrete(w: World, template: str, principal: str, *, missing: bool = False) -> str:
    return (
        template.replace("{request_id}", MISSING_REQUEST if missing else w.request_id)
        .replace("{item_id}", w.item.id)
        .replace("{upload_id}", w.uploads["officer-on"])
        .replace("{package_id}", w.package_id)
        .replace("{path}", "0/000")
        .replace("{order_id}", w.order_id)
        .replace(
            "{provider_id}",
            w.spare_provider_id if template.endswith(("/disable", "/enable")) else w.provider_id,
        )
    )


def call(w: World, method: str, template: str, principal: str, *, missing: bool = False) -> Any:
    route = ROUTES[(method, template)]
    headers = dict(route.headers or {})
    if principal == BAD_TOKEN:
        headers["Authorization"] = "Bearer hanoi_0000000000_" + "A" * 43
    elif principal != NO_TOKEN:
        headers.update(w.headers(principal))
    path = concrete(w, template, principal, missing=missing)
    params = {
        name: value.replace("{request_id}", MISSING_REQUEST if missing else w.request_id)
        for name, value in (route.query or {}).items()
    }
    kwargs: dict[str, Any] = {"headers": headers, "params": params}
    if route.body is not None:
        body = route.body(w, principal)
        if isinstance(body, str):
            kwargs["content"] = body.encode()
        else:
            if "request_ref" in body:
                body = {**body, "request_ref": MISSING_REQUEST if missing else w.request_id}
            kwargs["json"] = body
    return w.client.request(method, path, **kwargs)


@pytest.mark.parametrize(("method", "template"), sorted(ROUTES))
def test_each_route_answers_each_principal_as_declared(
    node: World, method: str, template: str
) -> None:
    route = ROUTES[(method, template)]
    policy = route.policy
    wrong: list[str] = []
    for principal in PRINCIPALS:
        user = node.users.get(principal)
        want = expected(policy, principal, user)
        response = call(node, method, template, principal)
        status = response.status_code
        if (
            want == "allowed"
            and status == 502
            and route.upstream is not None
            and response.json()["type"].endswith("/" + route.upstream)
        ):
            continue
        if status >= 500:
            wrong.append(f"{principal}: {status} {response.text[:200]}")
        elif want == "public" and status in (401, 403):
            wrong.append(f"{principal}: {status}, but the route is public")
        elif want.startswith("refused:") and status != int(want.split(":")[1]):
            wrong.append(f"{principal}: {status}, expected {want} ({response.text[:160]})")
        elif want == "allowed" and status in (401, 404):
            wrong.append(f"{principal}: {status}, expected the route to take the call")
    assert wrong == [], f"{method} {template}:\n" + "\n".join(wrong)


CASE_ROUTES = sorted(
    key
    for key, route in ROUTES.items()
    if route.policy.kind == "case" and "{request_id}" in key[1] + str(route.body) + str(route.query)
)


@pytest.mark.parametrize(("method", "template"), CASE_ROUTES)
def test_off_the_case_is_answered_exactly_like_a_request_that_does_not_exist(
    node: World, method: str, template: str
) -> None:
    """For each role that may act, the outsider's answer and the answer about a missing
    request are the same, but for the id in the message: nothing tells them apart."""
    policy = ROUTES[(method, template)].policy
    for role_ in ROLES:
        outsider = user_name(role_, False)
        user = node.users[outsider]
        if policy.action is not None and not user.may(policy.action):
            continue
        hidden = call(node, method, template, outsider)
        missing = call(node, method, template, outsider, missing=True)
        assert hidden.status_code == missing.status_code == 404, (outsider, hidden.text)
        assert hidden.json()["detail"] == missing.json()["detail"].replace(
            MISSING_REQUEST, node.request_id
        )


def test_the_case_team_can_still_work(node: World) -> None:
    """The matrix is not passed by refusing everyone: the team reads and records."""
    assert call(node, "GET", "/api/v1/requests/{request_id}", "auditor-on").status_code == 200
    assert call(node, "GET", "/api/v1/evidence/{item_id}", "officer-on").status_code == 200
    fresh = node.upload("supervisor-on", os.urandom(100))
    body = ROUTES[("POST", "/api/v1/evidence")].body
    assert body is not None
    recorded = node.client.post(
        "/api/v1/evidence",
        json={**body(node, "supervisor-on"), "upload_id": fresh, "request_ref": node.request_id},
        headers=node.headers("supervisor-on"),
    )
    assert recorded.status_code == 201, recorded.text


def test_a_path_that_is_not_a_route_is_404_problem_json(node: World, tmp_path: Path) -> None:
    response = node.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
