"""``hanoi providers``: the directory of the domestic service providers this node orders
over ETSI TS 103 120 HI-1 (``docs/providers.md``).

Each command opens the node folder and acts as ``--user``: the same checks as the API
(administrators manage, auditors read, officers read enabled entries), refusals recorded.
Certificates and the key are read from PEM files; the key is never printed (what is shown
of the credentials is each certificate's subject, expiry and SHA-256 fingerprint). An entry
prints as JSON; ``list`` as a table, or JSON with ``--json``. Warnings (certificates expired
or expiring) go to standard error; errors are one line and an exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hanoi.cli.acting import user_session
from hanoi.cli.output import print_json

if TYPE_CHECKING:
    from hanoi.errors import FieldProblem
    from hanoi.providers.model import Provider, ProviderFields
    from hanoi.providers.service import ProviderService

app = typer.Typer(
    help="The service providers this node orders over HI-1: endpoints, identifiers, "
    "mutual-TLS credentials.",
    no_args_is_help=True,
)

DirOption = Annotated[Path, typer.Option("--dir", help="The node folder.")]
UserOption = Annotated[str, typer.Option("--user", help="Act as this user of the node.")]
IdArgument = Annotated[str, typer.Argument(help="The provider's id, e.g. vnm-telecom.")]
NameOption = Annotated[str | None, typer.Option(help="The provider's name as officers read it.")]
EndpointOption = Annotated[
    str | None,
    typer.Option(help="The HI-1 endpoint, https://... (http:// on a loopback address only)."),
]
CountryOption = Annotated[
    str | None,
    typer.Option(help="HI-1 identifier: the country code (ISO 3166-1 alpha-2, e.g. VN)."),
]
UniqueOption = Annotated[
    str | None, typer.Option(help="HI-1 identifier: the provider's unique identifier.")
]
ChainOption = Annotated[
    Path | None,
    typer.Option(
        "--client-certificate",
        help="PEM file: the node's client certificate, then its intermediates.",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option("--client-key", help="PEM file: the client certificate's key, unencrypted."),
]
BundleOption = Annotated[
    Path | None,
    typer.Option(
        "--ca-bundle", help="PEM file: the CAs the provider's server certificate chains to."
    ),
]


def _pem(path: Path | None, option: str, max_bytes: int) -> str | None:
    from hanoi.cli.files import read_limited
    from hanoi.errors import InvalidInput

    if path is None:
        return None
    data = read_limited(path, max_bytes=max_bytes, what=option)
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput(f"{option}: {path} is not PEM text (ASCII)") from None


def _fields(
    service: ProviderService,
    *,
    name: str | None,
    endpoint: str | None,
    country_code: str | None,
    unique_identifier: str | None,
    chain: Path | None,
    key: Path | None,
    bundle: Path | None,
) -> ProviderFields:
    from hanoi.providers.model import ProviderFields

    limits = service.limits
    return ProviderFields(
        name=name,
        endpoint=endpoint,
        country_code=country_code,
        unique_identifier=unique_identifier,
        client_certificate_chain=_pem(
            chain, "--client-certificate", limits.max_certificate_chain_bytes
        ),
        client_private_key=_pem(key, "--client-key", limits.max_private_key_bytes),
        ca_bundle=_pem(bundle, "--ca-bundle", limits.max_ca_bundle_bytes),
    )


def _warn(warnings: tuple[FieldProblem, ...]) -> None:
    for warning in warnings:
        print(f"hanoi: warning: {warning.path}: {warning.message}", file=sys.stderr)


def _print(service: ProviderService, provider: Provider) -> None:
    from hanoi.providers.codec import provider_json

    warnings = service.warnings(provider)
    print_json(provider_json(provider, warnings=warnings))
    _warn(warnings)


@app.command("add")
def add(
    provider_id: IdArgument,
    directory: DirOption,
    user: UserOption,
    name: NameOption = None,
    endpoint: EndpointOption = None,
    country_code: CountryOption = None,
    unique_identifier: UniqueOption = None,
    client_certificate: ChainOption = None,
    client_key: KeyOption = None,
    ca_bundle: BundleOption = None,
) -> None:
    """Add a provider (administrators). An https endpoint needs the three PEM files."""
    with user_session(directory, user) as (node, actor):
        fields = _fields(
            node.providers,
            name=name,
            endpoint=endpoint,
            country_code=country_code,
            unique_identifier=unique_identifier,
            chain=client_certificate,
            key=client_key,
            bundle=ca_bundle,
        )
        saved = node.providers.create(actor, provider_id, fields)
        _print(node.providers, saved.provider)


@app.command("update")
def update(
    provider_id: IdArgument,
    directory: DirOption,
    user: UserOption,
    name: NameOption = None,
    endpoint: EndpointOption = None,
    country_code: CountryOption = None,
    unique_identifier: UniqueOption = None,
    client_certificate: ChainOption = None,
    client_key: KeyOption = None,
    ca_bundle: BundleOption = None,
) -> None:
    """Change the fields given (administrators); the others keep their values. A new
    client certificate must match the stored key, or come with --client-key."""
    with user_session(directory, user) as (node, actor):
        fields = _fields(
            node.providers,
            name=name,
            endpoint=endpoint,
            country_code=country_code,
            unique_identifier=unique_identifier,
            chain=client_certificate,
            key=client_key,
            bundle=ca_bundle,
        )
        saved = node.providers.update(actor, provider_id, fields)
        if not saved.changed:
            print("hanoi: nothing to change", file=sys.stderr)
        _print(node.providers, saved.provider)


@app.command("list")
def list_providers(
    directory: DirOption,
    user: UserOption,
    status: Annotated[str, typer.Option(help="all, enabled or disabled.")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The providers you may see: all of them for administrators and auditors, the
    enabled ones for officers."""
    from hanoi.errors import InvalidInput
    from hanoi.providers.codec import provider_json

    choices = {"all": None, "enabled": True, "disabled": False}
    if status not in choices:
        raise InvalidInput(f"--status {status[:16]!r}: one of all, enabled, disabled")
    with user_session(directory, user) as (node, actor):
        found = node.providers.providers(actor, enabled=choices[status])
        if as_json:
            print_json([provider_json(p, warnings=node.providers.warnings(p)) for p in found])
            return
        if not found:
            print("No providers.")
            return
        from hanoi.providers.credentials import describe

        for provider in found:
            expiry = "-"
            if provider.credentials is not None:
                leaf = describe(provider.credentials.client_certificate_chain)[0]
                expiry = leaf.not_after.date().isoformat()
            state = "enabled" if provider.enabled else "disabled"
            hi1 = f"{provider.hi1.country_code}/{provider.hi1.unique_identifier}"
            print(f"{provider.id}\t{state}\t{hi1}\t{expiry}\t{provider.endpoint}\t{provider.name}")


