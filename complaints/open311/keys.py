"""Issuing and checking the API keys of partner channels; keys are stored as keyed hashes."""

import secrets

from django.utils import timezone

from complaints.models import ApiKey
from complaints.privacy.crypto import hashes_equal, keyed_hash

PREFIX_LENGTH = 8


def _hash(key: str) -> str:
    return keyed_hash(key, purpose="open311-api-key")


def api_key_issue(*, name: str, rate: str = "60/m") -> tuple[ApiKey, str]:
    """Create a key for the partner channel ``name``; returns the row and the clear key.

    The clear key exists only in this return value: show it once, it cannot be recovered.
    """
    api_key = ApiKey(name=name, rate=rate)
    key = api_key_assign(api_key=api_key)
    api_key.save()
    return api_key, key


def api_key_assign(*, api_key: ApiKey) -> str:
    """Give an unsaved or existing row a new secret (a new row, or rotation); returns it once."""
    while True:
        key = secrets.token_urlsafe(32)
        prefix = key[:PREFIX_LENGTH]
        if not ApiKey.objects.filter(prefix=prefix).exclude(pk=api_key.pk).exists():
            break
    api_key.prefix, api_key.key_hash = prefix, _hash(key)
    return key


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The active key row matching ``key``, or None (the same for unknown and wrong keys)."""
    if not key or len(key) < PREFIX_LENGTH or len(key) > 200:
        return None
    api_key = ApiKey.objects.filter(prefix=key[:PREFIX_LENGTH], is_active=True).first()
    expected = api_key.key_hash if api_key else "0" * 64
    if not hashes_equal(expected, _hash(key)) or api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        # Coarse on purpose: one write a minute per key, not one per request.
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
