from datetime import timedelta

from django.core.management.base import BaseCommand

from complaints.intake.services.uploads import upload_drafts_purge


class Command(BaseCommand):
    help = (
        "Delete photos held for complaint forms that were abandoned (default: older than 24 h) "
        "and drafts a dead process left pending (older than 10 minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options):
        count = upload_drafts_purge(older_than=timedelta(hours=hours))
        if count or options["verbosity"] > 1:
            self.stdout.write(f"Deleted {count} abandoned photo draft(s).")
