"""Intake: filing a report and adding one's voice to an existing one."""

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.cases.services.events import case_event_record
from complaints.intake.inputs import ReportInput, answer_error_key
from complaints.models import (
    Attachment,
    CaseEvent,
    Community,
    GridCell,
    ReferenceCounter,
    Report,
    ReportKind,
    ReportState,
    ReportSupporter,
    Town,
    UploadDraft,
)
from complaints.privacy.codes import (
    access_code_generate,
    access_code_hash,
    phone_hash,
    receipt_code_generate,
)
from complaints.privacy.crypto import keyed_hash
from complaints.reference.selectors.geography import grid_cell_for_point
from complaints.reference.services.routing import department_route

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "BH"


@dataclass(frozen=True)
class SubmitResult:
    report: Report
    created: bool
    # The clear access code exists only in the result of the call that created the report.
    access_code: str | None


def reference_next(*, year: int) -> str:
    """The next public reference of ``year``, e.g. BH-2026-000123. Call inside a transaction.

    One statement, ``UPDATE ... RETURNING`` (PostgreSQL, SQLite >= 3.35): it increments and
    reads the number at once, and holds the counter row's lock until commit, so concurrent
    submissions get consecutive numbers and never the same one. The year's row is created
    only when the update finds none (the first report of a year).
    """
    number = _reference_counter_increment(year)
    if number is None:
        ReferenceCounter.objects.get_or_create(year=year)
        number = _reference_counter_increment(year)
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


def _reference_counter_increment(year: int) -> int | None:
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name comes from the model, the year is a parameter.
            f"UPDATE {table} SET last_number = last_number + 1 "  # noqa: S608  # nosec B608
            "WHERE year = %s RETURNING last_number",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def report_place_resolve(
    *,
    town: Town | None = None,
    community: Community | None = None,
    grid_cell: GridCell | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> tuple[Town | None, Community | None, GridCell | None]:
    """Complete and check a place: the cell from the coordinates, the parents from the cell.

    Raises ValidationError keyed by the field that contradicts the others.
    """
    if grid_cell is None and latitude is not None and longitude is not None:
        grid_cell = grid_cell_for_point(lat=float(latitude), lng=float(longitude))
    if grid_cell is not None:
        if community is not None and grid_cell.community_id != community.pk:
            raise ValidationError(
                {"grid_cell": _("This grid cell is not in the community you chose.")}
            )
        community = grid_cell.community
    if community is not None:
        if town is not None and community.town_id != town.pk:
            raise ValidationError({"community": _("This community is not in the town you chose.")})
        town = community.town
    return town, community, grid_cell


OUTSIDE_DISTRICT_MESSAGE = gettext_lazy(
    "This place is outside the district's grid. Mark a point inside a grid cell on the map, or "
    "choose the town and community instead."
)
ANONYMITY_REFUSED = gettext_lazy(
    "Reports in this category need your contact details: please give them."
)
CONTACT_MISSING = gettext_lazy(
    "Give a mobile number or an email address so that we can reach you, or "
    "tick “Report anonymously”."
)
PLACE_MISSING = gettext_lazy(
    "Tell us where: choose the town (and community), use your location, or write the address."
)
ANSWER_MISSING = gettext_lazy("Please answer this question.")
DESCRIPTION_MAX_LENGTH: int = Report._meta.get_field("description").max_length or 4000


def _place_check(report_input: ReportInput, errors: dict[str, list]) -> ReportInput:
    """The place completed (cell from the point, parents from the cell), or errors added."""
    latitude, longitude = report_input.latitude, report_input.longitude
    if (latitude is None) != (longitude is None):
        errors.setdefault("latitude", []).append(_("Give both latitude and longitude, or neither."))
        return report_input
    grid_cell = report_input.grid_cell
    if latitude is not None and longitude is not None:
        found = grid_cell_for_point(lat=float(latitude), lng=float(longitude))
        if found is None and GridCell.objects.filter(min_lat__isnull=False).exists():
            # A point in no cell, once the grid is drawn (without polygons nothing is).
            errors.setdefault("latitude", []).append(OUTSIDE_DISTRICT_MESSAGE)
            return report_input
        grid_cell = grid_cell or found
    try:
        town, community, grid_cell = report_place_resolve(
            town=report_input.town,
            community=report_input.community,
            grid_cell=grid_cell,
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        return report_input
    if town is None and not report_input.address.strip():
        errors.setdefault("town", []).append(PLACE_MISSING)
    return report_input.replace(town=town, community=community, grid_cell=grid_cell)


def report_input_check(*, input: ReportInput) -> ReportInput:
    """Judge a submission by every intake rule; the input completed, or ValidationError.

    The one place the rules live (the forms only shape input): the category still in use,
    anonymity allowed by the category, a way to reach a named reporter, a description within
    the model's length, the category's required questions answered (when they were asked), at most
    ``COMPLAINTS_MAX_PHOTOS`` photos, and a place that exists and is consistent (inside the
    grid, cell in community in town). Every broken rule is reported at once, keyed by the
    field (``extra_answers.<key>`` for a question). The returned input has the place
    completed and the contact details dropped where the report carries none (anonymous and
    informant reports), and is filed as is by ``report_submit``.
    """
    errors: dict[str, list] = {}
    category = input.category
    changes: dict = {}
    if not category.is_active:
        errors["category"] = [_("This category is no longer in use.")]
    description = input.description.strip()
    if not description:
        errors["description"] = [_("This field is required.")]
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).")
            % {"limit_value": DESCRIPTION_MAX_LENGTH, "show_value": len(description)}
        ]
    informant = input.kind == ReportKind.INFORMANT
    if informant or input.is_anonymous:
        if not informant and not category.anonymous_allowed:
            errors["is_anonymous"] = [ANONYMITY_REFUSED]
        # An informant's identity lives sealed in Informant rows, never on the report, and
        # informant reports are never public.
        changes.update(
            contact_name="",
            contact_phone="",
            contact_email="",
            consent_to_contact=False,
            preferred_channel="",
        )
        if informant:
            changes.update(is_anonymous=True, is_public=False)
    elif not (input.contact_phone or input.contact_email):
        errors["contact_phone"] = [CONTACT_MISSING]
    for question in (category.extra_questions or []) if input.questions_asked else []:
        if question.get("required") and not str(input.extra_answers.get(question["key"], "")):
            errors[answer_error_key(question["key"])] = [ANSWER_MISSING]
    if len(input.photo_drafts) > settings.COMPLAINTS_MAX_PHOTOS:
        errors["photos"] = [
            _("A report takes at most %(max)s photos.") % {"max": settings.COMPLAINTS_MAX_PHOTOS}
        ]
    checked = _place_check(input, errors)
    if errors:
        raise ValidationError(errors)
    return checked.replace(**changes)


