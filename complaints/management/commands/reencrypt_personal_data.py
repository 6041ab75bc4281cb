from django.core.management.base import BaseCommand, CommandError

from complaints.privacy.rotation import (
    BATCH_SIZE,
    UndecryptableValues,
    encrypted_models,
    personal_data_check,
    personal_data_reencrypt,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt all personal data (every EncryptedTextField) under the first key of "
        "PORTAL_FIELD_KEYS, after a new key was put first. Fails, changing nothing, when a "
        "stored value cannot be decrypted with any configured key. See docs/rewards.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that every stored value decrypts with the configured keys.",
        )

    def handle(self, *args, batch_size: int, check: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if verbosity >= 1:
            labels = ", ".join(
                f"{model._meta.label} ({', '.join(f.name for f in fields)})"
                for model, fields in encrypted_models()
            )
            self.stdout.write(f"Encrypted columns: {labels}")
        if check:
            problems = personal_data_check(batch_size=batch_size)
            if problems:
                raise CommandError(str(UndecryptableValues(problems)))
            self.stdout.write(self.style.SUCCESS("Every stored value decrypts."))
            return

        def progress(label: str, rows: int) -> None:
            if verbosity >= 1:
                self.stderr.write(f"  {label}: {rows} rows")

        try:
            results = personal_data_reencrypt(batch_size=batch_size, progress=progress)
        except UndecryptableValues as exc:
            raise CommandError(f"{exc} Nothing more was re-encrypted.") from exc
        for result in results:
            self.stdout.write(f"{result.label}: {result.values} values in {result.rows} rows")
        total = sum(result.values for result in results)
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {total} values under the first configured key.")
        )
