"""``hanoi directory`` as a secretariat and States run it: produce, sign, verify, import."""

from __future__ import annotations

import base64
import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from conftest import run_hanoi


def ok(*args: str) -> str:
    result = run_hanoi(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fails(code: int, *args: str) -> str:
    """Run, expect exit ``code`` and exactly one line on standard error; return that line."""
    result = run_hanoi(*args)
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@dataclass(frozen=True)
class Federation:
    root: Path
    authority: Path  # folder with authority-signing.pem and authority.pub
    nodes: dict[str, Path]
    entries: dict[str, Path]

    @property
    def private(self) -> str:
        return str(self.authority / "authority-signing.pem")

    @property
    def public(self) -> str:
        return str(self.authority / "authority.pub")

    def sign(
        self,
        name: str,
        version: int,
        *extra: str,
        expires: str = "2099-01-01",
        entries: list[Path] | None = None,
    ) -> Path:
        out = self.root / name
        ok(
            "directory", "sign", "--authority-key", self.private, "--version", str(version),
            "--expires", expires, "--out", str(out), *extra,
            *(str(p) for p in entries or self.entries.values()),
        )  # fmt: skip
        return out


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Federation:
    root = tmp_path_factory.mktemp("directory")
    printed = json.loads(ok("directory", "authority-init", "--out", str(root / "authority")))
    assert len(printed["key_id"]) == 43
    nodes = {"EGY": root / "egy", "VNM": root / "vnm"}
    for state, folder in nodes.items():
        ok("node", "init", "--dir", str(folder), "--state", state, "--name", f"CA of {state}")
    entries = {}
    for state, folder in nodes.items():
        entries[state] = root / f"{state.lower()}-entry.json"
        ok(
            "directory", "entry", "--dir", str(folder),
            "--url", f"https://{state.lower()}.example/hanoi",
            "--authority", f"kind=central-authority; name=Ministry of Justice of {state}; "
            f"languages=en,fr; contact=mla@{state.lower()}.example",
            "--authority", "kind=point-of-contact; name=24/7 Cyber Unit; languages=en; "
            "contact=+1 555 0100",
            "--declare", "dual-criminality-reservation-for-preservation=true",
            "--out", str(entries[state]),
        )  # fmt: skip
    return Federation(root, root / "authority", nodes, entries)


AUTHORITY = "kind=central-authority; name=Ministry of Justice; languages=ar; contact=x@y.example"


def test_authority_init_writes_a_private_key_only_its_owner_reads(federation: Federation) -> None:
    mode = stat.S_IMODE((federation.authority / "authority-signing.pem").stat().st_mode)
    assert mode == 0o600
    assert (federation.authority / "authority.pub").read_bytes().startswith(b"-----BEGIN PUBLIC")
    line = fails(4, "directory", "authority-init", "--out", str(federation.authority))
    assert "not an empty folder" in line


def test_each_state_signs_an_entry_from_its_node(federation: Federation) -> None:
    for state, path in federation.entries.items():
        signed = json.loads(path.read_text())
        identity = json.loads(ok("node", "show", "--dir", str(federation.nodes[state])))
        entry = signed["entry"]
        assert entry["state"] == state
        assert entry["keys"][0]["key_id"] == identity["signing_key_id"]
        assert entry["age_recipient"] == identity["age_recipient"]
        assert entry["log_verifier_key"] == identity["log_verifier_key"]
        assert entry["declarations"] == {"dual-criminality-reservation-for-preservation": True}
        assert len(signed["signatures"]) == 1


def test_sign_verify_show(federation: Federation) -> None:
    document = federation.sign("show.json", 1)
    line = ok("directory", "verify", str(document), "--authority-key", federation.public)
    assert line.startswith("directory version 1 is valid")
    assert "2 State(s)" in line
    assert len(line.strip().splitlines()) == 1
    table = ok("directory", "show", str(document))
    for fragment in ("EGY", "VNM", "https://egy.example/hanoi", "Ministry of Justice of VNM"):
        assert fragment in table
    assert "[en,fr]" in table
    shown = json.loads(ok("directory", "show", str(document), "--json"))
    assert [s["entry"]["state"] for s in shown["directory"]["states"]] == ["EGY", "VNM"]


def test_verify_refuses_another_authority_and_expired_documents(
    federation: Federation, tmp_path: Path
) -> None:
    document = federation.sign("other.json", 1)
    ok("directory", "authority-init", "--out", str(tmp_path / "other"))
    other = str(tmp_path / "other" / "authority.pub")
    line = fails(6, "directory", "verify", str(document), "--authority-key", other)
    assert "integrity failure" in line
    assert "not by the pinned directory authority key" in line
    expired = federation.sign("expired.json", 1, "--issued-at", "2000-01-01", expires="2001-01-01")
    line = fails(5, "directory", "verify", str(expired), "--authority-key", federation.public)
    assert "expired at 2001-01-01T00:00:00Z" in line


def test_import_pins_then_refuses_rollback_and_export_gives_the_bytes_back(
    federation: Federation,
) -> None:
    node = federation.nodes["EGY"]
    first = federation.sign("v1.json", 1)
    second = federation.sign("v2.json", 2)
    line = fails(3, "directory", "import", str(second), "--dir", str(node))
    assert "--pin" in line
    assert not (node / "directory" / "current.json").exists()

    out = ok("directory", "import", str(second), "--dir", str(node), "--pin", federation.public)
    assert "directory version 2 accepted" in out
    assert "added: EGY VNM" in out
    held = node / "directory" / "current.json"
    assert held.read_bytes() == second.read_bytes()

    line = fails(5, "directory", "import", str(first), "--dir", str(node))
    assert "refusing a rollback" in line
    assert held.read_bytes() == second.read_bytes()

    exported = run_hanoi("directory", "export", "--dir", str(node))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.encode() == second.read_bytes()

    again = ok("directory", "import", str(second), "--dir", str(node))
    assert "already held" in again
    shown = ok("directory", "show", "--dir", str(node))
    assert "directory version 2" in shown


def test_import_refuses_a_tampered_document_and_another_pin(
    federation: Federation, tmp_path: Path
) -> None:
    node = federation.nodes["VNM"]
    document = federation.sign("vnm-v3.json", 3)
    ok("directory", "import", str(document), "--dir", str(node), "--pin", federation.public)
    value = json.loads(federation.sign("vnm-v4.json", 4).read_text())
    value["directory"]["states"][0]["entry"]["node_url"] = "https://attacker.example/"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(value))
    line = fails(6, "directory", "import", str(tampered), "--dir", str(node))
    assert "signature" in line
    assert (node / "directory" / "current.json").read_bytes() == document.read_bytes()

    ok("directory", "authority-init", "--out", str(tmp_path / "rogue"))
    rogue = str(tmp_path / "rogue" / "authority.pub")
    line = fails(4, "directory", "import", str(document), "--dir", str(node), "--pin", rogue)
    assert "nothing was changed" in line


