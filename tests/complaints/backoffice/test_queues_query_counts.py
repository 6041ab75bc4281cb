"""The staff screens cost the same number of queries with 5 reports or with 50 (issue 17), the
menu counts are right (and stop at a cap), and no screen counts a whole queue."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.backoffice import queues as admin_queues
from complaints.cases import selectors as queue_selectors
from complaints.models import CaseEvent, Report, ReportState

# role fixture → the screens it works with.
SCREENS = {
    "intake": ["cases-triage:index", "cases-overdue:index", "cases-all:index", "home"],
    "handler": ["cases-department:index", "cases-overdue:index", "cases-all:index", "home"],
    "supervisor": [
        "cases-triage:index",
        "cases-verification:index",
        "cases-overdue:index",
        "cases-reopen:index",
        "cases-all:index",
        "home",
        "case",
    ],
}


def url_of(name: str, case: Report) -> str:
    if name == "home":
        return reverse("wagtailadmin_home")
    if name == "case":
        return reverse("complaints_case", args=[case.pk])
    return reverse(name)


def some_of_each(report_in) -> Report:
    """A report in each queue of every role (one overdue); returns the dispatched one."""
    report_in(ReportState.RECEIVED)
    report_in(ReportState.HANDLED)
    report_in(ReportState.REOPEN_REQUESTED)
    late = report_in(ReportState.DISPATCHED)
    Report.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=2))
    return report_in(ReportState.DISPATCHED)


def queries_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured]


def report_counts(sqls: list[str]) -> list[str]:
    return [s for s in sqls if "COUNT(" in s.upper() and "complaints_report" in s]


@pytest.mark.parametrize("role", list(SCREENS))
def test_query_counts_do_not_grow_with_reports(role, request, client, report_in):
    user = request.getfixturevalue(role)
    case = some_of_each(report_in)
    client.force_login(user)
    urls = [url_of(name, case) for name in SCREENS[role]]
    for url in urls:
        client.get(url)  # warm-up: per-process caches (content types, site, permissions)
    few = {url: len(queries_of(client, url)) for url in urls}

    for _ in range(3):
        some_of_each(report_in)
    call_command("seed_volume", reports=40, force=True, stdout=StringIO())
    # The case page: a longer timeline must not cost more queries either.
    for number in range(10):
        CaseEvent.objects.create(report=case, kind=CaseEvent.Kind.NOTE, note=f"记录 {number}")
    assert Report.objects.count() > 50

    many = {url: len(queries_of(client, url)) for url in urls}
    assert many == few


@pytest.mark.parametrize("role", list(SCREENS))
def test_no_screen_counts_a_whole_queue(role, request, client, report_in):
    """Every COUNT over reports stops at a LIMIT (menu counts and listing paginators)."""
    user = request.getfixturevalue(role)
    case = some_of_each(report_in)
    client.force_login(user)
    for name in SCREENS[role]:
        counts = report_counts(queries_of(client, url_of(name, case)))
        assert counts, name  # the menu counts the role's queues
        assert all(re.search(r"\bLIMIT \d+", sql) for sql in counts), (name, counts)


def menu_count(page: str, label: str) -> str:
    """The count after ``label`` in the sidebar (its props are JSON, non-ASCII escaped)."""
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S)
    assert props, "no sidebar"
    text = json.dumps(json.loads(props.group(1)), ensure_ascii=False)
    match = re.search(re.escape(label) + r" \(([0-9+]+)\)", text)
    assert match, label
    return match.group(1)


def test_menu_counts_are_right(intake, handler, supervisor, client, report_in):
    some_of_each(report_in)
    report_in(ReportState.REGISTERED)
    client.force_login(intake)
    page = client.get(reverse("wagtailadmin_home")).text
    assert menu_count(page, str(queue_selectors.QUEUES["triage"][0])) == "2"
    assert menu_count(page, str(queue_selectors.QUEUES["overdue"][0])) == "1"
    assert menu_count(page, str(queue_selectors.QUEUES["all"][0])) == "6"

    client.force_login(handler)  # sanitation: the two dispatched reports are theirs
    page = client.get(reverse("wagtailadmin_home")).text
    assert menu_count(page, str(queue_selectors.QUEUES["department"][0])) == "2"

    client.force_login(supervisor)
    page = client.get(reverse("wagtailadmin_home")).text
    assert menu_count(page, str(queue_selectors.QUEUES["verification"][0])) == "1"
    assert menu_count(page, str(queue_selectors.QUEUES["reopen"][0])) == "1"


def test_menu_counts_stop_at_the_cap(intake, client, report_in, monkeypatch):
    for _ in range(3):
        report_in(ReportState.RECEIVED)
    monkeypatch.setattr(queue_selectors, "QUEUE_COUNT_CAP", 2)
    client.force_login(intake)
    page = client.get(reverse("wagtailadmin_home")).text
    assert menu_count(page, str(queue_selectors.QUEUES["triage"][0])) == "2+"
    monkeypatch.setattr(queue_selectors, "QUEUE_COUNT_CAP", 3)
    page = client.get(reverse("wagtailadmin_home")).text
    assert menu_count(page, str(queue_selectors.QUEUES["triage"][0])) == "3"


def test_listing_count_stops_at_the_cap_and_pages_still_work(
    supervisor, client, report_in, monkeypatch
):
    made = [report_in(ReportState.RECEIVED) for _ in range(4)]
    monkeypatch.setattr(admin_queues, "LISTING_COUNT_CAP", 3)
    monkeypatch.setattr(admin_queues.CaseQueueIndexView, "get_paginate_by", lambda self, qs: 2)
    client.force_login(supervisor)
    url = reverse("cases-all:index")
    first = client.get(url).text
    assert "3+" in first
    # Newest first, two a page: the two newest on page 1, the next two on page 2.
    newest = [r.reference for r in reversed(made)]
    assert all(ref in first for ref in newest[:2]) and newest[2] not in first
    second = client.get(url, {"p": 2}).text
    assert newest[2] in second and newest[0] not in second


def test_all_cases_newest_first_role_queues_by_deadline(supervisor, client, report_in):
    older = report_in(ReportState.DISPATCHED)
    newer = report_in(ReportState.DISPATCHED)
    # The older case has the later deadline.
    Report.objects.filter(pk=older.pk).update(deadline=timezone.now() + timedelta(days=5))
    client.force_login(supervisor)
    everything = client.get(reverse("cases-all:index")).text
    assert everything.index(newer.reference) < everything.index(older.reference)
    assert reverse("complaints_case", args=[newer.pk]) in everything
    overdue_or_not = client.get(reverse("cases-all:index"), {"ordering": "deadline"}).text
    assert overdue_or_not.index(newer.reference) < overdue_or_not.index(older.reference)
    Report.objects.filter(pk=older.pk).update(deadline=timezone.now() - timedelta(days=1))
    by_deadline = client.get(reverse("cases-overdue:index")).text
    assert older.reference in by_deadline and newer.reference not in by_deadline
    filtered = client.get(reverse("cases-all:index"), {"state": ReportState.RECEIVED}).text
    assert older.reference not in filtered and newer.reference not in filtered
