"""Drain N queued deliveries to the fake case system with one and with several workers.

    .venv/bin/python benchmarks/drain_casefeed.py [--deliveries 500] [--workers 1,4]
        [--batch 20] [--database-url postgres://...]

Uses a fresh temporary SQLite database (or the given DATABASE_URL: its tables are migrated and
its deliveries deleted!), files N reports with the intake service, then for each worker count
starts that many ``manage.py drain_casefeed`` processes, waits until every one is running (its
heartbeat file), then queues one delivery per report to the fake case system (tests/complaints/
casefeed/fake_case_system.py, a separate process speaking the signed webhook) and waits until
every row is delivered. Prints deliveries per second from the first claim to the last delivery
(the rows' own timestamps), so the start-up of the worker processes, which on a small machine
takes the CPU the first worker would use, is not counted; checks that the fake created exactly
N cases (exit 1 otherwise).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FAKE = ROOT / "tests" / "complaints" / "casefeed" / "fake_case_system.py"


def environment(data_dir: Path, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + uuid.uuid4().hex,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_FIELD_KEYS": "0" * 43 + "=",
        "PORTAL_HASH_KEY": "benchmark-hash-key-" + "x" * 32,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def django(env: dict, code: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


SETUP = """
import uuid
from decimal import Decimal
from complaints.models import Category, CaseSystem
from complaints.reference.services.reference_data import categories_load_from_csv, demo_geography_load
from complaints.intake.services.reports import report_submit
from complaints.intake.inputs import ReportInput
categories_load_from_csv(); demo_geography_load()
category = Category.objects.get(kind="event", code="0102")
for _ in range({n}):
    report_submit(input=ReportInput(submission_token=uuid.uuid4(), category=category, description="基准测试：垃圾",
                  latitude=Decimal("31.555"), longitude=Decimal("120.255"), is_anonymous=True))
CaseSystem.objects.update_or_create(slug="bench", defaults=dict(
    name="bench", kind="webhook", endpoint="{url}/webhook", secret="fake-secret", timeout=10))
"""

RESET = """
from complaints.models import CaseSystem, Delivery, DeliveryAttempt
Delivery.objects.all().delete()
DeliveryAttempt.objects.all().delete()
system = CaseSystem.objects.get(slug="bench")
system.endpoint = "{url}/webhook"; system.save()
"""

QUEUE = """
from django.utils import timezone
from complaints.models import CaseSystem, Delivery, Report
system = CaseSystem.objects.get(slug="bench")
Delivery.objects.bulk_create(
    [Delivery(report=r, case_system=system, next_attempt_at=timezone.now())
     for r in Report.objects.order_by("-pk")[:{n}]])
print(Delivery.objects.count())
"""

COUNT = """
from django.db.models import Max, Min
from complaints.models import Delivery, DeliveryAttempt
delivered = Delivery.objects.filter(state="delivered")
span = DeliveryAttempt.objects.aggregate(first=Min("started_at"))["first"]
last = delivered.aggregate(last=Max("delivered_at"))["last"]
print(delivered.count(), (last - span).total_seconds() if span and last else 0)
"""


def start_fake(state: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [PYTHON, str(FAKE), "--state", str(state), "--lean"], stdout=subprocess.PIPE, text=True
    )
    port = int(process.stdout.readline().split()[1])
    return process, f"http://127.0.0.1:{port}"


def fake_creates(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_state", timeout=5) as response:  # nosec B310  # our own fake server on http://127.0.0.1
        return json.load(response)["creates"]


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-casefeed-"))
    env = environment(data_dir, args.database_url)
    ok = True
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        fake, url = start_fake(data_dir / "fake.json")
        try:
            django(env, SETUP.format(n=args.deliveries, url=url))
        finally:
            fake.terminate()
            fake.wait()
        for count in [int(c) for c in args.workers.split(",")]:
            state = data_dir / f"fake-{count}.json"
            fake, url = start_fake(state)
            beats = data_dir / f"heartbeats-{count}"
            workers = []
            try:
                django(env, RESET.format(url=url))
                workers = [
                    subprocess.Popen(
                        [
                            PYTHON,
                            "manage.py",
                            "drain_casefeed",
                            "--skip-checks",
                            "--batch",
                            str(args.batch),
                            "--interval",
                            "0.2",
                            "--poll-every",
                            "999999",
                            "--worker-id",
                            f"bench{i}",
                        ],
                        cwd=ROOT,
                        env={**env, "HEALTH_HEARTBEAT_DIR": str(beats)},
                        stdout=subprocess.DEVNULL,
                    )
                    for i in range(count)
                ]
                running = wait_for(
                    lambda beats=beats, count=count: (
                        len(list(beats.glob("casefeed--*.json"))) >= count
                    ),
                    timeout=180,
                )
                queued = int(django(env, QUEUE.format(n=args.deliveries)))
                finished = running and wait_for(
                    lambda url=url, queued=queued: fake_creates(url) >= queued, timeout=600
                )
                if not finished:
                    print(f"{count} worker(s): not finished in time", file=sys.stderr)
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.wait(60)
            try:
                delivered, busy = django(env, COUNT).split()
                delivered, busy = int(delivered), float(busy)
                created = fake_creates(url)
            finally:
                fake.terminate()
                fake.wait()
            rate = delivered / busy if busy else 0.0
            print(
                f"{count} worker(s): {delivered}/{queued} delivered in {busy:.2f} s "
                f"= {rate:.0f} deliveries/s (first claim to last delivery); "
                f"cases created: {created}"
            )
            ok = ok and delivered == queued == created
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    if not ok:
        print("MISMATCH: some deliveries were lost or doubled", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
