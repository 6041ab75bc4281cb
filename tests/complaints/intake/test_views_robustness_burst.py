"""A burst of submissions against the real server on the embedded SQLite default.

gunicorn with two processes of many threads: writers compete inside each process and across
the two, as with `make run` under load (runserver's listen backlog of 10 would refuse most of
a burst before the application sees it).

Every answer is a receipt redirect (the report stored exactly once, its receipt cookie set) or a
clear 503 with Retry-After (nothing stored); never a 500.
"""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from complaints.intake.receipt_cookie import RECEIPT_COOKIE
from tests.complaints.conftest import POINT, category

BURST = int(os.environ.get("INTAKE_BURST", "80"))
# A short lock wait makes the burst run out of it, as a 20 s wait does under a heavier load:
# the path where "database is locked" used to come after the report was stored.
LOCK_WAIT = os.environ.get("INTAKE_SQLITE_TIMEOUT", "0.2")
ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=90):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path, reference_data):
    """runserver on a copy of the migrated test database (with the demo taxonomy and grid)."""
    if connection.vendor != "sqlite":
        pytest.skip("the burst test is about the embedded SQLite default")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    connection.ensure_connection()
    target = sqlite3.connect(data_dir / "portal.sqlite3")
    connection.connection.backup(target)
    target.close()
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": str(data_dir),
        "DJANGO_DEBUG": "0",
        "DJANGO_STATIC_ROOT": str(settings.STATIC_ROOT),  # collected by the test run
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COMPLAINTS_RATE_SUBMIT_IP": "100000/h",
        "COMPLAINTS_RATE_SUBMIT_PHONE": "100000/h",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PORTAL_SQLITE_TIMEOUT": LOCK_WAIT,
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_MEDIA_ROOT", "PORTAL_PRIVATE_MEDIA_ROOT"):
        env.pop(name, None)
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            f"--threads={BURST // 2 + 1}",
            "--backlog=2048",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _h, _b = request(port, "GET", "/report/", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.3)
        yield port, data_dir / "portal.sqlite3", tmp_path / "server.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_burst_of_submissions_gets_receipts_or_a_clear_503(server):
    port, database, log = server
    status, headers, body = request(port, "GET", "/report/")
    cookie = SimpleCookie(headers.get("Set-Cookie", ""))["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    category_pk = category("event", "0102").pk

    def form(submission_token):
        return urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "submission_token": submission_token,
                "draft_token": uuid.uuid4().hex + uuid.uuid4().hex[:8],
                "category": category_pk,
                "description": "路口垃圾桶旁边堆满了垃圾，已经两天没人清理。",
                "address": "太湖大道 100 号附近",
                "latitude": POINT[0],
                "longitude": POINT[1],
                "contact_phone": "13812345678",
                "consent_to_contact": "on",
                "is_public": "on",
                "confirm_new": "1",
                "website": "",
            }
        )

    tokens = [str(uuid.uuid4()) for _ in range(BURST)]
    results: dict[str, tuple] = {}
    start = threading.Barrier(BURST)

    def submit(submission_token):
        body = form(submission_token)
        start.wait()
        try:
            results[submission_token] = request(
                port,
                "POST",
                "/report/",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie}",
                },
            )
        except OSError as exc:
            results[submission_token] = (None, {}, repr(exc).encode())

    began = time.monotonic()
    threads = [threading.Thread(target=submit, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    statuses = sorted(str(r[0]) for r in results.values())
    summary = {s: statuses.count(s) for s in set(statuses)}
    print(f"\n{BURST} concurrent submissions in {elapsed:.1f} s: {summary}")
    assert set(summary) <= {"302", "503"}, (summary, log.read_text()[-3000:])

    stored = dict(
        sqlite3.connect(database)
        .execute("SELECT submission_token, COUNT(*) FROM complaints_report GROUP BY 1")
        .fetchall()
    )
    stored = {str(uuid.UUID(str(key))): count for key, count in stored.items()}
    for submission_token, (status, headers, _body) in results.items():
        if status == 302:
            assert stored.get(submission_token) == 1, submission_token
            assert "/receipt/" in headers["Location"]
            assert f"{RECEIPT_COOKIE}=" in headers.get("Set-Cookie", "")
        else:
            assert submission_token not in stored, submission_token
            assert int(headers["Retry-After"]) > 0
    assert len(stored) == summary.get("302", 0)

    # The receipts open with the cookie each answer set (a sample: the first few).
    for status, headers, _body in [r for r in results.values() if r[0] == 302][:5]:
        receipts = SimpleCookie(headers["Set-Cookie"])[RECEIPT_COOKIE].value
        path = urllib.parse.urlsplit(headers["Location"]).path
        cookie = {"Cookie": f"{RECEIPT_COOKIE}={receipts}"}
        status, _h, page = request(port, "GET", path, headers=cookie)
        assert status == 200 and b'id="receipt-code"' in page
