"""Server time and query count of the staff screens as the reports pile up (issue 17).

    .venv/bin/python benchmarks/volume_queues.py --database-url postgres://.../portal_volume
        [--sizes 10000,100000,1000000] [--events-per-report 5] [--repeat 5] [--redis-url ...]

The database's tables are DROPPED (schema ``public`` is recreated), then migrated and given the
demo (``seed_demo --force``: taxonomy, grid, pages, one user per role). For each size it tops the
reports up with ``seed_volume`` (10k, then +90k, then +900k) and prints, for every screen, the
median server time of ``--repeat`` requests after one warm-up request, and the number of SQL
queries of one more request. Requests go through Django's test ``Client`` in this process (the
whole middleware stack, templates included; no network, no gunicorn), logged in as the demo
user of the role that works with the screen. Settings are the production ones (DEBUG off), with
the anonymous page cache off unless ``--page-cache`` is given (the views are measured, not a
cached copy); the cache is a private SQLite file unless ``--redis-url`` is given.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(database_url: str, redis_url: str | None, page_cache: bool) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="volume-queues-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + uuid.uuid4().hex,
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "PORTAL_DATA_DIR": str(data_dir),
            # Fixed benchmark-only keys: a --keep run reads what an earlier run encrypted.
            "PORTAL_FIELD_KEYS": "0" * 43 + "=",
            "PORTAL_HASH_KEY": "benchmark-hash-key-" + "x" * 32,
            "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "COMPLAINTS_RATE_TRACK_IP": "1000000/h",
            # What grows with the data is the view, not a cached copy of it (--page-cache).
            "PORTAL_PAGE_CACHE": "1" if page_cache else "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
        }
    )
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))


def reset_database(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def median_time_and_queries(call, repeat: int, *, before=None) -> tuple[float, int]:
    """Median milliseconds of ``repeat`` calls after one warm-up, and one more call's query count;
    ``before`` (e.g. clearing the cache) runs before each of them and is not timed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = before or (lambda: None)
    before()
    call()  # warm-up
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    before()
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times), len(queries)


