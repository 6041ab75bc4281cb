"""Losing Redis or the database: the site answers, says so once in the log, and recovers.

Redis: a real second redis-server on a free port, killed and started again on the same port.
Database: the connection's ``ensure_connection`` raises OperationalError, as Django's own does
when the server refuses connections.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from complaints.models import Report
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import outage
from portal.resilient_cache import reset_outage_state
from tests.cms import builders
from tests.complaints.conftest import form_data

pytestmark = pytest.mark.django_db

REDIS_SERVER = Path("/usr/bin/redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """A throw-away redis-server (no persistence) that the test can kill and start again."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def dbsize(self) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"SELECT 3\r\nDBSIZE\r\n")
            reply = b""
            while reply.count(b"\r\n") < 2:
                reply += sock.recv(64)
            return int(reply.split(b"\r\n")[1].lstrip(b":"))


@pytest.fixture
def redis_server():
    if not REDIS_SERVER.exists() and not shutil.which("redis-server"):
        message = f"{REDIS_SERVER} is missing: apt-get install redis-server"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = RedisProcess(_free_port())
    server.start()
    yield server
    server.kill()


def _use_redis(settings, location: str, *, retry_seconds: float = 0.5, timeout: float = 0.5):
    """Point the default cache at ``location`` (the settings fixture resets the handlers)."""
    from django.core.cache import caches

    caches.close_all()
    reset_outage_state()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "RETRY_SECONDS": retry_seconds,
            },
        }
    }


@pytest.fixture
def pages(home):
    index = builders.campaign_index(home)
    builders.campaign(index)
    return {"home": "/", "campaigns": index.url}


@pytest.fixture
def reference(db):
    """The demo taxonomy and grid the report form needs."""
    categories_load_from_csv()
    demo_geography_load()


@pytest.fixture
def rate_settings(settings):
    settings.COMPLAINTS_SMS_BACKEND = "complaints.notifications.sms.MemorySmsBackend"
    settings.COMPLAINTS_RATE_SUBMIT_IP = "100/h"
    settings.COMPLAINTS_RATE_SUBMIT_PHONE = "100/h"
    # Low enough to see it bite: the third look-up within the hour is refused.
    settings.COMPLAINTS_RATE_TRACK_IP = "2/h"


def _track(client) -> int:
    return client.post(
        reverse("complaints:track"), {"reference": "BH-2026-000001", "access_code": "x" * 19}
    ).status_code


def _cache_warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "portal.cache" and r.levelno >= logging.WARNING]


def test_pages_and_submissions_survive_redis_outage_and_limits_resume(
    client, settings, redis_server, pages, reference, rate_settings, caplog
):
    _use_redis(settings, f"redis://127.0.0.1:{redis_server.port}/3")
    caplog.set_level(logging.INFO, logger="portal.cache")
    report_url = reverse("complaints:report_create")

    # Redis up: everything works and the rate limit counts in Redis.
    assert client.get(pages["home"]).status_code == 200
    assert client.get(pages["campaigns"]).status_code == 200
    assert client.post(report_url, form_data()).status_code == 302
    assert [_track(client) for _ in range(3)] == [200, 200, 429]
    assert redis_server.dbsize() > 0

    # Redis gone: pages, the form and submissions still work; limits fail open; one warning.
    redis_server.kill()
    for _ in range(3):
        assert client.get(pages["home"]).status_code == 200
        assert client.get(pages["campaigns"]).status_code == 200
    assert client.get(report_url).status_code == 200
    # confirm_new: the same place again would first offer to support the earlier report.
    assert client.post(report_url, form_data(confirm_new="1")).status_code == 302
    assert client.post(report_url, form_data(confirm_new="1")).status_code == 302
    assert [_track(client) for _ in range(4)] == [200, 200, 200, 200]
    assert Report.objects.count() == 3
    warnings = _cache_warnings(caplog)
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unreachable" in warnings[0].getMessage()
    assert "rate limits are not enforced" in warnings[0].getMessage()

    # Redis back on the same port (empty): after the breaker's window it is used again, the
    # end of the outage is logged, and the low limit bites again.
    redis_server.start()
    time.sleep(0.6)
    assert client.get(pages["home"]).status_code == 200
    assert [_track(client) for _ in range(3)] == [200, 200, 429]
    assert redis_server.dbsize() > 0
    assert len(_cache_warnings(caplog)) == 1
    assert any(
        r.name == "portal.cache" and "reachable again" in r.getMessage() for r in caplog.records
    )


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], held
    stop.set()
    thread.join(timeout=2)
    for sock in held:
        sock.close()
    listener.close()


def test_a_hung_redis_costs_one_timeout_per_retry_window_not_per_request(
    client, settings, silent_server, pages, caplog
):
    # Socket timeout 0.5 s, breaker window 30 s: only the first request waits for Redis.
    port, connections = silent_server
    _use_redis(settings, f"redis://127.0.0.1:{port}/3", retry_seconds=30, timeout=0.5)
    caplog.set_level(logging.INFO, logger="portal.cache")
    started = time.monotonic()
    assert client.get(pages["home"]).status_code == 200
    first = time.monotonic() - started
    tried = len(connections)
    started = time.monotonic()
    for _ in range(5):
        assert client.get(pages["home"]).status_code == 200
    next_five = time.monotonic() - started
    print(f"hung Redis: first request {first:.2f} s, next five {next_five:.2f} s")
    assert first >= 0.5  # it did wait for the socket timeout once
    assert tried >= 1
    assert len(connections) == tried  # and did not try Redis again within the window
    assert next_five < 5 * 0.5  # so no request waited for a timeout
    assert len(_cache_warnings(caplog)) == 1


