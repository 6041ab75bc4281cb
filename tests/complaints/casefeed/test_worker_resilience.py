"""Workers survive database outages; leases cover one delivery; dead-letter by age; /healthz.

The first tests run on any database, in-process, through the real management commands with the
database call that the loop makes first made to fail (an OperationalError as a dropped
connection raises it). The PostgreSQL tests run real worker processes against a shared test
database, kill their connections with pg_terminate_backend, and race two workers against a slow
case system with a short lease (like test_workers.py, they skip on SQLite, whose in-memory test
database other processes cannot open).
"""

import logging
import signal
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from complaints.casefeed import outbox
from complaints.casefeed.outbox import backoff_delay, deliveries_drain
from complaints.models import Delivery, DeliveryAttempt, DeliveryState
from portal.worker_loop import CASEFEED, TASKS, Heartbeat
from tests.complaints.casefeed.conftest import wait_until

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="worker processes need a database shared between processes (PostgreSQL)",
)


@pytest.fixture(autouse=True)
def quick_outage_backoff(settings, tmp_path):
    settings.WORKER_OUTAGE_BACKOFF_BASE = 0.01
    settings.WORKER_OUTAGE_BACKOFF_MAX = 0.05
    settings.HEALTH_HEARTBEAT_DIR = tmp_path / "heartbeats"
    return settings


def failing_first(monkeypatch, owner, name, times, on_failure=None):
    """Make ``owner.name`` raise OperationalError (a dropped connection) ``times`` times."""
    original = getattr(owner, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            if on_failure:
                on_failure(len(calls))
            raise OperationalError("server closed the connection unexpectedly")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


# --- Fault 1: the workers survive a database outage -------------------------------------------


def test_drain_casefeed_survives_database_errors_then_delivers(
    webhook_system, register, fake, monkeypatch, caplog, settings
):
    report = register()
    states = []

    def heartbeat_state(n):
        # The worker checks in while it waits out the outage (what /healthz reads).
        for path in settings.HEALTH_HEARTBEAT_DIR.glob(f"{CASEFEED}--*.json"):
            states.append(path.read_text())

    calls = failing_first(monkeypatch, outbox, "deliveries_claim", 3, on_failure=heartbeat_state)
    caplog.set_level(logging.INFO)
    call_command("drain_casefeed", "--once", "--interval", "0", "--worker-id", "w1")
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.DELIVERED
    assert fake.state()["creates"] == 1
    assert len(calls) >= 4
    outage_lines = [
        r for r in caplog.records if r.name == "portal.worker_loop" and r.levelno == logging.ERROR
    ]
    assert len(outage_lines) == 1  # logged once per outage, not once per retry
    assert "OperationalError" in outage_lines[0].getMessage()
    assert any("working again after 3 failed tries" in r.getMessage() for r in caplog.records)
    assert any('"state": "outage"' in state for state in states)


def test_run_worker_survives_database_errors_then_runs_the_task(monkeypatch, caplog):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

    from portal.tasks import ping

    result = ping.enqueue()
    calls = failing_first(monkeypatch, DBTaskResultQuerySet, "get_locked", 3)
    caplog.set_level(logging.INFO)
    call_command("run_worker", "--batch", "--interval", "0")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert len(calls) >= 4
    errors = [
        r for r in caplog.records if r.name == "portal.worker_loop" and r.levelno == logging.ERROR
    ]
    assert len(errors) == 1


def test_outage_back_off_is_capped(monkeypatch, settings):
    from portal.worker_loop import OutageBackoff

    settings.WORKER_OUTAGE_BACKOFF_BASE = 1
    settings.WORKER_OUTAGE_BACKOFF_MAX = 30
    backoff = OutageBackoff("w", what="test")
    delays = [backoff.failed(OperationalError("down")) for _ in range(50)]
    assert delays[0] <= 1 and max(delays) <= 30 and delays[-1] >= 15


# --- Fault 2: leases, the attempt log, dead-letter by age ------------------------------------


def test_batch_claim_whose_lease_ran_out_sends_nothing_twice(webhook_system, register, fake):
    """A worker that claimed a batch and was slow: rows taken over meanwhile are not sent."""
    from complaints.casefeed.outbox import deliveries_claim, delivery_attempt

    reports = [register() for _ in range(3)]
    claims_a = deliveries_claim(worker="A", batch=3)
    later = timezone.now() + timedelta(seconds=121)
    claims_b = deliveries_claim(worker="B", batch=3, now=later)  # A's leases ran out
    assert all(delivery_attempt(claim) for claim in claims_b)
    assert not any(delivery_attempt(claim) for claim in claims_a)
    state = fake.state()
    assert state["posts"] == 3 and state["creates"] == 3
    successes = DeliveryAttempt.objects.filter(outcome=DeliveryAttempt.Outcome.SUCCESS)
    assert successes.count() == 3
    assert not successes.values("delivery").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(reports)


def test_drain_claims_a_batch_and_renews_each_lease_before_sending(
    webhook_system, register, fake, monkeypatch
):
    """One claim for the batch; each delivery's lease is renewed when it is its turn."""
    from complaints.casefeed import outbox as module

    for _ in range(3):
        register()
    seen, renewed = [], []
    original_claim, original_renew = module.deliveries_claim, module._renew

    def spy_claim(**kwargs):
        claims = original_claim(**kwargs)
        seen.append(len(claims))
        return claims

    def spy_renew(claim):
        renewed.append((claim.delivery.pk, fake.state()["posts"]))
        return original_renew(claim)

    monkeypatch.setattr(module, "deliveries_claim", spy_claim)
    monkeypatch.setattr(module, "_renew", spy_renew)
    assert deliveries_drain(worker="w", batch=10) == (3, 3)
    assert seen == [3]
    # Renewed one by one, each right before its own send (n rows sent before the n-th renewal).
    assert [posts for _pk, posts in renewed] == [0, 1, 2]


def test_receiver_down_for_hours_is_not_dead_lettered_until_the_age_limit(
    webhook_system, register, fake, feed_settings, caplog, client, make_staff, home
):
    feed_settings.CASEFEED_MAX_ATTEMPTS = 0  # the default: no limit by count
    feed_settings.CASEFEED_DEAD_LETTER_AFTER = 72
    fake.control(fail_next=1000, fail_status=503)
    report = register()

    def attempt_now():
        Delivery.objects.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())
        return deliveries_drain(worker="w")

    for _ in range(12):  # many more tries than the old limit of 8
        attempt_now()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 12
    # Hours of outage: the first attempt was 71 h ago; still retried.
    DeliveryAttempt.objects.filter(delivery=delivery, number=1).update(
        started_at=timezone.now() - timedelta(hours=71)
    )
    attempt_now()
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.PENDING
    # Past the age limit: dead-lettered, with an ERROR line and on the staff screen.
    DeliveryAttempt.objects.filter(delivery=delivery, number=1).update(
        started_at=timezone.now() - timedelta(hours=72, minutes=1)
    )
    caplog.set_level(logging.WARNING)
    attempt_now()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD and delivery.attempts == 14
    alerts = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("DEAD-LETTERED" in m and report.reference in m and "72.0 h" in m for m in alerts)
    client.force_login(make_staff(None))
    page = client.get(reverse("casefeed_health"))
    assert page.status_code == 200 and report.reference in page.content.decode()
    # Staff retry starts a new run of attempts: the age counts from its first attempt again.
    outbox.delivery_retry(delivery=delivery)
    attempt_now()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1


