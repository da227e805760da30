from __future__ import annotations

from pathlib import Path

import pytest

from hanoi.errors import InvalidInput, NotFound
from hanoi.settings import build_settings, is_placeholder, load_settings

BASE = {"state": "EGY", "name": "Central Authority of Egypt", "log_origin": "example/egy"}


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "hanoi.toml").write_text(text, encoding="utf-8")
    return folder


def test_file_values_and_defaults(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "n", 'state = "VNM"\nname = "B"\nlog_origin = "o"\n')
    settings = load_settings(folder)
    assert settings.state == "VNM"
    assert settings.node_dir == folder.resolve()
    assert settings.resolved_database_url == f"sqlite:///{folder.resolve() / 'hanoi.db'}"
    assert settings.resolved_blob_dir == folder.resolve() / "blobs"
    assert settings.blob_store == "disk"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_config(tmp_path / "n", 'state = "VNM"\nname = "B"\nlog_origin = "o"\n')
    monkeypatch.setenv("HANOI_DATABASE_URL", "postgresql://db.example/hanoi")
    monkeypatch.setenv("HANOI_PORT", "9000")
    settings = load_settings(folder)
    assert settings.resolved_database_url == "postgresql://db.example/hanoi"
    assert settings.port == 9000


def test_settings_are_frozen() -> None:
    settings = build_settings({**BASE, "node_dir": Path("/x")})
    with pytest.raises(ValueError, match="frozen"):
        settings.state = "FRA"  # type: ignore[misc]


@pytest.mark.parametrize("state", ["eg", "egy", "EGYP", "E1Y", ""])
def test_state_code_error_says_what_a_valid_one_looks_like(state: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_settings({**BASE, "state": state, "node_dir": Path("/x")})
    assert "ISO 3166-1 alpha-3" in caught.value.diagnostics()
    assert "EGY" in caught.value.diagnostics()


@pytest.mark.parametrize(
    "secret", ["changeme", "CHANGEME", "<your secret>", "${S3_SECRET}", "minioadmin"]
)
def test_placeholder_secrets_are_refused(secret: str) -> None:
    assert is_placeholder(secret)
    with pytest.raises(InvalidInput, match="placeholder"):
        build_settings(
            {
                **BASE,
                "node_dir": Path("/x"),
                "blob_store": "s3",
                "s3_endpoint_url": "http://127.0.0.1:8333",
                "s3_secret_access_key": secret,
            }
        )


def test_real_secret_is_accepted_and_never_shown() -> None:
    settings = build_settings(
        {
            **BASE,
            "node_dir": Path("/x"),
            "blob_store": "s3",
            "s3_endpoint_url": "http://127.0.0.1:8333",
            "s3_secret_access_key": "k9Qe7-real-looking-secret",
        }
    )
    assert "k9Qe7" not in repr(settings)
    assert "k9Qe7" not in str(settings.model_dump())


def test_s3_needs_an_endpoint() -> None:
    with pytest.raises(InvalidInput, match="s3_endpoint_url"):
        build_settings({**BASE, "node_dir": Path("/x"), "blob_store": "s3"})


def test_unknown_setting_is_refused(tmp_path: Path) -> None:
    folder = write_config(
        tmp_path / "n", 'state = "VNM"\nname = "B"\nlog_origin = "o"\ncolour = 1\n'
    )
    with pytest.raises(InvalidInput, match="colour"):
        load_settings(folder)


def test_not_a_node_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="not a Hanoi node folder"):
        load_settings(tmp_path)


def test_broken_toml(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "n", "state = \n")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_settings(folder)


OIDC = {
    "name": "Ministry sign-in",
    "issuer": "https://id.ministry.example",
    "client_id": "hanoi",
    "roles": {"cyber-officers": "officer"},
}


def test_the_identity_provider_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = build_settings({**BASE, "node_dir": tmp_path, "oidc": OIDC})
    assert settings.oidc is not None
    assert settings.local_passwords
    assert settings.oidc.scopes == ("openid", "profile", "groups")
    monkeypatch.setenv("HANOI_OIDC_CLIENT_SECRET", "  s3cr3t-from-the-vault \n")
    assert settings.oidc.client_secret(tmp_path) == "s3cr3t-from-the-vault"
    (tmp_path / "secret").write_text("from-a-file-0123\n", encoding="utf-8")
    from_file = settings.oidc.model_copy(update={"client_secret_file": Path("secret")})
    assert from_file.client_secret(tmp_path) == "from-a-file-0123"
    monkeypatch.setenv("HANOI_OIDC_CLIENT_SECRET", "changeme")
    with pytest.raises(InvalidInput, match="placeholder"):
        settings.oidc.client_secret(tmp_path)
    monkeypatch.delenv("HANOI_OIDC_CLIENT_SECRET")
    with pytest.raises(InvalidInput, match="no client secret"):
        settings.oidc.client_secret(tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": "http://id.ministry.example"}, "must use https"),
        ({"issuer": "ftp://id.ministry.example"}, "must be https"),
        ({"roles": {"x": "root"}}, "unknown role"),
        ({"roles": {}}, "roles"),
        ({"scopes": ["profile"]}, "openid"),
        ({"redirect_uri": "http://node.example/cb"}, "must use https"),
    ],
)
def test_an_identity_provider_table_that_cannot_work_is_refused(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        build_settings({**BASE, "node_dir": Path("/x"), "oidc": {**OIDC, **change}})
    assert message in str([f.message + f.path for f in refused.value.fields])


def test_local_passwords_off_needs_an_identity_provider() -> None:
    with pytest.raises(InvalidInput) as refused:
        build_settings({**BASE, "node_dir": Path("/x"), "local_passwords": False})
    assert "needs an [oidc]" in str([f.message for f in refused.value.fields])
    loopback = {**OIDC, "issuer": "http://127.0.0.1:8080"}
    settings = build_settings(
        {**BASE, "node_dir": Path("/x"), "local_passwords": False, "oidc": loopback}
    )
    assert not settings.local_passwords
