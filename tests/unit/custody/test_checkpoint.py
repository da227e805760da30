"""C2SP tlog-checkpoint bodies, strictly parsed, and opened under the log's key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings

from hanoi.custody.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint, sign_checkpoint
from hanoi.custody.errors import MalformedCheckpoint, NoTrustedSignature, VerificationError
from hanoi.custody.limits import Limits
from hanoi.custody.merkle import EMPTY_ROOT
from hanoi.custody.note import Ed25519Signer
from hanoi.errors import InvalidInput
from unit.custody.logbuilder import mutants

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_the_specification_example_round_trips() -> None:
    checkpoint = parse_checkpoint(SPEC_BODY)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash.hex().startswith("0ac5186a")
    assert checkpoint.extensions == ()
    assert checkpoint.body() == SPEC_BODY


def test_extension_lines_are_kept() -> None:
    body = SPEC_BODY + "ext one\nmore\n"
    assert parse_checkpoint(body).extensions == ("ext one", "more")
    assert parse_checkpoint(body).body() == body


def test_an_empty_tree() -> None:
    body = Checkpoint("o", 0, EMPTY_ROOT).body()
    assert body.splitlines()[1] == "0"
    assert parse_checkpoint(body).size == 0


@pytest.mark.parametrize(
    "body",
    [
        SPEC_BODY[:-1],
        "example.com/x\n12\n",
        "\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n+12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n1_2\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n\u0661\u0662\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n 12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n9223372036854775808\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=AAAA\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n12\nAAAA\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "o\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx\n\nx\n",
        "o\r\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ],
)
def test_malformed_bodies_are_rejected(body: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        parse_checkpoint(body)


def test_limits() -> None:
    with pytest.raises(MalformedCheckpoint):
        parse_checkpoint(SPEC_BODY + "a\nb\n", limits=Limits(max_extension_lines=1))
    with pytest.raises(MalformedCheckpoint):
        parse_checkpoint(SPEC_BODY, limits=Limits(max_origin_bytes=5))
    with pytest.raises(MalformedCheckpoint):
        parse_checkpoint(SPEC_BODY, limits=Limits(max_tree_size=1000))


def test_a_checkpoint_cannot_be_built_invalid() -> None:
    with pytest.raises(InvalidInput):
        Checkpoint("a\nb", 1, EMPTY_ROOT)
    with pytest.raises(InvalidInput):
        Checkpoint("o", -1, EMPTY_ROOT)
    with pytest.raises(InvalidInput):
        Checkpoint("o", 1, b"short")
    with pytest.raises(InvalidInput):
        Checkpoint("o", 1, EMPTY_ROOT, ("",))


def test_open_checks_the_signature_then_the_origin() -> None:
    signer = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
    note = sign_checkpoint(Checkpoint("example.org/log", 3, EMPTY_ROOT), [signer])
    opened = open_checkpoint(note, [signer.verifier()], origin="example.org/log")
    assert opened.checkpoint.size == 3
    assert opened.note_bytes == note
    with pytest.raises(VerificationError, match="expected 'other'"):
        open_checkpoint(note, [signer.verifier()], origin="other")
    stranger = Ed25519Signer("example.org/log", Ed25519PrivateKey.generate())
    with pytest.raises(NoTrustedSignature):
        open_checkpoint(note, [stranger.verifier()])


@settings(max_examples=2000, deadline=None)
@given(mutants(SPEC_BODY.encode(), (SPEC_BODY + "ext\n").encode(), b"o\n0\n" + b"A" * 43 + b"=\n"))
def test_fuzzed_bodies_parse_or_raise_malformed(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    try:
        checkpoint = parse_checkpoint(text)
    except MalformedCheckpoint:
        return
    assert checkpoint.body() == text
