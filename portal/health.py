"""The /healthz probe: database, cache and task queue, each checked for real."""

import time
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


def check_task_queue() -> dict:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "ready": ready.count(),
        "oldest_ready_age_seconds": (
            round((timezone.now() - oldest).total_seconds()) if oldest else 0
        ),
    }


CHECKS = {"database": check_database, "cache": check_cache, "task_queue": check_task_queue}


@never_cache
@require_GET
def healthz(request):
    report, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
        except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
            healthy = False
            report[name] = {"status": "down", "error": type(exc).__name__}
        else:
            report[name] = {"status": "up", **detail}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": report},
        status=200 if healthy else 503,
    )
