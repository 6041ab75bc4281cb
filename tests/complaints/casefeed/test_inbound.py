"""Inbound status callbacks: verified, stored, applied once; every bad request refused."""

import json
import time

import pytest
from django.utils import translation

from complaints.casefeed.signing import signed_headers
from complaints.models import CaseEvent, InboundUpdate, ReportState
from tests.complaints.casefeed.conftest import SECRET

pytestmark = pytest.mark.django_db


def in_english(error: str) -> str:
    """The English text of a (translated) error, to check its words whatever the language."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation(translation.get_language())._catalog
    for msgid, msgstr in catalog.items():
        if msgstr == error and isinstance(msgid, str):
            return msgid
    return error


URL = "/casefeed/district/updates"


def callback(client, body, *, secret=SECRET, now=None, url=URL, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signed = headers if headers is not None else signed_headers(secret=secret, body=raw, now=now)
    return client.post(url, raw, content_type="application/json", headers=signed)


def update(delivery, **overrides):
    body = {
        "idempotency_key": "upd-1",
        "case_id": delivery.external_id,
        "status": "IN_PROGRESS",
        "updated_at": "2026-11-27T10:00:00+08:00",
        "note": "已派遣环卫所",
    }
    body.update(overrides)
    return body


def timeline_notes(delivery):
    return list(
        CaseEvent.objects.filter(report=delivery.report_id, kind="note").values_list(
            "note", flat=True
        )
    )


def test_valid_callback_applies_once_and_shows_on_the_timeline(client, delivered):
    response = callback(client, update(delivered))
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "applied"}
    delivered.refresh_from_db()
    assert delivered.external_status == "IN_PROGRESS"
    # IN_PROGRESS moved the registered report on, with their note on the public timeline.
    assert delivered.report.state == ReportState.DISPATCHED
    [event] = CaseEvent.objects.filter(report=delivered.report_id, to_state="dispatched")
    assert "已派遣环卫所" in event.note and event.is_public and event.actor is None
    row = InboundUpdate.objects.get()
    assert row.verified and json.loads(row.raw)["status"] == "IN_PROGRESS"

    events = CaseEvent.objects.count()
    replay = callback(client, update(delivered))
    assert replay.status_code == 409 and "replay" in in_english(replay.json()["error"])
    assert InboundUpdate.objects.count() == 1 and CaseEvent.objects.count() == events


def test_out_of_order_update_is_stored_but_changes_nothing(client, delivered):
    callback(client, update(delivered, status="FIXED", updated_at="2026-11-27T12:00:00+08:00"))
    events = CaseEvent.objects.count()
    older = callback(client, update(delivered, idempotency_key="upd-0"))
    assert older.status_code == 200 and older.json() == {"result": "stale"}
    delivered.refresh_from_db()
    assert delivered.external_status == "FIXED"
    assert delivered.report.state == ReportState.CLOSED
    assert CaseEvent.objects.count() == events


def test_by_reference_too(client, delivered):
    body = update(delivered, case_id=None, reference=delivered.report.reference)
    del body["case_id"]
    assert callback(client, body).status_code == 200


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda d: {"body": update(d), "secret": "wrong"}, 401, "signature"),
        (lambda d: {"body": update(d), "now": time.time() - 3600}, 401, "window"),
        (lambda d: {"body": update(d), "now": time.time() + 3600}, 401, "window"),
        (lambda d: {"body": update(d), "headers": {}}, 401, "missing"),
        (
            lambda d: {
                "body": update(d),
                "headers": {"X-Casefeed-Timestamp": "abc", "X-Casefeed-Signature": "sha256=0"},
            },
            401,
            "number",
        ),
        (lambda d: {"body": update(d, case_id="CS-999")}, 404, "No delivered case"),
        (lambda d: {"body": update(d), "url": "/casefeed/nobody/updates"}, 404, "case system"),
        (lambda d: {"body": b"{not json"}, 400, "JSON"),
        (lambda d: {"body": b"[1, 2]"}, 400, "object"),
        (lambda d: {"body": update(d, status="")}, 400, "status"),
        (lambda d: {"body": update(d, updated_at="yesterday")}, 400, "updated_at"),
        (lambda d: {"body": update(d, updated_at="2026-11-27T10:00:00")}, 400, "updated_at"),
        (lambda d: {"body": update(d, note=["x"])}, 400, "note"),
        (
            lambda d: {"body": {k: v for k, v in update(d).items() if k != "case_id"}},
            400,
            "case_id",
        ),
    ],
)
def test_bad_callbacks_are_refused_and_change_nothing(client, delivered, make, status, words):
    response = callback(client, **make(delivered))
    assert response.status_code == status, response.content
    assert words in in_english(response.json()["error"])
    assert not InboundUpdate.objects.exists()
    delivered.refresh_from_db()
    assert delivered.external_status == ""
    assert timeline_notes(delivered) == []


def test_get_is_not_allowed(client, delivered):
    assert client.get(URL).status_code == 405
