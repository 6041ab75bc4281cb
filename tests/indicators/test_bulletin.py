"""The monthly bulletin (indicators/bulletin.py): known ranking, grades and change from the
month before; made by the command, by the worker's schedule on the first working day, and on
demand from the admin through the task queue; the printable page and the PDF (CJK font); who
may read and who may make them."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Town
from indicators.bulletin import bulletin_due, first_working_day
from indicators.models import Bulletin
from portal import roles
from tests.complaints.conftest import reference_data  # noqa: F401  (fixture)
from tests.indicators.builders import case, rate

pytestmark = pytest.mark.django_db

LIST = "/admin/indicators/bulletins/"


def closed(town, month: str, *, on_time: bool, rating: str):
    report = case(
        created=f"{month}-02 09:00",
        state="closed",
        town=town,
        registered=f"{month}-02 09:10",
        dispatched=f"{month}-02 09:30",
        deadline=f"{month}-02 17:00",
        closed=f"{month}-02 16:00",
        on_time=on_time,
    )
    rate(report, rating, when=f"{month}-03 10:00")


@pytest.fixture
def towns(reference_data):  # noqa: F811
    """February: the first town late and unhappy, the second on time. March: the other way."""
    first, second = Town.objects.order_by("code")[:2]
    closed(first, "2026-02", on_time=False, rating="dissatisfied")
    closed(second, "2026-02", on_time=True, rating="satisfied")
    closed(first, "2026-03", on_time=True, rating="satisfied")
    closed(second, "2026-03", on_time=False, rating="dissatisfied")
    return first, second


def town_row(bulletin, town) -> dict:
    return next(row for row in bulletin.figures["towns"] if row["key"] == town.pk)


def test_the_command_makes_the_months_bulletin_with_ranking_grades_and_change(towns, settings):
    first, second = towns
    call_command("generate_bulletin", "--month", "2026-03")
    bulletin = Bulletin.objects.get(month=date(2026, 3, 1))
    assert bulletin.generated_by is None
    top, low = town_row(bulletin, first), town_row(bulletin, second)
    # Weights v1: on-time 40, closure 20, satisfaction 30, without rework 10, response 0.
    assert (top["rank"], top["score"], top["grade"]) == (1, 100.0, "A")
    assert (low["rank"], low["score"], low["grade"]) == (2, 30.0, "E")
    assert top["previous_rank"] == 2 and top["rank_change"] == 1
    assert low["previous_score"] == 100.0 and low["score_change"] == -70.0
    assert bulletin.figures["weights_version"] == 1
    assert bulletin.figures["district"]["received"] == 2
    assert "hot_spots" in bulletin.figures
    pdf = bulletin.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert b"STSong-Light" in pdf


def test_making_a_month_again_replaces_its_bulletin(towns):
    call_command("generate_bulletin", "--month", "2026-03")
    call_command("generate_bulletin", "--month", "2026-03")
    assert Bulletin.objects.filter(month=date(2026, 3, 1)).count() == 1


def test_the_bulletin_is_due_from_the_first_working_day_of_the_next_month(reference_data):  # noqa: F811
    # 1 March 2026 is a Sunday: the first working day is Monday the 2nd.
    assert first_working_day(date(2026, 3, 1)) == date(2026, 3, 2)
    assert bulletin_due(today=date(2026, 3, 1)) is None
    assert bulletin_due(today=date(2026, 3, 2)) == date(2026, 2, 1)
    Bulletin.objects.create(month=date(2026, 2, 1), generated_at="2026-03-02T08:00+08:00")
    assert bulletin_due(today=date(2026, 3, 3)) is None  # made already: not again


def test_the_workers_schedule_makes_last_months_bulletin_once(reference_data, monkeypatch):  # noqa: F811
    import threading

    from django.utils import timezone

    from portal.management.commands import run_worker

    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)

    class OneRound(threading.Event):
        def wait(self, timeout=None):
            self.set()
            return True

    today = timezone.localdate()
    due = bulletin_due(today=today)
    run_worker.Command().publish_scheduled_forever(OneRound(), interval=60)
    if due is None:  # before this month's first working day: nothing yet
        assert not Bulletin.objects.exists()
    else:
        assert list(Bulletin.objects.values_list("month", flat=True)) == [due]
        made = Bulletin.objects.get().generated_at
        run_worker.Command().publish_scheduled_forever(OneRound(), interval=60)
        assert Bulletin.objects.get().generated_at == made


def test_a_supervisor_makes_one_on_demand_through_the_worker(client, make_staff, towns):
    supervisor = make_staff(roles.SUPERVISOR)
    client.force_login(supervisor)
    response = client.post(LIST, {"month": "2026-03"})
    assert response.status_code == 302
    assert not Bulletin.objects.exists()  # queued, not made in the request
    call_command("run_worker", "--batch", "--interval", "0")
    bulletin = Bulletin.objects.get(month=date(2026, 3, 1))
    assert bulletin.generated_by == supervisor
    page = client.get(LIST).content.decode()
    assert 'data-month="2026-03"' in page
    printable = client.get(reverse("indicators_bulletin_print", args=[bulletin.pk]))
    assert printable.status_code == 200
    assert towns[0].name in printable.content.decode()
    download = client.get(reverse("indicators_bulletin_pdf", args=[bulletin.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_future_month_is_refused(client, make_staff, reference_data):  # noqa: F811
    client.force_login(make_staff(roles.SUPERVISOR))
    response = client.post(LIST, {"month": "2999-01"})
    assert response.status_code == 200
    assert "error-message" in response.content.decode()


@pytest.mark.parametrize(
    "role, reads, makes",
    [
        (roles.SUPERVISOR, True, True),
        (roles.AUDITOR, True, False),
        (None, True, True),  # superuser
        (roles.DEPARTMENT_HANDLER, False, False),
        (roles.INTAKE_OPERATOR, False, False),
        (roles.PUBLICITY_EDITOR, False, False),
        (roles.REWARD_OFFICER, False, False),
    ],
)
def test_who_may_read_download_and_make_bulletins(
    client,
    make_staff,
    towns,
    role,
    reads,
    makes,
):
    call_command("generate_bulletin", "--month", "2026-03")
    bulletin = Bulletin.objects.get()
    client.force_login(make_staff(role))
    for url in (
        LIST,
        reverse("indicators_bulletin_print", args=[bulletin.pk]),
        reverse("indicators_bulletin_pdf", args=[bulletin.pk]),
    ):
        assert client.get(url).status_code == (200 if reads else 302), url
    response = client.post(LIST, {"month": "2026-02"})
    assert response.status_code == 302
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path__endswith="bulletin_generate_task")
    assert queued.exists() == makes


def test_anonymous_visitors_cannot_download(client, towns):
    call_command("generate_bulletin", "--month", "2026-03")
    bulletin = Bulletin.objects.get()
    response = client.get(reverse("indicators_bulletin_pdf", args=[bulletin.pk]))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_the_bulletin_lists_the_months_recurring_hot_spots(reference_data):  # noqa: F811
    from tests.indicators.hotspot_builders import apart, spot_case

    recurring, settled = apart(2)
    # Fixed on the 6th, back on the 10th; fixed on the 11th, back on the 20th.
    spot_case(recurring, created="2026-05-05 09:00", closed="2026-05-06 09:00")
    spot_case(recurring, created="2026-05-10 09:00", closed="2026-05-11 09:00")
    spot_case(recurring, created="2026-05-20 09:00", closed="2026-05-21 09:00")
    # Hot too, but fixed once and never back: not in the bulletin.
    for day in ("05", "06", "07"):
        spot_case(settled, created=f"2026-05-{day} 09:00", closed="2026-05-09 09:00")
    call_command("generate_bulletin", "--month", "2026-05")
    spots = Bulletin.objects.get(month=date(2026, 5, 1)).figures["hot_spots"]
    assert [spot["cell"] for spot in spots] == [recurring.code]
    assert spots[0]["count"] == 3


def test_a_recurring_cluster_is_one_entry_of_the_bulletin(reference_data):  # noqa: F811
    """Neighbouring hot cells of one category are one hot spot there too (any cell recurring)."""
    from tests.indicators.hotspot_builders import chain, spot_case

    recurring, neighbour, _far_end = chain()
    spot_case(recurring, created="2026-05-05 09:00", closed="2026-05-06 09:00")
    spot_case(recurring, created="2026-05-10 09:00", closed="2026-05-11 09:00")
    spot_case(recurring, created="2026-05-20 09:00", closed="2026-05-21 09:00")
    for day in ("05", "06", "07", "08"):
        spot_case(neighbour, created=f"2026-05-{day} 09:00")
    call_command("generate_bulletin", "--month", "2026-05")
    (spot,) = Bulletin.objects.get(month=date(2026, 5, 1)).figures["hot_spots"]
    assert spot["count"] == 7
    assert spot["cell"].index(neighbour.code) < spot["cell"].index(recurring.code)  # biggest first
