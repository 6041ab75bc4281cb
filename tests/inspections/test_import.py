"""Importing inspection objects from GeoJSON and CSV: through the command and the admin upload,
idempotent by code, every bad line or feature reported in Chinese and nothing saved."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from complaints.models import GridCell, Town
from inspections.models import InspectionObject
from portal import roles
from tests.inspections.builders import market

pytestmark = pytest.mark.django_db


def inside(town: Town, offset: float = 0.0) -> list[float]:
    """A [lon, lat] inside the first grid cell of ``town`` (offset moves it within the cell)."""
    cell = GridCell.objects.filter(community__town=town).order_by("code").first()
    ring = cell.polygon["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return [
        round(min(lngs) + (max(lngs) - min(lngs)) * (0.3 + offset), 6),
        round(min(lats) + (max(lats) - min(lats)) * (0.3 + offset), 6),
    ]


def feature(code, kind, name, grade, town, unit, geometry, **extra):
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "kind": kind,
            "name": name,
            "grade": grade,
            "town": town,
            "unit": unit,
            **extra,
        },
        "geometry": geometry,
    }


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


@pytest.fixture
def towns(reference_data):
    return list(Town.objects.order_by("code")[:2])


@pytest.fixture
def good_file(towns, tmp_path):
    first, second = towns
    a, b = inside(first), inside(first, 0.2)
    path = tmp_path / "objects.geojson"
    path.write_text(
        collection(
            feature(
                "MKT-001",
                "菜市场",
                "蠡园菜市场",
                "二级",
                first.code,
                "town_enforcement",
                {"type": "Point", "coordinates": a},
            ),
            feature(
                "ALY-001",
                "alley",
                "湖滨背街小巷",
                "3",
                first.name,
                "sanitation",
                {"type": "LineString", "coordinates": [a, b]},
            ),
            feature(
                "PRK-001",
                "公园",
                "河埒公园",
                "2",
                second.code,
                "greening",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            inside(second),
                            [inside(second, 0.2)[0], inside(second)[1]],
                            inside(second, 0.2),
                            inside(second),
                        ]
                    ],
                },
            ),
        ),
        encoding="utf-8",
    )
    return path


def test_the_command_imports_points_lines_and_polygons_and_again_changes_nothing(
    good_file, towns, capsys
):
    call_command("import_inspection_objects", str(good_file), "--dry-run")
    assert "would make 3 new" in capsys.readouterr().out
    assert InspectionObject.objects.count() == 0

    call_command("import_inspection_objects", str(good_file))
    assert "Imported 3 new, 0 updated and 0 unchanged" in capsys.readouterr().out
    market_ = InspectionObject.objects.get(code="MKT-001")
    assert (market_.kind, market_.grade, market_.town, market_.responsible_unit.key) == (
        "market",
        "2",
        towns[0],
        "town_enforcement",
    )
    geometries = {
        o.code: json.loads(o.geometry)["type"] for o in InspectionObject.objects.order_by("code")
    }
    assert geometries == {"ALY-001": "LineString", "MKT-001": "Point", "PRK-001": "Polygon"}

    call_command("import_inspection_objects", str(good_file))
    assert "0 new, 0 updated and 3 unchanged" in capsys.readouterr().out
    assert InspectionObject.objects.count() == 3


def test_a_changed_row_updates_its_object_by_code_and_takes_over_a_namesake(towns, tmp_path):
    typed_in = market("河埒菜市场", town=towns[1])  # made in the admin, no code
    call_command(
        "import_inspection_objects",
        str(_csv(tmp_path, towns, name="河埒菜市场", grade="1", unit="sanitation")),
    )
    typed_in.refresh_from_db()
    assert (typed_in.code, typed_in.grade) == ("MKT-009", "1")
    call_command(
        "import_inspection_objects",
        str(_csv(tmp_path, towns, name="河埒菜市场（新）", grade="3", unit="town_enforcement")),
    )
    assert InspectionObject.objects.count() == 1
    typed_in.refresh_from_db()
    assert (typed_in.name, typed_in.grade, typed_in.responsible_unit.key) == (
        "河埒菜市场（新）",
        "3",
        "town_enforcement",
    )
    assert json.loads(typed_in.geometry) == {
        "type": "Point",
        "coordinates": inside(towns[1]),
    }


def _csv(tmp_path, towns, *, name, grade, unit, extra_lines=()):
    lon, lat = inside(towns[1])
    lines = [
        "code,kind,name,grade,town,unit,longitude,latitude,geometry",
        f"MKT-009,market,{name},{grade},{towns[1].code},{unit},{lon},{lat}",
        *extra_lines,
    ]
    path = tmp_path / "objects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_bad_line_is_reported_in_chinese_and_nothing_is_saved(towns, tmp_path, capsys):
    lon, lat = inside(towns[0])
    far = '"{""type"": ""Point"", ""coordinates"": [121.9, 30.1]}"'
    path = _csv(
        tmp_path,
        towns,
        name="好市场",
        grade="1",
        unit="sanitation",
        extra_lines=[
            f"X-1,market,市场甲,1,不存在镇,sanitation,{lon},{lat}",
            f"X-2,market,市场乙,5,{towns[0].code},sanitation,{lon},{lat}",
            f"X-3,market,市场丙,1,{towns[0].code},no_such_unit,{lon},{lat}",
            f"X-4,market,市场丁,1,{towns[0].code},sanitation,abc,{lat}",
            f"X-5,飞船,市场戊,1,{towns[0].code},sanitation,{lon},{lat}",
            f"X-6,market,市场己,1,{towns[0].code},sanitation,,,{far}",
        ],
    )
    with translation.override("zh-hans"), pytest.raises(CommandError, match="6 error"):
        call_command("import_inspection_objects", str(path))
    errors = capsys.readouterr().err.splitlines()
    assert InspectionObject.objects.count() == 0
    expected = [
        ("第 3 行", "不存在镇"),
        ("第 4 行", "5"),
        ("第 5 行", "no_such_unit"),
        ("第 6 行", "abc"),
        ("第 7 行", "飞船"),
    ]
    for (line, value), error in zip(expected, errors, strict=False):
        assert error.startswith(line) and value in error, error
    assert errors[5].startswith("第 8 行") and towns[0].name in errors[5]


def test_a_geometry_outside_its_town_and_a_broken_ring_are_refused(towns, tmp_path, capsys):
    first, second = towns
    path = tmp_path / "bad.geojson"
    path.write_text(
        collection(
            feature(
                "A",
                "market",
                "甲",
                "1",
                first.code,
                "sanitation",
                {"type": "Point", "coordinates": inside(second)},
            ),
            feature(
                "B",
                "park",
                "乙",
                "1",
                first.code,
                "sanitation",
                {"type": "Polygon", "coordinates": [[inside(first), inside(first, 0.1)]]},
            ),
            feature("C", "market", "丙", "1", first.code, "sanitation", {"type": "Circle"}),
        ),
        encoding="utf-8",
    )
    with translation.override("zh-hans"), pytest.raises(CommandError, match="3 error"):
        call_command("import_inspection_objects", str(path))
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("第 1 个要素") and first.name in errors[0]
    assert errors[1].startswith("第 2 个要素") and len(errors[1]) > len("第 2 个要素：")
    assert errors[2].startswith("第 3 个要素")
    assert InspectionObject.objects.count() == 0


@pytest.fixture
def manager(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "manager")


def test_the_admin_upload_previews_then_imports(client, manager, good_file):
    client.force_login(manager)
    url = reverse("inspections_object_import")
    index = client.get(reverse("inspection_objects:index"))
    assert url in index.content.decode()

    upload = SimpleUploadedFile("objects.geojson", good_file.read_bytes())
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="object-import-preview"' in page
    assert page.count('data-action="create"') == 3
    assert InspectionObject.objects.count() == 0
    payload = response.context["form"].initial["payload"]

    response = client.post(url, {"payload": payload})
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection_objects:index")
    assert set(InspectionObject.objects.values_list("code", flat=True)) == {
        "MKT-001",
        "ALY-001",
        "PRK-001",
    }
    # Uploaded again: the preview says nothing changes.
    upload = SimpleUploadedFile("objects.geojson", good_file.read_bytes())
    page = client.post(url, {"file": upload}).content.decode()
    assert page.count('data-action="unchanged"') == 3


def test_the_admin_upload_lists_the_errors_and_a_tampered_payload_is_refused(
    client, manager, towns
):
    client.force_login(manager)
    url = reverse("inspections_object_import")
    text = collection(
        feature(
            "A",
            "market",
            "甲",
            "九级",
            towns[0].code,
            "sanitation",
            {"type": "Point", "coordinates": inside(towns[0])},
        )
    )
    upload = SimpleUploadedFile("bad.geojson", text.encode())
    response = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert 'id="object-import-errors"' in page and "九级" in page
    assert "第 1 个要素" in page
    response = client.post(url, {"payload": "forged:payload"})
    assert response.status_code == 200 and response.context["form"].errors
    binary = SimpleUploadedFile("x.csv", b"code,kind\x00,name\n")
    response = client.post(url, {"file": binary})
    assert response.status_code == 200 and response.context["form"].errors
    assert InspectionObject.objects.count() == 0


def test_only_who_adds_and_changes_objects_may_import(client, make_staff, reference_data):
    intake = make_staff(roles.INTAKE_OPERATOR, "intake")
    client.force_login(intake)
    assert client.get(reverse("inspections_object_import")).status_code in (302, 403)
    response = client.post(
        reverse("inspections_object_import"),
        {"file": SimpleUploadedFile("x.geojson", b"{}")},
    )
    assert response.status_code in (302, 403)