def main_over_sizes(doc: str, measure) -> None:
    """The command line of the issue-14 benchmarks: reset a PostgreSQL database, give it the demo,
    then for each size top it up with ``seed_volume`` and call ``measure(repeat)``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; tables are DROPPED")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--events-per-report", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL URL")
    configure(args.database_url, None, page_cache=False)
    reset_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PORTAL_2FA_ENFORCED = False
    from complaints.models import Report

    call_command("migrate", "--noinput", "--skip-checks", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", "--noinput", verbosity=0)
    for size in (int(size) for size in args.sizes.split(",")):
        missing = size - Report.objects.count()
        if missing > 0:
            call_command(
                "seed_volume",
                reports=missing,
                events_per_report=args.events_per_report,
                force=True,
                stdout=open(os.devnull, "w"),  # noqa: SIM115
            )
        print(f"\n== {Report.objects.count():,} reports; median of {args.repeat}, ms · queries")
        measure(args.repeat)


def screens() -> list[tuple[str, str | None, str]]:
    """(label, demo username or None for anonymous, URL)."""
    from django.urls import reverse

    from cms.demo.users import DEMO_USERS
    from complaints.models import Report, ReportState
    from portal import roles

    intake = DEMO_USERS[roles.INTAKE_OPERATOR]
    handler = DEMO_USERS[roles.DEPARTMENT_HANDLER]
    supervisor = DEMO_USERS[roles.SUPERVISOR]
    officer = DEMO_USERS[roles.REWARD_OFFICER]
    queue = lambda name: reverse(f"cases-{name}:index")  # noqa: E731
    # A case with a full timeline in the middle of the table (not the newest row).
    case = (
        Report.objects.filter(state=ReportState.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)[Report.objects.count() // 2 :][:1]
        .get()
    )
    return [
        ("intake: intake triage", intake, queue("triage")),
        ("intake: overdue", intake, queue("overdue")),
        ("intake: all cases", intake, queue("all")),
        ("handler: department", handler, queue("department")),
        ("handler: overdue", handler, queue("overdue")),
        ("handler: all cases", handler, queue("all")),
        ("supervisor: triage", supervisor, queue("triage")),
        ("supervisor: verification", supervisor, queue("verification")),
        ("supervisor: overdue", supervisor, queue("overdue")),
        ("supervisor: rework", supervisor, queue("reopen")),
        ("supervisor: all cases", supervisor, queue("all")),
        ("supervisor: all, filtered", supervisor, queue("all") + "?state=dispatched"),
        ("supervisor: all, page 20", supervisor, queue("all") + "?p=20"),
        ("reward officer: claims", officer, reverse("reward-claims:index")),
        ("supervisor: case page", supervisor, reverse("complaints_case", args=[case])),
        ("supervisor: dashboard", supervisor, reverse("wagtailadmin_home")),
        ("intake: dashboard", intake, reverse("wagtailadmin_home")),
        ("public list", None, reverse("complaints:report_list")),
        ("tracking form", None, reverse("complaints:track")),
        ("home page", None, "/"),
    ]


def tracking_post(client, reference: str):
    from complaints.management.commands.seed_volume import SEED_ACCESS_CODE

    return client.post(
        "/track/", {"reference": reference, "access_code": SEED_ACCESS_CODE}, follow=True
    )


def measure(repeat: int) -> list[tuple[str, float, int, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from complaints.models import Report

    clients: dict[str | None, Client] = {}

    def client_for(username):
        if username not in clients:
            client = Client()
            if username:
                client.force_login(get_user_model().objects.get(username=username))
            clients[username] = client
        return clients[username]

    def timed(call) -> tuple[float, int, int]:
        call()  # warm-up: template loading, caches, the session
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = call()
        # SQL time of that request: what grows with the data, and less noisy than the total.
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        return (
            statistics.median(times),
            len(queries),
            f"{response.status_code}  sql {sql_ms:.0f} ms",
        )

    def row(label, call):
        try:
            return (label, *timed(call))
        except Exception as exc:  # noqa: BLE001 - a broken screen is reported, the others still measured
            return (label, float("nan"), 0, f"error: {exc!r:.80}")

    rows = []
    for label, username, url in screens():
        client = client_for(username)
        rows.append(row(label, lambda c=client, u=url: c.get(u)))
    reference = Report.objects.order_by("-pk").values_list("reference", flat=True)[5000:][:1]
    reference = reference.get() if reference else Report.objects.latest("pk").reference
    rows.append(row("tracking (POST + timeline)", lambda: tracking_post(Client(), reference)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL; tables are DROPPED")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--events-per-report", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument(
        "--page-cache", action="store_true", help="Keep the anonymous page cache on."
    )
    parser.add_argument(
        "--keep", action="store_true", help="Do not reset: measure (and top up) what is there."
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must be a PostgreSQL URL")
    sizes = [int(size) for size in args.sizes.split(",")]
    configure(args.database_url, args.redis_url, args.page_cache)
    if not args.keep:
        reset_database(args.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # force_login stands for a completed sign-in, second factor included (as in the tests).
    settings.PORTAL_2FA_ENFORCED = False

    from complaints.models import CaseEvent, Report

    if not args.keep:
        call_command("migrate", "--noinput", "--skip-checks", verbosity=0)
        call_command("seed_demo", force=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", "--noinput", verbosity=0)
    for size in sizes:
        missing = size - Report.objects.count()
        if missing > 0:
            started = time.monotonic()
            call_command(
                "seed_volume",
                reports=missing,
                events_per_report=args.events_per_report,
                force=True,
                stdout=open(os.devnull, "w"),  # noqa: SIM115
            )
            loaded = time.monotonic() - started
        else:
            loaded = 0.0
        events = CaseEvent.objects.count()
        print(
            f"\n== {Report.objects.count():,} reports, {events:,} events "
            f"(loaded in {loaded:.0f} s); median of {args.repeat}, ms · queries · status"
        )
        for label, ms, queries, status in measure(args.repeat):
            print(f"  {label:<30} {ms:8.1f} ms {queries:4d} q   {status}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
