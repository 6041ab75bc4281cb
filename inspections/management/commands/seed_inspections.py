"""Demo inspection objects, one standard per object kind, a few inspections, an inspection
company with the demo inspector and this month's plan of the markets (docs/inspections.md
"Demo"). The objects, with their geometry inside the demo grid's towns, come from
``inspections/data/demo_objects.geojson`` through the importer (``import_inspection_objects``).
Idempotent: the import finds its objects again by their codes; standards, the company and the
plan that exist are left as they are, and inspections are added only while there are none."""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from complaints.models import Category, Town
from complaints.reference.services.reference_data import demo_geography_load, departments_load
from inspections.assignments import plan_assign
from inspections.importing import object_import, object_rows_from_file
from inspections.models import (
    Discipline,
    Finding,
    Grade,
    Inspection,
    InspectionCompany,
    InspectionObject,
    InspectionPlan,
    ObjectKind,
    Standard,
    StandardItem,
)
from portal import roles

# The demo inspector's account (demo/users.py lists it with the role 第三方督查员; this
# command makes it without a password when the demo's accounts are not there).
DEMO_INSPECTOR = "demo_inspector"
DEMO_COMPANY = "第三方督查公司（示范）"

# The demo objects: the seed's 9 markets, 18 back alleys, 18 public toilets and 97 bin-cleaning
# points, and a few road segments, refuse collection points and parks, each with its geometry
# (points, the alleys and roads as lines, the parks as polygons) inside a grid cell of its town.
DEMO_OBJECTS = Path(__file__).resolve().parents[2] / "data" / "demo_objects.geojson"

# Per kind: how many demo objects the file holds, their name, grade and responsible unit (a
# department key); the standards are made for this grade.
OBJECTS: dict[str, tuple[int, str, str, str]] = {
    ObjectKind.MARKET: (9, "菜市场", Grade.SECOND, "town_enforcement"),
    ObjectKind.BACK_ALLEY: (18, "背街小巷", Grade.THIRD, "town_enforcement"),
    ObjectKind.PUBLIC_TOILET: (18, "公厕", Grade.SECOND, "sanitation"),
    ObjectKind.ROAD_SEGMENT: (6, "道路路段", Grade.FIRST, "sanitation"),
    ObjectKind.REFUSE_POINT: (6, "垃圾收集点", Grade.SECOND, "sanitation"),
    ObjectKind.PARK: (3, "公园", Grade.SECOND, "greening"),
    ObjectKind.BIN_CLEANING_POINT: (97, "垃圾桶清洗点", Grade.THIRD, "sanitation"),
}

S, M, G = Discipline.SANITATION, Discipline.MUNICIPAL, Discipline.GREENING
# (discipline, text, points, cap, rectification hours or None, case category (kind, code)).
ItemSpec = tuple[str, str, str, str, int | None, tuple[str, str] | None]
ITEMS: dict[str, list[ItemSpec]] = {
    ObjectKind.MARKET: [
        (S, "地面有暴露垃圾", "2", "10", 4, ("event", "0102")),
        (S, "垃圾桶满溢未清运", "3", "9", 4, ("component", "0302")),
        (M, "店外经营、占道经营", "2", "8", 8, ("event", "0503")),
        (G, "周边绿化带缺株、枯死", "1", "4", None, None),
    ],
    ObjectKind.BACK_ALLEY: [
        (S, "路面不洁、积存垃圾", "2", "10", 8, ("event", "0103")),
        (M, "井盖缺损", "5", "10", 4, ("component", "0101")),
        (M, "乱张贴小广告", "1", "5", 16, ("event", "0201")),
        (G, "绿地黄土裸露", "1", "3", None, None),
    ],
    ObjectKind.PUBLIC_TOILET: [
        (S, "地面、便器不洁", "3", "12", 2, ("component", "0301")),
        (S, "异味明显", "5", "10", 4, ("component", "0301")),
        (M, "设施损坏（门锁、水龙头、照明）", "2", "8", 16, ("component", "0301")),
    ],
    ObjectKind.ROAD_SEGMENT: [
        (S, "道路不洁", "2", "10", 2, ("event", "0104")),
        (M, "路灯不亮", "2", "6", 16, ("component", "0102")),
        (M, "护栏破损", "3", "9", 16, ("component", "0201")),
        (G, "行道树缺株、倒伏", "2", "6", 24, ("component", "0401")),
    ],
    ObjectKind.REFUSE_POINT: [
        (S, "垃圾满溢、落地", "3", "12", 4, ("component", "0302")),
        (S, "周边有积存垃圾渣土", "2", "8", 8, ("event", "0103")),
        (M, "收集点设施破损", "2", "6", None, None),
    ],
    ObjectKind.PARK: [
        (G, "绿地缺株、枯死", "2", "10", 24, ("component", "0402")),
        (S, "园路不洁", "2", "8", 8, ("event", "0104")),
        (M, "座椅、路灯损坏", "2", "6", None, None),
    ],
    ObjectKind.BIN_CLEANING_POINT: [
        (S, "垃圾桶未按时清洗、桶身污渍", "1", "5", 8, ("component", "0302")),
        (S, "清洗点周边污水横流", "2", "6", 4, ("event", "0103")),
        (M, "垃圾桶破损、缺盖", "1", "4", 24, ("component", "0302")),
    ],
}


