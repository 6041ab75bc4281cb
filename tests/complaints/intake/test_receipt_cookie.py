"""The receipt travels in a signed cookie: filing a report writes no session row (issue 17).

The receipt and the report's status open for the browser that filed it, the access code for
the hold's hour, and for no other browser or altered cookie (complaints/intake/receipt_cookie.py).
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from complaints.intake.receipt_cookie import RECEIPT_COOKIE
from complaints.models import Report
from complaints.privacy.codes import access_code_hash
from tests.complaints.intake.test_views_submission_cost import submit

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_submission_writes_no_session_row(site, reference_data, report_url):
    response, queries = submit(report_url)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    cookie = response.cookies[RECEIPT_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert Session.objects.count() == 1  # the receipt hold for a retry, nothing per browser
    report = Report.objects.get()
    assert report.reference not in cookie.value  # signed and base64-encoded, not plain text
    session_statements = [
        q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]
    ]
    assert len(session_statements) == 1 and session_statements[0].startswith("INSERT")  # the hold


def test_the_receipt_cookie_opens_the_receipt_and_status_for_this_browser_only(
    site, reference_data, report_url
):
    browser = Client()
    response, _queries = submit(report_url, browser=browser)
    report = Report.objects.get()
    receipt = browser.get(response["Location"])
    match = CODE_RE.search(receipt.content.decode())
    assert match and access_code_hash(match[1]) == report.access_code_hash
    assert browser.get(report.get_absolute_url()).status_code == 200
    # Another browser, or this cookie altered, opens neither.
    assert Client().get(response["Location"]).status_code == 404
    forged = Client()
    forged.cookies[RECEIPT_COOKIE] = browser.cookies[RECEIPT_COOKIE].value[:-2] + "xx"
    assert forged.get(response["Location"]).status_code == 404
    assert forged.get(report.get_absolute_url()).status_code == 302  # to the tracking form
    # A second report filed in the same browser: both receipts stay open to it.
    second, _queries = submit(report_url, browser=browser)
    assert browser.get(response["Location"]).status_code == 200
    assert browser.get(second["Location"]).status_code == 200


def test_the_code_leaves_the_receipt_when_the_hold_ends(site, reference_data, report_url):
    browser = Client()
    response, _queries = submit(report_url, browser=browser)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    receipt = browser.get(response["Location"])
    assert receipt.status_code == 200
    assert Report.objects.get().reference in receipt.content.decode()
    assert not CODE_RE.search(receipt.content.decode())
