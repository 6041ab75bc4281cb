"""Throughput and latency of the portal's pages against the production configuration.

    .venv/bin/python -m benchmarks.http_load [--seconds 8] [--clients 16] [--no-demo]

Starts the production configuration (deploy/stack.py: nginx in front of two gunicorn app
processes with 2 sync workers each, PostgreSQL + Redis of its own, the workers) with the demo
content and one extra bare view (benchmarks/bench_urls.py), then for each target runs
``--clients`` keep-alive clients for ``--seconds`` and prints requests/s, p50 and p99, each as a
ratio to the bare view. The bare view is measured first and last; the ratio uses their mean, so
a machine that slows down during the run shows as a spread between the two.

Targets: the bare view, the home page, a campaign page, the news index, the report form, a
report submission, the tracking form and a tracking lookup, Open311 service list and request
search, and the intake queue for a signed-in operator. Then the memory (RSS) of every gunicorn
worker after the run (target: under 200 MB each).

The clients run on the same machine as the server: the figures compare pages with each other and
with the bare view; they are not the server's ceiling.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.production import CSRF, Production, report_fields

SESSION = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from portal import roles
user, _ = get_user_model().objects.get_or_create(username="bench-intake")
roles.group(roles.INTAKE_OPERATOR).user_set.add(user)
device, _ = StaticDevice.objects.get_or_create(user=user, name="bench")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
print(session.session_key)
"""

PAGES = """
from cms.models import CampaignPage, NewsIndexPage
print(CampaignPage.objects.live().first().url + " " + NewsIndexPage.objects.live().first().url)
"""


def client(port, method, path, headers, body_factory, seconds, queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, statuses = [], {}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        body = body_factory() if body_factory else None
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            statuses["error"] = statuses.get("error", 0) + 1
            continue
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    queue.put((latencies, statuses))


def measure(port, clients, seconds, method, path, headers=None, body_factory=None) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(
            target=client, args=(port, method, path, headers or {}, body_factory, seconds, queue)
        )
        for _ in range(clients)
    ]
    started = time.monotonic()
    for p in processes:
        p.start()
    results = [queue.get(timeout=seconds + 120) for _ in processes]
    for p in processes:
        p.join()
    elapsed = time.monotonic() - started
    latencies = sorted(latency for r in results for latency in r[0])
    statuses: dict = {}
    for r in results:
        for status, n in r[1].items():
            statuses[status] = statuses.get(status, 0) + n
    if not latencies:
        return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "statuses": statuses}
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "statuses": statuses,
    }


def form_session(port: int, path: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    cookie = "; ".join(
        v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie"
    )
    return cookie, CSRF.search(body).group(1)


def worker_memory(production: Production) -> list[tuple[str, int]]:
    """RSS in MB of every gunicorn worker (the children of each app process's master)."""
    out = []
    for name, process in production.stack.processes.items():
        if not name.startswith("app"):
            continue
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        for pid in children.read_text().split() if children.exists() else []:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            out.append((f"{name}/{pid}", rss // 1024))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    with Production(
        extra_env={
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "COMPLAINTS_RATE_TRACK_IP": "10000000/h",
            "OPEN311_RATE_ANONYMOUS": "10000000/m",
            "GUNICORN_ACCESS_LOG": "",
        },
    ) as production:
        stack = production.stack
        print("loading the demo content ...", flush=True)
        stack.manage("seed_demo", "--force")
        campaign, news = stack.shell(PAGES).split()
        session_key = stack.shell(SESSION)
        port = stack.port
        report_cookie, report_csrf = form_session(port, "/report/")
        track_cookie, track_csrf = form_session(port, "/track/")
        categories = production.categories

        def submission() -> bytes:
            return urlencode(
                {**report_fields(categories), "csrfmiddlewaretoken": report_csrf}
            ).encode()

        def lookup() -> bytes:
            return urlencode(
                {
                    "csrfmiddlewaretoken": track_csrf,
                    "reference": "BH-2026-000001",
                    "access_code": "X",
                }
            ).encode()

        form = {"Content-Type": "application/x-www-form-urlencoded"}
        targets = [
            ("bare view", "GET", "/bench/ok", {}, None),
            ("home page", "GET", "/", {}, None),
            ("campaign page", "GET", campaign, {}, None),
            ("news index", "GET", news, {}, None),
            ("report form", "GET", "/report/", {}, None),
            (
                "report submission",
                "POST",
                "/report/",
                {**form, "Cookie": report_cookie, "Referer": f"{stack.base_url}/report/"},
                submission,
            ),
            ("tracking form", "GET", "/track/", {}, None),
            (
                "tracking lookup",
                "POST",
                "/track/",
                {**form, "Cookie": track_cookie, "Referer": f"{stack.base_url}/track/"},
                lookup,
            ),
            ("Open311 services", "GET", "/open311/v2/services.json", {}, None),
            ("Open311 requests", "GET", "/open311/v2/requests.json", {}, None),
            (
                "intake queue (staff)",
                "GET",
                "/admin/cases-triage/",
                {"Cookie": f"sessionid={session_key}"},
                None,
            ),
            ("bare view (again)", "GET", "/bench/ok", {}, None),
        ]
        results = {}
        for name, method, path, headers, body in targets:
            results[name] = measure(port, args.clients, args.seconds, method, path, headers, body)
            print(f"  measured {name}: {results[name]['rps']:.0f} req/s", flush=True)
        memory = worker_memory(production)

    bare = (results["bare view"]["rps"] + results["bare view (again)"]["rps"]) / 2
    print()
    print(
        f"{args.clients} clients x {args.seconds:.0f} s per target, through nginx, 2 app processes x 2 workers"
    )
    print(f"{'target':<22} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8}  answers")
    for name, r in results.items():
        print(
            f"{name:<22} {r['rps']:>8.0f} {r['rps'] / bare:>6.3f} {r['p50']:>8.1f} {r['p99']:>8.1f}  "
            f"{r['statuses']}"
        )
    print()
    print(
        "memory per gunicorn worker after the run: " + ", ".join(f"{n} {mb} MB" for n, mb in memory)
    )
    over = [n for n, mb in memory if mb >= 200]
    print("all workers under 200 MB" if not over else f"over 200 MB: {over}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
