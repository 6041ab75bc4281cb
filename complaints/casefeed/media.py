"""Signed, expiring links to a report's photos, for case systems that fetch ``media_url``s."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from complaints.models import Attachment

SALT = "complaints.casefeed.media"


def media_url_for(attachment: Attachment) -> str:
    token = signing.TimestampSigner(salt=SALT).sign(str(attachment.pk))
    path = reverse("casefeed:media", kwargs={"token": token})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def attachment_for_token(token: str) -> Attachment | None:
    """The attachment a link names, or None when it is forged or has expired."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.CASEFEED_MEDIA_LINK_SECONDS
        )
    except signing.BadSignature:
        return None
    return Attachment.objects.filter(pk=int(pk)).first()
