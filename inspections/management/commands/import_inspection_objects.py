from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.importing import ObjectImportError, object_import, object_rows_from_file


class Command(BaseCommand):
    help = (
        "Import inspection objects from a GeoJSON FeatureCollection or a CSV file (columns code, "
        "kind, name, grade, town, unit, optional active, and geometry as GeoJSON or longitude "
        "and latitude). Objects are matched by their code, so importing a file again updates "
        "them. Every bad row is reported and nothing is saved unless all rows are good."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without saving anything.",
        )

    def handle(self, *args, path: Path, dry_run: bool = False, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            plan = object_import(rows=object_rows_from_file(path=path), dry_run=dry_run)
        except ObjectImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} error(s) in {path.name}; nothing was imported."
            ) from exc
        if options["verbosity"] >= 2:
            for row in plan.rows:
                self.stdout.write(f"{row.label}: {row.action} {row.code} {row.name}")
        summary = (
            f"{plan.created} new, {plan.updated} updated and {plan.unchanged} unchanged "
            f"inspection objects"
        )
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved: would make {summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
