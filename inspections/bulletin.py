"""The monthly inspection bulletin (docs/inspections.md "Bulletin"): the lowest objects and
units of the month, the findings still unrectified, and repeat findings; as figures for the
admin page and as a PDF set like the assessment bulletin (reportlab, the built-in CJK font; the
import rules keep ``indicators`` out of reach, so the few lines are repeated here).

- Lowest objects: the objects' monthly scores (inspections/scores.py), lowest first.
- Lowest units: the responsible units' monthly scores, lowest first.
- Unrectified: findings that need rectification, of submitted inspections up to the month's
  end (an upheld contest takes a finding out), whose case is not yet verified or closed (or
  that have no case yet), oldest first.
- Repeat findings: the same checklist item (by its text, across standard versions) found on
  the same object in two or more inspections of the month, or in the month and the month
  before.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import ReportState
from inspections.models import Contest, Finding, Inspection, InspectionObject, ObjectKind
from inspections.scores import GroupScore, _month_bounds, month_scores_by, object_month_scores
from portal.pdf import PdfStyles, landscape_pdf

LOWEST = 10
RECTIFIED_STATES = (ReportState.VERIFIED, ReportState.CLOSED)


@dataclass(frozen=True)
class ObjectRow:
    object: InspectionObject
    score: Decimal

    @property
    def kind_label(self) -> str:
        return str(ObjectKind(self.object.kind).label)


@dataclass(frozen=True)
class RepeatRow:
    object: InspectionObject
    item: str
    this_month: int
    last_month: int


@dataclass
class InspectionBulletin:
    month: date
    inspections: int
    objects: int
    lowest_objects: list[ObjectRow]
    lowest_units: list[GroupScore]
    unrectified: list[Finding]
    repeats: list[RepeatRow]

    @property
    def title(self) -> str:
        return _("Inspection bulletin %(month)s") % {"month": f"{self.month:%Y-%m}"}


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _submitted(start: datetime | None, end: datetime):
    inspections = Inspection.objects.filter(state=Inspection.State.SUBMITTED, inspected_at__lt=end)
    return inspections if start is None else inspections.filter(inspected_at__gte=start)


def unrectified_findings(month: date) -> list[Finding]:
    _start, end = _month_bounds(month)
    return list(
        Finding.objects.filter(inspection__in=_submitted(None, end), item__needs_rectification=True)
        .exclude(contest__state=Contest.State.UPHELD)
        .exclude(report__state__in=RECTIFIED_STATES)
        .select_related(
            "inspection__object__town", "inspection__object__responsible_unit", "item", "report"
        )
        .order_by("inspection__inspected_at", "pk")
    )


def repeat_findings(month: date) -> list[RepeatRow]:
    start, end = _month_bounds(month)
    previous_start, _previous_end = _month_bounds(previous_month(month))
    counts: dict[tuple[int, str], list[set[int]]] = defaultdict(lambda: [set(), set()])
    findings = (
        Finding.objects.filter(inspection__in=_submitted(previous_start, end))
        .exclude(contest__state=Contest.State.UPHELD)
        .values_list(
            "inspection__object_id", "item__text", "inspection_id", "inspection__inspected_at"
        )
    )
    for object_id, text, inspection_id, inspected_at in findings:
        counts[(object_id, text)][0 if inspected_at >= start else 1].add(inspection_id)
    repeated = {
        key: (len(now), len(before))
        for key, (now, before) in counts.items()
        if len(now) >= 2 or (now and before)
    }
    objects = InspectionObject.objects.in_bulk({object_id for object_id, _text in repeated})
    return sorted(
        (
            RepeatRow(object=objects[object_id], item=text, this_month=now, last_month=before)
            for (object_id, text), (now, before) in repeated.items()
        ),
        key=lambda row: (-(row.this_month + row.last_month), row.object.name, row.item),
    )


def inspection_bulletin(month: date, *, lowest: int = LOWEST) -> InspectionBulletin:
    month = month.replace(day=1)
    start, end = _month_bounds(month)
    scores = object_month_scores(month)
    objects = InspectionObject.objects.select_related("town", "responsible_unit").in_bulk(
        list(scores)
    )
    ranked = sorted(scores.items(), key=lambda item: (item[1], objects[item[0]].name))
    return InspectionBulletin(
        month=month,
        inspections=_submitted(start, end).count(),
        objects=len(scores),
        lowest_objects=[ObjectRow(object=objects[pk], score=score) for pk, score in ranked][
            :lowest
        ],
        lowest_units=month_scores_by(month, by="unit")[:lowest],
        unrectified=unrectified_findings(month),
        repeats=repeat_findings(month),
    )


def _case_state(finding: Finding) -> str:
    if finding.report is None:
        return _("no case yet")
    return f"{finding.report.reference} {finding.report.get_state_display()}"


def object_header() -> list[str]:
    return [_("Object"), _("Kind"), _("Town"), _("Responsible unit"), _("Score")]


def object_cells(row: ObjectRow) -> list[str]:
    obj = row.object
    return [obj.name, row.kind_label, obj.town.name, obj.responsible_unit.name, f"{row.score}"]


def unit_header() -> list[str]:
    return [_("Responsible unit"), _("Objects inspected"), _("Score")]


def unit_cells(row: GroupScore) -> list[str]:
    return [row.name, str(row.objects), f"{row.score}"]


def unrectified_header() -> list[str]:
    return [_("Object"), _("Inspected on"), _("Item"), _("Case"), _("Deadline")]


def unrectified_cells(finding: Finding) -> list[str]:
    deadline = finding.report.deadline if finding.report else None
    return [
        finding.inspection.object.name,
        f"{timezone.localtime(finding.inspection.inspected_at):%Y-%m-%d}",
        finding.item.text,
        _case_state(finding),
        f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}" if deadline else "—",
    ]


def repeat_header() -> list[str]:
    return [_("Object"), _("Item"), _("Inspections this month"), _("Inspections last month")]


def repeat_cells(row: RepeatRow) -> list[str]:
    return [row.object.name, row.item, str(row.this_month), str(row.last_month)]


def bulletin_sections(bulletin: InspectionBulletin) -> list[dict]:
    """Each section's title, header and rows (strings), for the page and the PDF alike."""
    return [
        {
            "key": "objects",
            "title": _("Lowest-scoring objects"),
            "header": object_header(),
            "rows": [object_cells(row) for row in bulletin.lowest_objects],
            "empty": _("No object was inspected this month."),
        },
        {
            "key": "units",
            "title": _("Lowest-scoring responsible units"),
            "header": unit_header(),
            "rows": [unit_cells(row) for row in bulletin.lowest_units],
            "empty": _("No object was inspected this month."),
        },
        {
            "key": "unrectified",
            "title": _("Findings not yet rectified"),
            "header": unrectified_header(),
            "rows": [unrectified_cells(finding) for finding in bulletin.unrectified],
            "empty": _("Every finding that needs rectification has been rectified."),
        },
        {
            "key": "repeats",
            "title": _("Repeat findings"),
            "header": repeat_header(),
            "rows": [repeat_cells(row) for row in bulletin.repeats],
            "empty": _("No finding came back."),
        },
    ]


