"""The provider directory's pages, for administrators (``docs/providers.md``).

The list of the domestic service providers this node orders over HI-1, one provider's page
(its HI-1 endpoint and identifier, its certificates by subject, expiry and SHA-256, its CSP
configuration as fetched, its history), and the forms that add, change, disable and enable
one. Thin: the rules and the access checks are :mod:`hanoi.providers`'; a field the service
refuses comes back beside its field, with the service's own words (English, marked so) under
a translated line. The private key is never sent back to the browser, not even in a form
returned with an error: the administrator enters it again.

Only administrators see these pages (``manage-providers``); for anyone else they do not
exist (404), as elsewhere in the UI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hanoi.accounts.model import Action, User
from hanoi.errors import Conflict, InvalidInput
from hanoi.i18n.catalogues import translations
from hanoi.i18n.formatting import LocaleFormat
from hanoi.i18n.messages import N_, Message
from hanoi.providers.credentials import CertificateInfo, describe, key_kind
from hanoi.providers.history import ChangeKind, ProviderChange
from hanoi.providers.model import HI1_COUNTRY, HI1_UNIQUE, Provider, ProviderFields
from hanoi.web.ui import forms
from hanoi.web.ui.auth import Site, UiUser, require_action
from hanoi.web.ui.flash import flash
from hanoi.web.ui.routes import csrf_guard, see_other
from hanoi.web.ui.site import PREFIX, UiSite, request_language

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

PROVIDERS = f"{PREFIX}/providers"
TEXT_FIELDS = ("name", "endpoint", "country_code", "unique_identifier")
PEM_FIELDS = ("client_certificate_chain", "client_private_key", "ca_bundle")
MAX_TEXT = 4096
MAX_PEM = 100_000
FIELD_OF_PATH = {
    "id": "id",
    "name": "name",
    "endpoint": "endpoint",
    HI1_COUNTRY: "country_code",
    HI1_UNIQUE: "unique_identifier",
    "client_certificate_chain": "client_certificate_chain",
    "client_private_key": "client_private_key",
    "ca_bundle": "ca_bundle",
}
"""A problem's path (the service's names) to the form field it is shown beside."""

MISSING = N_("Fill in this field.")
CHECK = N_("Check this field.")
KEY_AGAIN = N_("Enter the private key again: it is never sent back to the browser.")
NOT_SAVED = N_("The provider could not be saved.")
ADDED = N_("Provider added: %(name)s.")
SAVED = N_("Provider saved: %(name)s.")
UNCHANGED = N_("Nothing was changed.")
DISABLED = N_("Provider disabled: %(name)s. Nothing will be sent to it.")
ENABLED = N_("Provider enabled: %(name)s.")
EXPIRED = N_("Expired")
EXPIRING = N_("Expires soon")
NOT_YET_VALID = N_("Not yet valid")
FIELD_LABELS: dict[str, Message] = {
    "name": N_("Name"),
    "endpoint": N_("HI-1 endpoint"),
    HI1_COUNTRY: N_("Country code"),
    HI1_UNIQUE: N_("Unique identifier"),
    "client_certificate_chain": N_("Client certificate chain"),
    "client_private_key": N_("Private key"),
    "ca_bundle": N_("CA bundle"),
    "csp_config": N_("CSP configuration"),
}
CHANGE_LABELS: dict[ChangeKind, Message] = {
    ChangeKind.CREATED: N_("Added"),
    ChangeKind.UPDATED: N_("Changed"),
    ChangeKind.DISABLED: N_("Disabled"),
    ChangeKind.ENABLED: N_("Enabled"),
    ChangeKind.CSP_CONFIG: N_("CSP configuration fetched"),
}


def provider_url(provider_id: str) -> str:
    return f"{PROVIDERS}/{quote(provider_id, safe='')}"


# --- what the pages show ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateRow:
    subject: str
    issuer: str
    not_after: datetime
    not_after_text: str
    sha256: str
    state: Message | None
    """Expired, expiring within the warning period, not yet valid; None when fine."""


@dataclass(frozen=True, slots=True)
class ProviderRow:
    id: str
    name: str
    endpoint: str
    hi1: str
    enabled: bool
    url: str
    expires: CertificateRow | None
    """The client certificate (None for a loopback http entry without TLS)."""


@dataclass(frozen=True, slots=True)
class ChangeRow:
    at: datetime
    at_text: str
    by: str
    kind: Message
    fields_text: str
    """The fields that changed, in the page's language ("" for none)."""


