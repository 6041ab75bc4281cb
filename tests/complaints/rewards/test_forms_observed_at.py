"""The informant form's "when did you see it": a text field with its format spelled out (the
browser's date-time picker would label itself "mm/dd/yyyy" on a Chinese page), read the ways
people write a time in Chinese, with a clear error; full-width colons on the transparency and
support pages (issue 13)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Report
from tests.complaints.rewards.test_views import (  # noqa: F401 (fixtures)
    file_report,
    form_url,
    informant_data,
    informant_settings,
    scheme,
)

pytestmark = pytest.mark.django_db


def observed_input(html: str) -> str:
    return re.search(r'<input[^>]*name="observed_at"[^>]*>', html).group(0)


def test_the_field_is_text_with_its_format_shown(client, scheme, form_url):  # noqa: F811
    field = observed_input(client.get(form_url).content.decode())
    assert 'type="datetime-local"' not in field
    assert 'type="text"' in field
    english = client.get("/en" + form_url).content.decode()
    assert 'placeholder="YYYY-MM-DD hh:mm"' in observed_input(english)
    assert "Year-month-day hour:minute, e.g. 2026-05-01 08:30." in english


def seen_an_hour_ago():
    return timezone.localtime(timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    "write",
    [
        lambda t: t.strftime("%Y-%m-%d %H:%M"),
        lambda t: t.strftime("%Y-%m-%dT%H:%M"),  # what a datetime-local input sent
        lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}点{t.minute}分",
        lambda t: f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}",
        # Full-width digits and colon, as a Chinese input method types them.
        lambda t: t.strftime("%Y-%m-%d %H:%M").translate(
            str.maketrans("0123456789:-", "０１２３４５６７８９：－")
        ),
    ],
)
def test_times_written_the_chinese_way_are_understood(client, scheme, form_url, write):  # noqa: F811
    seen = seen_an_hour_ago()
    report, _code = file_report(client, form_url, informant_data(observed_at=write(seen)))
    assert timezone.localtime(report.observed_at) == seen


def test_a_time_in_another_format_gets_a_clear_error(client, scheme, form_url):  # noqa: F811
    response = client.post("/en" + form_url, informant_data(observed_at="12/07/2026 8:30 PM"))
    assert response.status_code == 200
    errors = response.context["form"].errors["observed_at"]
    assert errors == [
        "Enter the date and time as year-month-day hour:minute, e.g. 2026-05-01 08:30."
    ]
    assert not Report.objects.exists()


def test_transparency_labels_use_the_fullwidth_colon(client, scheme):  # noqa: F811
    from django.urls import reverse

    html = client.get(reverse("complaints:reward_transparency")).content.decode()
    total = re.search(r'id="transparency-total"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "," not in total and "，" in total
    assert ": " not in re.sub(r"<[^>]+>", "", total)
