"""Hand-built inspections with known answers."""

import uuid
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from complaints.models import Department, Town
from inspections.models import (
    Finding,
    Inspection,
    InspectionObject,
    Standard,
    StandardItem,
)


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def market(name: str = "太湖菜市场", *, unit: str = "sanitation", town=None) -> InspectionObject:
    return InspectionObject.objects.create(
        kind="market",
        name=name,
        grade="1",
        town=town or Town.objects.order_by("pk").first(),
        responsible_unit=Department.objects.get(key=unit),
    )


def standard(*items: tuple, valid_from: str = "2026-01-01", kind: str = "market") -> Standard:
    """``items``: (text, points, cap[, needs_rectification, hours, category])."""
    std = Standard.objects.create(kind=kind, grade="1", valid_from=date.fromisoformat(valid_from))
    for order, spec in enumerate(items):
        text, points, cap, *rest = spec
        StandardItem.objects.create(
            standard=std,
            discipline="sanitation",
            text=text,
            points=Decimal(points),
            cap=Decimal(cap),
            needs_rectification=bool(rest and rest[0]),
            rectification_hours=rest[1] if len(rest) > 1 else None,
            category=rest[2] if len(rest) > 2 else None,
            sort_order=order,
        )
    return std


def inspection(obj, std, inspector, when: str, findings=(), submitted=True) -> Inspection:
    """``findings``: (item text, occurrences) pairs against ``std``'s items."""
    insp = Inspection.objects.create(
        object=obj,
        standard=std,
        inspector=inspector,
        inspected_at=at(when),
        state="submitted" if submitted else "open",
    )
    for text, count in findings:
        Finding.objects.create(
            inspection=insp,
            item=std.items.get(text=text),
            occurrences=count,
            client_uuid=uuid.uuid4(),
        )
    return insp
