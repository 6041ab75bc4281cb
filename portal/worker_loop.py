"""What every long-running worker shares: surviving outages, and checking in for /healthz.

``OutageBackoff`` turns "the database (or the cache) went away" into a pause instead of an exit:
the loop catches the error, logs it once per outage (not once per retry), closes the broken
connection, waits with capped exponential back-off, and tries again; the first success after an
outage is logged with the outage's length.

``heartbeat`` writes the worker's check-in as a small JSON file under
``settings.HEALTH_HEARTBEAT_DIR`` (default ``$PORTAL_DATA_DIR/heartbeats``). A file rather than
a cache key (Redis may be the thing that is down) or a database row (so does the database, and a
table would need a migration): a worker in back-off still checks in, with ``state: "outage"``.
/healthz (``portal.health.check_workers``) reads these files. With app servers and workers on
different machines the directory must be shared (like media), or the check switched off
(``HEALTH_WORKER_STALE_SECONDS=0``); see docs/operations.md.
"""

import json
import logging
import os
import random
import re
import socket
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

# Worker kinds /healthz knows about.
TASKS = "tasks"
CASEFEED = "casefeed"

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_HEARTBEAT_EVERY = 5.0  # seconds: a worker writes at most this often
_PRUNE_AFTER = 86400.0  # heartbeat files of workers gone for a day are removed


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def heartbeat_dir() -> Path:
    return Path(settings.HEALTH_HEARTBEAT_DIR)


class Heartbeat:
    """One worker's check-in file: ``<kind>--<worker id>.json``, replaced atomically."""

    def __init__(self, kind: str, worker: str):
        self.kind = kind
        self.worker = worker
        self.path = heartbeat_dir() / f"{kind}--{_SAFE.sub('_', worker)[:100]}.json"
        self._last = 0.0
        self._state = ""

    def beat(self, state: str = "ok", *, force: bool = False) -> None:
        """Check in; cheap to call every loop iteration (writes at most every few seconds).

        Never raises: a full or read-only disk must not stop the worker (/healthz will then
        report it as not checked in, which is the truth an operator needs).
        """
        now = time.time()
        if not force and state == self._state and now - self._last < _HEARTBEAT_EVERY:
            return
        record = {
            "kind": self.kind,
            "worker": self.worker,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "state": state,
            "at": now,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(record))
            os.replace(tmp, self.path)
        except OSError as exc:
            if self._last >= 0:  # log once until a write works again
                logger.warning(
                    "worker %s: cannot write heartbeat %s: %s", self.worker, self.path, exc
                )
            self._last = -1.0
            return
        self._last, self._state = now, state

    def remove(self) -> None:
        """A worker that stops cleanly removes its check-in."""
        self.path.unlink(missing_ok=True)

    def prune(self) -> None:
        """Remove check-ins of this kind's workers that are gone (older than a day)."""
        cutoff = time.time() - _PRUNE_AFTER
        for path in heartbeat_dir().glob(f"{self.kind}--*.json"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


def read_heartbeats() -> list[dict]:
    """Every check-in found (unreadable or half-written files are skipped)."""
    records = []
    directory = heartbeat_dir()
    if not directory.is_dir():
        return records
    for path in directory.glob("*--*.json"):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("at"), (int, float)):
            records.append(record)
    return records


class OutageBackoff:
    """Back-off for a worker loop whose database or cache is unreachable.

    ``failed(exc)`` returns the seconds to wait; ``succeeded()`` ends the outage. One ERROR line
    (with the traceback) when an outage starts, one WARNING line when it ends.
    """

    def __init__(self, worker: str, *, what: str):
        self.worker = worker
        self.what = what
        self.failures = 0
        self.started = 0.0

    @property
    def in_outage(self) -> bool:
        return self.failures > 0

    def failed(self, exc: BaseException) -> float:
        if not self.failures:
            self.started = time.monotonic()
            logger.error(
                "%s %s: %s: %s; retrying with back-off (up to %s s) until it works again",
                self.what,
                self.worker,
                type(exc).__name__,
                exc,
                settings.WORKER_OUTAGE_BACKOFF_MAX,
                exc_info=exc,
            )
        self.failures += 1
        reset_connections()
        ceiling = min(
            settings.WORKER_OUTAGE_BACKOFF_MAX,
            settings.WORKER_OUTAGE_BACKOFF_BASE * 2 ** min(self.failures - 1, 20),
        )
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311  # nosec B311 - jitter, not crypto

    def succeeded(self) -> None:
        if self.failures:
            logger.warning(
                "%s %s: working again after %s failed tries (%.1f s)",
                self.what,
                self.worker,
                self.failures,
                time.monotonic() - self.started,
            )
        self.failures = 0


def reset_connections() -> None:
    """Drop broken database connections before retrying (kept inside a test's transaction)."""
    if not connection.in_atomic_block:
        close_old_connections()


def sleep_unless(stop, seconds: float, step: float = 0.2) -> None:
    """Sleep up to ``seconds``, returning early once ``stop()`` is true."""
    deadline = time.monotonic() + seconds
    while not stop():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(step, left))
