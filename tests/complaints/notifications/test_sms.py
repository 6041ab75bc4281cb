"""The logging SMS backend (the default without a gateway) never writes one-time links."""

import logging
import re
import uuid

import pytest

from complaints.intake.services.reports import report_submit
from complaints.models import ReportState
from complaints.satisfaction.services import satisfaction_invite_send
from tests.complaints.conftest import category
from tests.support.cases import put_in_state


@pytest.mark.django_db
def test_logging_sms_backend_never_writes_the_rating_link(reference_data, settings, caplog):
    settings.COMPLAINTS_SMS_BACKEND = "complaints.notifications.sms.LoggingSmsBackend"
    report = report_submit(
        submission_token=uuid.uuid4(),
        category=category("event", "0102"),
        description="垃圾满溢。",
        address="太湖大道 100 号",
        contact_phone="13812345678",
        consent_to_contact=True,
    ).report
    put_in_state(report, ReportState.CLOSED)
    with caplog.at_level(logging.INFO, logger="complaints.notifications.sms"):
        satisfaction_invite_send(report_id=report.pk)
    lines = [r.getMessage() for r in caplog.records if r.name == "complaints.notifications.sms"]
    assert lines, "the logging backend wrote nothing"
    text = "\n".join(lines)
    assert "/rate/[redacted]/" in text
    assert not re.search(r"/rate/[A-Za-z0-9_-]{20,}", text)
    assert "13812345678" not in text