def test_bad_inputs_give_one_line_and_an_exit_code(federation: Federation, tmp_path: Path) -> None:
    node = str(federation.nodes["EGY"])
    line = fails(
        2, "directory", "entry", "--dir", node, "--url", "https://egy.example/",
        "--authority", "kind=central-authority; name=X; languages=en; contact=x",
        "--declare", "no-such-declaration=true",
    )  # fmt: skip
    assert "not a key of the Convention catalogue" in line
    line = fails(
        2, "directory", "entry", "--dir", node, "--url", "http://egy.example/",
        "--authority", "kind=central-authority; name=X; languages=en; contact=x",
    )  # fmt: skip
    assert "node_url" in line
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    line = fails(2, "directory", "verify", str(garbage), "--authority-key", federation.public)
    assert "not valid JSON" in line
    line = fails(3, "directory", "export", "--dir", str(tmp_path))
    assert "holds no directory" in line or "not a node folder" in line


def test_a_state_rotates_its_node_key_and_only_it_can(
    federation: Federation, tmp_path: Path
) -> None:
    observer = tmp_path / "fra"
    ok("node", "init", "--dir", str(observer), "--state", "FRA", "--name", "CA of France")
    old_entry, vnm_entry = federation.entries["EGY"], federation.entries["VNM"]
    v1 = federation.sign("rot-v1.json", 1, entries=[old_entry, vnm_entry])
    ok("directory", "import", str(v1), "--dir", str(observer), "--pin", federation.public)

    # Egypt's node with the new key builds the next entry, cosigned with the old key.
    new_node = tmp_path / "egy-new"
    ok("node", "init", "--dir", str(new_node), "--state", "EGY", "--name", "CA of EGY")
    rotated = tmp_path / "egy-rotated.json"
    ok(
        "directory", "entry", "--dir", str(new_node), "--url", "https://egy.example/hanoi",
        "--authority", AUTHORITY, "--previous", str(old_entry),
        "--retire-previous-at", "2098-01-01",
        "--cosign-key", str(federation.nodes["EGY"] / "keys" / "node-signing.pem"),
        "--out", str(rotated),
    )  # fmt: skip
    value = json.loads(rotated.read_text())
    assert value["entry"]["serial"] == 2
    assert [k.get("valid_until") for k in value["entry"]["keys"]] == ["2098-01-01T00:00:00Z", None]
    assert len(value["signatures"]) == 2
    v2 = federation.sign("rot-v2.json", 2, entries=[rotated, vnm_entry])
    out = ok("directory", "import", str(v2), "--dir", str(observer))
    assert "re-keyed: EGY" in out

    # An entry for Egypt that no key of Egypt's signed is refused, whoever signed the document.
    impostor = tmp_path / "egy-impostor"
    ok("node", "init", "--dir", str(impostor), "--state", "EGY", "--name", "CA of EGY")
    forged = tmp_path / "egy-forged.json"
    ok(
        "directory", "entry", "--dir", str(impostor), "--url", "https://evil.example/",
        "--authority", AUTHORITY, "--serial", "3", "--out", str(forged),
    )  # fmt: skip
    v3 = federation.sign("rot-v3.json", 3, entries=[forged, vnm_entry])
    line = fails(6, "directory", "import", str(v3), "--dir", str(observer))
    assert "authority alone cannot change" in line
    assert (observer / "directory" / "current.json").read_bytes() == v2.read_bytes()


