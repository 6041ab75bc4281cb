"""Make a monthly assessment bulletin (indicators/bulletin.py).

manage.py generate_bulletin                 last month's bulletin (made again if it exists)
manage.py generate_bulletin --month 2026-03 that month's
manage.py generate_bulletin --if-due        last month's, only on or after this month's first
                                            working day and only if not made yet (the
                                            worker's scheduler calls this every minute)
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.bulletin import bulletin_due, bulletin_generate


class Command(BaseCommand):
    help = "Make the monthly assessment bulletin (figures and PDF) of a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month).")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="Only last month's, on or after this month's first working day, if not made yet.",
        )

    def handle(self, *args, month=None, if_due=False, **options):
        if if_due:
            day = bulletin_due()
            if day is None:
                return
        elif month:
            try:
                day = date.fromisoformat(f"{month}-01")
            except ValueError as exc:
                raise CommandError("--month takes YYYY-MM.") from exc
        else:
            day = timezone.localdate().replace(day=1) - timedelta(days=1)
        bulletin = bulletin_generate(day=day)
        self.stdout.write(f"bulletin {bulletin.month:%Y-%m} generated ({bulletin.pdf.name})")