def bulletin_summary(bulletin: InspectionBulletin) -> str:
    return _(
        "%(inspections)s inspections of %(objects)s objects; %(unrectified)s findings not yet "
        "rectified; %(repeats)s repeat findings."
    ) % {
        "inspections": bulletin.inspections,
        "objects": bulletin.objects,
        "unrectified": len(bulletin.unrectified),
        "repeats": len(bulletin.repeats),
    }


def bulletin_pdf(bulletin: InspectionBulletin) -> bytes:
    """The bulletin as a PDF (A4 landscape, portal/pdf.py)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    def story(styles: PdfStyles) -> list:
        flowables = [Paragraph(escape(bulletin.title), styles.heading), Spacer(1, 4 * mm)]
        flowables.append(Paragraph(escape(bulletin_summary(bulletin)), styles.body))
        for section in bulletin_sections(bulletin):
            flowables += [Spacer(1, 5 * mm), Paragraph(escape(section["title"]), styles.subheading)]
            if not section["rows"]:
                flowables.append(Paragraph(escape(section["empty"]), styles.body))
                continue
            rows = [section["header"]] + [
                [Paragraph(escape(value), styles.cell) for value in row] for row in section["rows"]
            ]
            flowables.append(Table(rows, repeatRows=1, style=styles.table))
        return flowables

    return landscape_pdf(title=bulletin.title, story=story)
