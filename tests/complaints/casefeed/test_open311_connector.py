"""The Open311 client connector against the fake case system: POST, tokens, polling, GCJ-02."""

import pytest

from complaints.casefeed.coordinates import gcj02_to_wgs84
from complaints.casefeed.inbound import case_system_poll
from complaints.casefeed.outbox import deliveries_drain
from complaints.models import CaseEvent, Delivery, DeliveryState, InboundUpdate
from tests.complaints.conftest import POINT

pytestmark = pytest.mark.django_db


def test_post_form_encoded_with_reference_and_converted_coordinates(open311_system, register, fake):
    report = register()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.external_id == "CS-1"
    [case] = fake.state()["cases"].values()
    form = case["payload"]
    assert form["api_key"] == "their-open311-key"
    assert form["service_code"] == "garbage"
    assert form["attribute[portal_reference]"] == report.reference
    lat, lng = float(form["lat"]), float(form["long"])
    assert (lat, lng) != POINT  # GCJ-02 is offset by a few hundred metres
    back = gcj02_to_wgs84(lat, lng)
    assert abs(back[0] - POINT[0]) < 1e-5 and abs(back[1] - POINT[1]) < 1e-5
    assert "13812345678" not in str(form)


def test_wrong_api_key_is_a_permanent_failure(open311_system, register, fake):
    open311_system.api_key = "wrong"
    open311_system.save()
    register()
    deliveries_drain(worker="w")
    assert Delivery.objects.get().state == DeliveryState.DEAD


def test_token_is_resolved_then_updates_are_polled(open311_system, register, fake):
    fake.control(token_mode=True)
    report = register()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get(report=report)
    assert delivery.external_token == "T-CS-1" and delivery.external_id == ""
    fake.set_status(
        **{
            "CS-1": {
                "status": "open",
                "extended": "ACTION_SCHEDULED",
                "notes": "已安排清运",
                "updated": "2026-11-27T09:00:00+08:00",
            }
        }
    )
    applied = case_system_poll(case_system=open311_system)
    delivery.refresh_from_db()
    assert delivery.external_id == "CS-1"
    report.refresh_from_db()
    assert report.external_case_id == "CS-1"
    assert applied >= 1
    assert delivery.external_status == "ACTION_SCHEDULED"
    notes = list(report.events.filter(kind=CaseEvent.Kind.NOTE).values_list("note", flat=True))
    assert any("已安排清运" in n for n in notes)
    # Polling again brings nothing new: updates are applied once.
    count = InboundUpdate.objects.count()
    assert case_system_poll(case_system=open311_system) == 0
    assert InboundUpdate.objects.count() == count
    fake.set_status(
        **{
            "CS-1": {
                "status": "closed",
                "extended": "FIXED",
                "updated": "2026-11-27T15:00:00+08:00",
            }
        }
    )
    case_system_poll(case_system=open311_system)
    delivery.refresh_from_db()
    assert delivery.external_status == "FIXED"


def test_polling_a_system_that_is_down_changes_nothing(open311_system, register, fake):
    register()
    deliveries_drain(worker="w")
    fake.stop()
    assert case_system_poll(case_system=open311_system) == 0
    assert not InboundUpdate.objects.exists()
