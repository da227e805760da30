"""Interoperability with the age reference tools, ``age`` and ``age-keygen`` (Debian ``age``).

Evidence must open with the ``age`` tool, without Hanoi, and files from it must
open with Hanoi. Under ``CI=true`` a missing tool fails these tests; elsewhere
they skip and say why.
"""

from __future__ import annotations

import hashlib
import io
import os
import pty
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import require_tool
from hanoi.crypto.agekeys import AgeIdentity, format_identity_file, read_identity_file
from hanoi.evidence.age import (
    Decryptor,
    Encryptor,
    ScryptIdentity,
    ScryptRecipient,
    decrypt_file,
    encrypt_file,
)
from hanoi.evidence.age.spec import CHUNK_SIZE

IN_CI = os.environ.get("CI", "").lower() == "true"
SIZES = [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 16 * CHUNK_SIZE + 17]


@dataclass(frozen=True)
class Tools:
    age: str
    keygen: str

    def run(self, *args: str) -> bytes:
        result = subprocess.run(args, capture_output=True, check=False, timeout=120)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        return result.stdout


@pytest.fixture(scope="module")
def tools() -> Tools:
    age, keygen = shutil.which("age"), shutil.which("age-keygen")
    if age is None or keygen is None:
        message = "the age tools are not installed (Debian package 'age': apt-get install age)"
        if IN_CI:
            pytest.fail(f"required under CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return Tools(age, keygen)


@pytest.fixture
def hanoi_key(tmp_path: Path) -> tuple[AgeIdentity, Path]:
    identity = AgeIdentity.generate()
    path = tmp_path / "hanoi-key.txt"
    path.write_text(format_identity_file(identity, created="2026-11-28T00:00:00Z"))
    return identity, path


def test_age_keygen_key_reads_in_hanoi(tools: Tools, tmp_path: Path) -> None:
    path = tmp_path / "key.txt"
    tools.run(tools.keygen, "-o", str(path))
    identity = read_identity_file(path.read_text())
    public = tools.run(tools.keygen, "-y", str(path)).decode().strip()
    assert str(identity.recipient()) == public
    assert f"# public key: {public}" in path.read_text()


def test_hanoi_key_file_reads_in_age(tools: Tools, hanoi_key: tuple[AgeIdentity, Path]) -> None:
    identity, path = hanoi_key
    assert tools.run(tools.keygen, "-y", str(path)).decode().strip() == str(identity.recipient())


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_hanoi_encrypts_age_decrypts(
    tools: Tools, tmp_path: Path, hanoi_key: tuple[AgeIdentity, Path], size: int, armor: bool
) -> None:
    identity, key = hanoi_key
    plaintext = os.urandom(size)
    sealed = tmp_path / "evidence.age"
    with sealed.open("wb") as dst:
        encrypt_file(io.BytesIO(plaintext), dst, recipients=[identity.recipient()], armor=armor)
    assert tools.run(tools.age, "-d", "-i", str(key), str(sealed)) == plaintext


@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
@pytest.mark.parametrize("size", SIZES)
def test_age_encrypts_hanoi_decrypts(
    tools: Tools, tmp_path: Path, hanoi_key: tuple[AgeIdentity, Path], size: int, armor: bool
) -> None:
    identity, _ = hanoi_key
    source, sealed = tmp_path / "evidence.bin", tmp_path / "evidence.age"
    source.write_bytes(os.urandom(size))
    flags = ["-a"] if armor else []
    tools.run(tools.age, *flags, "-r", str(identity.recipient()), "-o", str(sealed), str(source))
    out, plain_hash, cipher_hash = io.BytesIO(), hashlib.sha256(), hashlib.sha256()
    with sealed.open("rb") as src:
        stats = decrypt_file(
            src, out, identities=[identity], plaintext_hash=plain_hash, ciphertext_hash=cipher_hash
        )
    assert out.getvalue() == source.read_bytes()
    assert plain_hash.hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
    assert cipher_hash.hexdigest() == hashlib.sha256(sealed.read_bytes()).hexdigest()
    assert stats.ciphertext_bytes == sealed.stat().st_size
    if not armor and size:
        with sealed.open("rb") as src, Decryptor(src, [identity]) as reader:
            reader.seek(size // 2)
            assert reader.read(100) == source.read_bytes()[size // 2 : size // 2 + 100]


def test_several_recipients_with_age_keygen_key(
    tools: Tools, tmp_path: Path, hanoi_key: tuple[AgeIdentity, Path]
) -> None:
    identity, _ = hanoi_key
    theirs = tmp_path / "their-key.txt"
    tools.run(tools.keygen, "-o", str(theirs))
    their_recipient = read_identity_file(theirs.read_text()).recipient()
    sealed = tmp_path / "evidence.age"
    with sealed.open("wb") as dst:
        encrypt_file(
            io.BytesIO(b"to both States"), dst, recipients=[identity.recipient(), their_recipient]
        )
    assert tools.run(tools.age, "-d", "-i", str(theirs), str(sealed)) == b"to both States"


def test_age_refuses_an_aborted_encryption(
    tools: Tools, tmp_path: Path, hanoi_key: tuple[AgeIdentity, Path]
) -> None:
    identity, key = hanoi_key
    sealed = tmp_path / "partial.age"

    def interrupted() -> None:
        with sealed.open("wb") as dst, Encryptor(dst, [identity.recipient()]) as encryptor:
            encryptor.write(os.urandom(3 * CHUNK_SIZE))
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    result = subprocess.run(
        [tools.age, "-d", "-i", str(key), str(sealed)], capture_output=True, check=False
    )
    assert result.returncode != 0


def _with_terminal(command: list[str], answers: list[bytes]) -> None:
    """Run ``command`` under ``script`` (a pseudo-terminal), answering passphrase prompts."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        ["script", "-qefc", " ".join(command), "/dev/null"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    transcript, deadline = b"", time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                transcript += os.read(master, 1024)
            except OSError:
                break
            prompt = transcript.rsplit(b"\n", 1)[-1].lower()
            if answers and b"passphrase" in prompt and prompt.rstrip().endswith(b":"):
                os.write(master, answers.pop(0) + b"\n")
                transcript += b"\n"
        assert process.wait(timeout=60) == 0, transcript.decode(errors="replace")
    finally:
        os.close(master)


@pytest.mark.slow
def test_passphrases_both_ways(tools: Tools, tmp_path: Path) -> None:
    require_tool("script")  # bsdutils: gives age a terminal for its passphrase prompt
    source, theirs, ours = tmp_path / "note.txt", tmp_path / "theirs.age", tmp_path / "ours.age"
    source.write_bytes(b"passphrase-protected evidence\n")
    _with_terminal(
        [tools.age, "-p", "-o", str(theirs), str(source)], [b"s3cret pass", b"s3cret pass"]
    )
    with theirs.open("rb") as src:
        assert Decryptor(src, [ScryptIdentity("s3cret pass")]).read() == source.read_bytes()
    with ours.open("wb") as dst:
        encrypt_file(
            io.BytesIO(source.read_bytes()),
            dst,
            recipients=[ScryptRecipient("s3cret pass", log_n=12)],
        )
    opened = tmp_path / "opened.txt"
    _with_terminal([tools.age, "-d", "-o", str(opened), str(ours)], [b"s3cret pass"])
    assert opened.read_bytes() == source.read_bytes()
