from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.rewards.services.retention import informant_identities_erase


class Command(BaseCommand):
    help = (
        "Erase informants' sealed identities (name, phone, payment account, phone hash) whose "
        "reward claim was paid, found ineligible or cancelled more than "
        "PORTAL_REWARD_IDENTITY_RETENTION_DAYS days ago. Claims and the fund's ledger stay; each "
        "erasure is recorded. Prints report references and counts, never an identity."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Erase after this many days instead of the configured "
            f"{settings.REWARD_IDENTITY_RETENTION_DAYS}.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would be erased."
        )

    def handle(self, *args, days: int | None, dry_run: bool, verbosity: int, **options):
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and total > 200:
                self.stderr.write(f"  {done}/{total}")

        result = informant_identities_erase(
            older_than_days=days, dry_run=dry_run, progress=progress
        )
        verb = "Would erase" if dry_run else "Erased"
        states = ", ".join(f"{state}: {n}" for state, n in sorted(result.by_claim_state.items()))
        summary = f"{verb} {result.erased} informant identit{'y' if result.erased == 1 else 'ies'}"
        if states:
            summary += f" ({states})"
        summary += f"; claims closed before {timezone.localtime(result.cutoff):%Y-%m-%d %H:%M}."
        if verbosity >= 2 or (verbosity >= 1 and result.erased <= 50):
            for reference in result.references:
                self.stdout.write(f"  {reference}")
        self.stdout.write(self.style.SUCCESS(summary) if not dry_run else summary)
