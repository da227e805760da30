"""A provider entry's fields: every bad field is named together, endpoints are https (http
on loopback only), the HI-1 identifier follows ETSI's types, credentials come whole, an
edit checks the merged entry, and the CSP configuration is a bounded JSON object."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from hanoi.errors import InvalidInput
from hanoi.providers.limits import ProviderLimits
from hanoi.providers.model import (
    CspConfig,
    Hi1Identifier,
    ProviderFields,
    check_csp_config,
    edited_provider,
    new_provider,
    with_enabled,
)
from support_providers import NOW, issue, make_pki

PKI = make_pki()


def paths(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {f.path: f.message for f in exc.value.fields}


def test_a_complete_entry_is_enabled_and_says_who_made_it() -> None:
    checked = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW)
    provider = checked.provider
    assert provider.enabled
    assert (provider.created_by, provider.created_at) == ("admin", NOW)
    assert (provider.updated_by, provider.updated_at) == ("admin", NOW)
    assert provider.hi1 == Hi1Identifier("VN", "vnm-telecom-hi1")
    assert provider.hi1.as_etsi() == {"CountryCode": "VN", "UniqueIdentifier": "vnm-telecom-hi1"}
    assert provider.version == 1
    assert provider.csp_config is None
    assert set(checked.changed) >= {"name", "endpoint", "client_private_key"}


def test_the_private_key_is_never_in_a_repr() -> None:
    provider = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW).provider
    secret = PKI.client.key_pem.splitlines()[1]
    assert secret not in repr(provider)
    assert secret not in repr(PKI.fields())
    assert "PRIVATE KEY" not in repr(provider)


def test_every_bad_field_is_reported_together() -> None:
    fields = ProviderFields(
        name="  ",
        endpoint="ftp://provider.example",
        country_code="VNM",
        unique_identifier="x" * 256,
        client_certificate_chain="not pem",
        client_private_key=PKI.client.key_pem,
        ca_bundle=PKI.server_ca.pem,
    )
    with pytest.raises(InvalidInput) as caught:
        new_provider("Bad Id", fields, by="admin", now=NOW)
    problems = paths(caught)
    assert set(problems) == {
        "id",
        "name",
        "endpoint",
        "hi1_identifier/country_code",
        "hi1_identifier/unique_identifier",
        "client_certificate_chain",
    }
    assert "vnm-telecom" in problems["id"]
    assert "ISO 3166-1 alpha-2" in problems["hi1_identifier/country_code"]
    assert "check id, name, endpoint" in caught.value.detail


def test_missing_fields_are_required_once_each() -> None:
    with pytest.raises(InvalidInput) as caught:
        new_provider("vnm-telecom", ProviderFields(), by="admin", now=NOW)
    assert paths(caught) == {
        "name": "is required",
        "endpoint": "is required",
        "hi1_identifier/country_code": "is required",
        "hi1_identifier/unique_identifier": "is required",
    }


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://hi1.provider.example/etsi/103120",
        "https://hi1.provider.example:8443/",
        "http://127.0.0.1:9000/hi1",
        "http://127.10.0.1/hi1",
        "http://[::1]:9000/hi1",
        "http://localhost:9000/",
    ],
)
def test_good_endpoints(endpoint: str) -> None:
    fields = PKI.fields(endpoint=endpoint)
    assert new_provider("p1", fields, by="admin", now=NOW).provider.endpoint == endpoint


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("http://hi1.provider.example/", "plain http only on a loopback address"),
        ("http://10.0.0.1/", "plain http only on a loopback address"),
        ("https://user:pw@hi1.provider.example/", "without credentials"),
        ("https://hi1.provider.example/#x", "without credentials or fragment"),
        ("https://hi1.provider.example:99999/", "is not a URL"),
        ("https:///path", "must be https://host"),
        ("hi1.provider.example", "must be https://host"),
        ("HTTPS://hi1.provider.example/", "must be https://host"),  # read as https, not TLS
        ("https://hi1.provider.example/a b", "without spaces"),
        ("https://hi1.provider.example/" + "a" * 2048, "longer than 2048"),
    ],
)
def test_bad_endpoints(endpoint: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_provider("p1", PKI.fields(endpoint=endpoint), by="admin", now=NOW)
    assert says in paths(caught)["endpoint"]


def test_https_needs_the_three_credentials_and_loopback_http_none() -> None:
    bare = dataclasses.replace(
        PKI.fields(), client_certificate_chain=None, client_private_key=None, ca_bundle=None
    )
    with pytest.raises(InvalidInput) as caught:
        new_provider("p1", bare, by="admin", now=NOW)
    assert set(paths(caught)) == {"client_certificate_chain", "client_private_key", "ca_bundle"}
    assert "mutual TLS" in paths(caught)["ca_bundle"]
    sandbox = dataclasses.replace(bare, endpoint="http://127.0.0.1:9000/hi1")
    provider = new_provider("p1", sandbox, by="admin", now=NOW).provider
    assert provider.credentials is None
    assert not provider.uses_tls
    half = dataclasses.replace(bare, client_certificate_chain=PKI.client.pem)
    with pytest.raises(InvalidInput) as caught:
        new_provider("p1", half, by="admin", now=NOW)
    assert set(paths(caught)) == {"client_private_key", "ca_bundle"}


def test_an_edit_changes_only_what_is_given_and_moves_the_version() -> None:
    current = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW).provider
    later = NOW + timedelta(hours=1)
    checked = edited_provider(
        current, ProviderFields(name="VNPT HI-1"), by="other.admin", now=later
    )
    assert checked.changed == ("name",)
    assert checked.provider.name == "VNPT HI-1"
    assert checked.provider.credentials == current.credentials
    assert (checked.provider.updated_by, checked.provider.updated_at) == ("other.admin", later)
    assert (checked.provider.created_by, checked.provider.created_at) == ("admin", NOW)
    assert checked.provider.version == current.version + 1


def test_an_edit_that_changes_nothing_is_no_change() -> None:
    current = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW).provider
    same = ProviderFields(name=" Viet Nam Telecom ", country_code="VN")
    checked = edited_provider(current, same, by="other.admin", now=NOW + timedelta(hours=1))
    assert checked.changed == ()
    assert checked.provider is current


def test_a_new_certificate_must_match_the_stored_key_or_come_with_its_own() -> None:
    current = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW).provider
    renewed = issue(PKI.client_ca, "hanoi-node-vnm")
    with pytest.raises(InvalidInput) as caught:
        edited_provider(
            current, ProviderFields(client_certificate_chain=renewed.pem), by="a", now=NOW
        )
    assert "is not the key of the first certificate" in paths(caught)["client_private_key"]
    checked = edited_provider(
        current,
        ProviderFields(client_certificate_chain=renewed.pem, client_private_key=renewed.key_pem),
        by="a",
        now=NOW,
    )
    assert checked.changed == ("client_certificate_chain", "client_private_key")


def test_switching_a_sandbox_entry_to_https_needs_credentials() -> None:
    sandbox = ProviderFields(
        name="Simulated provider",
        endpoint="http://127.0.0.1:9000/hi1",
        country_code="VN",
        unique_identifier="sim",
    )
    current = new_provider("sim", sandbox, by="admin", now=NOW).provider
    with pytest.raises(InvalidInput) as caught:
        edited_provider(current, ProviderFields(endpoint="https://sim.example/"), by="a", now=NOW)
    assert set(paths(caught)) == {"client_certificate_chain", "client_private_key", "ca_bundle"}


def test_enabling_and_disabling() -> None:
    current = new_provider("vnm-telecom", PKI.fields(), by="admin", now=NOW).provider
    off = with_enabled(current, False, by="b", now=NOW + timedelta(minutes=1))
    assert not off.enabled
    assert off.version == current.version + 1
    assert off.updated_by == "b"
    assert with_enabled(off, False, by="c", now=NOW) is off


def test_a_csp_configuration_is_a_bounded_json_object() -> None:
    document = {"CSPConfig": {"SupportedActions": ["CREATE", "GET"], "Version": "1.18.1"}}
    config = check_csp_config(document, fetched_at=NOW)
    assert isinstance(config, CspConfig)
    assert config.as_json() == document
    with pytest.raises(InvalidInput, match="JSON object"):
        check_csp_config(["not", "an", "object"], fetched_at=NOW)
    with pytest.raises(InvalidInput, match="at most 100 bytes"):
        check_csp_config(
            {"x": "y" * 200}, fetched_at=NOW, limits=ProviderLimits(max_csp_config_bytes=100)
        )
    with pytest.raises(InvalidInput, match="NUL"):
        check_csp_config({"x": "a\x00b"}, fetched_at=NOW)
    with pytest.raises(InvalidInput, match="JSON values"):
        check_csp_config({"x": {1, 2}}, fetched_at=NOW)