class Command(BaseCommand):
    help = "Create demo inspection objects, standards and a few inspections."

    def handle(self, *args, **options):
        with transaction.atomic():
            objects = self.objects()
            standards = self.standards()
            inspector = self.inspector()
            inspections = self.inspections(objects, standards, inspector)
            assignments = self.plan(inspector)
        self.stdout.write(
            f"{len(objects)} objects, {len(standards)} standards, {inspections} new inspections, "
            f"{assignments} new assignments for {DEMO_INSPECTOR}"
        )

    def inspector(self):
        User = get_user_model()
        inspector, created = User.objects.get_or_create(
            username=DEMO_INSPECTOR, defaults={"first_name": "第三方督查员"}
        )
        if created:
            inspector.set_unusable_password()
            inspector.save()
        inspector.groups.add(roles.group(roles.INSPECTOR))
        # An earlier demo made this account a manager: an inspector manages no plan.
        inspector.groups.remove(roles.group(roles.INSPECTION_MANAGER))
        return inspector

    def plan(self, inspector) -> int:
        """This month's round of the markets, all given to the demo inspector (the company is no
        department, so no conflict of interest)."""
        company, _created = InspectionCompany.objects.get_or_create(name=DEMO_COMPANY)
        company.members.add(inspector)
        month = timezone.localdate().replace(day=1)
        kind, (_count, _label, grade, _unit) = ObjectKind.MARKET, OBJECTS[ObjectKind.MARKET]
        if InspectionPlan.objects.filter(month=month, kind=kind, grade=grade).exists():
            return 0
        plan = InspectionPlan.objects.create(
            name="菜市场月度督查（示范）", month=month, kind=kind, grade=grade, company=company
        )
        return len(plan_assign(plan))

    def objects(self) -> list[InspectionObject]:
        """The demo objects through the importer (objects of an earlier demo, without a code,
        are found by kind and name and given their code and geometry)."""
        if not Town.objects.exists():
            demo_geography_load()
        departments_load()
        plan = object_import(rows=object_rows_from_file(path=DEMO_OBJECTS))
        return [row.instance for row in plan.rows if row.instance is not None]

    def standards(self) -> dict[tuple[str, str], Standard]:
        standards: dict[tuple[str, str], Standard] = {}
        for kind, (_count, _label, grade, _unit) in OBJECTS.items():
            standard = Standard.objects.filter(kind=kind, grade=grade).order_by("-version").first()
            if standard is None:
                standard = Standard.objects.create(
                    kind=kind, grade=grade, valid_from=date(2026, 1, 1), note="示范标准"
                )
                for order, (discipline, text, points, cap, hours, code) in enumerate(ITEMS[kind]):
                    StandardItem.objects.create(
                        standard=standard,
                        discipline=discipline,
                        text=text,
                        points=Decimal(points),
                        cap=Decimal(cap),
                        needs_rectification=hours is not None,
                        rectification_hours=hours,
                        category=(
                            Category.objects.filter(kind=code[0], code=code[1]).first()
                            if code
                            else None
                        ),
                        sort_order=order,
                    )
            standards[(kind, grade)] = standard
        return standards

    def inspections(self, objects, standards, inspector) -> int:
        """Two rounds (last month and this month) over a third of the objects; findings without
        cases (the demo's cases come from demo)."""
        if Inspection.objects.exists():
            return 0
        rng = random.Random(15)  # noqa: S311  # nosec B311 - demo data, not secrets
        made = 0
        for days_ago in (35, 5):
            for obj in objects[::3]:
                standard = standards[(obj.kind, obj.grade)]
                inspection = Inspection.objects.create(
                    object=obj,
                    standard=standard,
                    inspector=inspector,
                    inspected_at=timezone.now() - timedelta(days=days_ago, hours=rng.randint(0, 8)),
                    state=Inspection.State.SUBMITTED,
                )
                items = list(standard.items.all())
                for item in rng.sample(items, rng.randint(0, min(2, len(items)))):
                    Finding.objects.create(
                        inspection=inspection,
                        item=item,
                        occurrences=rng.randint(1, 3),
                        client_uuid=uuid.uuid4(),
                    )
                made += 1
        return made
