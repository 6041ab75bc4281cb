"""What one report submission costs, pinned through the resident's path (HTTP POST).

Upper bounds equal to what the intake reaches today: a change that adds a query or a
background task to every submission fails here first (docs/performance.md, "Submission and
drain").
"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from modelsearch.index import get_indexed_models
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from complaints.intake.services.reports import reference_next
from complaints.models import CaseEvent, Report
from complaints.notifications.sms import MemorySmsBackend
from complaints.notifications.tasks import case_event_notify
from tests.complaints.conftest import form_data

pytestmark = pytest.mark.django_db

# Statements of one submission by a browser that has no session, savepoints under the test's
# transaction included: 20 (the form's look-ups, the report's transaction, the receipt hold).
# On the same tree before issue 17 it took 30: three for the reference counter, a second
# look-up of the submission token, a search-index task row and six for the browser's new
# session row (see docs/performance.md, "Submission and drain"). The indicators' daily and
# monthly rollups add three (one upsert each and the report's footprint; indicators/rollups.py).
MAX_QUERIES = 23
NOTIFY_TASK = "complaints.notifications.tasks.case_event_notify"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    # The production queue: django-tasks-db writes the task row in the report's transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def submit(report_url, browser=None, **overrides):
    """A new resident's browser posts a complete form; returns (response, queries)."""
    browser = browser or Client()
    with CaptureQueriesContext(connection) as queries:
        response = browser.post(report_url, form_data(confirm_new="1", **overrides))
    assert response.status_code == 302, response.content[:2000]
    return response, queries


def test_a_submission_stays_within_its_query_budget(site, reference_data, report_url):
    submit(report_url)  # the year's reference counter row and first-use caches
    _response, queries = submit(report_url)
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= MAX_QUERIES, "\n".join(statements)
    counter = [s for s in statements if "complaints_referencecounter" in s]
    assert len(counter) == 1 and counter[0].startswith("UPDATE")
    # The report is not in Wagtail's search index: no index rows, no index task.
    assert not [s for s in statements if "modelsearch" in s.lower()]


def test_a_submission_queues_one_background_task(site, reference_data, report_url):
    DBTaskResult.objects.all().delete()
    submit(report_url)
    report = Report.objects.get()
    event = CaseEvent.objects.get(report=report, kind=CaseEvent.Kind.SUBMITTED)
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        (NOTIFY_TASK, {"args": [event.pk], "kwargs": {}})
    ]


def test_the_acknowledgement_is_sent_by_that_one_task(site, reference_data, report_url):
    submit(report_url, contact_email="")
    [task] = DBTaskResult.objects.filter(task_path=NOTIFY_TASK)
    DBTaskResult.objects.all().delete()
    assert case_event_notify.call(*task.args_kwargs["args"]) == 1
    report = Report.objects.get()
    assert [m["phone"] for m in MemorySmsBackend.outbox] == ["13812345678"]
    assert report.reference in MemorySmsBackend.outbox[0]["text"]
    assert not DBTaskResult.objects.exists()  # sent in the task, no second task per message


def test_report_is_not_search_indexed():
    assert Report not in get_indexed_models()


def test_the_reference_counter_is_one_statement(db):
    first = reference_next(year=2031)  # the year's first number also creates its row
    with CaptureQueriesContext(connection) as queries:
        second = reference_next(year=2031)
        third = reference_next(year=2031)
    assert (first, second, third) == ("BH-2031-000001", "BH-2031-000002", "BH-2031-000003")
    assert len(queries) == 2
    assert all(q["sql"].startswith("UPDATE") and "RETURNING" in q["sql"] for q in queries)


def test_the_migration_drops_the_index_rows_of_reports_filed_before(
    site, home, reference_data, report_url
):
    """Rows indexed while Report was in the search index go; the pages' rows stay."""
    migration = importlib.import_module(
        "complaints.migrations.0012_report_search_index_entries_removed"
    )
    get_search_backend().add(home)
    page_entry = IndexEntry.objects.get(object_id=str(home.pk))
    submit(report_url)
    report = Report.objects.get()
    stale = IndexEntry.objects.get(pk=page_entry.pk)
    stale.pk = None
    stale.content_type = ContentType.objects.get_for_model(Report)
    stale.object_id = str(report.pk)
    stale.save()

    migration.index_entries_delete(django_apps, SimpleNamespace(connection=connection))

    assert list(IndexEntry.objects.values_list("pk", flat=True)) == [page_entry.pk]
    assert home.pk in [p.pk for p in Page.objects.search(home.title)]  # pages still found
