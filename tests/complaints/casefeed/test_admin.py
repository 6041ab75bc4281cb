"""Admin: issuing an Open311 key (shown once), case systems, the health screen and retry."""

import pytest
from django.urls import reverse

from complaints.casefeed.outbox import deliveries_drain
from complaints.models import ApiKey, Delivery, DeliveryState
from complaints.open311.keys import api_key_authenticate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_staff, home):
    client.force_login(make_staff(None))
    return client


def test_issue_api_key_shows_it_once(admin_client, reference_data):
    response = admin_client.post(
        reverse("apikey:add"), {"name": "WeChat mini-program", "rate": "30/m", "is_active": "on"}
    )
    assert response.status_code == 200
    clear = response.context["clear_key"]
    assert clear in response.content.decode()
    api_key = ApiKey.objects.get()
    assert api_key_authenticate(key=clear) == api_key
    assert clear not in api_key.key_hash
    listing = admin_client.get(reverse("apikey:index"))
    assert listing.status_code == 200 and clear not in listing.content.decode()
    inspect = admin_client.get(reverse("apikey:inspect", args=[api_key.pk]))
    assert clear not in inspect.content.decode()


def test_case_system_screens(admin_client, webhook_system):
    assert admin_client.get(reverse("casesystem:index")).status_code == 200
    assert admin_client.get(reverse("casesystem:edit", args=[webhook_system.pk])).status_code == 200


def test_health_screen_and_retry(admin_client, webhook_system, register, fake):
    fake.control(fail_next=100, fail_status=500)
    report = register()
    webhook_system.secret = "wrong"  # a permanent failure: dead-lettered at once
    webhook_system.save()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DEAD
    page = admin_client.get(reverse("casefeed_health"), {"delivery": delivery.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert report.reference in text and "401" in text
    assert page.context["systems"][0]["dead"] == 1
    response = admin_client.post(reverse("casefeed_delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0


def test_health_screen_needs_permission(client, make_staff, home, reference_data):
    from portal import roles

    client.force_login(make_staff(roles.INTAKE_OPERATOR))
    assert client.get(reverse("casefeed_health")).status_code in (302, 403)
    assert client.post(reverse("casefeed_delivery_retry", args=[1])).status_code in (302, 403)


def test_bad_rate_is_refused(admin_client, reference_data):
    response = admin_client.post(reverse("apikey:add"), {"name": "x", "rate": "fast"})
    assert response.status_code == 200
    assert "clear_key" not in response.context
    assert not ApiKey.objects.exists()
