"""Filing a report through Open311: its parameters parsed into the intake input, the intake
service's rules and errors in GeoReport v2's error list."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.intake.inputs import answer_key_of
from complaints.intake.selectors import reports_nearby_open
from complaints.intake.services.reports import SubmitResult, report_input_check, report_submit
from complaints.models import ApiKey, ApiSubmission, Category, GridCell
from complaints.open311.forms import RequestParametersForm, attribute_name
from complaints.open311.selectors import grid_cell_for_address_id
from complaints.reference.selectors.geography import grid_cell_for_point

# The intake service's error keys as an Open311 client knows them, for error messages.
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


def _form_messages(form: RequestParametersForm) -> list[str]:
    messages = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
    return messages or [_("request: the request is not valid.")]


def _service_messages(exc: ValidationError, *, cell: GridCell | None) -> list[str]:
    names = _parameter_names(cell=cell)
    messages = []
    for key, errors in exc.message_dict.items():
        question = answer_key_of(key)
        name = attribute_name(question) if question is not None else names.get(key, key)
        messages.extend(f"{name}: {error}" for error in errors)
    return messages


def open311_request_submit(
    *, api_key: ApiKey, category: Category, params, client_request_id: str = ""
) -> FiledRequest:
    """File ``params`` (the POST of an Open311 client) as a report in ``category``.

    ``RequestParametersForm`` checks the parameters' shape (the specification's 4,000
    character description and ISO 8601 date-time attributes) and builds the ``ReportInput``
    that the intake service judges and ``report_submit`` files: the same rules, receipt (reference and access code),
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
    form = RequestParametersForm(params, category=category)
    if not form.is_valid():
        raise RequestInvalid(_form_messages(form))
    try:
        report_input = report_input_check(
            input=form.report_input(submission_token=token, grid_cell=cell)
        )
    except ValidationError as exc:
        raise RequestInvalid(_service_messages(exc, cell=cell)) from exc
    if cell is not None and report_input.latitude is not None:
        found = grid_cell_for_point(
            lat=float(report_input.latitude), lng=float(report_input.longitude)
        )
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
        grid_cell=report_input.grid_cell,
        latitude=report_input.latitude,
        longitude=report_input.longitude,
    )
    try:
        with transaction.atomic():
            result = report_submit(input=report_input)
            if result.created:
                ApiSubmission.objects.create(report=result.report, api_key=api_key)
    except ValidationError as exc:
        raise RequestInvalid(_service_messages(exc, cell=cell)) from exc
    return FiledRequest(
        result=result,
        nearby=[r.reference for r in nearby if r.pk != result.report.pk],
    )