def report_submit(*, input: ReportInput) -> SubmitResult:
    """File a report, exactly once per submission token.

    ``input`` is what the submission says (:class:`ReportInput`), built the same way by every
    entry point (web, hotline, informant, Open311). The input is judged by
    ``report_input_check`` (ValidationError keyed by field). Creates the report with its
    reference and a fresh access code (returned in clear once, stored hashed), moves the
    sanitised photo drafts onto it, records the ``received`` event (which queues the
    acknowledgement) — all in one transaction. A second call with the same token returns the
    first report with ``created=False`` and no access code.
    """
    # No look-up of the token first: the intake views have made it already (a double tap
    # gets its receipt before reaching here), and the unique token makes a second filing fail
    # below, which then answers with the first report.
    data = report_input_check(input=input)
    category = data.category
    informant = data.kind == ReportKind.INFORMANT
    access_code = receipt_code_generate() if informant else access_code_generate()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                reference=reference_next(year=timezone.localdate().year),
                access_code_hash=access_code_hash(access_code),
                submission_token=data.submission_token,
                kind=data.kind,
                channel=data.channel,
                category=category,
                description=data.description,
                extra_answers=dict(data.extra_answers),
                observed_at=data.observed_at,
                town=data.town,
                community=data.community,
                grid_cell=data.grid_cell,
                address=data.address,
                latitude=data.latitude,
                longitude=data.longitude,
                is_anonymous=data.is_anonymous,
                contact_name=data.contact_name,
                contact_phone=data.contact_phone,
                contact_email=data.contact_email,
                contact_phone_hash=phone_hash(data.contact_phone) if data.contact_phone else "",
                consent_to_contact=data.consent_to_contact,
                preferred_channel=_preferred_channel(
                    data.preferred_channel, data.contact_phone, data.contact_email
                ),
                is_public=data.is_public and category.public_allowed,
                state=ReportState.RECEIVED,
                department=department_route(
                    category=category, town=data.town, grid_cell=data.grid_cell
                ).department,
            )
            for draft in data.photo_drafts:
                _attachment_from_draft(report=report, draft=draft)
            case_event_record(
                report=report, kind=CaseEvent.Kind.SUBMITTED, to_state=ReportState.RECEIVED
            )
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request won the race.
        existing = Report.objects.filter(submission_token=data.submission_token).first()
        if existing is None:
            raise
        return SubmitResult(report=existing, created=False, access_code=None)
    logger.info("report %s received (category %s)", report.reference, category.full_code)
    return SubmitResult(report=report, created=True, access_code=access_code)


