import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.utils import timezone

from portal import health
from portal.worker_loop import TASKS, Heartbeat

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def heartbeat_dir(settings, tmp_path):
    settings.HEALTH_HEARTBEAT_DIR = tmp_path / "heartbeats"
    settings.HEALTH_WORKER_STALE_SECONDS = 300
    settings.HEALTH_QUEUE_STALL_SECONDS = 600
    return settings.HEALTH_HEARTBEAT_DIR


@pytest.fixture
def checked_in():
    """A task worker that checked in just now."""
    Heartbeat(TASKS, "worker-1").beat()


def test_healthz_reports_every_dependency_up(client, checked_in):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "up",
        "cache": "up",
        "media_storage": "up",
        "task_queue": "up",
        "casefeed": "up",
        "workers": "up",
    }
    assert body["checks"]["task_queue"]["ready"] == 0
    assert body["checks"]["workers"]["tasks"]["fresh"] == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_degraded_when_the_oldest_ready_task_is_too_old(client, checked_in):
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    ping.enqueue()
    assert client.get("/healthz").status_code == 200  # just queued: not stalled
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=601))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    queue = body["checks"]["task_queue"]
    assert queue["status"] == "degraded" and queue["ready"] == 1
    assert queue["oldest_ready_age_seconds"] >= 601
    assert "waited" in queue["problem"]
    assert body["checks"]["database"]["status"] == "up"
    # A load balancer asking about the web process alone is not told to drop it.
    assert client.get("/healthz", {"scope": "web"}).status_code == 200


def test_healthz_deferred_task_waits_from_its_run_after(client, checked_in):
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    ping.using(run_after=timezone.now() + timedelta(seconds=30)).enqueue()
    DBTaskResult.objects.update(
        enqueued_at=timezone.now() - timedelta(days=2),
        run_after=timezone.now() - timedelta(seconds=5),
    )
    body = client.get("/healthz").json()
    assert body["checks"]["task_queue"]["ready"] == 1
    assert body["checks"]["task_queue"]["status"] == "up"


def test_healthz_is_503_degraded_when_no_worker_has_checked_in(client, heartbeat_dir):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["workers"]["status"] == "degraded"
    assert "no tasks worker" in body["checks"]["workers"]["problem"]
    # A check-in older than HEALTH_WORKER_STALE_SECONDS counts for nothing either.
    Heartbeat(TASKS, "old").beat()
    path = next(heartbeat_dir.glob("tasks--*.json"))
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "at": time.time() - 301}))
    body = client.get("/healthz").json()
    assert body["checks"]["workers"]["status"] == "degraded"
    assert body["checks"]["workers"]["tasks"]["last_check_in_age_seconds"] >= 301
    Heartbeat(TASKS, "new").beat()
    assert client.get("/healthz").status_code == 200


def test_healthz_worker_in_outage_is_degraded(client):
    Heartbeat(TASKS, "w").beat("outage")
    body = client.get("/healthz").json()
    assert body["checks"]["workers"]["status"] == "degraded"
    assert "outage" in body["checks"]["workers"]["problem"]


def test_run_worker_checks_in_while_it_runs(client, heartbeat_dir, monkeypatch):
    """The real command writes the heartbeat /healthz reads (and removes it when it stops)."""
    from portal.tasks import ping

    seen = {}
    original = Heartbeat.beat

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen["healthz"] = client.get("/healthz").json()["checks"]["workers"]

    monkeypatch.setattr(Heartbeat, "beat", spy)
    ping.enqueue()
    call_command("run_worker", "--batch", "--interval", "0")
    assert seen["healthz"]["status"] == "up" and seen["healthz"]["tasks"]["fresh"] == 1
    assert not list(heartbeat_dir.glob("*.json"))  # a clean stop leaves no check-in behind


def test_healthz_is_503_when_media_storage_cannot_be_written(
    client, checked_in, settings, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["media_storage"]["status"] == "down"


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    class BrokenConnection:
        vendor = "broken"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "status": "down",
        "error": "OperationalError",
        "ms": body["checks"]["database"]["ms"],
    }
    assert body["checks"]["cache"]["status"] == "up"


def test_healthz_is_503_when_the_cache_is_down(client, settings):
    # A Redis cache on a port where nothing listens: a real connection failure.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "down"
    assert response.json()["checks"]["database"]["status"] == "up"


def test_healthz_is_503_when_the_task_queue_cannot_be_read(client, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    def broken_ready(self):
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr(type(DBTaskResult.objects.get_queryset()), "ready", broken_ready)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"]["status"] == "down"


def test_healthz_counts_waiting_tasks(client):
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    ping.enqueue()
    assert DBTaskResult.objects.ready().count() == 1
    assert client.get("/healthz").json()["checks"]["task_queue"]["ready"] == 1


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_without_secret_key_refuses_to_start():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    )
    assert run_python(code, DJANGO_SECRET_KEY="k" * 50).stdout.split() == ["False", "True"]
    assert run_python(code, DJANGO_DEBUG="1").stdout.split() == ["True", "False"]


def test_invalid_boolean_setting_is_a_clear_error():
    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "from django.conf import settings; settings.DEBUG",
        DJANGO_DEBUG="maybe",
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be" in result.stderr