AUTHORITIES_TOML = """
[[authorities]]
kind = "central-authority"
name = "Ministry of Justice"
languages = ["ar", "en", "fr"]
contact = "mla@justice.example"
names = { ar = "وزارة العدل", fr = "Ministère de la Justice" }

[[authorities]]
kind = "point-of-contact"
name = "24/7 Cybercrime Unit"
languages = ["ar", "en"]
contact = "+20 2 0000 0000"
"""


def test_an_entry_names_its_authorities_in_the_un_languages(
    federation: Federation, tmp_path: Path
) -> None:
    node = str(federation.nodes["EGY"])
    listing = tmp_path / "authorities.toml"
    listing.write_text(AUTHORITIES_TOML, encoding="utf-8")
    entry = tmp_path / "egy-named.json"
    ok(
        "directory", "entry", "--dir", node, "--url", "https://egy.example/hanoi",
        "--authorities", str(listing),
        "--authority", "kind=point-of-contact; name=Cyber Desk; name.es=Mesa cibernética; "
        "languages=en; contact=desk@egy.example",
        "--out", str(entry),
    )  # fmt: skip
    authorities = json.loads(entry.read_text(encoding="utf-8"))["entry"]["authorities"]
    assert [a.get("names") for a in authorities] == [
        {"ar": "وزارة العدل", "fr": "Ministère de la Justice"},
        None,
        {"es": "Mesa cibernética"},
    ]
    document = federation.sign("named.json", 1, entries=[entry, federation.entries["VNM"]])
    ok("directory", "verify", str(document), "--authority-key", federation.public)
    table = ok("directory", "show", str(document))
    assert "name.ar" in table
    assert "وزارة العدل" in table

    line = fails(
        2, "directory", "entry", "--dir", node, "--url", "https://egy.example/hanoi",
        "--authority", "kind=central-authority; name=X; name.de=Justizministerium; "
        "languages=en; contact=x",
    )  # fmt: skip
    assert "/authorities/0/names/de" in line
    assert "'de' is not one of the six UN languages" in line
    as_json = tmp_path / "authorities.json"
    as_json.write_text('{"authorities": [{"kind": "x", "phone": "1"}]}')
    line = fails(2, "directory", "entry", "--dir", node, "--url", "https://egy.example/",
                 "--authorities", str(as_json))  # fmt: skip
    assert "unknown member 'phone'" in line
    line = fails(2, "directory", "entry", "--dir", node, "--url", "https://egy.example/")
    assert "--authorities FILE or --authority" in line


