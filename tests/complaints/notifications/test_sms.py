"""The logging SMS backend (the default without a gateway) never writes one-time links."""

import logging
import re

import pytest

from complaints.models import ReportState
from complaints.satisfaction.services import satisfaction_invite_send
from tests.support.factories import ReportFactory


@pytest.mark.django_db
def test_logging_sms_backend_never_writes_the_rating_link(reference_data, settings, caplog):
    settings.COMPLAINTS_SMS_BACKEND = "complaints.notifications.sms.LoggingSmsBackend"
    report = ReportFactory(
        state=ReportState.CLOSED,
        description="垃圾满溢。",
        contact_name="",
        contact_email="",
        contact_phone="13812345678",
    )
    with caplog.at_level(logging.INFO, logger="complaints.notifications.sms"):
        satisfaction_invite_send(report_id=report.pk)
    lines = [r.getMessage() for r in caplog.records if r.name == "complaints.notifications.sms"]
    assert lines, "the logging backend wrote nothing"
    text = "\n".join(lines)
    assert "/rate/[redacted]/" in text
    assert not re.search(r"/rate/[A-Za-z0-9_-]{20,}", text)
    assert "13812345678" not in text
