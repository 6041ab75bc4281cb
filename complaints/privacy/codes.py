"""Access codes (shown once to the resident) and contact normalisation for keyed hashes."""

import re
import secrets
import unicodedata

from complaints.privacy.crypto import keyed_hash

# No 0/O, 1/I/L: the code is read off a phone screen and typed again.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 16  # 31**16 ≈ 2**79


def access_code_generate() -> str:
    """A random access code formatted in groups of four, e.g. ``7K3M-Q9PX-...``."""
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


RECEIPT_CODE_LENGTH = 24  # 31**24 ≈ 2**119: an informant's only key to their report


def receipt_code_generate() -> str:
    """An informant's receipt code (GlobaLeaks-style: long, random, shown once, kept hashed)."""
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(RECEIPT_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_CODE_LENGTH, 4))


def typed_normalise(text: str) -> str:
    """Text as a resident may type it, reduced to upper-case ASCII letters and digits.

    NFKC first turns full-width forms (``ＢＨ－２０２６``) into ASCII; then every separator
    (spaces, any dash, dots) is dropped and letters are upper-cased.
    """
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


def access_code_normalise(code: str) -> str:
    return typed_normalise(code)


def access_code_hash(code: str) -> str:
    return keyed_hash(access_code_normalise(code), purpose="access-code")


def phone_normalise(phone: str) -> str:
    """Digits only, without the +86 / 0086 country prefix."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_hash(phone: str) -> str:
    return keyed_hash(phone_normalise(phone), purpose="phone")
