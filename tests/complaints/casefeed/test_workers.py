"""Real worker processes (manage.py drain_casefeed) sharing one PostgreSQL database.

On SQLite the test database lives in the test process's memory, which other processes cannot
open, so these tests need PostgreSQL (the suite runs them whenever DATABASE_URL is postgres).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from complaints.models import Delivery, DeliveryAttempt, DeliveryState
from tests.complaints.casefeed.conftest import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes need a database shared between processes (PostgreSQL)",
    ),
]
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


def worker_env(**extra) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace("@", f":{db['PASSWORD']}@", 1)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CASEFEED_BACKOFF_BASE": "0.05",
        "CASEFEED_BACKOFF_MAX": "0.1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_worker(name: str, *args: str, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(MANAGE),
            "drain_casefeed",
            "--skip-checks",
            "--worker-id",
            name,
            *args,
        ],
        env=worker_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_several_workers_never_deliver_the_same_row_twice(webhook_system, register, fake, tmp_path):
    beats = tmp_path / "heartbeats"
    workers = [
        start_worker(
            f"w{i}",
            "--batch",
            "3",
            "--interval",
            "0.05",
            "--poll-every",
            "9999",
            HEALTH_HEARTBEAT_DIR=str(beats),
        )
        for i in range(4)
    ]
    # All four are running before the rows arrive (a batch drain is quicker than the start-up
    # of a second process), so they share the rows.
    assert wait_until(lambda: len(list(beats.glob("casefeed--*.json"))) == 4, timeout=60)
    reports = [register() for _ in range(120)]
    done = wait_until(
        lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(reports),
        timeout=90,
    )
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    output = [worker.communicate(timeout=20)[0] for worker in workers]
    assert done, output
    state = fake.state()
    assert state["creates"] == len(reports)
    assert state["posts"] == len(reports)  # no row was sent by two workers
    assert DeliveryAttempt.objects.count() == len(reports)
    assert len(set(Delivery.objects.values_list("claimed_by", flat=True))) > 1


def test_sigkill_mid_delivery_loses_and_doubles_nothing(webhook_system, register, fake):
    webhook_system.timeout = 60
    webhook_system.save()
    report = register()
    fake.control(hang_after_create=30)
    first = start_worker("doomed", "--interval", "0.1", CASEFEED_LEASE_SECONDS="3")
    try:
        # The case system has created the case; the worker waits for the answer.
        assert wait_until(lambda: fake.state()["creates"] == 1, timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    delivery = Delivery.objects.get(report=report)
    assert delivery.state == DeliveryState.IN_FLIGHT and delivery.claimed_by == "doomed"
    fake.control()
    second = start_worker("rescuer", "--interval", "0.2", CASEFEED_LEASE_SECONDS="3")
    try:
        assert wait_until(
            lambda: Delivery.objects.get(pk=delivery.pk).state == DeliveryState.DELIVERED,
            timeout=30,
        )
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    state = fake.state()
    assert state["creates"] == 1 and state["posts"] == 2
    log = list(delivery.log.values_list("worker", "outcome"))
    assert log == [("doomed", "started"), ("rescuer", "success")]
    delivery.refresh_from_db()
    assert delivery.external_id == "CS-1"