def _state(info: CertificateInfo, *, now: datetime, soon: timedelta) -> Message | None:
    if info.not_after <= now:
        return EXPIRED
    if info.not_before > now:
        return NOT_YET_VALID
    if info.not_after <= now + soon:
        return EXPIRING
    return None


def certificate_rows(
    pem: str, *, fmt: LocaleFormat, now: datetime, soon: timedelta
) -> tuple[CertificateRow, ...]:
    return tuple(
        CertificateRow(
            subject=info.subject,
            issuer=info.issuer,
            not_after=info.not_after,
            not_after_text=fmt.moment(info.not_after),
            sha256=info.sha256,
            state=_state(info, now=now, soon=soon),
        )
        for info in describe(pem)
    )


def provider_row(
    provider: Provider, *, fmt: LocaleFormat, now: datetime, soon: timedelta
) -> ProviderRow:
    credentials = provider.credentials
    leaf = (
        certificate_rows(credentials.client_certificate_chain, fmt=fmt, now=now, soon=soon)[0]
        if credentials is not None
        else None
    )
    return ProviderRow(
        id=provider.id,
        name=provider.name,
        endpoint=provider.endpoint,
        hi1=f"{provider.hi1.country_code}/{provider.hi1.unique_identifier}",
        enabled=provider.enabled,
        url=provider_url(provider.id),
        expires=leaf,
    )


def change_row(change: ProviderChange, fmt: LocaleFormat) -> ChangeRow:
    catalogue = translations(fmt.language)
    names = [catalogue.gettext(FIELD_LABELS[f]) for f in change.fields if f in FIELD_LABELS]
    return ChangeRow(
        at=change.at,
        at_text=fmt.moment(change.at),
        by=change.by,
        kind=CHANGE_LABELS[change.kind],
        fields_text=fmt.join(names),
    )


def _context(request: Request, ui: UiSite) -> tuple[LocaleFormat, datetime, timedelta]:
    soon = timedelta(days=ui.node.providers.limits.expiry_warning_days)
    return LocaleFormat(request_language(request)), ui.node.clock.now(), soon


# --- the pages --------------------------------------------------------------------------------


