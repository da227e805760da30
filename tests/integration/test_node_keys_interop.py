"""The node's keys work with tools we did not write."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import require_tool, run_hanoi


def test_age_tool_encrypts_to_the_node_and_decrypts_with_its_identity_file(
    node_dir: Path, tmp_path: Path
) -> None:
    age = require_tool("age")
    identity = json.loads(run_hanoi("node", "show", "--dir", str(node_dir)).stdout)
    plaintext = b"subscriber information for account 42\n" * 1000
    encrypted = subprocess.run(
        [age, "-r", identity["age_recipient"]], input=plaintext, capture_output=True, check=True
    ).stdout
    decrypted = subprocess.run(
        [age, "-d", "-i", str(node_dir / "keys" / "age-identity.txt")],
        input=encrypted,
        capture_output=True,
        check=True,
    ).stdout
    assert decrypted == plaintext


def test_age_keygen_output_is_read_by_hanoi(tmp_path: Path) -> None:
    from hanoi.crypto.agekeys import read_identity_file

    keygen = require_tool("age-keygen")
    key_file = tmp_path / "key.txt"
    subprocess.run([keygen, "-o", str(key_file)], capture_output=True, check=True)
    text = key_file.read_text()
    public = next(
        line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("# public key")
    )
    assert str(read_identity_file(text).recipient()) == public
