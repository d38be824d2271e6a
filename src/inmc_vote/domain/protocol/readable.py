"""Crockford base32: what people copy by hand (tokens) and compare by eye (fingerprints).

No I, L, O or U; reading ignores case, spaces and hyphens, and takes O for 0 and
I or L for 1, the usual misreadings.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_VALUE |= {"O": 0, "I": 1, "L": 1}


def encode(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    n_chars = -(-len(data) * 8 // 5)
    bits <<= n_chars * 5 - len(data) * 8
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(n_chars)))


def decode(text: str, n_bytes: int) -> bytes:
    """Decode exactly `n_bytes`; ValueError for a wrong length or character."""
    chars = normalise(text)
    n_chars = -(-n_bytes * 8 // 5)
    if len(chars) != n_chars:
        raise ValueError(f"expected {n_chars} characters, got {len(chars)}")
    bits = 0
    for ch in chars:
        if ch not in _VALUE:
            raise ValueError(f"«{ch}» is not a token character")
        bits = bits << 5 | _VALUE[ch]
    spare = n_chars * 5 - n_bytes * 8
    if bits & ((1 << spare) - 1):
        raise ValueError("the last character is not possible")
    return (bits >> spare).to_bytes(n_bytes, "big")


_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise(text: str) -> str:
    """Upper case, separators dropped, misread letters taken for the digits they resemble."""
    return "".join(ch for ch in text.upper() if ch not in " -\t\n\r").translate(_MISREAD)


def grouped(text: str, size: int = 4) -> str:
    return "-".join(text[i : i + size] for i in range(0, len(text), size))
