"""The background worker: runs queued tasks and publishes scheduled pages every minute."""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the task worker (django-tasks-db's db_worker) together with the scheduler that "
        "publishes and unpublishes pages at their scheduled time (Wagtail's publish_scheduled)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=60.0,
            help="Seconds between two runs of publish_scheduled (default 60).",
        )

    def handle(self, *args, schedule_interval, **options):
        stop = threading.Event()
        scheduler = threading.Thread(
            target=self.publish_scheduled_forever, args=(stop, schedule_interval), daemon=True
        )
        scheduler.start()
        try:
            call_command("db_worker", interval=1.0, verbosity=options["verbosity"])
        finally:
            stop.set()

    def publish_scheduled_forever(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                call_command("publish_scheduled", verbosity=0)
            except Exception:
                logger.exception("publish_scheduled failed; retrying in %s s", interval)
            finally:
                close_old_connections()
            stop.wait(interval)