def test_back_off_is_capped_even_after_very_many_attempts(settings):
    settings.CASEFEED_BACKOFF_BASE = 30.0  # a float, as read from the environment
    settings.CASEFEED_BACKOFF_MAX = 900.0
    assert backoff_delay(attempts=5000) <= timedelta(seconds=900)
    assert backoff_delay(attempts=5000) >= timedelta(seconds=450)


def test_healthz_reports_a_stalled_case_feed(webhook_system, register, client, settings):
    settings.HEALTH_QUEUE_STALL_SECONDS = 600
    Heartbeat(TASKS, "t").beat()
    Heartbeat(CASEFEED, "c").beat()
    register()
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["checks"]["casefeed"]["due"] == 1
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=601))
    response = client.get("/healthz")
    assert response.status_code == 503
    check = response.json()["checks"]["casefeed"]
    assert check["status"] == "degraded" and check["oldest_due_age_seconds"] >= 601


def test_healthz_expects_a_casefeed_worker_when_a_case_system_is_active(webhook_system, client):
    Heartbeat(TASKS, "t").beat()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "no casefeed worker" in response.json()["checks"]["workers"]["problem"]


# --- PostgreSQL: real worker processes -------------------------------------------------------


def terminate_backends(application_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_process_survives_killed_connections_then_delivers(
    webhook_system, register, fake, tmp_path
):
    from tests.complaints.casefeed.test_workers import start_worker

    worker = start_worker(
        "survivor",
        "--interval",
        "0.05",
        "--poll-every",
        "9999",
        PGAPPNAME="casefeed-survivor",
        WORKER_OUTAGE_BACKOFF_BASE="0.05",
        WORKER_OUTAGE_BACKOFF_MAX="0.5",
        HEALTH_HEARTBEAT_DIR=str(tmp_path / "hb"),
    )
    try:
        assert wait_until(lambda: terminate_backends("casefeed-survivor") > 0, timeout=30)
        # Keep killing its connections for two seconds: a database restart, seen from it.
        deadline = time.monotonic() + 2
        killed = 0
        while time.monotonic() < deadline:
            killed += terminate_backends("casefeed-survivor")
            time.sleep(0.02)
        assert worker.poll() is None, worker.communicate()[0]
        reports = [register() for _ in range(5)]
        assert wait_until(
            lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(reports),
            timeout=30,
        )
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=20)[0]
    assert killed >= 1
    assert "retrying with back-off" in output
    assert fake.state()["creates"] == 5


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_with_a_slow_receiver_and_a_short_lease_never_send_twice(
    webhook_system, register, fake, tmp_path
):
    """A batch of 10 × 0.4 s per request is twice the 2 s lease."""
    from tests.complaints.casefeed.test_workers import start_worker

    reports = [register() for _ in range(12)]
    fake.control(delay=0.4)
    workers = [
        start_worker(
            f"slow{i}",
            "--batch",
            "10",
            "--interval",
            "0.05",
            "--poll-every",
            "9999",
            CASEFEED_LEASE_SECONDS="2",
            HEALTH_HEARTBEAT_DIR=str(tmp_path / "hb"),
        )
        for i in range(2)
    ]
    try:
        done = wait_until(
            lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(reports),
            timeout=60,
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        output = [worker.communicate(timeout=20)[0] for worker in workers]
    assert done, output
    state = fake.state()
    assert state["creates"] == len(reports)
    assert state["posts"] == len(reports)  # no delivery sent twice
    successes = DeliveryAttempt.objects.filter(outcome=DeliveryAttempt.Outcome.SUCCESS)
    assert successes.count() == len(reports)
    assert not successes.values("delivery").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert len(set(Delivery.objects.values_list("claimed_by", flat=True))) == 2
