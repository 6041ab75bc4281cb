"""The /healthz probe: each dependency and each background worker, checked for real.

Two kinds of trouble, both answered with HTTP 503 so that any monitor that looks only at the
status code raises the alarm:

- ``"status": "unavailable"``: a check failed outright (database, cache, media storage, or a
  query the queue checks need); the check shows ``"status": "down"`` and the exception class.
- ``"status": "degraded"``: every dependency answers, but background work is stuck: a task has
  been ready, or a case-feed delivery due, for longer than ``HEALTH_QUEUE_STALL_SECONDS``, or a
  kind of worker has not checked in for ``HEALTH_WORKER_STALE_SECONDS``; the check shows
  ``"status": "degraded"`` and a ``problem``.

``/healthz?scope=web`` runs only the checks of the web process's own dependencies (database,
cache, media storage), for a load balancer that should not take app servers out of rotation
because a worker is stuck. See docs/operations.md.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.worker_loop import CASEFEED, TASKS, read_heartbeats


class Degraded(Exception):
    """Raised by a check that works but finds background work stuck; carries its detail."""

    def __init__(self, problem: str, detail: dict):
        super().__init__(problem)
        self.problem = problem
        self.detail = detail


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("cache did not return the value just written")
    return {"backend": type(cache).__name__}


def check_media_storage() -> dict:
    """Public media and private uploads can be written: a write probe of the local disks
    (complaints.privacy.storage_health), one HEAD request per bucket on object storage
    (portal.storage_s3, PORTAL_MEDIA_BACKEND=s3)."""
    from django.core.files.storage import storages

    from complaints.privacy.storage_health import check_media_storage as check

    aliases = ("default", "private")
    remote = {a: storages[a] for a in aliases if hasattr(storages[a], "health_probe")}
    detail = {alias: storage.health_probe() for alias, storage in remote.items()}
    if len(remote) < len(aliases):
        result = check()
        detail.update(result if isinstance(result, dict) else {"free_bytes": result})
    return detail


def _stalled(age_seconds: float) -> bool:
    return settings.HEALTH_QUEUE_STALL_SECONDS > 0 and age_seconds > (
        settings.HEALTH_QUEUE_STALL_SECONDS
    )


def check_task_queue() -> dict:
    """Tasks ready to run and how long the oldest has waited (since it was enqueued, or since
    its run_after for a deferred task)."""
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.ready()
    never_deferred = ready.filter(run_after=get_date_max())
    since = [
        never_deferred.aggregate(t=Min("enqueued_at"))["t"],
        ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
    ]
    since = [t for t in since if t]
    age = round((timezone.now() - min(since)).total_seconds()) if since else 0
    detail = {"ready": ready.count(), "oldest_ready_age_seconds": age}
    if _stalled(age):
        raise Degraded(f"a task has waited {age} s for a worker", detail)
    return detail


def check_casefeed() -> dict:
    """Case-feed deliveries due and how long the oldest has been due."""
    from complaints.casefeed.outbox import casefeed_backlog

    detail = casefeed_backlog()
    if _stalled(detail["oldest_due_age_seconds"]):
        raise Degraded(f"a delivery has been due for {detail['oldest_due_age_seconds']} s", detail)
    return detail


def expected_workers() -> list[str]:
    """The task worker always; the case-feed worker when a case system is active."""
    from complaints.models import CaseSystem

    kinds = [TASKS]
    if CaseSystem.objects.filter(is_active=True).exists():
        kinds.append(CASEFEED)
    return kinds


def check_workers() -> dict:
    """Each expected kind of worker has checked in recently (portal.worker_loop.Heartbeat)."""
    stale_after = settings.HEALTH_WORKER_STALE_SECONDS
    if stale_after <= 0:
        return {"checked": False}
    now = time.time()
    beats = read_heartbeats()
    detail, problems = {}, []
    for kind in expected_workers():
        fresh = [b for b in beats if b.get("kind") == kind and now - b["at"] <= stale_after]
        ages = [now - b["at"] for b in beats if b.get("kind") == kind]
        detail[kind] = {
            "fresh": len(fresh),
            "last_check_in_age_seconds": round(min(ages)) if ages else None,
            "in_outage": sum(1 for b in fresh if b.get("state") == "outage"),
        }
        if not fresh:
            problems.append(f"no {kind} worker has checked in for {round(stale_after)} s")
        elif all(b.get("state") == "outage" for b in fresh):
            problems.append(f"every {kind} worker is waiting out a database or cache outage")
    if problems:
        raise Degraded("; ".join(problems), detail)
    return detail


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "media_storage": check_media_storage,
    "task_queue": check_task_queue,
    "casefeed": check_casefeed,
    "workers": check_workers,
}
# The checks of the web process's own dependencies (?scope=web).
WEB_CHECKS = ("database", "cache", "media_storage")


@never_cache
@require_GET
def healthz(request):
    names = WEB_CHECKS if request.GET.get("scope") == "web" else tuple(CHECKS)
    report, down, degraded = {}, False, False
    for name in names:
        started = time.perf_counter()
        try:
            detail = CHECKS[name]()
        except Degraded as exc:
            degraded = True
            report[name] = {"status": "degraded", "problem": exc.problem, **exc.detail}
        except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
            down = True
            report[name] = {"status": "down", "error": type(exc).__name__}
        else:
            report[name] = {"status": "up", **detail}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    status = "unavailable" if down else "degraded" if degraded else "ok"
    return JsonResponse(
        {"status": status, "checks": report}, status=503 if down or degraded else 200
    )
