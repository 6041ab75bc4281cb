"""The background worker: runs queued tasks, and every minute the scheduled commands (publishes
scheduled pages; makes last month's bulletin once it is due; purges abandoned photo drafts).

The task loop is django-tasks-db's ``Worker`` (the class behind ``manage.py db_worker``), run by
``ResilientWorker``: one round claims and runs one task exactly as ``db_worker`` does, but a
database error no longer ends the process. It is logged once per outage, the broken connection
is closed, and the round is retried with capped back-off (``WORKER_OUTAGE_BACKOFF_*``). Every
round checks in for /healthz (``portal.worker_loop.Heartbeat``, kind "tasks").
"""

import logging
import signal
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from portal.worker_loop import TASKS, Heartbeat, OutageBackoff, reset_connections

logger = logging.getLogger(__name__)

# Run every --schedule-interval seconds, each on its own (one failing does not stop the others).
# Named, not imported: the indicators app's command (nothing in portal imports indicators).
SCHEDULED_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("publish_scheduled",),
    ("generate_bulletin", "--if-due"),
    # Drafts left pending by a process that died while writing their file, and abandoned forms.
    ("purge_upload_drafts",),  # indicators/bulletin.py: on the month's first working day
)


class ResilientWorker(Worker):
    """django-tasks-db's worker, one round at a time, surviving database outages."""

    def __init__(self, *, heartbeat: Heartbeat, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = heartbeat
        self.outage = OutageBackoff(self.worker_id, what="run_worker")

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        while self.running:
            self.heartbeat.beat("outage" if self.outage.in_outage else "ok")
            try:
                ran, finished = self.run_one()
            except Exception as exc:  # noqa: BLE001 - database down: wait and retry, never exit
                self.heartbeat.beat("outage")
                self.pause(self.outage.failed(exc))
                continue
            self.outage.succeeded()
            if finished:
                return
            if self.running and not ran:
                self.pause(self.interval)

    def pause(self, seconds: float) -> None:
        # Upstream's signal handler exits at once (SystemExit) when no task is running, which
        # interrupts this sleep too.
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))

    def run_one(self) -> tuple[bool, bool]:
        """One round of upstream ``Worker.run``: (ran a task, the worker should stop)."""
        reset_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                retrieved = True
                if task_result is not None:
                    task_result.claim(self.worker_id)  # so no other worker runs it
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                task_result, retrieved = None, False  # SQLite busy: try again next round
        if task_result is not None:
            self.heartbeat.beat("running", force=True)
            self.run_task(task_result)
        if self.batch and retrieved and task_result is None:
            return False, True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return task_result is not None, True
        return task_result is not None, False


class Command(BaseCommand):
    help = (
        "Run the task worker (django-tasks-db's worker, surviving database outages) together "
        "with the scheduler that publishes and unpublishes pages at their scheduled time "
        "(Wagtail's publish_scheduled)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=60.0,
            help="Seconds between two runs of publish_scheduled (default 60).",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Idle sleep between polls (seconds)."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks that are ready, then exit."
        )
        parser.add_argument("--queue-name", default=DEFAULT_TASK_QUEUE_NAME)
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, schedule_interval, interval, batch, queue_name, worker_id, **options):
        worker_id = worker_id or get_random_string(32)
        heartbeat = Heartbeat(TASKS, worker_id)
        heartbeat.prune()
        worker = ResilientWorker(
            heartbeat=heartbeat,
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        stop = threading.Event()
        if not batch:
            threading.Thread(
                target=self.publish_scheduled_forever, args=(stop, schedule_interval), daemon=True
            ).start()
        signals = [signal.SIGINT, signal.SIGTERM] + (
            [signal.SIGQUIT] if hasattr(signal, "SIGQUIT") else []
        )
        previous = {signum: signal.getsignal(signum) for signum in signals}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            heartbeat.remove()

    def publish_scheduled_forever(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            for command in SCHEDULED_COMMANDS:
                try:
                    close_old_connections()
                    call_command(*command, verbosity=0)
                except Exception:
                    logger.exception("%s failed; retrying in %s s", command[0], interval)
                finally:
                    close_old_connections()
            stop.wait(interval)
