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
