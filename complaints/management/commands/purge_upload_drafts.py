from datetime import timedelta

from django.core.management.base import BaseCommand

from complaints.services.uploads import upload_drafts_purge


class Command(BaseCommand):
    help = "Delete photos held for complaint forms that were abandoned (default: older than 24 h)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options):
        count = upload_drafts_purge(older_than=timedelta(hours=hours))
        self.stdout.write(f"Deleted {count} abandoned photo draft(s).")
