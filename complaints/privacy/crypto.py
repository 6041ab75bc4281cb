"""Encryption of personal data at rest and keyed hashes for lookups without decryption.

Fernet (AES-128-CBC + HMAC-SHA256, authenticated) through MultiFernet: the first key of
``settings.FIELD_ENCRYPTION_KEYS`` encrypts, every key decrypts, so keys can be rotated by
prepending a new one (and re-encrypting at leisure with ``MultiFernet.rotate``).
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


def _multifernet() -> MultiFernet:
    # Built per call: cheap, and it follows settings overrides in tests.
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt_text(value: str) -> str:
    return _multifernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _multifernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("No configured key decrypts this value.") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under the hash key, separated by ``purpose``; hex digest."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def hashes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
