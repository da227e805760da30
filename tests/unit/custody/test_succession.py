"""A log's succession: signed by both keys, refused when either is missing or wrong."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hanoi.custody.checkpoint import open_checkpoint
from hanoi.custody.errors import VerificationError
from hanoi.custody.note import Ed25519Signer, sign_note
from hanoi.custody.succession import (
    MalformedSuccession,
    Succession,
    open_succession,
    parse_succession,
    sign_succession,
)
from hanoi.errors import InvalidInput

OLD, NEW = "hanoi.node/vnm/aaaa", "hanoi.node/vnm/bbbb"


def signer(origin: str) -> Ed25519Signer:
    return Ed25519Signer(origin, Ed25519PrivateKey.generate())


def succession(new: Ed25519Signer, size: int = 42) -> Succession:
    return Succession(OLD, size, os.urandom(32), NEW, str(new.verifier().key))


def test_a_succession_signed_by_both_keys_opens_with_the_old_one() -> None:
    old, new = signer(OLD), signer(NEW)
    made = succession(new)
    note = sign_succession(made, old=old, new=new)
    assert open_succession(note, old_key=old.verifier()) == made
    assert parse_succession(made.text()) == made


def test_a_succession_without_the_new_key_or_by_another_is_refused() -> None:
    old, new = signer(OLD), signer(NEW)
    made = succession(new)
    only_old = sign_note(made.text(), [old])
    with pytest.raises(VerificationError, match="wrong key"):
        open_succession(only_old, old_key=old.verifier())
    impostor = signer(NEW)  # another key under the new origin's name
    with pytest.raises(VerificationError):
        open_succession(sign_note(made.text(), [old, impostor]), old_key=old.verifier())
    with pytest.raises(VerificationError, match="wrong key"):  # not the old key
        open_succession(sign_succession(made, old=old, new=new), old_key=signer(OLD).verifier())
    with pytest.raises(MalformedSuccession):
        sign_succession(made, old=new, new=old)


def test_a_checkpoint_is_not_a_succession_nor_the_reverse() -> None:
    old, new = signer(OLD), signer(NEW)
    note = sign_succession(succession(new), old=old, new=new)
    with pytest.raises(InvalidInput):
        open_checkpoint(note, [old.verifier()])
    checkpoint = sign_note(f"{OLD}\n3\n{'A' * 43}=\n", [old])
    with pytest.raises(MalformedSuccession):
        open_succession(checkpoint, old_key=old.verifier())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hanoi.log-succession/v2\na\n1\nAAAA\nb\nkey\n",
        f"hanoi.log-succession/v1\n{OLD}\n01\n{'A' * 43}=\n{NEW}\nkey\n",
        f"hanoi.log-succession/v1\n{OLD}\n1\nnot-base64\n{NEW}\nkey\n",
        f"hanoi.log-succession/v1\n{OLD}\n1\n{'A' * 43}=\n{OLD}\nkey\n",
        f"hanoi.log-succession/v1\n{OLD}\n1\n{'A' * 43}=\n{NEW}\nkey\nextra\n",
    ],
)
def test_malformed_successions_are_named(text: str) -> None:
    with pytest.raises(MalformedSuccession):
        parse_succession(text)
