from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.reference.services.geography import (
    GridImportError,
    grid_import,
    grid_rows_from_file,
)


class Command(BaseCommand):
    help = (
        "Import towns, communities and grid cells from a GeoJSON FeatureCollection or a CSV file "
        "(columns town_code, town_name, community_code, community_name, cell_code, cell_name, "
        "optional is_subdistrict, is_village, department, polygon as GeoJSON). Every bad row is "
        "reported and nothing is saved unless all rows are good."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            result = grid_import(rows=grid_rows_from_file(path=path))
        except GridImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} error(s) in {path.name}; nothing was imported."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.towns} towns, {result.communities} communities and "
                f"{result.cells} grid cells ({result.created['cells']} new cells)."
            )
        )
