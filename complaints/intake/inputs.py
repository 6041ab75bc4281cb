"""What a submission says, as every entry point hands it to the intake service.

The web form, the hotline form, the informant form and the Open311 server each shape their
input into one :class:`ReportInput` and call ``report_submit(input=...)``; the service is the
one judge of the intake rules and answers with a ``ValidationError`` keyed by the names below
(``extra_answers.<question key>`` for a category's own questions), which each caller maps back
onto its form fields or Open311 parameters. This module holds data only: forms may import it,
it imports no service.
"""

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from complaints.models import (
    Category,
    Community,
    GridCell,
    ReportChannel,
    ReportKind,
    Town,
    UploadDraft,
)

# A mainland mobile number (11 digits) or a landline with its area code, after normalising.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")

# The key of an error about one of the category's own questions.
ANSWER_ERROR_PREFIX = "extra_answers."


def answer_error_key(question_key: str) -> str:
    """The ``ValidationError`` key of an error about the answer to ``question_key``."""
    return f"{ANSWER_ERROR_PREFIX}{question_key}"


def answer_key_of(error_key: str) -> str | None:
    """The question key an error is about, or None for an error about another field."""
    if error_key.startswith(ANSWER_ERROR_PREFIX):
        return error_key[len(ANSWER_ERROR_PREFIX) :]
    return None


def coordinate(value: float | Decimal | None) -> Decimal | None:
    """A latitude or longitude as stored: six decimals (about 10 cm)."""
    return None if value is None else Decimal(f"{float(value):.6f}")


@dataclass(frozen=True)
class ReportInput:
    """What one submission says, whichever way it came in; checked by ``report_submit``.

    Answers map a question's key to its answer as text (empty answers left out). Contact
    details of an anonymous or informant report are dropped by the service, not here.
    """

    submission_token: uuid.UUID
    category: Category
    description: str
    channel: str = ReportChannel.WEB
    kind: str = ReportKind.COMPLAINT
    extra_answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    observed_at: datetime | None = None
    town: Town | None = None
    community: Community | None = None
    grid_cell: GridCell | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    consent_to_contact: bool = False
    preferred_channel: str = ""
    is_public: bool = True
    photo_drafts: tuple[UploadDraft, ...] = ()
    # The category's own questions were put to the reporter (the web form, Open311), so its
    # required ones must be answered; the hotline and informant forms do not ask them.
    questions_asked: bool = False

    def __post_init__(self):
        # Frozen all the way down: a caller's dict or list cannot change the input afterwards.
        object.__setattr__(self, "extra_answers", MappingProxyType(dict(self.extra_answers or {})))
        object.__setattr__(self, "photo_drafts", tuple(self.photo_drafts))

    def replace(self, **changes) -> "ReportInput":
        """A copy with ``changes`` (the service completes the place and drops contacts)."""
        return replace(self, **changes)
