"""Server time and query count of the staff screens as the reports pile up (issues 17 and 14).

    .venv/bin/python benchmarks/volume_queues.py --database-url postgres://.../portal_volume
        [--sizes 10000,100000,1000000] [--events-per-report 5] [--repeat 5] [--redis-url ...]
        [--no-indicators]

The database's tables are DROPPED (schema ``public`` is recreated; a ``sqlite:///`` URL's file is
deleted: SQLite only proves the script works, the figures that count are PostgreSQL's), then
migrated and given the demo (``seed_demo --force``: taxonomy, grid, pages, one user per role).
For each size it tops the reports up with ``seed_volume`` (10k, then +90k, then +900k) and
prints, for every screen, the median server time of ``--repeat`` requests after one warm-up
request, and the number of SQL queries of one more request.

In the same run, the screens of issue 14 (unless ``--no-indicators``): ``seed_volume`` writes in
bulk past the workflow, so ``rebuild_rollups`` runs first (timed); then the statistics screen
(month and year, district-wide and town-scoped), a month's bulletin (made in the process), the
hot spots list, the public performance page and the home page, with the shared cache cleared
before each request (each figure computed, not a cached copy). The staff queues come first,
with their filters (first page), so the two sets are measured on the same data. Requests go through Django's test ``Client`` in this process (the
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
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        return
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

    from complaints.models import Report, ReportState
    from demo.users import DEMO_USERS
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
        ("handler: department, filtered", handler, queue("department") + "?state=dispatched"),
        ("intake: all, filtered", intake, queue("all") + "?state=received"),
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


def measure(repeat: int, *, indicators: bool = True) -> list[tuple[str, float, int, str]]:
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

    rows: list[tuple[str, float, int, str]] = []
    for label, username, url in screens():
        client = client_for(username)
        rows.append(row(label, lambda c=client, u=url: c.get(u)))
    reference = Report.objects.order_by("-pk").values_list("reference", flat=True)[5000:][:1]
    reference = reference.get() if reference else Report.objects.latest("pk").reference
    rows.append(row("tracking (POST + timeline)", lambda: tracking_post(Client(), reference)))
    if indicators:
        rows += measure_indicators(repeat, client_for)
    return rows


def indicator_screens(client_for) -> list[tuple[str, object]]:
    """The screens of issue 14 as (label, call): after ``rebuild_rollups``."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.public_performance import town_user
    from demo.users import DEMO_USERS
    from indicators.bulletin import bulletin_generate
    from portal import roles

    supervisor = client_for(DEMO_USERS[roles.SUPERVISOR])
    town = Client()
    town.force_login(town_user())
    anonymous = Client()
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    statistics_url = reverse("indicators_statistics")
    year = {"period": "year", "dimension": "town"}
    return [
        ("statistics: month, district", lambda: supervisor.get(statistics_url)),
        ("statistics: year, district", lambda: supervisor.get(statistics_url, year)),
        ("statistics: month, town", lambda: town.get(statistics_url)),
        ("bulletin (last month)", lambda: bulletin_generate(day=last_month)),
        ("hot spots list", lambda: supervisor.get(reverse("indicators_hotspots"))),
        ("performance page", lambda: anonymous.get("/performance/")),
        ("home page (figures)", lambda: anonymous.get("/")),
    ]


def measure_indicators(repeat: int, client_for) -> list[tuple[str, float, int, str]]:
    from django.core.cache import cache
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("rebuild_rollups", verbosity=0)
    rows = [("rebuild_rollups (once)", (time.perf_counter() - started) * 1000, 0, "")]
    for label, call in indicator_screens(client_for):
        try:
            answer = call()
            status = str(getattr(answer, "status_code", "made"))  # a bulletin is made, not got
            ms, queries = median_time_and_queries(call, repeat, before=cache.clear)
            rows.append((label, ms, queries, status))
        except Exception as exc:  # noqa: BLE001 - reported, the others still measured
            rows.append((label, float("nan"), 0, f"error: {exc!r:.80}"))
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
    parser.add_argument(
        "--no-indicators", action="store_true", help="The staff queues and public pages only."
    )
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres", "sqlite:///")):
        raise SystemExit("--database-url must be a PostgreSQL (or, to try the script, SQLite) URL")
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
        for label, ms, queries, status in measure(args.repeat, indicators=not args.no_indicators):
            print(f"  {label:<30} {ms:8.1f} ms {queries:4d} q   {status}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
