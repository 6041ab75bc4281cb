"""The admin screens of the 督查管理 role: standards are added with their items; a used version
is neither edited nor deleted, an unused one is."""

import pytest
from django.urls import reverse

from inspections.models import Standard
from portal import roles
from tests.inspections.builders import inspection, market, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_staff, reference_data):
    return make_staff(roles.INSPECTION_MANAGER, "manager")


def item_forms(*items):
    data = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, (discipline, text, points, cap) in enumerate(items):
        data.update(
            {
                f"items-{n}-discipline": discipline,
                f"items-{n}-text": text,
                f"items-{n}-points": points,
                f"items-{n}-cap": cap,
                f"items-{n}-ORDER": str(n + 1),
                f"items-{n}-DELETE": "",
                f"items-{n}-id": "",
            }
        )
    return data


def test_the_manager_adds_a_new_version_with_its_items(client, manager):
    standard(("旧条目", "1", "2"))
    client.force_login(manager)
    data = {"kind": "market", "grade": "1", "valid_from": "2026-04-01", "note": "四月起"}
    data.update(item_forms(("sanitation", "地面垃圾", "2", "10"), ("greening", "缺株", "1", "3")))
    response = client.post(reverse("inspection_standards:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Standard.objects.get(note="四月起")
    assert new.version == 2
    assert [(i.text, i.points) for i in new.items.all()] == [("地面垃圾", 2), ("缺株", 1)]


def test_a_used_version_cannot_be_edited_or_deleted(client, manager):
    used = standard(("地面垃圾", "2", "10"))
    inspection(market(), used, manager, "2026-03-02 09:00")
    unused = standard(("地面垃圾", "3", "10"), kind="park")
    client.force_login(manager)
    for name in ("edit", "delete"):
        response = client.get(reverse(f"inspection_standards:{name}", args=[used.pk]))
        assert response.status_code in (302, 403), name
        assert response.status_code != 302 or response["Location"] == reverse("wagtailadmin_home")
        assert (
            client.get(reverse(f"inspection_standards:{name}", args=[unused.pk])).status_code == 200
        )
    # The list and the inspect view stay open.
    assert client.get(reverse("inspection_standards:index")).status_code == 200
    assert client.get(reverse("inspection_standards:inspect", args=[used.pk])).status_code == 200


def test_other_roles_do_not_see_the_inspections(client, intake, manager):
    client.force_login(intake)
    response = client.get(reverse("inspection_objects:index"))
    assert response.status_code in (302, 403)
    client.force_login(manager)
    assert client.get(reverse("inspection_objects:index")).status_code == 200
    assert client.get(reverse("inspections:index")).status_code == 200


def test_the_object_form_takes_the_geometries_the_import_takes(client, manager):
    from complaints.models import Department, Town
    from inspections.models import InspectionObject

    client.force_login(manager)
    data = {
        "kind": "toilet",
        "name": "湖滨公厕",
        "code": "",
        "grade": "2",
        "town": Town.objects.order_by("code").first().pk,
        "responsible_unit": Department.objects.get(key="sanitation").pk,
        "active": "on",
    }
    for bad in (
        '{"type": "Point", "coordinates": [200, 31.5]}',
        '{"type": "Circle", "radius": 5}',
        '{"type": "Polygon", "coordinates": [[[120.1, 31.5], [120.2, 31.5], [120.2, 31.6]]]}',
    ):
        response = client.post(reverse("inspection_objects:add"), {**data, "geometry": bad})
        assert response.status_code == 200, bad
        assert "geometry" in response.context["form"].errors, bad
    assert not InspectionObject.objects.exists()
    good = '{"type": "LineString", "coordinates": [[120.1, 31.5], [120.2, 31.5]]}'
    response = client.post(reverse("inspection_objects:add"), {**data, "geometry": good})
    assert response.status_code == 302
    assert InspectionObject.objects.get().geometry == good
