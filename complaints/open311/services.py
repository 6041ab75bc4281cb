"""Filing a report through Open311: the web form's validation and the same intake service."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.intake.forms import new_draft_token
from complaints.intake.selectors import reports_nearby_open
from complaints.intake.services.reports import SubmitResult, report_submit
from complaints.models import ApiKey, ApiSubmission, Category, GridCell, ReportChannel
from complaints.open311.forms import Open311ReportForm
from complaints.open311.selectors import grid_cell_for_address_id
from complaints.reference.selectors.geography import grid_cell_for_point

# Our form's field names as an Open311 client knows them, for error messages.
PARAMETER_NAMES = {
    "category": "service_code",
    "description": "description",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "town": "lat",
    "community": "lat",
    "grid_cell": "lat",
    "contact_name": "first_name",
    "contact_phone": "phone",
    "contact_email": "email",
    "is_anonymous": "email",
    "__all__": "request",
}
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1b5c1e-4b7a-4d4e-9a59-0c3f1e2d7a11")


class RequestInvalid(Exception):
    """The request cannot be filed; ``messages`` are 'parameter: problem' strings."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class FiledRequest:
    result: SubmitResult
    nearby: list[str]


def _place_cell(*, params) -> GridCell | None:
    """The grid cell named by ``address_id`` (our address ids are grid cell codes), if any."""
    address_id = params.get("address_id", "").strip()
    if not address_id:
        return None
    cell = grid_cell_for_address_id(address_id=address_id)
    if cell is None:
        raise RequestInvalid(
            [
                _(
                    "address_id: no grid cell has this code; address_id is a grid cell code "
                    "as in the address_id of GET requests, e.g. 32021100100101."
                )
            ]
        )
    return cell


def _form_data(
    *, category: Category, params, submission_token: uuid.UUID, cell: GridCell | None
) -> dict:
    name = " ".join(
        part for part in (params.get("first_name", ""), params.get("last_name", "")) if part
    )
    phone, email = params.get("phone", "").strip(), params.get("email", "").strip()
    data = {
        "submission_token": str(submission_token),
        "draft_token": new_draft_token(),
        "category": str(category.pk),
        "description": params.get("description", ""),
        "address": params.get("address_string", ""),
        "latitude": params.get("lat", ""),
        "longitude": params.get("long", ""),
        "grid_cell": str(cell.pk) if cell is not None else "",
        "contact_name": name[:60],
        "contact_phone": phone,
        "contact_email": email,
        "is_public": "on",
        "website": "",
    }
    if not (phone or email):
        # Open311 clients send no contact for anonymous reports: file them as such.
        data["is_anonymous"] = "on"
    for question in category.extra_questions or []:
        value = params.get(f"attribute[{question['key']}]")
        if value is not None:
            data[f"q_{category.pk}_{question['key']}"] = value
    return data


def _parameter_names(*, cell: GridCell | None) -> dict[str, str]:
    if cell is None:
        return PARAMETER_NAMES
    # The place came from address_id: what contradicts it is that parameter's fault.
    return {
        **PARAMETER_NAMES,
        "town": "address_id",
        "community": "address_id",
        "grid_cell": "address_id",
    }


def _form_messages(
    form: Open311ReportForm, category: Category, *, cell: GridCell | None
) -> list[str]:
    questions = {f"q_{category.pk}_{q['key']}": q["key"] for q in category.extra_questions or []}
    names = _parameter_names(cell=cell)
    messages = []
    for field, errors in form.errors.items():
        if field in ("submission_token", "draft_token", "website", "photos"):
            continue
        name = names.get(field) or (
            f"attribute[{questions[field]}]" if field in questions else field
        )
        messages.extend(f"{name}: {error}" for error in errors)
    return messages or [_("request: the request is not valid.")]


def open311_request_submit(
    *, api_key: ApiKey, category: Category, params, client_request_id: str = ""
) -> FiledRequest:
    """File ``params`` (the POST of an Open311 client) as a report in ``category``.

    The web form (``Open311ReportForm``: the public form with the specification's 4,000
    character description and ISO 8601 date-time attributes) validates the input and
    ``report_submit`` files it: the same checks, receipt (reference and access code),
    acknowledgement and workflow as a web report, with the channel recorded as Open311 and
    the key that filed it. A ``client_request_id`` (the
    Idempotency-Key header) makes a retried POST find the first report instead of a second.
    Open reports of the same kind nearby are returned for the service notice, since an API
    client cannot be asked to confirm interactively. ``address_id`` names the place by its
    grid cell code (with or without ``lat``/``long``, which must then lie in that cell).
    Raises ``RequestInvalid``.
    """
    if client_request_id:
        token = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{api_key.pk}:{client_request_id}")
    else:
        token = uuid.uuid4()
    cell = _place_cell(params=params)
    form = Open311ReportForm(
        _form_data(category=category, params=params, submission_token=token, cell=cell)
    )
    if not form.is_valid():
        raise RequestInvalid(_form_messages(form, category, cell=cell))
    data = form.cleaned_data
    if cell is not None and data["latitude"] is not None:
        found = grid_cell_for_point(lat=float(data["latitude"]), lng=float(data["longitude"]))
        if found is not None and found.pk != cell.pk:
            raise RequestInvalid(
                [
                    _(
                        "address_id: lat/long lie in grid cell %(found)s, not in %(given)s; "
                        "send the right address_id, or only one of the two."
                    )
                    % {"found": found.code, "given": cell.code}
                ]
            )
    nearby = reports_nearby_open(
        category=category,
        grid_cell=data["grid_cell"],
        latitude=data["latitude"],
        longitude=data["longitude"],
    )
    try:
        with transaction.atomic():
            result = report_submit(
                submission_token=data["submission_token"],
                category=category,
                description=data["description"],
                extra_answers=data["extra_answers"],
                town=data["town"],
                community=data["community"],
                grid_cell=data["grid_cell"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                is_anonymous=data["is_anonymous"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                consent_to_contact=False,
                is_public=data["is_public"],
                channel=ReportChannel.OPEN311,
            )
            if result.created:
                ApiSubmission.objects.create(report=result.report, api_key=api_key)
    except ValidationError as exc:
        raise RequestInvalid(
            [
                f"{_parameter_names(cell=cell).get(field, field)}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from exc
    return FiledRequest(
        result=result,
        nearby=[r.reference for r in nearby if r.pk != result.report.pk],
    )
