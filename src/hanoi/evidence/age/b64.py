"""Canonical base64, as age uses it.

The header uses standard base64 without ``=`` padding (RFC 4648 section 4);
decoders must refuse padding and non-canonical encodings (non-zero trailing
bits), so that the header has exactly one encoding. The armor uses padded
base64, also canonical. ``binascii`` in strict mode checks the alphabet and the
padding; the canonical form is checked by encoding the result again.
"""

from __future__ import annotations

import binascii

_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


class Base64Error(ValueError):
    """Not canonical base64; callers turn it into the error of their layer."""


def encode_unpadded(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False).rstrip(b"=")


def decode_unpadded(text: bytes) -> bytes:
    """Decode canonical unpadded base64; raise :class:`Base64Error` on anything else."""
    if len(text) % 4 == 1:
        raise Base64Error("base64 length is impossible")
    if not _ALPHABET.issuperset(text):
        raise Base64Error("character outside the base64 alphabet (or padding)")
    padded = text + b"=" * (-len(text) % 4)
    try:
        data = binascii.a2b_base64(padded, strict_mode=True)
    except binascii.Error as exc:
        raise Base64Error(str(exc)) from None
    if encode_unpadded(data) != text:
        raise Base64Error("non-canonical base64 (non-zero trailing bits)")
    return data


def decode_padded(text: bytes) -> bytes:
    """Decode canonical padded base64 (the armor); raise :class:`Base64Error` otherwise."""
    if len(text) % 4 != 0:
        raise Base64Error("padded base64 length must be a multiple of 4")
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error as exc:
        raise Base64Error(str(exc)) from None
    if binascii.b2a_base64(data, newline=False) != text:
        raise Base64Error("non-canonical base64")
    return data


def wrap_lines(encoded: bytes, *, columns: int) -> list[bytes]:
    """Split ``encoded`` in lines of ``columns``; the last is shorter, possibly empty."""
    lines = [encoded[i : i + columns] for i in range(0, len(encoded), columns)]
    if not lines or len(lines[-1]) == columns:
        lines.append(b"")
    return lines