CONTACTS_TOML = """
[[authorities]]
kind = "central-authority"
name = "Federal Office of Justice"
languages = ["de", "en"]
contact = "By letter or e-mail"
postal_address = '''
Museumstrasse 7
1070 Vienna'''
email = "mla@justice.example"
telephone = "+43 1 52152-0"
"""

OFFLINE_TOML = """
[[offline_states]]
state = "NGA"
name = "Federal Ministry of Justice of Nigeria"
channels = ["diplomatic", "courier"]
source = "UNODC directory of competent national authorities, 2026"
updated = 2026-09-15

[[offline_states.authorities]]
kind = "central-authority"
name = "Central Authority Unit"
languages = ["en"]
contact = "By diplomatic note"
email = "cau@justice.example"
telephone = "+234 9 000 0000"

[[offline_states]]
state = "BRA"
name = "Central Authority of Brazil"
channels = ["email", "diplomatic"]
source = "Note verbale 123/2026"
updated = 2026-10-02
declarations = { dual-criminality-reservation-for-preservation = true }

[[offline_states.authorities]]
kind = "central-authority"
name = "DRCI"
languages = ["pt", "en"]
contact = "cooperacao@justice.example"
"""


def test_an_entry_gives_channels_contacts_and_the_document_certificate(
    federation: Federation, tmp_path: Path
) -> None:
    from unit.directory.builder import certificate_pem

    node = tmp_path / "aut"
    ok("node", "init", "--dir", str(node), "--state", "AUT", "--name", "CA of Austria")
    pem = certificate_pem("AUT document signing")
    (node / "keys" / "document-signing.crt").write_bytes(pem)
    listing = tmp_path / "contacts.toml"
    listing.write_text(CONTACTS_TOML, encoding="utf-8")
    entry = tmp_path / "aut-entry.json"
    ok(
        "directory", "entry", "--dir", str(node), "--url", "https://aut.example/hanoi",
        "--authorities", str(listing),
        "--authority", "kind=point-of-contact; name=24/7 Unit; languages=en; contact=desk; "
        "email=24-7@police.example; telephone=+43 1 24836 0",
        "--channel", "hanoi", "--channel", "email", "--channel", "interpol",
        "--out", str(entry),
    )  # fmt: skip
    value = json.loads(entry.read_text(encoding="utf-8"))["entry"]
    assert value["channels"] == ["hanoi", "email", "interpol"]
    der = x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    assert value["document_certificates"] == [base64.b64encode(der).decode()]
    central, contact = value["authorities"]
    assert central["postal_address"] == "Museumstrasse 7\n1070 Vienna"
    assert (central["email"], central["telephone"]) == ("mla@justice.example", "+43 1 52152-0")
    assert (contact["email"], contact["telephone"]) == ("24-7@police.example", "+43 1 24836 0")
    assert "postal_address" not in contact

    offline = tmp_path / "offline.toml"
    offline.write_text(OFFLINE_TOML, encoding="utf-8")
    document = federation.sign(
        "with-offline.json", 1, "--offline", str(offline),
        entries=[entry, federation.entries["VNM"]],
    )  # fmt: skip
    signed = json.loads(document.read_text(encoding="utf-8"))["directory"]
    assert [o["state"] for o in signed["offline_states"]] == ["BRA", "NGA"]
    assert signed["offline_states"][1]["updated"] == "2026-09-15"
    line = ok("directory", "verify", str(document), "--authority-key", federation.public)
    assert "2 State(s) and 2 without a node" in line
    table = ok("directory", "show", str(document))
    for fragment in (
        "NGA  Federal Ministry of Justice of Nigeria  (no Hanoi node; updated 2026-09-15)",
        "channels   diplomatic, courier",
        "channels   hanoi, email, interpol",
        "source     Note verbale 123/2026",
        "postal address    Museumstrasse 7, 1070 Vienna",
        "email             cau@justice.example",
        "document certificate 1",
    ):
        assert fragment in table, fragment
    observer = tmp_path / "fra"
    ok("node", "init", "--dir", str(observer), "--state", "FRA", "--name", "CA of France")
    out = ok(
        "directory", "import", str(document), "--dir", str(observer), "--pin", federation.public
    )
    assert "added without a node: BRA NGA" in out
    assert "2 without a node" in ok("directory", "show", "--dir", str(observer))

    without = federation.sign("without-offline.json", 2, entries=[federation.entries["VNM"]])
    assert "offline_states" not in json.loads(without.read_text())["directory"]


