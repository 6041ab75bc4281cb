"""Drain N queued deliveries to the fake case system with one and with several workers.

    .venv/bin/python benchmarks/drain_casefeed.py [--deliveries 500] [--workers 1,4]
        [--batch 20] [--database-url postgres://...]

Uses a fresh temporary SQLite database (or the given DATABASE_URL: its tables are migrated and
its deliveries deleted!), files N reports with the intake service, then for each worker count
queues one delivery per report to the fake case system (tests/complaints/casefeed/
fake_case_system.py, a separate process speaking the signed webhook), starts that many
``manage.py drain_casefeed`` processes and times them until every row is delivered. Prints
deliveries per second and checks that the fake created exactly N cases (exit 1 otherwise).
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
from complaints.services.reference_data import categories_load_from_csv, demo_geography_load
from complaints.services.reports import report_submit
categories_load_from_csv(); demo_geography_load()
category = Category.objects.get(kind="event", code="0102")
for _ in range({n}):
    report_submit(submission_token=uuid.uuid4(), category=category, description="基准测试：垃圾",
                  latitude=Decimal("31.555"), longitude=Decimal("120.255"), is_anonymous=True)
CaseSystem.objects.update_or_create(slug="bench", defaults=dict(
    name="bench", kind="webhook", endpoint="{url}/webhook", secret="fake-secret", timeout=10))
"""

QUEUE = """
from django.utils import timezone
from complaints.models import CaseSystem, Delivery, Report
Delivery.objects.all().delete()
system = CaseSystem.objects.get(slug="bench")
system.endpoint = "{url}/webhook"; system.save()
Delivery.objects.bulk_create(
    [Delivery(report=r, case_system=system, next_attempt_at=timezone.now())
     for r in Report.objects.all()])
print(Delivery.objects.count())
"""

COUNT = (
    "from complaints.models import Delivery; "
    "print(Delivery.objects.filter(state='delivered').count())"
)


def start_fake(state: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [PYTHON, str(FAKE), "--state", str(state), "--lean"], stdout=subprocess.PIPE, text=True
    )
    port = int(process.stdout.readline().split()[1])
    return process, f"http://127.0.0.1:{port}"


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
            try:
                queued = int(django(env, QUEUE.format(url=url)))
                started = time.monotonic()
                workers = [
                    subprocess.Popen(
                        [
                            PYTHON,
                            "manage.py",
                            "drain_casefeed",
                            "--once",
                            "--skip-checks",
                            "--batch",
                            str(args.batch),
                            "--worker-id",
                            f"bench{i}",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                    )
                    for i in range(count)
                ]
                for worker in workers:
                    worker.wait()
                elapsed = time.monotonic() - started
                delivered = int(django(env, COUNT))
                with urllib.request.urlopen(f"{url}/_state", timeout=5) as response:  # nosec B310  # our own fake server on http://127.0.0.1
                    created = json.load(response)["creates"]
            finally:
                fake.terminate()
                fake.wait()
            rate = delivered / elapsed if elapsed else 0.0
            print(
                f"{count} worker(s): {delivered}/{queued} delivered in {elapsed:.2f} s "
                f"= {rate:.0f} deliveries/s; cases created: {created}"
            )
            ok = ok and delivered == queued == created
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    if not ok:
        print("MISMATCH: some deliveries were lost or doubled", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
