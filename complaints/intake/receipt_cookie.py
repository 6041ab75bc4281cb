"""The receipt of a report this browser filed, carried in a signed cookie, not a session row.

Filing a report used to create a database session for every resident, only to remember which
receipt this browser may open. The cookie remembers it instead: a short signed list of
``[reference, submission token]``, newest last. The token is the form's own random UUID, and
with the server's hash key it opens the receipt hold stored in the report's transaction
(``services.reports.receipt_hold``), so the receipt page shows the access code for the hold's
hour; after that the cookie still lets this browser see its report's status, as the session
did. Nothing is written for the browser after the report's commit (issue 16): the cookie
travels in the very answer that leads to the receipt.

The cookie is signed (not forgeable), HttpOnly and as ``Secure`` as the session cookie; it
holds no contact details and no access code.
"""

import uuid

from django.conf import settings
from django.core import signing

RECEIPT_COOKIE = "portal_receipts"
RECEIPT_COOKIE_SALT = "complaints.receipt-cookie"
RECEIPT_COOKIE_ENTRIES = 5  # the newest receipts this browser keeps


def receipt_cookie_entries(request) -> dict[str, uuid.UUID]:
    """reference -> submission token of the reports this browser filed (oldest first)."""
    value = request.COOKIES.get(RECEIPT_COOKIE)
    if not value:
        return {}
    try:
        entries = signing.loads(
            value, salt=RECEIPT_COOKIE_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except signing.BadSignature:
        return {}
    found = {}
    for entry in entries if isinstance(entries, list) else ():
        try:
            reference, token = entry
            found[str(reference)] = uuid.UUID(str(token))
        except (TypeError, ValueError):
            continue
    return found


def receipt_cookie_token(request, reference: str) -> uuid.UUID | None:
    """The submission token this browser filed ``reference`` with, if it did."""
    return receipt_cookie_entries(request).get(reference)


def receipt_cookie_set(request, response, *, reference: str, submission_token) -> None:
    """Add a report to the cookie of this answer (the newest few are kept)."""
    entries = receipt_cookie_entries(request)
    entries.pop(reference, None)
    entries[reference] = uuid.UUID(str(submission_token))
    kept = [[ref, token.hex] for ref, token in entries.items()][-RECEIPT_COOKIE_ENTRIES:]
    response.set_cookie(
        RECEIPT_COOKIE,
        signing.dumps(kept, salt=RECEIPT_COOKIE_SALT, compress=True),
        max_age=settings.SESSION_COOKIE_AGE,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE or None,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
