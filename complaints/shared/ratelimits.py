"""Who is asking (client IP behind our proxies) and how often they may, for django-ratelimit."""

import ipaddress

from django.conf import settings

from complaints.privacy.codes import phone_hash, phone_normalise
from complaints.privacy.crypto import keyed_hash


def client_ip(request) -> str:
    """The client address as seen by the outermost of our trusted proxies.

    With ``PORTAL_TRUSTED_PROXIES = n``, each of our n proxies appended the address it saw to
    X-Forwarded-For, so the client is the n-th entry from the right; anything further left was
    written by the client and cannot be trusted. With n = 0 the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - unix socket; a key, not a bind  # nosec B104
    trusted = settings.PORTAL_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    candidate = hops[-trusted] if len(hops) >= trusted else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def rate_submit_ip(group, request) -> str | None:
    return settings.COMPLAINTS_RATE_SUBMIT_IP or None


def rate_submit_phone(group, request) -> str | None:
    """Limit per phone number only when the POST names one (anonymous reports have none)."""
    if request.method != "POST" or len(phone_normalise(request.POST.get("contact_phone", ""))) < 7:
        return None
    return settings.COMPLAINTS_RATE_SUBMIT_PHONE or None


def key_phone(group, request) -> str:
    return phone_hash(request.POST.get("contact_phone", ""))


def rate_track_ip(group, request) -> str | None:
    return settings.COMPLAINTS_RATE_TRACK_IP or None


def key_informant_ip(group, request) -> str:
    """Informants' rate limits count per keyed hash of the address, never the address itself.

    The counter (and so the hash) lives in the cache only for the rate's period; nothing about
    an informant's address is written to the database or the logs.
    """
    return keyed_hash(client_ip(request), purpose="informant-rate")


def rate_informant_ip(group, request) -> str | None:
    return settings.COMPLAINTS_RATE_INFORMANT_IP or None


def rate_informant_lookup_ip(group, request) -> str | None:
    return settings.COMPLAINTS_RATE_INFORMANT_LOOKUP_IP or None
