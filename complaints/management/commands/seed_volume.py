"""Load many synthetic reports with their timelines, for volume benchmarks (issues 14 and 17).

Needs the reference data first (categories, towns, communities, grid cells, departments):
``manage.py seed_demo`` (or the ``reference_data`` loaders it calls). The command refuses to run
without it.

The rows are generated in Python from one seeded random generator, so a run is reproducible,
and loaded in bulk: with PostgreSQL through ``COPY`` (1,000,000 reports and about 5.5 million
events in a few minutes), elsewhere with ``bulk_create`` (fine for a few thousand rows). What
they look like:

- spread evenly over the last ``--years`` years, over every grid cell (town and community follow
  the cell) and every active category; the department is the cell's, else the category's default;
- reports older than 30 days are nearly all finished (closed, rejected, duplicate, a few rework
  requests and a few forgotten dispatched cases, long overdue); recent ones are spread over the
  open states; a dispatched case's deadline follows its category's time limit, so some are
  overdue; a closed case says whether it closed on time;
- every report's timeline holds the events that brought it to its state (submitted, then one
  ``state_changed`` per step), padded with internal notes up to ``--events-per-report``;
- about two thirds gave a phone number: one value (encrypted once per
  ``COPY`` chunk and reused), with its keyed hash;
  the others are anonymous. Every report shares the access code ``SEED_ACCESS_CODE`` (so a
  benchmark can use the tracking page); no photos, no Wagtail search entries, no signals.

Like ``seed_demo``, it refuses to run with DEBUG off unless ``--force`` is given.
"""

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import JSONField, Max
from django.utils import timezone

from complaints.models import (
    CaseEvent,
    Category,
    GridCell,
    ReferenceCounter,
    Report,
    ReportChannel,
    ReportState,
    TimeUnit,
)
from complaints.privacy.codes import access_code_hash, phone_hash
from complaints.privacy.fields import EncryptedTextField

# Shared by every seeded report (alphabet of complaints.privacy.codes): a benchmark database only.
SEED_ACCESS_CODE = "SEED-2345-6789-ABCD"
SEED_PHONE = "13800138000"
CHUNK = 20_000
# Residents' channels, weighted 80/5/15 below (inspection findings are not part of the volume).
VOLUME_CHANNELS = [ReportChannel.WEB, ReportChannel.OPEN311, ReportChannel.HOTLINE]

S = ReportState
# The path of states that leads to each state (the first is where every report starts).
PATHS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.RECEIVED,),
    S.REGISTERED: (S.RECEIVED, S.REGISTERED),
    S.REJECTED: (S.RECEIVED, S.REJECTED),
    S.DUPLICATE: (S.RECEIVED, S.DUPLICATE),
    S.DISPATCHED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED),
    S.EXTENSION_REQUESTED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.EXTENSION_REQUESTED),
    S.RETURNED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.RETURNED),
    S.HANDLED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.HANDLED),
    S.VERIFIED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.HANDLED, S.VERIFIED),
    S.CLOSED: (S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.HANDLED, S.VERIFIED, S.CLOSED),
    S.REOPEN_REQUESTED: (
        *(S.RECEIVED, S.REGISTERED, S.DISPATCHED, S.HANDLED, S.VERIFIED, S.CLOSED),
        S.REOPEN_REQUESTED,
    ),
}
# State weights (per cent) of reports older than RECENT, and of recent ones.
RECENT = timedelta(days=30)
OLD_MIX = {S.CLOSED: 90, S.REJECTED: 4, S.DUPLICATE: 3, S.REOPEN_REQUESTED: 1, S.DISPATCHED: 2}
RECENT_MIX = {
    S.RECEIVED: 8,
    S.REGISTERED: 7,
    S.DISPATCHED: 30,
    S.EXTENSION_REQUESTED: 5,
    S.RETURNED: 3,
    S.HANDLED: 10,
    S.VERIFIED: 5,
    S.CLOSED: 27,
    S.REJECTED: 3,
    S.DUPLICATE: 2,
}
DISPATCHED_ON = {s for s, path in PATHS.items() if S.DISPATCHED in path}
CLOSED_ON = {S.CLOSED, S.REOPEN_REQUESTED}
DESCRIPTIONS = (
    "路口垃圾堆满了，已经两天没人清理。",
    "人行道上有车辆乱停放，影响通行。",
    "小区门口占道经营，晚上噪声很大。",
    "路灯不亮，晚上出行不安全。",
    "绿化带被踩坏，需要修补。",
)
NOTES = ("已电话联系现场负责人。", "现场核实中。", "已安排人员处理。")


@dataclass(frozen=True)
class Place:
    cell_id: int
    community_id: int
    town_id: int
    department_id: int | None


@dataclass(frozen=True)
class Kind:
    category_id: int
    department_id: int | None
    limit: timedelta  # wall-clock approximation of the category's time limit


