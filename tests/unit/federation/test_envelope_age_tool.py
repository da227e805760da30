"""Interoperability: the ``age`` tool opens an envelope, and joserfc verifies what is inside.

No Hanoi code reads the envelope here: ``age -d`` decrypts it and ``joserfc``,
given only the sender's public JWK, checks the signature, as another State's
implementation would.
"""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from joserfc.registry import HeaderParameter

from conftest import require_tool
from hanoi.crypto.agekeys import format_identity_file
from hanoi.crypto.ed25519keys import jwk
from hanoi.federation.envelope import seal
from unit.federation.support import Peer, make_message


def test_the_age_tool_decrypts_and_joserfc_verifies(aaa: Peer, bbb: Peer, tmp_path: Path) -> None:
    age = require_tool("age")
    message = make_message()
    sealed = tmp_path / "message.age"
    sealed.write_bytes(seal(message, signing_key=aaa.signing, recipient=bbb.recipient))
    identity = tmp_path / "bbb.key"
    identity.write_text(format_identity_file(bbb.age, created="2026-12-01T10:00:00Z"))

    result = subprocess.run(
        [age, "-d", "-i", str(identity), str(sealed)], capture_output=True, check=True, timeout=60
    )

    members: dict[str, str | list[str]] = {**jwk(aaa.signing.public_key())}
    public = OKPKey.import_key(members)
    registry = jws.JWSRegistry(
        header_registry={"iss": HeaderParameter("issuer", "str")}, algorithms=["EdDSA"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)  # RFC 9864 prefers "Ed25519"
        token = jws.deserialize_compact(result.stdout, public, registry=registry)
    assert token.headers() == {
        "alg": "EdDSA",
        "kid": aaa.key_id,
        "typ": "hanoi-message+jws",
        "iss": "AAA",
    }
    assert token.payload == message.canonical()
    assert json.loads(token.payload)["recipient"] == "BBB"
