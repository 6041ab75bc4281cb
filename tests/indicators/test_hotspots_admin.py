"""The hot spots screens through HTTP: who may see them, what they list, the cases behind a hot
spot, attaching one to a campaign and the campaign page's live count, self-counting targets."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cms import live_figures
from cms.models import Target, TargetsPage
from indicators.models import HotSpotCampaign
from portal import roles
from tests.cms.builders import campaign, campaign_index
from tests.complaints.conftest import category as taxonomy_category
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.conftest import publish
from tests.indicators.builders import copies
from tests.indicators.hotspot_builders import apart, cells, chain, spot_case

pytestmark = pytest.mark.django_db

LIST = reverse("indicators_hotspots")


def moment(days_ago: int, hour: int = 9) -> str:
    """A local "YYYY-MM-DD HH:MM" some days before today (the screens detect as of today)."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return f"{day:%Y-%m-%d} {hour:02d}:00"


@pytest.fixture
def hot(reference_data):  # noqa: F811
    """A cell with three open cases of 暴露垃圾 in the last days: a hot spot."""
    (cell,) = cells(1)
    reports = [spot_case(cell, created=moment(days)) for days in (3, 2, 1)]
    return cell, reports


def detail_url(cell, report):
    return reverse("indicators_hotspot", args=[cell.pk, report.category_id])


@pytest.mark.parametrize(
    "role, allowed",
    [
        (roles.SUPERVISOR, True),
        (roles.AUDITOR, True),
        (None, True),  # superuser
        (roles.PUBLICITY_EDITOR, False),
        (roles.INTAKE_OPERATOR, False),
        (roles.DEPARTMENT_HANDLER, False),
    ],
)
def test_only_the_statistics_roles_see_hot_spots(client, make_staff, hot, role, allowed):
    cell, reports = hot
    client.force_login(make_staff(role))
    for url in (LIST, detail_url(cell, reports[0])):
        response = client.get(url)
        if allowed:
            assert response.status_code == 200
            assert reports[0].reference in client.get(detail_url(cell, reports[0])).content.decode()
        else:
            # Wagtail's answer to PermissionDenied in the admin: back to the dashboard.
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_the_list_shows_the_hot_spot_with_counts_trend_and_map(client, make_staff, hot):
    cell, reports = hot
    client.force_login(make_staff(roles.SUPERVISOR))
    page = client.get(LIST).content.decode()
    assert cell.name in page and cell.code in page
    assert cell.community.town.name in page
    assert reports[0].category.name in page
    assert "hotspots-sparkline" in page and "<polyline" in page
    map_data = page.split('<script id="hotspots-map-data"')[1].split("</script>")[0]
    assert detail_url(cell, reports[0]) in map_data and '"count": 3' in map_data
    # A town with none of them: the list is empty.
    other_town = (
        type(cell.community.town)
        .objects.exclude(pk=cell.community.town_id)
        .order_by("code")
        .first()
    )
    narrowed = client.get(LIST, {"town": other_town.pk}).content.decode()
    assert detail_url(cell, reports[0]) not in narrowed


def test_the_list_marks_recurring_hot_spots(client, make_staff, reference_data):  # noqa: F811
    (cell,) = cells(1)
    spot_case(cell, created=moment(20), closed=moment(19))
    spot_case(cell, created=moment(10), closed=moment(9))
    back = spot_case(cell, created=moment(2))
    client.force_login(make_staff(roles.SUPERVISOR))
    page = client.get(LIST, {"recurring": "on"}).content.decode()
    assert "hotspots-tag--recurring" in page
    assert detail_url(cell, back) in page
    detail = client.get(detail_url(cell, back)).content.decode()
    assert "hotspots-tag--recurring" in detail
    assert moment(9)[:10] in detail  # fixed again since, on this day


def test_the_detail_lists_the_cases_behind_it_with_links(client, make_staff, hot):
    cell, reports = hot
    client.force_login(make_staff(roles.SUPERVISOR))
    page = client.get(detail_url(cell, reports[0])).content.decode()
    for report in reports:
        assert report.reference in page
        assert reverse("complaints_case", args=[report.pk]) in page
    assert client.get(reverse("indicators_hotspot", args=[999999, 1])).status_code == 404


def test_the_list_costs_the_same_queries_for_10_and_200_reports(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(roles.SUPERVISOR))
    first, second, third = cells(3)

    def queries() -> int:
        client.get(LIST)  # warm the session and the permission caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    for cell in (first, second):
        copies(spot_case(cell, created=moment(2)), 4)
    small = queries()
    for cell in (first, second, third):
        copies(spot_case(cell, created=moment(3), closed=moment(2)), 62)
    from complaints.models import Report

    assert Report.objects.count() == 10 + 3 * 63
    assert queries() == small


# --- campaigns ------------------------------------------------------------------------------


@pytest.fixture
def campaign_page(home, reference_data):  # noqa: F811
    start = timezone.localdate() - datetime.timedelta(days=30)
    return campaign(campaign_index(home), start=start, hot_spot_target=2)


