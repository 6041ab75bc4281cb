"""Submit complaint reports over HTTP to gunicorn and compare with a bare Django view.

    .venv/bin/python benchmarks/submit_reports.py [--workers 2] [--clients 8] [--seconds 10]
        [--database-url postgres://...]

Starts gunicorn (sync workers) on a free port against a fresh temporary SQLite database (or the
given DATABASE_URL, whose tables are dropped!), loads the demo taxonomy and grid, then in the
same run:
  1. GETs a bare Django view ("ok") from all clients for N seconds -> requests/s;
  2. POSTs complete report forms (new submission token each; every 10th form is sent twice, as
     a double tap) for N seconds -> reports/s;
and prints the number of reports stored against the distinct reports acknowledged (302 to a
receipt). They must be equal: the script exits 1 otherwise.

Clients are Python processes with keep-alive connections, on the same machine as the server:
the figures are for comparing the two endpoints, not the server's absolute ceiling (wrk gets
more from the bare view).
"""

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RECEIPT = re.compile(r"/report/(BH-\d{4}-\d{6})/receipt/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(data_dir: Path, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_FIELD_KEYS": "0" * 43 + "=",
        "PORTAL_HASH_KEY": "benchmark-hash-key-" + "x" * 32,
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "COMPLAINTS_RATE_SUBMIT_IP": "1000000/h",
        "COMPLAINTS_RATE_SUBMIT_PHONE": "1000000/h",
        "LOG_LEVEL": "WARNING",
    }
    if "--redis" not in sys.argv:
        env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def prepare(env: dict) -> None:
    migrate = [PYTHON, "manage.py", "migrate", "--noinput", "-v0"]
    if env.get("DATABASE_URL"):
        # The benchmark measures serving; system checks are the test suite's business.
        migrate.append("--skip-checks")
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    loader = (
        "from complaints.reference.services.reference_data import categories_load_from_csv, "
        "demo_geography_load; categories_load_from_csv(); demo_geography_load()"
    )
    subprocess.run([PYTHON, "manage.py", "shell", "-c", loader], cwd=ROOT, env=env, check=True)


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/ok")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def run_bare(port: int, seconds: float, results) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        conn.request("GET", "/bench/ok")
        response = conn.getresponse()
        response.read()
        done += response.status == 200
        errors += response.status != 200
    results.put((done, errors, []))


def form_fields(categories: list[str]) -> dict:
    lat = 31.50 + random.random() * 0.089
    lng = 120.19 + random.random() * 0.089
    return {
        "submission_token": str(uuid.uuid4()),
        "draft_token": uuid.uuid4().hex + uuid.uuid4().hex,
        "category": random.choice(categories),
        "description": "基准测试：路边垃圾堆积，需要清理。",
        "address": "基准测试路 1 号",
        "latitude": f"{lat:.6f}",
        "longitude": f"{lng:.6f}",
        "contact_phone": f"139{random.randint(0, 99_999_999):08d}",
        "consent_to_contact": "on",
        "is_public": "on",
        "confirm_new": "1",  # measure filing; duplicate suggestions are exercised by the tests
    }


def run_reports(port: int, seconds: float, categories: list[str], results) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/report/")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = next(
        v.split(";")[0]
        for k, v in response.getheaders()
        if k.lower() == "set-cookie" and "csrftoken" in v
    )
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}/report/",
    }
    acknowledged, errors, sent = [], 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        fields = form_fields(categories)
        body = urlencode({**fields, "csrfmiddlewaretoken": csrf})
        for _attempt in range(2 if sent % 10 == 0 else 1):  # every 10th: a double tap
            conn.request("POST", "/report/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            match = RECEIPT.search(response.getheader("Location") or "")
            if response.status == 302 and match:
                acknowledged.append(match.group(1))
            else:
                errors += 1
        sent += 1
    results.put((len(acknowledged), errors, acknowledged))


def load(target, port: int, clients: int, seconds: float, *extra):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(target=target, args=(port, seconds, *extra, results))
        for _ in range(clients)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    outcome = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    done = sum(o[0] for o in outcome)
    errors = sum(o[1] for o in outcome)
    references = [r for o in outcome for r in o[2]]
    return done, errors, references, elapsed


REPORTS = "complaints_report"
TASKS = "django_tasks_database_dbtaskresult"
COUNT_SQL = {
    REPORTS: "SELECT COUNT(*) FROM complaints_report",
    TASKS: "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult",
}


def stored_rows(env: dict, table: str) -> int:
    """Rows in ``table`` (reports, or background tasks queued)."""
    sql = COUNT_SQL[table]
    if env.get("DATABASE_URL", "").startswith("postgres"):
        code = (
            "from django.db import connection; c = connection.cursor(); "
            f"c.execute({sql!r}); print(c.fetchone()[0])"
        )
        output = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return int(output.stdout.strip().splitlines()[-1])
    with sqlite3.connect(Path(env["PORTAL_DATA_DIR"]) / "portal.sqlite3") as db:
        return db.execute(sql).fetchone()[0]


def stored_reports(env: dict) -> int:
    return stored_rows(env, REPORTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis", action="store_true", help="keep REDIS_URL from the environment")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    env = environment(data_dir, args.database_url)
    if args.database_url:
        subprocess.run(
            [PYTHON, "manage.py", "flush", "--noinput", "-v0"], cwd=ROOT, env=env, check=False
        )
    prepare(env)
    categories = (
        subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from complaints.models import Category; print(','.join(str(pk) for pk in "
                "Category.objects.filter(extra_questions=[]).values_list('pk', flat=True)))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .split(",")
    )
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_ready(port)
        before = stored_reports(env)
        tasks_before = stored_rows(env, TASKS)
        bare, bare_errors, _refs, bare_time = load(run_bare, port, args.clients, args.seconds)
        posts, post_errors, references, post_time = load(
            run_reports, port, args.clients, args.seconds, categories
        )
        stored = stored_reports(env) - before
        tasks = stored_rows(env, TASKS) - tasks_before
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)

    distinct = len(set(references))
    print(
        f"server: gunicorn, {args.workers} sync workers; {args.clients} client processes; "
        f"database: {'PostgreSQL' if args.database_url else 'SQLite (WAL)'}"
    )
    print(
        f"bare Django view:  {bare / bare_time:8.0f} requests/s  ({bare} in {bare_time:.1f} s, {bare_errors} errors)"
    )
    print(
        f"report submission: {distinct / post_time:8.0f} reports/s   ({posts} acknowledged responses, "
        f"{distinct} distinct reports in {post_time:.1f} s, {post_errors} errors)"
    )
    print(
        f"reports stored: {stored}; distinct reports acknowledged: {distinct}; "
        f"double taps answered with the same reference: {posts - distinct}"
    )
    print(
        f"background tasks queued by the submissions: {tasks} "
        f"= {tasks / stored if stored else 0:.2f} per report (no worker ran, so no fan-out)"
    )
    print(
        f"ratio of report submission to the bare view: {distinct / post_time / (bare / bare_time):.3f}"
    )
    if stored != distinct:
        print("MISMATCH: stored reports differ from acknowledged ones", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
