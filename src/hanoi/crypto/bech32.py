"""Bech32 (BIP 173) encoding, as age uses it for recipients and identities.

age lifts BIP 173's 90-character limit, so :func:`encode` and :func:`decode`
take no length limit beyond the caller's. Mixed case is refused, as BIP 173
requires.
"""

from __future__ import annotations

from hanoi.errors import InvalidInput

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_MAX_LENGTH = 4096


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, *, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    max_value = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & max_value)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & max_value)
    elif bits >= from_bits or (acc << (to_bits - bits)) & max_value:
        raise InvalidInput("bech32: non-zero padding in data")
    return out


def encode(hrp: str, data: bytes) -> str:
    """Encode ``data`` under the human-readable part ``hrp`` (returned lower case)."""
    hrp = hrp.lower()
    values = _convert_bits(data, 8, 5, pad=True)
    polymod = _polymod([*_expand_hrp(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[v] for v in values + checksum)


def decode(text: str) -> tuple[str, bytes]:
    """Return ``(hrp, data)``; the hrp is returned lower case."""
    if len(text) > _MAX_LENGTH:
        raise InvalidInput("bech32: string too long")
    if text.lower() != text and text.upper() != text:
        raise InvalidInput("bech32: mixed case")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text):
        raise InvalidInput("bech32: missing separator or checksum")
    hrp, rest = text[:separator], text[separator + 1 :]
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp):
        raise InvalidInput("bech32: invalid character in human-readable part")
    try:
        values = [_CHARSET.index(c) for c in rest]
    except ValueError:
        raise InvalidInput("bech32: invalid character in data part") from None
    if _polymod([*_expand_hrp(hrp), *values]) != 1:
        raise InvalidInput("bech32: bad checksum")
    return hrp, bytes(_convert_bits(values[:-6], 5, 8, pad=False))