def test_a_supervisor_attaches_a_hot_spot_and_the_campaign_page_counts_it(
    client, make_staff, hot, campaign_page
):
    cell, reports = hot
    supervisor = make_staff(roles.SUPERVISOR)
    client.force_login(supervisor)
    detail = client.get(detail_url(cell, reports[0])).content.decode()
    assert campaign_page.title in detail  # offered in the campaign choice
    response = client.post(
        reverse("indicators_hotspot_attach", args=[cell.pk, reports[0].category_id]),
        {"campaign": campaign_page.pk},
    )
    assert response.status_code == 302
    link = HotSpotCampaign.objects.get()
    assert (link.campaign_id, link.grid_cell_id, link.attached_by) == (
        campaign_page.pk,
        cell.pk,
        supervisor,
    )
    assert campaign_page.title in client.get(LIST).content.decode()

    client.logout()
    page = client.get(campaign_page.url).content.decode()
    # Three open cases: attached, not fixed.
    assert 'id="campaign-hot-spots"' in page and 'value="0"' in page
    assert campaign_page.hot_spot_progress() == {
        "attached": 1,
        "fixed": 0,
        "target": 2,
        "percent": 0,
        "done": False,
    }

    # The cases are closed: the hot spot counts as fixed, on the page at once (purged copy).
    from complaints.models import Report

    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        state="closed", closed_at=timezone.now()
    )
    assert campaign_page.hot_spot_progress()["fixed"] == 1
    client.post(
        reverse("indicators_hotspot_detach", args=[link.pk])
    )  # anonymous: refused, nothing removed
    assert HotSpotCampaign.objects.count() == 1


def test_a_hot_spot_that_comes_back_during_the_campaign_does_not_count(
    client,
    campaign_page,
):
    (cell,) = cells(1)
    first = spot_case(cell, created=moment(20), closed=moment(19))
    spot_case(cell, created=moment(10), closed=moment(9))  # back within 8 weeks of the fix
    HotSpotCampaign.objects.create(campaign=campaign_page, grid_cell=cell, category=first.category)
    progress = campaign_page.hot_spot_progress()
    assert (progress["attached"], progress["fixed"]) == (1, 0)


def test_roles_without_the_permission_cannot_attach(client, make_staff, hot, campaign_page):
    cell, reports = hot
    url = reverse("indicators_hotspot_attach", args=[cell.pk, reports[0].category_id])
    client.force_login(make_staff(roles.AUDITOR))  # sees hot spots, attaches nothing
    assert url not in client.get(detail_url(cell, reports[0])).content.decode()
    client.post(url, {"campaign": campaign_page.pk})
    client.force_login(make_staff(roles.PUBLICITY_EDITOR))
    client.post(url, {"campaign": campaign_page.pk})
    assert not HotSpotCampaign.objects.exists()


def test_the_campaign_page_shows_the_live_count_against_its_target(
    client,
    campaign_page,
):
    fixed_cell, open_cell = cells(2)
    fixed = spot_case(fixed_cell, created=moment(5), closed=moment(4))
    still_open = spot_case(open_cell, created=moment(3))
    for report in (fixed, still_open):
        HotSpotCampaign.objects.create(
            campaign=campaign_page, grid_cell=report.grid_cell, category=report.category
        )
    page = " ".join(client.get(campaign_page.url).content.decode().split())
    assert 'id="campaign-hot-spots"' in page
    assert 'value="50"' in page  # 1 of the target 2
    figure = page.split('class="campaign-hot-spots__figure">')[1].split("</p>")[0]
    assert "1" in figure and "2" in figure


# --- targets that count themselves ----------------------------------------------------------


def test_a_bound_target_shows_the_computed_progress(client, home, reference_data):  # noqa: F811
    year = timezone.localdate().year
    (cell,) = cells(1)
    for days in (3, 2):
        spot_case(cell, created=moment(days), closed=moment(1), on_time=True)
    spot_case(cell, created=moment(2), closed=moment(1), on_time=False)
    page = TargetsPage(title="目标", slug="targets", year=year)
    page.targets = [
        Target(
            name="按期结案",
            unit="件",
            goal=Decimal(4),
            achieved=Decimal(0),
            live_figure=live_figures.REPORTS_CLOSED_ON_TIME_YEAR,
            responsible_unit="区城管局",
            as_of=timezone.localdate(),
        ),
        Target(
            name="违法建设拆除",
            unit="平方米",
            goal=Decimal(100),
            achieved=Decimal(25),
            responsible_unit="区城管执法局",
            as_of=timezone.localdate(),
        ),
    ]
    page = publish(home, page)
    bound, manual = page.targets.all()
    assert bound.current_value == 2 and bound.progress_percent == 50 and bound.is_live
    assert manual.current_value == 25 and not manual.is_live
    html = client.get(page.url).content.decode()
    assert html.count('value="50"') == 1 and 'value="25"' in html
    assert html.count('class="target__live"') == 1