@router.get("/providers")
def providers_page(request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    fmt, now, soon = _context(request, ui)
    rows = [provider_row(p, fmt=fmt, now=now, soon=soon) for p in ui.node.providers.providers(user)]
    return ui.page(request, "providers.html", user=user, rows=rows)


@router.get("/providers/new")
def new_provider_form(request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    return _form(request, ui, user, provider=None, values={})


@router.get("/providers/{provider_id}")
def provider_page(provider_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    provider = ui.node.providers.get(user, provider_id[:128])
    fmt, now, soon = _context(request, ui)
    credentials = provider.credentials
    chain: tuple[CertificateRow, ...] = ()
    bundle: tuple[CertificateRow, ...] = ()
    kind = ""
    if credentials is not None:
        chain = certificate_rows(credentials.client_certificate_chain, fmt=fmt, now=now, soon=soon)
        bundle = certificate_rows(credentials.ca_bundle, fmt=fmt, now=now, soon=soon)
        kind = key_kind(credentials.client_certificate_chain)
    csp = provider.csp_config
    return ui.page(
        request,
        "provider.html",
        user=user,
        provider=provider,
        url=provider_url(provider.id),
        chain=chain,
        bundle=bundle,
        key_kind=kind,
        csp_text=json.dumps(csp.as_json(), ensure_ascii=False, indent=2) if csp else "",
        csp_fetched=fmt.moment(csp.fetched_at) if csp else "",
        created=fmt.moment(provider.created_at),
        updated=fmt.moment(provider.updated_at),
        warnings=ui.node.providers.warnings(provider),
        changes=[change_row(c, fmt) for c in ui.node.providers.changes(user, provider.id)],
    )


@router.get("/providers/{provider_id}/edit")
def edit_provider_form(provider_id: str, request: Request, user: UiUser, ui: Site) -> HTMLResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    provider = ui.node.providers.get(user, provider_id[:128])
    values = {
        "name": provider.name,
        "endpoint": provider.endpoint,
        "country_code": provider.hi1.country_code,
        "unique_identifier": provider.hi1.unique_identifier,
    }
    return _form(request, ui, user, provider=provider, values=values)


@router.post("/providers", response_model=None)
async def create_provider(
    request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    form = forms.form_lists(await request.form())
    values = _values(form, with_id=True)
    try:
        saved = ui.node.providers.create(user, values["id"], _fields(values, editing=False))
    except (InvalidInput, Conflict) as exc:
        return _refused(request, ui, user, None, values, exc)
    flash(request, ADDED, name=saved.provider.name)
    return see_other(provider_url(saved.provider.id))


@router.post("/providers/{provider_id}", response_model=None)
async def update_provider(
    provider_id: str, request: Request, user: UiUser, ui: Site
) -> HTMLResponse | RedirectResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    provider = ui.node.providers.get(user, provider_id[:128])
    form = forms.form_lists(await request.form())
    values = _values(form, with_id=False)
    try:
        saved = ui.node.providers.update(user, provider.id, _fields(values, editing=True))
    except (InvalidInput, Conflict) as exc:
        return _refused(request, ui, user, provider, values, exc)
    flash(request, SAVED if saved.changed else UNCHANGED, name=saved.provider.name)
    return see_other(provider_url(provider.id))


@router.post("/providers/{provider_id}/disable")
def disable_provider(
    provider_id: str, request: Request, user: UiUser, ui: Site
) -> RedirectResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    provider = ui.node.providers.disable(user, provider_id[:128])
    flash(request, DISABLED, name=provider.name)
    return see_other(provider_url(provider.id))


@router.post("/providers/{provider_id}/enable")
def enable_provider(provider_id: str, request: Request, user: UiUser, ui: Site) -> RedirectResponse:
    require_action(user, Action.MANAGE_PROVIDERS)
    provider = ui.node.providers.enable(user, provider_id[:128])
    flash(request, ENABLED, name=provider.name)
    return see_other(provider_url(provider.id))


# --- the form ---------------------------------------------------------------------------------


def _values(form: dict[str, list[str]], *, with_id: bool) -> dict[str, str]:
    names = (*(("id",) if with_id else ()), *TEXT_FIELDS)
    values = {name: forms.first(form, name, MAX_TEXT) for name in names}
    values.update(  # browsers send a text area's lines with CRLF; PEM is kept with LF
        {
            name: forms.first(form, name, MAX_PEM).replace("\r\n", "\n").strip()
            for name in PEM_FIELDS
        }
    )
    return values


def _fields(values: dict[str, str], *, editing: bool) -> ProviderFields:
    """A new entry's empty fields are missing (the service says which it needs); a change's
    empty PEM fields keep the stored ones, its emptied text fields are refused."""
    text: dict[str, Any] = {
        name: (values[name] if editing or values[name].strip() else None) for name in TEXT_FIELDS
    }
    pems = {name: values[name] or None for name in PEM_FIELDS}
    return ProviderFields(**text, **pems)


def _refused(
    request: Request,
    ui: UiSite,
    user: User,
    provider: Provider | None,
    values: dict[str, str],
    exc: InvalidInput | Conflict,
) -> HTMLResponse:
    errors: dict[str, Message] = {}
    details: dict[str, str] = {}
    for problem in exc.fields:
        name = FIELD_OF_PATH.get(problem.path)
        if name is None or name in errors:
            continue
        required = problem.message in ("is required", "must not be empty")
        errors[name] = MISSING if required else CHECK
        if not required:
            details[name] = problem.message
    if values.get("client_private_key") and "client_private_key" not in errors:
        errors["client_private_key"] = KEY_AGAIN
    values = {**values, "client_private_key": ""}  # never sent back
    status = 409 if isinstance(exc, Conflict) else 422
    return _form(
        request, ui, user, provider=provider, values=values, errors=errors, details=details,
        problem=exc.detail, status=status,
    )  # fmt: skip


def _form(
    request: Request,
    ui: UiSite,
    user: User,
    *,
    provider: Provider | None,
    values: dict[str, str],
    errors: dict[str, Message] | None = None,
    details: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    limits = ui.node.providers.limits
    return ui.page(
        request,
        "provider_form.html",
        user=user,
        status=status,
        provider=provider,
        action=provider_url(provider.id) if provider else PROVIDERS,
        back=provider_url(provider.id) if provider else PROVIDERS,
        values={name: values.get(name, "") for name in ("id", *TEXT_FIELDS, *PEM_FIELDS)},
        errors=errors or {},
        details=details or {},
        problem=problem,
        not_saved=NOT_SAVED,
        max_name=limits.max_name_chars,
        max_endpoint=limits.max_endpoint_chars,
        max_unique=limits.max_unique_identifier_chars,
    )
