from itertools import chain

from django.core.management.base import BaseCommand, CommandError

from complaints.models import Attachment, UploadDraft
from complaints.privacy.storage import legacy_private_media_move, private_storage, storage_root


class Command(BaseCommand):
    help = (
        "Move complaint and informant photos left under MEDIA_ROOT/complaints/ (where they were "
        "stored before the private storage existed) into PORTAL_PRIVATE_MEDIA_ROOT. Names stay "
        "the same; safe to run again (a second run moves nothing). Prints counts, never a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would move.")

    def handle(self, *args, dry_run: bool, verbosity: int, **options):
        stored_names = chain.from_iterable(
            model.objects.exclude(image="").values_list("image", flat=True).iterator()
            for model in (Attachment, UploadDraft)
        )
        result = legacy_private_media_move(stored_names=stored_names, dry_run=dry_run)
        where = storage_root(private_storage()) or "the private storage"
        verb = "Would move" if dry_run else "Moved"
        summary = (
            f"{verb} {result.moved} file(s) from MEDIA_ROOT/complaints/ to {where}; "
            f"{result.duplicates} already there (MEDIA_ROOT copy "
            f"{'would be ' if dry_run else ''}removed); {len(result.conflicts)} conflict(s); "
            f"{len(result.skipped)} skipped; {result.missing} database row(s) without a file."
        )
        if verbosity >= 2:
            for name in result.conflicts:
                self.stderr.write(f"  conflict (different file of the same name): {name}")
            for name in result.skipped:
                self.stderr.write(f"  skipped (not a regular file): {name}")
        if result.conflicts:
            raise CommandError(
                summary + " Conflicting files were left in MEDIA_ROOT; compare them by hand "
                "(--verbosity 2 lists them)."
            )
        self.stdout.write(self.style.SUCCESS(summary) if not dry_run else summary)
