"""Recompute the indicators' daily rollups from the raw data (indicators/rollups.py).

manage.py rebuild_rollups                    every day (run once after migrating, and after
                                             any bulk write that bypasses the workflow)
manage.py rebuild_rollups --since 2026-03-01 that day and after only
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the indicators' daily rollups from the reports, events and ratings."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="YYYY-MM-DD: rebuild that day and after only.")

    def handle(self, *args, since=None, **options):
        first = None
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(_("Give the day as YYYY-MM-DD.")) from exc
        began = time.monotonic()
        verbose = options.get("verbosity", 1) >= 1

        def progress(done: int, total: int) -> None:
            if verbose:
                share = 100 * done // total if total else 100
                self.stdout.write(f"\r{done}/{total} reports ({share} %)", ending="")
                self.stdout.flush()

        count = rebuild(since=first, progress=progress)
        if verbose:
            self.stdout.write("")
            self.stdout.write(
                _("Rollups rebuilt from %(count)s reports in %(seconds).1f s.")
                % {"count": count, "seconds": time.monotonic() - began}
            )
