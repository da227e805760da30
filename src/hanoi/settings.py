"""The node's settings: one frozen object, built once at the entry point.

Sources, strongest first: ``HANOI_*`` environment variables, then the node
folder's ``hanoi.toml``, then defaults. Nothing here is read at import time;
:func:`load_settings` is called by the CLI and passed on explicitly.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from hanoi.accounts.model import Role
from hanoi.errors import FieldProblem, InvalidInput, NotFound

CONFIG_FILE = "hanoi.toml"
STATE_CODE = re.compile(r"^[A-Z]{3}$")

# Values people paste from examples. A node refuses to start with any of them.
_PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "password",
        "example",
        "replace-me",
        "replace_me",
        "todo",
        "xxx",
        "minioadmin",
        "your-secret-key",
    }
)


def is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return (
        lowered in _PLACEHOLDERS
        or (lowered.startswith("<") and lowered.endswith(">"))
        or (lowered.startswith("${") and lowered.endswith("}"))
    )


def _address_list(value: object) -> object:
    """``HANOI_TRUSTED_PROXIES`` as ``10.0.0.5,10.1.0.0/16`` or as a JSON list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def outbound_url_problem(url: str) -> str | None:
    """What is wrong with an address the node calls: https, or http on loopback only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.fragment:
        return "must be https://host[:port][/path], without credentials or fragment"
    if parts.scheme == "http" and not _loopback(host):
        return "must use https (plain http only on a loopback address, for tests)"
    return None


class OidcSettings(BaseModel):
    """The State's OpenID Connect provider, the ``[oidc]`` table of hanoi.toml (ADR 0049).

    The client secret is never in this file: it is read from ``client_secret_file``
    (relative to the node folder) or, without one, from the environment variable named
    by ``client_secret_env``, by :meth:`client_secret`, at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80, description="shown as 'Sign in with <name>'")
    issuer: str = Field(min_length=1, max_length=300)
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_file: Path | None = None
    client_secret_env: str = "HANOI_OIDC_CLIENT_SECRET"  # noqa: S105 - a variable's name
    scopes: tuple[str, ...] = ("openid", "profile", "groups")
    roles_claim: str = "groups"
    name_claim: str = "preferred_username"
    roles: dict[str, str] = Field(min_length=1)
    """Claim value -> Hanoi role (``officer``, ``supervisor``, ``point-of-contact``,
    ``auditor``, ``administrator``)."""
    redirect_uri: str | None = None
    """Where the provider sends the browser back (``https://node/ui/login/oidc/callback``);
    by default from the request, which is right unless a proxy rewrites the host."""

    @field_validator("issuer", "redirect_uri")
    @classmethod
    def _outbound(cls, value: str | None) -> str | None:
        problem = outbound_url_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("scopes")
    @classmethod
    def _openid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            raise ValueError("must include 'openid'")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: dict[str, str]) -> dict[str, str]:
        known = {r.value for r in Role}
        for claim_value, role in value.items():
            if role not in known:
                raise ValueError(
                    f"{claim_value!r} maps to unknown role {role!r}; choose one of: "
                    + ", ".join(sorted(known))
                )
        return value

    def client_secret(self, node_dir: Path) -> str:
        """The client secret, from its file or its environment variable; never logged."""
        if self.client_secret_file is not None:
            path = node_dir / self.client_secret_file
            try:
                secret = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise InvalidInput(f"oidc.client_secret_file: cannot read {path}: {exc}") from None
            where = f"the file {path}"
        else:
            secret = os.environ.get(self.client_secret_env, "").strip()
            where = f"the environment variable {self.client_secret_env}"
        if not secret:
            raise InvalidInput(f"oidc: no client secret in {where}")
        if is_placeholder(secret):
            raise InvalidInput(f"oidc: the client secret in {where} is a placeholder")
        return secret