def test_refusals_of_channels_certificates_and_offline_states(
    federation: Federation, tmp_path: Path
) -> None:
    node = tmp_path / "bel"
    ok("node", "init", "--dir", str(node), "--state", "BEL", "--name", "CA of Belgium")
    entry_args = ("directory", "entry", "--dir", str(node), "--url", "https://bel.example/",
                  "--authority", AUTHORITY)  # fmt: skip
    line = fails(2, *entry_args, "--channel", "hanoi", "--channel", "fax")
    assert "/channels/1" in line
    assert "must be one of hanoi, diplomatic, email, interpol, courier, other" in line
    line = fails(2, *entry_args[:-1], f"{AUTHORITY}; email=not an address")
    assert "/authorities/0/email" in line
    line = fails(2, *entry_args[:-1], f"{AUTHORITY}; telephone=call me")
    assert "/authorities/0/telephone" in line
    (node / "keys" / "document-signing.crt").write_text(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    )
    line = fails(2, *entry_args)
    assert "document-signing.crt" in line
    assert "not a PEM X.509 certificate" in line

    def offline_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    entries = [str(p) for p in federation.entries.values()]
    sign_args = ("directory", "sign", "--authority-key", federation.private, "--version", "9",
                 "--expires", "2099-01-01", *entries)  # fmt: skip
    on_network = offline_file("egy.toml", OFFLINE_TOML.replace('"BRA"', '"EGY"'))
    line = fails(2, *sign_args, "--offline", str(on_network))
    assert "/offline_states/1/state" in line
    assert "EGY runs a node" in line
    by_hanoi = offline_file("hanoi.toml", OFFLINE_TOML.replace('["email", ', '["hanoi", '))
    line = fails(2, *sign_args, "--offline", str(by_hanoi))
    assert "/offline_states/1/channels/0" in line
    assert "cannot take requests by 'hanoi'" in line
    unknown = offline_file(
        "unknown.toml", OFFLINE_TOML.replace("dual-criminality-reservation", "no-such")
    )
    line = fails(2, *sign_args, "--offline", str(unknown))
    assert "not a key of the Convention catalogue" in line
    line = fails(2, *sign_args, "--offline", str(offline_file("offline.txt", OFFLINE_TOML)))
    assert "must be a .toml or a .json file" in line
