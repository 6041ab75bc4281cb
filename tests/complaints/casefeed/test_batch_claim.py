"""The drain claims a batch in one statement and never hands one delivery to two workers.

Each claimed row keeps its own lease: it is renewed (compare-and-set on the claim token) right
before the row is sent, and a worker told to stop hands back the rows it has not sent.
"""

import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.casefeed.outbox import (
    NOT_SENT_STOPPING,
    deliveries_claim,
    deliveries_drain,
    delivery_attempt,
)
from complaints.models import Attachment, Delivery, DeliveryAttempt, DeliveryState
from tests.complaints.casefeed.test_workers import start_worker
from tests.complaints.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db

DELIVERY_TABLE = Delivery._meta.db_table


def claim_updates(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if f'UPDATE "{DELIVERY_TABLE}"' in q["sql"] or f"UPDATE {DELIVERY_TABLE}" in q["sql"]
    ]


def test_a_batch_is_claimed_in_one_statement(webhook_system, register, fake):
    for _ in range(5):
        register()
    with CaptureQueriesContext(connection) as small:
        two = deliveries_claim(worker="A", batch=2)
    with CaptureQueriesContext(connection) as large:
        three = deliveries_claim(worker="B", batch=10)
    assert len(two) == 2 and len(three) == 3
    # One UPDATE ... RETURNING takes the rows, whatever the batch size; the queries around it
    # (the rows with their report, the attempt log in one insert) do not grow with it either.
    assert len(claim_updates(small)) == 1 and len(claim_updates(large)) == 1
    assert "RETURNING" in claim_updates(large)[0]
    assert len(small) == len(large)
    taken = [c.delivery.pk for c in two + three]
    assert len(set(taken)) == 5
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.IN_FLIGHT}
    assert [c.attempt.number for c in two + three] == [1] * 5
    # Nothing is left for a third worker while the leases hold.
    assert deliveries_claim(worker="C", batch=10) == []


def evidence_photo(report) -> Attachment:
    attachment = Attachment(
        report=report,
        kind=Attachment.Kind.EVIDENCE,
        sha256="0" * 64,
        width=10,
        height=10,
        size=10,
        created_at=timezone.now(),
    )
    attachment.image.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    attachment.save()
    return attachment


def test_a_batch_is_sent_over_one_kept_alive_connection_with_its_photos_read_once(
    webhook_system, register, fake
):
    reports = [register() for _ in range(4)]
    for report in reports:
        evidence_photo(report)
    before = fake.state()["connections"]
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_drain(worker="w", batch=10) == (4, 4)
    attachment_reads = [
        q["sql"] for q in queries.captured_queries if Attachment._meta.db_table in q["sql"]
    ]
    assert len(attachment_reads) == 1, attachment_reads
    state = fake.state()
    # The drain's four POSTs share one connection (the _state read above opened another).
    assert state["connections"] - before == 2, state["connections"]
    assert all(len(case["payload"]["media_urls"]) == 1 for case in state["cases"].values()), state[
        "cases"
    ]


def test_a_row_whose_lease_was_taken_over_is_not_sent_twice(webhook_system, register, fake):
    """Claimed in A's batch, taken over by B once A's lease ran out: A does not send it."""
    for _ in range(4):
        register()
    claims_a = deliveries_claim(worker="A", batch=4)
    assert delivery_attempt(claims_a[0])
    later = timezone.now() + timedelta(seconds=121)
    claims_b = deliveries_claim(worker="B", batch=10, now=later)
    assert len(claims_b) == 3
    assert all(delivery_attempt(c) for c in claims_b)
    assert not any(delivery_attempt(c) for c in claims_a[1:])
    state = fake.state()
    assert state["posts"] == 4 and state["creates"] == 4
    successes = DeliveryAttempt.objects.filter(outcome=DeliveryAttempt.Outcome.SUCCESS)
    assert successes.count() == 4
    assert not successes.values("delivery").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_a_stopping_worker_hands_back_what_it_did_not_send(webhook_system, register, fake):
    for _ in range(3):
        register()
    asked = []

    def stop():
        asked.append(True)
        return len(asked) > 1  # told to stop after the first delivery

    assert deliveries_drain(worker="A", batch=10, stop=stop) == (3, 1)
    assert fake.state()["posts"] == 1
    states = list(Delivery.objects.order_by("pk").values_list("state", "claim_token"))
    assert states[0][0] == DeliveryState.DELIVERED
    assert states[1:] == [(DeliveryState.PENDING, None)] * 2
    assert DeliveryAttempt.objects.filter(error=NOT_SENT_STOPPING).count() == 2
    # Due again at once: another worker takes them without waiting for a lease to run out.
    assert deliveries_drain(worker="B", batch=10) == (2, 2)
    assert fake.state()["creates"] == 3


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent claims need a database shared between connections (PostgreSQL)",
)


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_never_take_the_same_row(webhook_system, register, fake):
    """Eight threads, each on its own connection, claim at the same moment: disjoint rows."""
    for _ in range(40):
        register()
    start = threading.Barrier(8)
    taken: list[list[int]] = []

    def worker(name):
        try:
            start.wait()
            taken.append([c.delivery.pk for c in deliveries_claim(worker=name, batch=7)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    flat = [pk for rows in taken for pk in rows]
    assert len(flat) == len(set(flat)) == 40  # every row once; SKIP LOCKED left none behind
    assert DeliveryAttempt.objects.count() == 40


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_with_batches_deliver_each_row_once(webhook_system, register, fake):
    from tests.complaints.casefeed.conftest import wait_until

    reports = [register() for _ in range(150)]
    workers = [
        start_worker(f"b{i}", "--batch", "20", "--interval", "0.05", "--poll-every", "9999")
        for i in range(3)
    ]
    try:
        done = wait_until(
            lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == len(reports),
            timeout=120,
        )
    finally:
        for worker in workers:
            worker.terminate()
        output = [worker.communicate(timeout=20)[0] for worker in workers]
    assert done, output
    state = fake.state()
    assert state["posts"] == state["creates"] == len(reports)  # no row sent by two workers
    successes = DeliveryAttempt.objects.filter(outcome=DeliveryAttempt.Outcome.SUCCESS)
    assert successes.count() == len(reports)
    assert not successes.values("delivery").annotate(n=Count("pk")).filter(n__gt=1).exists()