class Settings(BaseSettings):
    """Everything a node needs to run. Paths are absolute once loaded."""

    model_config = SettingsConfigDict(
        env_prefix="HANOI_",
        frozen=True,
        extra="forbid",
        env_nested_delimiter=None,
    )

    node_dir: Path
    state: str = Field(description="ISO 3166-1 alpha-3 code of the State this node serves")
    name: str = Field(min_length=1, max_length=200)
    log_origin: str = Field(min_length=1, max_length=200)
    witness_name: str = Field(default="", max_length=220)
    """The name this node cosigns other logs under; default ``<log_origin>/witness``. A
    log key rotation (ADR 0051) pins it to the first origin's, so that the cosignatures
    this node gave stay verifiable under the name other States know."""

    database_url: str = ""
    database_pool_size: int = Field(default=10, ge=1, le=15)
    """PostgreSQL connections each server process keeps open when idle (of at most 15 it
    may hold): hosts x workers x this must stay below the server's max_connections."""
    blob_store: Literal["disk", "s3"] = "disk"
    blob_dir: Path | None = None
    s3_endpoint_url: str | None = None
    s3_bucket: str = "hanoi-blobs"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = ""

    upload_max_bytes: int = Field(default=64 * 1024**3, ge=1)
    # Messages each address may post to the federation inbox a minute (and at once), per
    # server process; more are refused with 429 before their body is read.
    inbox_messages_per_minute: int = Field(default=600, ge=1, le=100_000)
    # Every other request body (JSON, forms) is cut off at this size before it is parsed.
    request_body_max_bytes: int = Field(default=1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024)
    uploads_per_user: int = Field(default=4, ge=1, le=1000)
    # One PATCH writes an upload at a time, under a lease this long; a PATCH whose body
    # sends nothing for a quarter of it is ended (ADR 0018).
    upload_lease_seconds: int = Field(default=120, ge=4, le=3600)
    # Service levels (node policy; the Convention asks for immediate assistance, Art. 41(1)).
    acknowledge_point_of_contact_minutes: int = Field(default=60, ge=1, le=10080)
    acknowledge_emergency_minutes: int = Field(default=60, ge=1, le=10080)
    preservation_reminder_days: int = Field(default=14, ge=1, le=365)
    deadline_check_seconds: int = Field(default=60, ge=1, le=86400)
    # Open orders to service providers are polled for their status and deliveries this often.
    provider_poll_seconds: int = Field(default=30, ge=1, le=86400)
    # Evidence packages are pulled in ranges of this size, each on disk before the next.
    transfer_chunk_bytes: int = Field(default=64 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024)
    # A received package is verified in a child process with these limits (ADR 0016): the
    # seconds grow with its size; the memory is the child's address space.
    package_verify_seconds: float = Field(default=60, gt=0, le=86400)
    package_verify_seconds_per_gib: float = Field(default=60, ge=0, le=86400)
    package_verify_memory_bytes: int = Field(default=2 * 1024**3, ge=32 * 1024**2)
    # An offered package its sender does not serve is tried again, less and less often,
    # then given up (status "expired") this many days after the offer.
    package_offer_expiry_days: float = Field(default=7, gt=0, le=365)
    # Custody proofs that leave the node (packages to other States, exports for court) rest
    # on a checkpoint cosigned by this many witnesses of other States, at most as many as
    # the directory lists (0 there: none is required); received packages must meet it too.
    min_witnesses: int = Field(default=1, ge=0, le=100)
    # How long packing waits for such a checkpoint, asking the witnesses, before the package
    # is queued ("awaiting-witnesses") and retried in the background (ADR 0022).
    witness_wait_seconds: float = Field(default=10, ge=0, le=600)

    # Sign-in through the State's identity provider (``[oidc]``), and whether officers may
    # still sign in to the UI with a password kept by the node (API tokens are separate).
    oidc: OidcSettings | None = None
    local_passwords: bool = True

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # "json": one JSON object a line (time, level, logger, message, request_id), for a log
    # collector; "text": uvicorn's lines, as before (docs/operations.md).
    log_format: Literal["text", "json"] = "text"
    # /metrics answers loopback clients without credentials; anyone else must send
    # "Authorization: Bearer <metrics_token>" (unset: only loopback may scrape; ADR 0047).
    metrics_token: SecretStr | None = None
    trusted_proxies: Annotated[
        tuple[IPvAnyNetwork, ...], NoDecode, BeforeValidator(_address_list)
    ] = Field(
        default=(),
        description=(
            "Addresses or CIDR networks of the reverse proxies in front of the node. Only "
            "from these are X-Forwarded-For and X-Forwarded-Proto believed; the client is "
            "then the right-most forwarded address that is not a proxy. Empty: the peer "
            "is the client, whatever it forwards (ADR 0017)."
        ),
    )

    @field_validator("state")
    @classmethod
    def _state_code(cls, value: str) -> str:
        if not STATE_CODE.match(value):
            raise ValueError(
                "must be an ISO 3166-1 alpha-3 code in capitals, such as EGY, VNM or FRA"
            )
        return value

    @field_validator("s3_secret_access_key", "metrics_token")
    @classmethod
    def _no_placeholder_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and is_placeholder(value.get_secret_value()):
            raise ValueError("is a placeholder; set a real secret")
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (a random token)")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Settings:
        if self.blob_store == "s3" and not self.s3_endpoint_url:
            raise ValueError("blob_store = 's3' needs s3_endpoint_url")
        if not self.local_passwords and self.oidc is None:
            raise ValueError("local_passwords = false needs an [oidc] identity provider")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the node folder's file, which :func:`load_settings`
        # passes in as init values.
        return (env_settings, init_settings)

    @property
    def resolved_witness_name(self) -> str:
        return self.witness_name or f"{self.log_origin}/witness"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.node_dir / 'hanoi.db'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or self.node_dir / "blobs"

    @property
    def keys_dir(self) -> Path:
        return self.node_dir / "keys"


def read_config_file(node_dir: Path) -> dict[str, Any]:
    path = node_dir / CONFIG_FILE
    if not path.is_file():
        raise NotFound(
            f"{node_dir} is not a Hanoi node folder (no {CONFIG_FILE}); run 'hanoi node init'"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: not valid TOML: {exc}") from None


def build_settings(values: dict[str, Any]) -> Settings:
    """Validate ``values`` (plus the environment); turn pydantic's errors into ours."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = tuple(
            FieldProblem(
                path=".".join(str(p) for p in err["loc"]) or "settings",
                message=err["msg"].removeprefix("Value error, "),
            )
            for err in exc.errors()
        )
        raise InvalidInput("invalid settings", fields=problems) from None


def load_settings(node_dir: Path) -> Settings:
    node_dir = node_dir.resolve()
    values = read_config_file(node_dir)
    values["node_dir"] = node_dir
    return build_settings(values)
