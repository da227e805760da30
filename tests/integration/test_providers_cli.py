"""``hanoi providers`` in process, on a node folder: an administrator adds, lists, shows,
updates, disables and enables a provider from PEM files; the key is never printed; bad
input is one line on standard error and a non-zero exit; an officer lists enabled
providers and changes nothing."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hanoi.accounts.model import Role
from hanoi.cli.main import app, main
from support_nodes import build_node
from support_providers import issue, make_pki

PKI = make_pki(start=datetime.now(UTC))  # the node runs on the wall clock
SECRET = PKI.client.key_pem.splitlines()[1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    node_dir = tmp_path / "vnm"
    node = build_node(node_dir, "VNM", users={"admin": Role.ADMINISTRATOR, "lan": Role.OFFICER})
    node.close()
    (tmp_path / "client.pem").write_text(PKI.client.pem)
    (tmp_path / "client.key").write_text(PKI.client.key_pem)
    (tmp_path / "ca.pem").write_text(PKI.server_ca.pem)
    return node_dir


def hanoi(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert SECRET not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def through_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """As the installed command runs: a Hanoi error is one line and an exit code."""
    monkeypatch.setattr(sys, "argv", ["hanoi", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return int(caught.value.code or 0), out, err


def add_args(folder: Path, *extra: str) -> list[str]:
    files = folder.parent
    return [
        "providers", "add", "vnm-telecom", "--dir", str(folder), "--user", "admin",
        "--name", "Viet Nam Telecom",
        "--endpoint", "https://hi1.telecom.example.vn/etsi",
        "--country-code", "VN", "--unique-identifier", "vnm-telecom-hi1",
        "--client-certificate", str(files / "client.pem"),
        "--client-key", str(files / "client.key"),
        "--ca-bundle", str(files / "ca.pem"),
        *extra,
    ]  # fmt: skip


def test_an_administrator_manages_a_provider(folder: Path) -> None:
    code, out, _ = hanoi(*add_args(folder))
    assert code == 0, out
    added = json.loads(out)
    assert added["id"] == "vnm-telecom"
    assert added["tls"]["client_private_key"] == {"kind": "EC P-256"}
    fingerprint = added["tls"]["client_certificate_chain"][0]["sha256"]
    assert len(fingerprint) == 64

    code, out, _ = hanoi("providers", "list", "--dir", str(folder), "--user", "admin")
    assert code == 0
    (line,) = out.splitlines()
    assert line.split("\t")[:3] == ["vnm-telecom", "enabled", "VN/vnm-telecom-hi1"]
    assert PKI.client.certificate.not_valid_after_utc.date().isoformat() in line

    renewed = issue(PKI.client_ca, "hanoi-node-vnm", start=datetime.now(UTC))
    (folder.parent / "renewed.pem").write_text(renewed.pem)
    (folder.parent / "renewed.key").write_text(renewed.key_pem)
    code, out, _ = hanoi(
        "providers", "update", "vnm-telecom", "--dir", str(folder), "--user", "admin",
        "--name", "VNPT", "--client-certificate", str(folder.parent / "renewed.pem"),
        "--client-key", str(folder.parent / "renewed.key"),
    )  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["name"] == "VNPT"
    assert renewed.key_pem.splitlines()[1] not in out

    code, out, err = hanoi(
        "providers", "update", "vnm-telecom", "--dir", str(folder), "--user", "admin",
        "--name", "VNPT",
    )  # fmt: skip
    assert code == 0
    assert "nothing to change" in err

    code, out, _ = hanoi(
        "providers", "disable", "vnm-telecom", "--dir", str(folder), "--user", "admin"
    )
    assert code == 0
    assert json.loads(out)["enabled"] is False
    code, out, _ = hanoi(
        "providers", "show", "vnm-telecom", "--dir", str(folder), "--user", "admin", "--history"
    )
    shown = json.loads(out)
    assert [c["kind"] for c in shown["changes"]] == ["disabled", "updated", "created"]
    assert shown["changes"][1]["fields"] == [
        "name",
        "client_certificate_chain",
        "client_private_key",
    ]
    code, out, _ = hanoi(
        "providers", "enable", "vnm-telecom", "--dir", str(folder), "--user", "admin"
    )
    assert json.loads(out)["enabled"] is True
    code, out, _ = hanoi(
        "providers",
        "list",
        "--dir",
        str(folder),
        "--user",
        "admin",
        "--json",
        "--status",
        "enabled",
    )
    assert [p["id"] for p in json.loads(out)] == ["vnm-telecom"]


def test_an_officer_lists_enabled_providers_and_changes_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert hanoi(*add_args(folder))[0] == 0
    code, out, _ = hanoi("providers", "list", "--dir", str(folder), "--user", "lan", "--json")
    assert code == 0
    assert [p["id"] for p in json.loads(out)] == ["vnm-telecom"]
    code, out, err = through_main(
        monkeypatch,
        capsys,
        "providers",
        "disable",
        "vnm-telecom",
        "--dir",
        str(folder),
        "--user",
        "lan",
    )
    assert code == 7
    assert err.count("\n") == 1
    assert err.startswith("hanoi: permission denied: a user with role 'officer' may not manage")


def test_bad_input_is_one_line_and_a_non_zero_exit(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = add_args(folder)
    args[args.index("--endpoint") + 1] = "http://hi1.telecom.example.vn/"
    args[args.index("--country-code") + 1] = "VNM"
    args[args.index("--client-key") + 1] = str(folder.parent / "client.pem")  # not a key
    code, out, err = through_main(monkeypatch, capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("hanoi: invalid input: the provider entry cannot be added")
    for field in ("endpoint", "hi1_identifier/country_code", "client_private_key"):
        assert f"{field}:" in err
    missing = add_args(folder)
    missing[missing.index("--ca-bundle") + 1] = str(folder.parent / "nowhere.pem")
    code, _, err = through_main(monkeypatch, capsys, *missing)
    assert code == 3
    assert err == f"hanoi: not found: --ca-bundle: no such file {folder.parent / 'nowhere.pem'}\n"
    code, _, err = through_main(
        monkeypatch, capsys, "providers", "list", "--dir", str(folder), "--user", "admin",
        "--status", "some",
    )  # fmt: skip
    assert code == 2
    assert "--status 'some'" in err
    code, _, err = through_main(
        monkeypatch, capsys, "providers", "show", "nobody", "--dir", str(folder), "--user", "admin"
    )
    assert code == 3
    assert err == "hanoi: not found: no provider 'nobody'\n"


def test_an_expiring_certificate_is_a_warning_on_standard_error(folder: Path) -> None:
    ending = issue(PKI.client_ca, "hanoi-node-vnm", start=datetime.now(UTC), days=5)
    (folder.parent / "client.pem").write_text(ending.pem)
    (folder.parent / "client.key").write_text(ending.key_pem)
    code, out, err = hanoi(*add_args(folder))
    assert code == 0
    assert json.loads(out)["warnings"][0]["pointer"] == "client_certificate_chain/0"
    assert err.startswith("hanoi: warning: client_certificate_chain/0: the client certificate")
