"""The connector interface and the case data every connector sends."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from complaints.casefeed.coordinates import from_wgs84
from complaints.casefeed.media import media_url_for
from complaints.models import Attachment, CaseSystem, Delivery

# The attribute a claimed delivery's report carries its evidence photos in (outbox prefetch).
EVIDENCE_PREFETCH = "evidence_for_delivery"


@dataclass(frozen=True)
class ExternalCase:
    """What the case system answered: its case id, or a token to resolve into one later."""

    external_id: str = ""
    token: str = ""


@dataclass(frozen=True)
class ExternalUpdate:
    """One change of an external case, fetched or pushed."""

    key: str
    external_id: str
    status: str
    updated_at: datetime
    note: str = ""
    raw: str = ""
    reference: str = ""
    # For DUPLICATE: the case it duplicates, as their case id or our reference.
    duplicate_of: str = ""


class DeliveryFailed(Exception):
    """The attempt failed; ``permanent`` means retrying cannot help (dead-letter at once)."""

    def __init__(self, message: str, *, http_status: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.http_status = http_status
        self.permanent = permanent


@dataclass
class Connector:
    """Deliver a registered report; fetch updates of delivered ones. Subclasses per kind.

    ``deliver`` must be safe to call again for the same delivery (a worker may die after the
    case system answered and before the answer was recorded): it sends the delivery's
    idempotency key every time, and the receiver answers a repeat with the first case.
    """

    case_system: CaseSystem
    headers: dict = field(default_factory=dict)

    def deliver(self, delivery: Delivery) -> ExternalCase:
        raise NotImplementedError

    def resolve(self, delivery: Delivery) -> str:
        """The external id of a delivery known only by token; "" while still unknown."""
        return ""

    def fetch_updates(self, deliveries: list[Delivery]) -> list[ExternalUpdate]:
        return []

    # --- what every connector sends ---------------------------------------------------------

    def service_code(self, delivery: Delivery) -> str:
        code = delivery.report.category.full_code
        codes = self.case_system.service_codes
        return str(codes.get(code, code)) if isinstance(codes, dict) else code

    def location(self, delivery: Delivery) -> dict:
        report = delivery.report
        place = {
            "address": report.address,
            "town": report.town.name if report.town else "",
            "community": report.community.name if report.community else "",
            "grid_cell": report.grid_cell.code if report.grid_cell else "",
            "crs": self.case_system.coordinate_system,
            "lat": None,
            "lng": None,
        }
        if report.latitude is not None and report.longitude is not None:
            lat, lng = from_wgs84(
                float(report.latitude), float(report.longitude), self.case_system.coordinate_system
            )
            place["lat"], place["lng"] = round(lat, 6), round(lng, 6)
        return place

    def media_urls(self, delivery: Delivery) -> list[str]:
        # A claimed batch carries its evidence photos (one query per batch, not per delivery).
        evidence = getattr(delivery.report, EVIDENCE_PREFETCH, None)
        if evidence is None:
            evidence = delivery.report.attachments.filter(kind=Attachment.Kind.EVIDENCE)
        return [media_url_for(a) for a in evidence]

    def callback_url(self) -> str:
        path = reverse("casefeed:callback", kwargs={"slug": self.case_system.slug})
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
