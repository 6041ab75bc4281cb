import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import OperationalError

from portal import health

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_every_dependency_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "up",
        "cache": "up",
        "task_queue": "up",
    }
    assert body["checks"]["task_queue"]["ready"] == 0
    assert response["Cache-Control"].startswith("max-age=0")


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
