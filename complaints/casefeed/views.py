"""Inbound endpoints of the feed: status callbacks and the signed photo links."""

import json

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from complaints.casefeed.inbound import CallbackRefused, callback_receive
from complaints.casefeed.media import attachment_for_token
from complaints.casefeed.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from complaints.privacy.serving import private_file_response

MAX_BODY = 256 * 1024


def _json(status: int, **body) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


@csrf_exempt
@never_cache
@require_POST
def callback(request, slug):
    """A signed status update pushed by a case system (docs/casefeed.md)."""
    if len(request.body) > MAX_BODY:
        return _json(413, error="The body is too large.")
    try:
        row = callback_receive(
            slug=slug,
            timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            body=request.body,
        )
    except CallbackRefused as exc:
        return _json(exc.status, error=exc.message)
    return _json(200, result=row.outcome)


@never_cache
@require_GET
def media(request, token):
    attachment = attachment_for_token(token)
    if attachment is None:
        raise Http404
    return private_file_response(attachment.image, content_type="image/jpeg")
