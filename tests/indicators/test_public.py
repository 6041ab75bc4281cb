"""The public performance page and the home page's live figures, through HTTP as a visitor
sees them: known figures, nothing from fewer than 5 reports, the home page agreeing with the
page, the page cache, and a query count that does not grow with the reports."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Town
from complaints.performance.selectors import public_performance
from indicators.periods import Period, PeriodKind
from indicators.selectors import indicator_table
from portal import page_cache
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import case, copies, rate

pytestmark = pytest.mark.django_db

URL = "/performance/"


@pytest.fixture
def towns(reference_data):  # noqa: F811
    first, second = Town.objects.order_by("code")[:2]
    return first, second


def _today(hour: str) -> str:
    return f"{timezone.localdate():%Y-%m-%d} {hour}"


def closed_case(town, *, on_time=True, rating="satisfied"):
    report = case(
        created=_today("08:00"),
        state="closed",
        town=town,
        registered=_today("08:10"),
        dispatched=_today("08:30"),
        deadline=_today("17:00"),
        closed=_today("09:00"),
        on_time=on_time,
    )
    if rating:
        rate(report, rating, when=_today("09:30"))
    return report


@pytest.fixture
def figures(towns):
    """Town 1: six closed cases, five on time, five satisfied and one not. Town 2: two."""
    first, second = towns
    for number in range(6):
        closed_case(
            first,
            on_time=number < 5,
            rating="satisfied" if number < 5 else "dissatisfied",
        )
    for _number in range(2):
        closed_case(second)
    return first, second


def cells(page: str, town: str) -> list[str]:
    """The four figures of a town's row (or "district"), as a visitor reads them."""
    start = page.index(f'data-town="{town}"')
    row = page[start : page.index("</tr>", start)]
    row = re.sub(r'<span class="reports-table__label">.*?</span>', "", row)
    row = re.sub(r'<span class="visually-hidden">.*?</span>', "", row)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]


def test_the_page_shows_each_towns_figures_and_withholds_small_numbers(client, figures):
    first, second = figures
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert cells(page, first.name) == ["6", "6", "83.3%", "83.3%"]
    # Two reports only: every figure of the second town is withheld, with the reason given.
    assert cells(page, second.name) == ["—", "—", "—", "—"]
    assert 'id="withheld-rule"' in page
    # The district: eight reports, seven of eight on time, seven of eight satisfied.
    assert cells(page, "district") == ["8", "8", "87.5%", "87.5%"]


def test_figures_equal_the_staff_indicators_for_the_same_month_and_year(figures):
    first, _second = figures
    public = public_performance(use_cache=False)
    today = timezone.localdate()
    for kind, attribute in ((PeriodKind.MONTH, "month"), (PeriodKind.YEAR, "year")):
        table = indicator_table(dimension="town", period=Period.containing(kind, today))
        staff = next(row for row in table.rows if row.key == first.pk)
        mine = getattr(next(row for row in public.towns if row.town_id == first.pk), attribute)
        assert mine.received_count == staff.received
        assert mine.closed_count == staff.closures
        assert mine.on_time_rate == pytest.approx(staff.on_time_rate)
        assert mine.satisfaction_rate == pytest.approx(staff.satisfaction_rate)
        assert getattr(public.district, attribute).received_count == table.total.received


def test_the_home_page_shows_the_same_figures_and_links_to_the_page(client, home, figures):
    page = client.get("/").content.decode()
    assert reverse("indicators:performance") in page
    assert "87.5%" in page  # this year's on-time closure rate of the district
    performance = client.get(URL).content.decode()
    year = performance[performance.index('id="perf-year-heading"') :]
    for value in ("87.5%",):
        assert value in year


def test_the_home_page_leaves_out_what_the_page_withholds(client, home, towns):
    closed_case(towns[0])
    page = client.get("/").content.decode()
    assert "100.0%" not in page
    assert reverse("indicators:performance") in page  # the link stays


def test_the_page_is_in_english_under_en(client, figures):
    response = client.get("/en/performance/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "How we perform" in page
    assert 'lang="en"' in page


def test_charts_carry_a_table_for_screen_readers_and_leave_out_withheld_towns(client, figures):
    first, second = figures
    page = client.get(URL, {"period": "month"}).content.decode()
    charts = page[page.index('id="perf-charts-heading"') :]
    assert charts.count("<svg") == 3
    assert charts.count('class="visually-hidden"') >= 3
    assert f'<th scope="row">{first.name}</th>' in charts
    assert f'<th scope="row">{second.name}</th>' not in charts


def test_a_second_anonymous_visit_comes_from_the_page_cache(client, figures):
    first = client.get(URL)
    assert first[page_cache.STATUS_HEADER] == "miss"
    assert "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL)
    assert second[page_cache.STATUS_HEADER] == "hit"
    assert len(queries) == 0
    assert second.content == first.content


def test_the_query_count_does_not_grow_with_the_reports(client, towns, settings):
    settings.PORTAL_PAGE_CACHE = False
    report = closed_case(towns[0])

    def count() -> int:
        cache.clear()  # the figures' own cache too
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    copies(report, 9)
    count()  # the first request of a test warms caches of its own (site, content types)
    few = count()
    copies(report, 190)
    assert count() == few


def test_the_home_page_query_count_does_not_grow_with_the_reports(client, home, towns, settings):
    settings.PORTAL_PAGE_CACHE = False
    report = closed_case(towns[0])

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    copies(report, 9)
    count()  # the first request of a test warms caches of its own (site, content types)
    few = count()
    copies(report, 190)
    assert count() == few
