"""No one-time code, token or API key reaches a log: request lines, SMS texts, any logger."""

import io
import logging

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from portal.redaction import REDACTED, RedactSecretsFilter, redact

CODE = "ABCD-EFGH-JKMN-PQRS"


def served(requestline: str) -> str:
    """What the development server writes for one request: its own log call, through the
    handlers our settings configure (their streams swapped for a buffer)."""
    buffer = io.StringIO()
    handlers = [
        h
        for h in logging.getLogger("django.server").handlers
        if isinstance(h, logging.StreamHandler)
        and any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING gives django.server no redacting handler"
    streams = [handler.setStream(buffer) for handler in handlers]
    try:
        handler = object.__new__(WSGIRequestHandler)
        handler.requestline = requestline
        handler.request_version = "HTTP/1.1"
        handler.client_address = ("127.0.0.1", 50000)
        handler.request = None
        handler.log_message('"%s" %s %s', requestline, "302", "0")
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"GET /track/BH-2026-000001/?code={CODE} HTTP/1.1", CODE),
        ("GET /open311/v2/requests.json?api_key=k3y-0f-a-partner&status=open HTTP/1.1", "k3y-0f"),
        (
            "GET /rate/Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA/ HTTP/1.1",
            "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA",
        ),
        ("GET /casefeed/media/eyJhIjoxfQ:1vQx2Z:abcdefghijklmnop HTTP/1.1", "eyJhIjoxfQ"),
    ],
)
def test_development_server_request_lines_are_redacted(line, secret):
    written = served(line)
    assert REDACTED in written
    assert secret not in written
    assert "GET /" in written  # the line itself is still logged


def test_a_reference_and_an_ordinary_path_stay_readable():
    line = "GET /track/BH-2026-000123/ and /static/css/site.4f9e2c1b7a3d.css?v=2"
    assert redact(line) == line


def test_filter_redacts_records_of_any_logger():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("callback with token=%s and code %s", "s3cr3t-t0ken", CODE)
    finally:
        logger.removeHandler(handler)
    assert "s3cr3t-t0ken" not in stream.getvalue() and CODE not in stream.getvalue()
    assert "token=[redacted]" in stream.getvalue()
