"""Open311 responses and errors in JSON and XML, shaped as GeoReport v2 specifies."""

import json
import re
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# GeoReport v2 names the element of each list after what it holds.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
    "service_request_updates": "request_update",
    "extended_attributes": "attribute",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3c(value: datetime | None) -> str:
    """ISO 8601 / W3C date-time with the offset, e.g. 2026-11-27T18:00:00+08:00."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return _XML_INVALID.sub("", str(value))


def _build(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    _fill(element, tag, value)


def _fill(element: ET.Element, tag: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _build(element, key, child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for child in value:
            _build(element, item_tag, child)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, root, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")


def _json_default(value):
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under the element ``root`` (lists get ITEM_TAGS children)."""
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False, default=_json_default).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error list: [{"code": 400, "description": "..."}] or <errors><error>."""
    return respond(
        fmt,
        "errors",
        [{"code": status, "description": str(d)} for d in descriptions],
        status=status,
    )
