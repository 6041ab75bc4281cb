import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from complaints.models import Community, GridCell, Town
from complaints.reference.services.reference_data import DEMO_GRID_GEOJSON, departments_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # The messages are asserted in their English source form.
    with translation.override("en"):
        yield


HEADER = (
    "town_code,town_name,community_code,community_name,cell_code,cell_name,department,polygon\n"
)
SQUARE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[120, 31], [120.01, 31], [120.01, 31.01], [120, 31.01], [120, 31]]],
    }
).replace('"', '""')


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_geojson_imports(capsys):
    call_command("import_grid", str(DEMO_GRID_GEOJSON))
    assert GridCell.objects.count() == 54
    assert "54 grid cells" in capsys.readouterr().out


def test_csv_imports_with_and_without_polygon(tmp_path):
    departments_load()
    path = write(
        tmp_path,
        "grid.csv",
        HEADER
        + f'320211001,蠡园街道,320211001001,湖滨社区,32021100100101,一网格,sanitation,"{SQUARE}"\n'
        + "320211001,蠡园街道,320211001001,湖滨社区,32021100100102,二网格,,\n",
    )
    call_command("import_grid", str(path))
    first, second = GridCell.objects.order_by("code")
    assert first.department.key == "sanitation" and first.min_lat == 31
    assert second.polygon is None and second.department is None
    assert Town.objects.count() == 1 and Community.objects.count() == 1


def test_bad_rows_are_each_reported_and_nothing_is_saved(tmp_path):
    path = write(
        tmp_path,
        "grid.csv",
        HEADER
        + "320211001,蠡园街道,320211001001,湖滨社区,32021100100101,好网格,,\n"
        + "320211001,蠡园街道,320211002001,湖滨社区,32021100200101,错社区码,,\n"
        + "320211001,蠡园街道,320211001001,湖滨社区,,缺网格码,,\n"
        + "320211001,蠡园街道,320211001001,湖滨社区,32021100100103,坏部门,nosuch,\n"
        + '320211001,蠡园街道,320211001001,湖滨社区,32021100100104,坏多边形,,"{not json"\n',
    )
    with pytest.raises(CommandError, match="4 error"):
        call_command("import_grid", str(path), stderr=(err := __import__("io").StringIO()))
    messages = err.getvalue()
    for line in ("line 3", "line 4", "line 5", "line 6"):
        assert line in messages
    assert "line 2" not in messages
    assert not Town.objects.exists() and not GridCell.objects.exists()


def test_bad_geojson_geometry_is_reported(tmp_path):
    data = json.loads(DEMO_GRID_GEOJSON.read_text(encoding="utf-8"))
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": [120, 31]}
    path = write(tmp_path, "grid.geojson", json.dumps(data, ensure_ascii=False))
    with pytest.raises(CommandError):
        call_command("import_grid", str(path), stderr=(err := __import__("io").StringIO()))
    assert "feature 2" in err.getvalue()
    assert not GridCell.objects.exists()


def test_missing_columns_and_wrong_type(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_grid", str(write(tmp_path, "g.csv", "town_code,town_name\n1,a\n")))
    with pytest.raises(CommandError):
        call_command("import_grid", str(write(tmp_path, "g.txt", "x")))
    with pytest.raises(CommandError):
        call_command("import_grid", str(tmp_path / "missing.geojson"))
