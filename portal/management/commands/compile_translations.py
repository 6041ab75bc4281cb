"""Compile every .po catalogue of the project to .mo, without needing GNU gettext installed."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po message catalogues (locale/) to .mo files."

    def handle(self, *args, **options):
        catalogues = sorted(
            po for locale_dir in settings.LOCALE_PATHS for po in Path(locale_dir).rglob("*.po")
        )
        if not catalogues:
            raise CommandError(f"No .po catalogues found under {settings.LOCALE_PATHS}.")
        for po_path in catalogues:
            with po_path.open("rb") as po_file:
                try:
                    catalogue = read_po(po_file, abort_invalid=True)
                except Exception as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalogue, use_fuzzy=False)
            translated = sum(1 for message in catalogue if message.id and message.string)
            self.stdout.write(f"{po_path}: {translated} messages compiled")