@app.command("show")
def show(
    provider_id: IdArgument,
    directory: DirOption,
    user: UserOption,
    history: Annotated[
        bool, typer.Option("--history", help="Also who changed it, and when.")
    ] = False,
) -> None:
    """One provider: its fields, its certificates (subject, expiry, SHA-256), never its
    key; with --history, its changes, newest first (administrators and auditors)."""
    from hanoi.providers.codec import change_json, provider_json

    with user_session(directory, user) as (node, actor):
        provider = node.providers.get(actor, provider_id)
        warnings = node.providers.warnings(provider)
        shown = provider_json(provider, warnings=warnings)
        if history:
            shown["changes"] = [change_json(c) for c in node.providers.changes(actor, provider_id)]
        print_json(shown)
        _warn(warnings)


@app.command("disable")
def disable(provider_id: IdArgument, directory: DirOption, user: UserOption) -> None:
    """Stop ordering a provider (administrators): officers no longer see it, and no HI-1
    message is sent to it until it is enabled again."""
    with user_session(directory, user) as (node, actor):
        _print(node.providers, node.providers.disable(actor, provider_id))


@app.command("enable")
def enable(provider_id: IdArgument, directory: DirOption, user: UserOption) -> None:
    """Order a disabled provider again (administrators)."""
    with user_session(directory, user) as (node, actor):
        _print(node.providers, node.providers.enable(actor, provider_id))


@app.command("fetch-config")
def fetch_config(provider_id: IdArgument, directory: DirOption, user: UserOption) -> None:
    """Ask a provider for its CSP configuration over HI-1 (one signed GETCSPCONFIG;
    administrators) and keep its answer: the entry prints with it. Nothing is kept when the
    provider cannot be reached, answers garbage or refuses (exit 8)."""
    with user_session(directory, user) as (node, actor):
        _print(node.providers, node.providers.fetch_csp_config(actor, provider_id))
