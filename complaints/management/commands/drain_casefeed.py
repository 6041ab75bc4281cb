"""Deliver queued reports to the case systems, and poll Open311 systems for updates.

Run as many as you like, on as many machines: each claims its own rows, one at a time, each
under its own lease. SIGTERM/SIGINT finish the current delivery and exit; SIGKILL loses nothing
(the row's lease runs out and another worker retries it with the same idempotency key).

A database or cache outage does not stop the worker: the error is logged once, the broken
connection closed, and the loop retries with capped back-off until it works again. The worker
checks in (``portal.worker_loop.Heartbeat``) on every round, also while it waits out an outage.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from complaints.casefeed.inbound import case_system_poll
from complaints.casefeed.outbox import deliveries_drain
from complaints.models import CaseSystem, ConnectorKind
from portal.worker_loop import (
    CASEFEED,
    Heartbeat,
    OutageBackoff,
    default_worker_id,
    reset_connections,
    sleep_unless,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver registered reports to the case systems (outbox worker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain what is due, then exit.")
        parser.add_argument("--batch", type=int, default=10)
        parser.add_argument("--interval", type=float, default=2.0, help="Idle sleep (seconds).")
        parser.add_argument("--poll-every", type=float, default=300.0, help="Open311 polling.")
        parser.add_argument("--worker-id", default="")

    def handle(
        self, *args, once=False, batch=10, interval=2.0, poll_every=300.0, worker_id="", **options
    ):
        worker = worker_id or default_worker_id()
        stopping = []
        previous = {
            signum: signal.signal(signum, lambda *_: stopping.append(True))
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        heartbeat = Heartbeat(CASEFEED, worker)
        heartbeat.prune()
        self._warn_if_lease_is_short()
        try:
            total = self._loop(worker, stopping, once, batch, interval, poll_every, heartbeat)
        finally:
            heartbeat.remove()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"{worker}: delivered {total}")

    def _loop(self, worker, stopping, once, batch, interval, poll_every, heartbeat) -> int:
        last_poll = 0.0
        total = 0
        outage = OutageBackoff(worker, what="drain_casefeed")
        while not stopping:
            heartbeat.beat("outage" if outage.in_outage else "ok")
            # A long-running worker drops broken or expired connections between batches.
            reset_connections()
            try:
                claimed, delivered = deliveries_drain(
                    worker=worker, batch=batch, stop=lambda: bool(stopping)
                )
                total += delivered
                if time.monotonic() - last_poll >= poll_every and not once:
                    last_poll = time.monotonic()
                    for system in CaseSystem.objects.filter(
                        is_active=True, kind=ConnectorKind.OPEN311
                    ):
                        case_system_poll(case_system=system)
            except Exception as exc:  # noqa: BLE001 - database/cache down: wait, never exit
                heartbeat.beat("outage")
                sleep_unless(lambda: bool(stopping), outage.failed(exc))
                continue
            outage.succeeded()
            if claimed == 0:
                if once:
                    break
                sleep_unless(lambda: bool(stopping), interval)
        return total

    def _warn_if_lease_is_short(self) -> None:
        try:
            slowest = max(
                CaseSystem.objects.filter(is_active=True).values_list("timeout", flat=True),
                default=0,
            )
        except Exception:  # noqa: BLE001 - the database may be down at start: the loop copes
            return
        if slowest and slowest >= settings.CASEFEED_LEASE_SECONDS:
            logger.warning(
                "CASEFEED_LEASE_SECONDS (%s) is not above the slowest case system's timeout "
                "(%s s): a slow answer may let a second worker send the same delivery again",
                settings.CASEFEED_LEASE_SECONDS,
                slowest,
            )