def _attachment_from_draft(*, report: Report, draft: UploadDraft) -> Attachment:
    """Hand the draft's photo over to the report: the attachment takes the draft's file.

    No file is written inside the report's transaction, so a full or read-only disk cannot
    fail it half-way, and a rollback leaves no orphan file: the draft row comes back with the
    rollback and still owns its file.
    """
    attachment = Attachment(
        report=report,
        kind=Attachment.Kind.EVIDENCE,
        sha256=draft.sha256,
        width=draft.width,
        height=draft.height,
        size=draft.size,
        created_at=timezone.now(),
    )
    attachment.image.name = draft.image.name
    attachment.save()
    # Only the row goes: the file now belongs to the attachment.
    UploadDraft.objects.filter(pk=draft.pk).delete()
    return attachment


# --- Receipt holds: the access code for a retried submission ------------------------------

RECEIPT_HOLD_LIFETIME = 3600  # seconds; the receipt shows the clear code for about an hour


def _receipt_hold_key(submission_token) -> str:
    # A database session key (40 characters at most) that only the server can derive.
    return keyed_hash(str(submission_token), purpose="receipt-hold-key")[:40]


def _receipt_hold_cipher(submission_token) -> Fernet:
    secret = bytes.fromhex(keyed_hash(str(submission_token), purpose="receipt-hold-cipher"))
    return Fernet(base64.urlsafe_b64encode(secret))


def receipt_hold(*, submission_token: uuid.UUID, reference: str, access_code: str) -> None:
    """Keep a just-filed report's access code for an hour, for a retry of the same form.

    Call inside the report's transaction: the hold exists exactly when the report does. It is
    a row of the database session table (expired rows go with ``clearsessions``) named and
    encrypted with keys derived from the form's random submission token and the server's hash
    key, so neither a leaked row nor a guessed name gives the code.
    """
    cipher = _receipt_hold_cipher(submission_token)
    data = {"reference": reference, "code": cipher.encrypt(access_code.encode()).decode()}
    Session.objects.create(
        session_key=_receipt_hold_key(submission_token),
        session_data=DatabaseSessionStore().encode(data),
        expire_date=timezone.now() + timedelta(seconds=RECEIPT_HOLD_LIFETIME),
    )


def receipt_recall(*, submission_token: uuid.UUID, reference: str) -> str | None:
    """The access code held for ``submission_token`` if it filed ``reference`` within the
    hour, else None."""
    row = Session.objects.filter(
        session_key=_receipt_hold_key(submission_token), expire_date__gt=timezone.now()
    ).first()
    data = DatabaseSessionStore().decode(row.session_data) if row else {}
    if data.get("reference") != reference or not data.get("code"):
        return None
    try:
        code = _receipt_hold_cipher(submission_token).decrypt(
            data["code"].encode(), ttl=RECEIPT_HOLD_LIFETIME
        )
    except InvalidToken:
        return None
    return code.decode()


SUPPORT_REFUSED = gettext_lazy(
    "This report cannot be supported. You can file yours as a new report instead."
)


def _preferred_channel(choice: str, phone: str, email: str) -> str:
    """A choice only counts when both a phone and an e-mail address were given."""
    return choice if phone and email and choice in Report.ContactChannel.values else ""


def report_may_be_supported(*, report: Report) -> bool:
    """Only an open complaint that may be shown publicly can gather supporters."""
    return (
        report.kind == ReportKind.COMPLAINT
        and report.is_public
        and report.category.public_allowed
        and report.is_open
    )


def report_support(
    *,
    report: Report,
    submission_token: uuid.UUID,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    consent_to_contact: bool = False,
    preferred_channel: str = "",
) -> tuple[ReportSupporter, bool]:
    """Add a resident's voice to an open report, once per ``submission_token``.

    Counts the supporter on the report and records a public timeline entry; supporters who
    gave contact details and consent are told of later public state changes like the reporter.
    Returns (supporter, created).
    """
    existing = ReportSupporter.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    if not report_may_be_supported(report=report):
        # One message whatever the reason (closed, informant, private): nothing is told apart.
        raise ValidationError(SUPPORT_REFUSED, code="support_refused")
    try:
        with transaction.atomic():
            supporter = ReportSupporter.objects.create(
                report=report,
                submission_token=submission_token,
                contact_name=contact_name,
                contact_phone=contact_phone,
                contact_email=contact_email,
                contact_phone_hash=phone_hash(contact_phone) if contact_phone else "",
                consent_to_contact=consent_to_contact and bool(contact_phone or contact_email),
                preferred_channel=_preferred_channel(
                    preferred_channel, contact_phone, contact_email
                ),
            )
            Report.objects.filter(pk=report.pk).update(supporter_count=F("supporter_count") + 1)
            case_event_record(report=report, kind=CaseEvent.Kind.SUPPORTER_ADDED)
    except IntegrityError:
        existing = ReportSupporter.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False
    report.refresh_from_db(fields=["supporter_count"])
    return supporter, True