def _wall_clock_limit(category: Category) -> timedelta:
    if category.time_unit == TimeUnit.WORKING_DAYS:
        return timedelta(days=category.time_limit * 1.4)  # weekends
    if category.time_unit == TimeUnit.WORKING_HOURS:
        return timedelta(hours=category.time_limit * 3)  # 8 working hours a day
    return timedelta(hours=category.time_limit)


class Command(BaseCommand):
    help = (
        "Load N synthetic reports with their timelines (volume benchmarks). Needs the reference "
        "data of seed_demo first. Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, required=True, help="How many reports.")
        parser.add_argument(
            "--events-per-report",
            type=int,
            default=5,
            help="Timeline length to reach with internal notes (the state path always counts).",
        )
        parser.add_argument("--years", type=float, default=3, help="Spread over this many years.")
        parser.add_argument("--seed", type=int, default=17, help="Random seed (reproducible).")
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (never in prod)."
        )

    def handle(self, *args, reports, events_per_report, years, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_volume refuses to run with DEBUG off: it fills the database with fake "
                "reports. Use DJANGO_DEBUG=1, or --force on a benchmark database."
            )
        if reports < 1 or years <= 0 or events_per_report < 0:
            raise CommandError("--reports must be positive, --years above 0.")
        places, kinds = self._reference()
        started = time.monotonic()
        seeder = _Seeder(
            places=places,
            kinds=kinds,
            seed=seed,
            years=years,
            events_per_report=events_per_report,
        )
        with transaction.atomic():
            counts = seeder.load(reports)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE complaints_report")
                cursor.execute("ANALYZE complaints_caseevent")
        self.stdout.write(
            f"Loaded {counts[0]} reports and {counts[1]} events "
            f"in {time.monotonic() - started:.1f} s."
        )

    def _reference(self) -> tuple[list[Place], list[Kind]]:
        cells = GridCell.objects.select_related("community").order_by("pk")
        places = [Place(c.pk, c.community_id, c.community.town_id, c.department_id) for c in cells]
        kinds = [
            Kind(c.pk, c.default_department_id, _wall_clock_limit(c))
            for c in Category.objects.filter(is_active=True).order_by("pk")
        ]
        if not places or not kinds:
            raise CommandError(
                "No grid cells or categories: load the reference data first "
                "(manage.py seed_demo, or complaints.reference.services.reference_data)."
            )
        return places, kinds


