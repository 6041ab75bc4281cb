"""Server time and query count of the public performance page, the home page, the statistics
screen (district-wide and town-scoped) and a month's bulletin as the reports pile up (issue 14).

    .venv/bin/python benchmarks/public_performance.py --database-url postgres://.../portal_perf
        [--sizes 10000,100000,1000000] [--events-per-report 1] [--repeat 5] [--raw]

Like benchmarks/hotspots.py: the database's tables are DROPPED, migrated and given the demo, then
topped up with ``seed_volume`` for each size. ``seed_volume`` writes in bulk, past the workflow's
effects, so each size then runs ``rebuild_rollups`` (timed) before the pages are measured from the
daily rollups (indicators/rollups.py); ``--raw`` measures them from the raw data as well. Pages are fetched through Django's test client
with the page cache off and the shared cache cleared before every request, so each figure is
computed, not read from a cached copy (the public figures' own 60-second cache included).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.volume_queues import main_over_sizes, median_time_and_queries


def town_user():
    """A department handler of a town-level department (created once)."""
    from django.contrib.auth import get_user_model

    from complaints.models import Department, DepartmentMembership
    from portal import roles

    user, created = get_user_model().objects.get_or_create(username="bench-town-handler")
    if created:
        user.groups.add(roles.group(roles.DEPARTMENT_HANDLER))
        department = Department.objects.filter(level="town", town__isnull=False).first()
        if department is None:
            from complaints.models import Town

            town = Town.objects.order_by("code").first()
            department = Department.objects.create(
                key="bench-town", name=f"{town.name}城管中队", level="town", town=town
            )
        DepartmentMembership.objects.create(user=user, department=department)
    return user


def clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


RAW = "--raw" in sys.argv
if RAW:
    sys.argv.remove("--raw")


def measure(repeat: int) -> None:
    import time
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from demo.users import DEMO_USERS
    from indicators.bulletin import bulletin_generate
    from indicators.models import RollupCoverage
    from portal import roles

    anonymous = Client()
    supervisor = Client()
    supervisor.force_login(get_user_model().objects.get(username=DEMO_USERS[roles.SUPERVISOR]))
    town = Client()
    town.force_login(town_user())
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    rows = [
        ("performance page", lambda: anonymous.get("/performance/")),
        ("home page", lambda: anonymous.get("/")),
        ("statistics (district)", lambda: supervisor.get("/admin/indicators/")),
        ("statistics (town)", lambda: town.get("/admin/indicators/")),
        ("bulletin (last month)", lambda: bulletin_generate(day=last_month)),
    ]
    if RAW:
        RollupCoverage.objects.all().delete()
        print("  from the raw data:")
        for label, call in rows:
            ms, queries = median_time_and_queries(call, repeat, before=clear_cache)
            print(f"  {label:<22} {ms:9.1f} ms {queries:4d} q")
    started = time.perf_counter()
    call_command("rebuild_rollups", verbosity=0)
    print(f"  rebuild_rollups        {time.perf_counter() - started:9.1f} s")
    print("  from the daily rollups:")
    for label, call in rows:
        ms, queries = median_time_and_queries(call, repeat, before=clear_cache)
        print(f"  {label:<22} {ms:9.1f} ms {queries:4d} q")
    sys.stdout.flush()


def main() -> None:
    main_over_sizes(__doc__, measure)


if __name__ == "__main__":
    main()
