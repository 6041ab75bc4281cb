"""Server time and query count of the hot spots screens as the reports pile up (issue 14).

    .venv/bin/python benchmarks/hotspots.py --database-url postgres://.../portal_hotspots
        [--sizes 10000,100000,1000000] [--events-per-report 1] [--repeat 5]

Like benchmarks/volume_queues.py (whose set-up it reuses): the database's tables are DROPPED,
migrated and given the demo, then topped up with ``seed_volume`` for each size. For each size it
prints the median time of ``detect()`` (the detection alone, now and as of the end of today), of
the hot spots list and of one hot spot's page (through Django's test client as the demo
supervisor), and their query counts: first from the reports (no rollups), then after
``rebuild_rollups`` from the daily rollups (``seed_volume`` writes past the workflow).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.volume_queues import main_over_sizes, median_time_and_queries


def measure(repeat: int) -> None:
    import time

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from demo.users import DEMO_USERS
    from indicators.hotspots import detect, end_of_day
    from indicators.models import RollupCoverage
    from portal import roles

    client = Client()
    client.force_login(get_user_model().objects.get(username=DEMO_USERS[roles.SUPERVISOR]))
    RollupCoverage.objects.all().delete()
    detection = detect()
    print(
        f"  {len(detection.hot_spots)} hot spots in {len(detection.clusters)} clusters, "
        f"{sum(1 for s in detection.hot_spots if s.is_recurring)} recurring"
    )
    today = end_of_day(timezone.localdate())
    rows = [
        ("detect() now", lambda: detect()),
        ("detect() today", lambda: detect(as_of=today)),
        ("list", lambda: client.get(reverse("indicators_hotspots"))),
    ]
    if detection.hot_spots:
        spot = detection.hot_spots[0]
        url = reverse("indicators_hotspot", args=[spot.cell_id, spot.category_id])
        rows.append(("hot spot page", lambda: client.get(url)))
    print("  from the reports:")
    for label, call in rows:
        ms, queries = median_time_and_queries(call, repeat)
        print(f"  {label:<16} {ms:8.1f} ms {queries:4d} q")
    started = time.perf_counter()
    call_command("rebuild_rollups", verbosity=0)
    print(f"  rebuild_rollups  {time.perf_counter() - started:8.1f} s")
    same = [s.key for s in detect().hot_spots] == [s.key for s in detection.hot_spots]
    print(f"  from the daily rollups ({'the same' if same else 'DIFFERENT'} hot spots):")
    for label, call in rows:
        ms, queries = median_time_and_queries(call, repeat)
        print(f"  {label:<16} {ms:8.1f} ms {queries:4d} q")
    sys.stdout.flush()


def main() -> None:
    main_over_sizes(__doc__, measure)


if __name__ == "__main__":
    main()