def test_the_figures_are_offered_to_editors_and_a_campaign_figure_needs_a_campaign():
    keys = {key for key, _label in live_figures.choices()}
    assert {
        live_figures.CAMPAIGN_HOT_SPOTS_FIXED,
        live_figures.REPORTS_CLOSED_ON_TIME_YEAR,
        live_figures.REPORTS_RECEIVED_YEAR,
    } <= keys
    from django.core.exceptions import ValidationError

    target = Target(
        name="热点整治",
        unit="个",
        goal=Decimal(45),
        live_figure=live_figures.CAMPAIGN_HOT_SPOTS_FIXED,
        responsible_unit="区城管局",
        as_of=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        target.clean()
    assert "campaign" in error.value.message_dict
    assert live_figures.value(live_figures.CAMPAIGN_HOT_SPOTS_FIXED, year=2026) is None


def test_hot_spots_of_the_campaigns_categories_fixed_in_its_period(campaign_page):
    from complaints.models import Category

    garbage = Category.objects.get(kind="event", code="0102")
    campaign_page.categories = [garbage]
    campaign_page.save()
    start = (timezone.localdate() - campaign_page.start_date).days  # days ago it started
    fixed_in_period, still_open, fixed_before = cells(3)
    for days in (10, 9, 8):
        spot_case(fixed_in_period, created=moment(start + days), closed=moment(start - 5))
        spot_case(still_open, created=moment(start + days))
        spot_case(fixed_before, created=moment(start + days), closed=moment(start + 2))
    year = timezone.localdate().year
    key = live_figures.CAMPAIGN_CATEGORY_HOT_SPOTS_FIXED
    assert live_figures.value(key, year=year, campaign=campaign_page) == 1
    campaign_page.categories = [taxonomy_category("event", "0101")]
    campaign_page.save()
    assert live_figures.value(key, year=year, campaign=campaign_page) == 0


def test_the_list_is_paged_and_the_map_shows_every_hot_spot(
    client,
    make_staff,
    reference_data,  # noqa: F811
    monkeypatch,
):
    from indicators import hotspot_views

    monkeypatch.setattr(hotspot_views, "PER_PAGE", 1)
    bigger, smaller = apart(2)  # two hot spots (touching cells would be one cluster)
    first = spot_case(bigger, created=moment(2))
    copies(first, 3)
    second = spot_case(smaller, created=moment(2))
    copies(second, 2)
    from complaints.models import Report

    Report.objects.filter(reference__startswith="T-").update(created_at=first.created_at)
    client.force_login(make_staff(roles.SUPERVISOR))
    page_one = client.get(LIST).content.decode()
    page_two = client.get(LIST, {"p": 2}).content.decode()

    def table(html):
        return html.split('id="hotspot-table"')[1].split("</table>")[0]

    assert detail_url(bigger, first) in table(page_one)
    assert detail_url(smaller, second) not in table(page_one)
    assert detail_url(smaller, second) in table(page_two)
    map_data = page_one.split('<script id="hotspots-map-data"')[1].split("</script>")[0]
    assert detail_url(bigger, first) in map_data and detail_url(smaller, second) in map_data


def test_an_editor_chooses_the_figure_a_target_counts_from(client, editor, home):
    page = TargetsPage(title="目标", slug="targets", year=2026)
    page.targets = [
        Target(
            name="热点整治",
            unit="个",
            goal=Decimal(45),
            responsible_unit="区城管局",
            as_of=datetime.date(2026, 1, 1),
        )
    ]
    page = publish(home, page)
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    select = html.split('name="targets-0-live_figure"')[1].split("</select>")[0]
    for key in (
        live_figures.CAMPAIGN_HOT_SPOTS_FIXED,
        live_figures.REPORTS_CLOSED_ON_TIME_YEAR,
        live_figures.REPORTS_RECEIVED_YEAR,
    ):
        assert f'value="{key}"' in select
    assert 'name="targets-0-campaign"' in html


def test_neighbouring_hot_cells_are_one_row_and_every_cell_is_on_the_map(
    client,
    make_staff,
    reference_data,  # noqa: F811
):
    first, second, third = chain()
    (far,) = [cell for cell in apart(6) if cell.pk not in (first.pk, second.pk, third.pk)][:1]
    made = {
        cell.pk: [spot_case(cell, created=moment(days)) for days in (3, 2, 1)]
        for cell in (first, second, far)
    }
    client.force_login(make_staff(roles.SUPERVISOR))
    response = client.get(LIST)
    assert (response.context["total"], response.context["cell_total"]) == (2, 3)
    page = response.content.decode()
    table = page.split('id="hotspot-table"')[1].split("</table>")[0]
    rows = table.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 2  # the pair that touches, and the far cell
    pair = next(row for row in rows if first.code in row)
    assert second.code in pair and far.code not in pair
    assert 'class="hotspots-cluster"' in pair
    assert ">6<" in pair  # the cluster's cases in the window
    assert third.code not in table
    map_data = page.split('<script id="hotspots-map-data"')[1].split("</script>")[0]
    for cell in (first, second, far):  # one shape per hot cell, each linking to its page
        assert detail_url(cell, made[cell.pk][0]) in map_data
        assert detail_url(cell, made[cell.pk][0]) in table  # and each cell in its row
