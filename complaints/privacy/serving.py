"""One way out for private files: the response every permission-checked photo view returns.

The view decides who may see the file; ``private_file_response`` only builds the response, in
one of three ways chosen by ``PORTAL_PRIVATE_MEDIA_ACCEL``:

- ``""`` (default): Django streams the file from the field's storage;
- ``"x-accel-redirect"``: an empty response whose ``X-Accel-Redirect`` header names the file
  under ``PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX``, an nginx ``internal`` location aliased to the
  private root (docs/deploy-media.md). Clients can never request that location themselves;
- ``"x-sendfile"``: an empty response whose ``X-Sendfile`` header holds the file's absolute
  path (Apache mod_xsendfile, lighttpd), which the server strips before answering.

No private path ever appears in a URL the client sees. The headers are the same in every mode.
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

ACCEL_STREAM = ""
ACCEL_NGINX = "x-accel-redirect"
ACCEL_SENDFILE = "x-sendfile"
ACCEL_MODES = (ACCEL_STREAM, ACCEL_NGINX, ACCEL_SENDFILE)


def _safe_name(name: str) -> str:
    """The storage name, refused (404) when it could step outside the storage's root."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name:
        raise Http404
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise Http404
    return name


def accel_redirect_uri(name: str) -> str:
    """The internal nginx URI of a private file: the prefix plus the storage-relative name."""
    prefix = "/" + settings.PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX.strip("/") + "/"
    return prefix + quote(_safe_name(name), safe="/")


def private_file_response(
    field_file,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    as_attachment: bool = False,
    cache_control: str = "private, no-store",
):
    """The response serving ``field_file`` (a FieldFile of a private FileField).

    Call it only after the permission check. Raises Http404 when the file is missing.
    """
    name = _safe_name(field_file.name or "")
    storage = field_file.storage
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    filename = filename or posixpath.basename(name)
    mode = settings.PORTAL_PRIVATE_MEDIA_ACCEL
    if mode == ACCEL_STREAM:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    else:
        if not storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if mode == ACCEL_NGINX:
            response["X-Accel-Redirect"] = accel_redirect_uri(name)
        elif mode == ACCEL_SENDFILE:
            response["X-Sendfile"] = storage.path(name)
        else:  # refused by the system check; never fall back to something unchecked
            raise ValueError(f"Unknown PORTAL_PRIVATE_MEDIA_ACCEL value {mode!r}.")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