def test_embedded_sqlite_cache_with_an_unusable_file_serves_pages(
    client, settings, pages, tmp_path, caplog
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    from django.core.cache import caches

    caches.close_all()
    reset_outage_state()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.sqlite_cache.SQLiteCache",
            "LOCATION": str(blocker / "cache.sqlite3"),
            "OPTIONS": {"RETRY_SECONDS": 30},
        }
    }
    caplog.set_level(logging.INFO, logger="portal.cache")
    for _ in range(3):
        assert client.get(pages["home"]).status_code == 200
        assert client.get(pages["campaigns"]).status_code == 200
    assert len(_cache_warnings(caplog)) == 1


# --- Database outage -------------------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails as when PostgreSQL refuses connections."""
    outage.outage_log.reset()

    def refuse():
        raise OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused"
        )

    def down():
        monkeypatch.setattr(connection, "ensure_connection", refuse)

    def up():
        monkeypatch.undo()

    yield down, up
    monkeypatch.undo()
    outage.outage_log.reset()


def _outage_records(caplog):
    return [r for r in caplog.records if r.name == "portal.outage"]


def _error_records(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_database_outage_answers_503_with_retry_after_and_logs_once(
    pages, reference, rate_settings, database_down, caplog, monkeypatch, settings
):
    # Pages rendered, not copies from the page cache (those are served during an outage).
    settings.PORTAL_PAGE_CACHE = False
    client = Client(raise_request_exception=False)
    down, up = database_down
    caplog.set_level(logging.INFO)
    assert client.get(pages["home"]).status_code == 200

    data = form_data()  # reads the categories: before the outage
    down()
    html = [client.get(pages["home"]), client.get(pages["campaigns"])]
    html.append(client.post(reverse("complaints:report_create"), data))
    for response in html:
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "服务暂时不可用" in body and "30" in body
        assert 'lang="zh-CN"' in body

    api = client.get("/open311/v2/services.json")
    assert api.status_code == 503
    assert api["Retry-After"] == "30"
    assert api.json()[0]["code"] == 503
    xml = client.get("/open311/v2/services.xml")
    assert xml.status_code == 503
    assert b"<code>503</code>" in xml.content
    as_json = client.get(pages["home"], headers={"Accept": "application/json"})
    assert as_json.status_code == 503
    assert as_json.json()["status"] == "unavailable"

    warnings = [r for r in _outage_records(caplog) if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Database unavailable" in warnings[0].getMessage()
    assert warnings[0].exc_info is None  # one line, not a traceback
    assert _error_records(caplog) == []  # no "Internal Server Error" per request

    # Back up: pages answer again and the end of the outage is logged once.
    up()
    monkeypatch.setattr(outage, "QUIET_SECONDS", 0)
    assert client.get(pages["home"]).status_code == 200
    recovered = [r for r in _outage_records(caplog) if "available again" in r.getMessage()]
    assert len(recovered) == 1
    assert "6 requests were answered 503" in recovered[0].getMessage()


def test_database_outage_in_middleware_of_a_signed_in_user_is_503_too(
    pages, make_staff, database_down, caplog
):
    # The session and user are loaded by middleware, before any view runs: handler500's path.
    client = Client(raise_request_exception=False)
    client.force_login(make_staff(None))
    down, _up = database_down
    caplog.set_level(logging.INFO)
    down()
    responses = [client.get(pages["home"]) for _ in range(3)]
    assert [r.status_code for r in responses] == [503, 503, 503]
    assert all(r["Retry-After"] == "30" for r in responses)
    assert len([r for r in _outage_records(caplog) if r.levelno == logging.WARNING]) == 1
    assert _error_records(caplog) == []


def test_other_errors_still_answer_the_500_page(pages, monkeypatch, caplog):
    from cms.models import HomePage

    def boom(self, request, *args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(HomePage, "serve", boom)
    client = Client(raise_request_exception=False)
    response = client.get(pages["home"])
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert _outage_records(caplog) == []


def test_settings_with_redis_url_choose_the_resilient_cache_and_pass_the_checks():
    """What production runs (REDIS_URL set) is what the tests above exercise."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; "
        "print(settings.CACHES['default']['BACKEND'], settings.RATELIMIT_FAIL_OPEN, "
        "settings.SESSION_ENGINE, 'portal.outage.DatabaseOutageMiddleware' in settings.MIDDLEWARE); "
        "call_command('check', fail_level='WARNING')"
    )
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:1/3",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[:4] == [
        "portal.resilient_cache.ResilientRedisCache",
        "True",
        "django.contrib.sessions.backends.db",
        "True",
    ]
