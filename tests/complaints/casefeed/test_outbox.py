"""The outbox against the fake case system (a separate process): exactly once, whatever fails."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from complaints.casefeed.outbox import (
    casefeed_health,
    deliveries_claim,
    deliveries_drain,
    delivery_attempt,
    delivery_retry,
)
from complaints.models import (
    CaseSystem,
    ConnectorKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Report,
)
from tests.complaints.casefeed.conftest import file_report
from tests.complaints.conftest import category

pytestmark = pytest.mark.django_db


def drain_until_settled(rounds=30):
    for _ in range(rounds):
        deliveries_drain(worker="test", batch=50)
        if not Delivery.objects.filter(
            state__in=[DeliveryState.PENDING, DeliveryState.IN_FLIGHT]
        ).exists():
            return
        time.sleep(0.05)


def test_registration_writes_the_outbox_row(webhook_system, register):
    report = register()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.PENDING
    assert delivery.case_system == webhook_system
    assert Delivery.objects.count() == 1


def test_rolled_back_registration_leaves_no_row(webhook_system, register):
    report = file_report()
    with pytest.raises(RuntimeError), transaction.atomic():
        register(report)
        raise RuntimeError("the request failed after the transition")
    assert not Delivery.objects.exists()
    assert Report.objects.get(pk=report.pk).state == "received"


def test_without_case_system_the_builtin_workflow_needs_no_delivery(reference_data, register):
    register()
    assert not Delivery.objects.exists()


def test_category_system_wins_over_default(webhook_system, register, fake):
    special = CaseSystem.objects.create(
        name="环卫平台", slug="sanitation", kind=ConnectorKind.BUILTIN
    )
    special.categories.add(category("event", "0102"))
    report = register()
    assert Delivery.objects.get(report=report).case_system == special
    drain_until_settled()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.external_id == report.reference
    assert fake.state()["posts"] == 0


def test_webhook_delivery_signed_with_payload(webhook_system, register, fake):
    report = register()
    drain_until_settled()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DELIVERED
    state = fake.state()
    assert state["creates"] == 1
    payload = next(iter(state["cases"].values()))["payload"]
    assert payload["reference"] == report.reference
    assert payload["idempotency_key"] == str(delivery.idempotency_key)
    assert payload["location"]["crs"] == "wgs84"
    assert "13812345678" not in str(payload)  # no contact details leave the portal
    report.refresh_from_db()
    assert report.external_case_id == "CS-1"
    assert report.case_system == "district"
    attempts = list(delivery.log.values_list("outcome", flat=True))
    assert attempts == [DeliveryAttempt.Outcome.SUCCESS]


def test_failures_back_off_then_arrive_exactly_once(webhook_system, register, fake):
    fake.control(fail_next=2, fail_status=503)
    reports = [register() for _ in range(3)]
    deliveries_drain(worker="w", batch=10)
    first = Delivery.objects.get(report=reports[0])
    assert first.state == DeliveryState.PENDING and first.attempts == 1
    assert first.next_attempt_at > timezone.now() - timedelta(seconds=1)
    assert "503" in first.last_error
    drain_until_settled()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    state = fake.state()
    assert state["creates"] == 3
    outcomes = list(
        DeliveryAttempt.objects.filter(delivery=first).values_list("outcome", "http_status")
    )
    assert outcomes[0] == ("failure", 503) and outcomes[-1] == ("success", None)


def test_timeout_after_the_case_was_created_is_not_a_second_case(webhook_system, register, fake):
    fake.control(hang_after_create=3)  # longer than the 2 s client timeout
    report = register()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.PENDING and "timeout" in delivery.last_error
    fake.control()
    drain_until_settled()
    assert Delivery.objects.get(report=report).state == DeliveryState.DELIVERED
    state = fake.state()
    assert state["creates"] == 1 and state["posts"] == 2


def test_case_system_down_for_a_while(webhook_system, register, fake):
    fake.stop()
    reports = [register() for _ in range(2)]
    deliveries_drain(worker="w")
    assert all("connection" in d.last_error for d in Delivery.objects.all())
    fake.start()
    drain_until_settled()
    assert fake.state()["creates"] == 2
    assert {d.report_id for d in Delivery.objects.filter(state="delivered")} == {
        r.pk for r in reports
    }


def test_dead_letter_after_max_attempts_and_staff_retry(webhook_system, register, fake):
    fake.control(fail_next=100, fail_status=500)
    report = register()
    drain_until_settled()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DEAD
    assert delivery.attempts == 4
    assert delivery.log.count() == 4
    health = casefeed_health()[0]
    assert health["dead"] == 1 and health["pending"] == 0
    fake.control()
    assert delivery_retry(delivery=delivery)
    drain_until_settled()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert fake.state()["creates"] == 1
    assert casefeed_health()[0]["last_success"] is not None


def test_permanent_failure_is_dead_at_once(webhook_system, register, fake):
    webhook_system.secret = "wrong-secret"
    webhook_system.save()
    register()
    deliveries_drain(worker="w")
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.DEAD and delivery.log.get().http_status == 401


def test_worker_that_dies_mid_delivery_loses_and_doubles_nothing(
    webhook_system, register, fake, settings
):
    report = register()
    # Worker A claims and sends, then "dies" before recording (its result never written).
    [claim_a] = deliveries_claim(worker="A")
    from complaints.casefeed.connectors import connector_for

    connector_for(webhook_system).deliver(claim_a.delivery)
    assert deliveries_claim(worker="B") == []  # A's lease still holds
    later = timezone.now() + timedelta(seconds=settings.CASEFEED_LEASE_SECONDS + 1)
    [claim_b] = deliveries_claim(worker="B", now=later)
    assert claim_b.delivery.idempotency_key == claim_a.delivery.idempotency_key
    assert delivery_attempt(claim_b)
    # A wakes up with its stale claim: the lease renewal before sending fails, so it neither
    # sends again nor overwrites anything, and its attempt is no second success.
    assert not delivery_attempt(claim_a)
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DELIVERED and delivery.claimed_by == "B"
    state = fake.state()
    assert state["creates"] == 1 and state["posts"] == 2  # two sends, one case
    assert list(delivery.log.values_list("worker", "outcome")) == [
        ("A", "failure"),
        ("B", "success"),
    ]


def test_health_figures(webhook_system, register, fake):
    fake.stop()
    register()
    deliveries_drain(worker="w")
    health = casefeed_health()[0]
    assert health["pending"] == 1 and health["failing"] == 1
    assert health["oldest_age"] is not None and health["last_success"] is None


def test_webhook_payload_follows_the_documented_schema(webhook_system, register, fake):
    import json
    from pathlib import Path

    schema = json.loads(
        (Path(__file__).resolve().parents[3] / "docs" / "casefeed-webhook.schema.json").read_text()
    )["$defs"]["delivery"]
    register()
    drain_until_settled()
    payload = next(iter(fake.state()["cases"].values()))["payload"]
    assert set(schema["required"]) <= set(payload)
    assert set(payload) <= set(schema["properties"])
    assert set(payload["location"]) <= set(schema["properties"]["location"]["properties"])


def test_drain_command_once(webhook_system, register, fake):
    from django.core.management import call_command

    register()
    register()
    call_command("drain_casefeed", "--once", "--worker-id", "cmd")
    assert Delivery.objects.filter(state="delivered", claimed_by="cmd").count() == 2
