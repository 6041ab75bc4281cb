"""Deliver queued reports to the case systems, and poll Open311 systems for updates.

Run as many as you like, on as many machines: each claims its own rows. SIGTERM/SIGINT finish
the current batch and exit; SIGKILL loses nothing (the rows' leases run out and another
worker retries them with the same idempotency key).
"""

import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from complaints.casefeed.inbound import case_system_poll
from complaints.casefeed.outbox import deliveries_drain
from complaints.models import CaseSystem, ConnectorKind


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
        worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        stopping = []
        previous = {
            signum: signal.signal(signum, lambda *_: stopping.append(True))
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            total = self._loop(worker, stopping, once, batch, interval, poll_every)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"{worker}: delivered {total}")

    def _loop(self, worker, stopping, once, batch, interval, poll_every) -> int:
        last_poll = 0.0
        total = 0
        while not stopping:
            if not connection.in_atomic_block:  # (inside a test's transaction: keep it)
                # A long-running worker drops broken or expired connections between batches.
                close_old_connections()
            claimed, delivered = deliveries_drain(worker=worker, batch=batch)
            total += delivered
            if time.monotonic() - last_poll >= poll_every and not once:
                last_poll = time.monotonic()
                for system in CaseSystem.objects.filter(is_active=True, kind=ConnectorKind.OPEN311):
                    case_system_poll(case_system=system)
            if claimed == 0:
                if once:
                    break
                time.sleep(interval)
        return total