class _Seeder:
    """Generates rows chunk by chunk and hands them to the database's bulk path."""

    def __init__(self, *, places, kinds, seed, years, events_per_report):
        self.places = places
        self.kinds = kinds
        self.seed = seed
        self.span = timedelta(days=365.25 * years)
        self.events_per_report = events_per_report
        self.now = timezone.now()
        self.code_hash = access_code_hash(SEED_ACCESS_CODE)
        self.phone_hash = phone_hash(SEED_PHONE)
        self.next_number: dict[int, int] = {
            row.year: row.last_number for row in ReferenceCounter.objects.all()
        }
        self.report_columns = [
            f.column for f in Report._meta.concrete_fields if not f.primary_key
        ] + ["id"]
        self.event_columns = [f.column for f in CaseEvent._meta.concrete_fields]

    def load(self, total: int) -> tuple[int, int]:
        next_report_id = _reserve_ids(Report, total)
        # The same database and seed give the same rows; a top-up run gives new ones.
        seed = f"{self.seed}-{next_report_id}"
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311 - synthetic data, not secrets
        next_event_id = None
        event_count = 0
        for start in range(0, total, CHUNK):
            size = min(CHUNK, total - start)
            reports, events = self._chunk(size, first_id=next_report_id + start)
            if next_event_id is None or connection.vendor == "postgresql":
                next_event_id = _reserve_ids(CaseEvent, len(events))
            for offset, event in enumerate(events):
                event["id"] = next_event_id + offset
            next_event_id += len(events)
            _write(Report, self.report_columns, reports)
            _write(CaseEvent, self.event_columns, events)
            event_count += len(events)
        for year, last in self.next_number.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": last})
        return total, event_count

    def _chunk(self, size: int, *, first_id: int) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        # Sorted in time, so reference numbers grow with the date like real ones.
        moments = sorted(self.now - self.span * rng.random() for _ in range(size))
        reports, events = [], []
        for offset, created in enumerate(moments):
            created -= timedelta(minutes=10)
            place = rng.choice(self.places)
            kind = rng.choice(self.kinds)
            recent = self.now - created < RECENT
            mix = RECENT_MIX if recent else OLD_MIX
            state = rng.choices(list(mix), weights=list(mix.values()))[0]
            report = self._report(first_id + offset, created, state, place, kind)
            reports.append(report)
            events.extend(self._events(report, PATHS[state]))
        return reports, events

    def _report(self, pk, created, state, place: Place, kind: Kind) -> dict:
        rng = self.rng
        local_year = timezone.localtime(created).year
        number = self.next_number.get(local_year, 0) + 1
        if number > 999_999:
            raise CommandError(f"More than 999,999 reports in {local_year}: use more --years.")
        self.next_number[local_year] = number
        with_phone = rng.random() < 0.65
        dispatched_at = deadline = closed_at = None
        department_id = closed_on_time = None
        if state in DISPATCHED_ON:
            department_id = place.department_id or kind.department_id
            dispatched_at = created + timedelta(hours=rng.uniform(0.2, 6))
            deadline = dispatched_at + kind.limit
            if state in CLOSED_ON:
                closed_at = dispatched_at + kind.limit * rng.uniform(0.2, 1.3)
                closed_at = min(closed_at, self.now - timedelta(minutes=1))
                closed_on_time = closed_at <= deadline
        elif state in (S.REJECTED, S.DUPLICATE):
            closed_at = created + timedelta(hours=rng.uniform(0.5, 24))
            closed_at = min(closed_at, self.now - timedelta(minutes=1))
        updated = closed_at or dispatched_at or created
        return {
            "id": pk,
            "reference": f"BH-{local_year}-{number:06d}",
            "access_code_hash": self.code_hash,
            "submission_token": uuid.UUID(int=rng.getrandbits(128), version=4),
            "kind": "complaint",
            "channel": rng.choices(VOLUME_CHANNELS, weights=(80, 5, 15))[0],
            "category_id": kind.category_id,
            "description": rng.choice(DESCRIPTIONS),
            "observed_at": None,
            "extra_answers": {},
            "town_id": place.town_id,
            "community_id": place.community_id,
            "grid_cell_id": place.cell_id,
            "address": "",
            "latitude": None,
            "longitude": None,
            "is_anonymous": not with_phone,
            "contact_name": "",
            "contact_phone": SEED_PHONE if with_phone else "",
            "contact_email": "",
            "contact_phone_hash": self.phone_hash if with_phone else "",
            "consent_to_contact": with_phone,
            "preferred_channel": "",
            "is_public": rng.random() < 0.85,
            "state": state,
            "department_id": department_id,
            "deadline": deadline,
            "duplicate_of_id": None,
            "rework_count": 1 if state == S.REOPEN_REQUESTED and rng.random() < 0.3 else 0,
            "dispatched_at": dispatched_at,
            "closed_at": closed_at,
            "closed_on_time": closed_on_time,
            "supporter_count": 0,
            "external_case_id": "",
            "case_system": "",
            "created_at": created,
            "updated_at": updated,
        }

    def _events(self, report: dict, path: tuple[str, ...]) -> list[dict]:
        created = report["created_at"]
        end = report["closed_at"] or report["dispatched_at"] or created
        if report["state"] == S.REOPEN_REQUESTED:
            end = min(end + timedelta(days=2), self.now)
        notes = max(0, self.events_per_report - len(path))
        steps = len(path) + notes
        span = (end - created) if steps > 1 else timedelta(0)

        def at(index: int):
            return created + span * (index / max(steps - 1, 1))

        rows = [_event(report["id"], CaseEvent.Kind.SUBMITTED, "", path[0], created)]
        for index, (before, after) in enumerate(pairwise(path), start=1):
            rows.append(
                _event(report["id"], CaseEvent.Kind.STATE_CHANGED, before, after, at(index))
            )
        for index in range(len(path), steps):
            note = _event(report["id"], CaseEvent.Kind.NOTE, "", "", at(index))
            note.update(note=self.rng.choice(NOTES), is_public=False)
            rows.append(note)
        rows.sort(key=lambda row: row["created_at"])
        return rows


def _event(report_id, kind, from_state, to_state, moment) -> dict:
    return {
        "id": None,
        "report_id": report_id,
        "kind": kind,
        "from_state": from_state,
        "to_state": to_state,
        "note": "",
        "is_public": True,
        "actor_id": None,
        "created_at": moment,
    }


def _reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will be given."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            # Lock the sequence's table so that no other insert takes an id in between.
            lock = f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE'
            cursor.execute(lock)
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
    return (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1


def _write(model, columns: list[str], rows: list[dict]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model, columns, rows)
        return
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    objects = [model(**{attnames[c]: row[c] for c in columns}) for row in rows]
    model.objects.bulk_create(objects, batch_size=500)
    # bulk_create stamps auto_now(_add) fields with the current time: put the generated back.
    stamped = [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if stamped:
        for obj, row in zip(objects, rows, strict=True):
            for name in stamped:
                setattr(obj, name, row[model._meta.get_field(name).column])
        model.objects.bulk_update(objects, stamped, batch_size=500)


def _copy(model, columns: list[str], rows: list[dict]) -> None:
    """``COPY`` the rows; encrypted and JSON columns are prepared once per distinct value."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    prepared: dict[tuple, object] = {}

    def value(column, raw):
        field = fields[column]
        if isinstance(field, JSONField):
            return json.dumps(raw)
        if isinstance(field, EncryptedTextField) and raw:
            if (column, raw) not in prepared:
                prepared[column, raw] = field.get_prep_value(raw)
            return prepared[column, raw]
        return raw

    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([value(c, row[c]) for c in columns])
