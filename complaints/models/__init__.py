from complaints.models.api_keys import ApiKey, ApiSubmission
from complaints.models.attachments import Attachment, UploadDraft
from complaints.models.calendar import Holiday
from complaints.models.casefeed import (
    CaseSystem,
    ConnectorKind,
    CoordinateSystem,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    InboundUpdate,
)
from complaints.models.events import CaseEvent
from complaints.models.extensions import ExtensionRequest
from complaints.models.geography import Community, GridCell, Town
from complaints.models.informants import IdentityErasure, Informant, RewardExclusion
from complaints.models.pii_access import DataExport, PiiAccess
from complaints.models.reports import (
    OPEN_STATES,
    ReferenceCounter,
    Report,
    ReportChannel,
    ReportKind,
    ReportState,
    ReportSupporter,
)
from complaints.models.response_templates import ResponseTemplate
from complaints.models.rewards import (
    ClaimState,
    LedgerEntry,
    RewardClaim,
    RewardFund,
    RewardRule,
)
from complaints.models.routing import DepartmentMembership, RoutingRule
from complaints.models.satisfaction import RatingToken, SatisfactionRating, SatisfactionResponse
from complaints.models.taxonomy import Category, CategoryKind, Department, TimeUnit

__all__ = [
    "OPEN_STATES",
    "ApiKey",
    "ApiSubmission",
    "Attachment",
    "CaseEvent",
    "CaseSystem",
    "Category",
    "CategoryKind",
    "ClaimState",
    "Community",
    "ConnectorKind",
    "CoordinateSystem",
    "DataExport",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryState",
    "Department",
    "DepartmentMembership",
    "ExtensionRequest",
    "GridCell",
    "Holiday",
    "IdentityErasure",
    "InboundUpdate",
    "Informant",
    "LedgerEntry",
    "PiiAccess",
    "RatingToken",
    "ReferenceCounter",
    "Report",
    "ReportChannel",
    "ReportKind",
    "ReportState",
    "ReportSupporter",
    "ResponseTemplate",
    "RewardClaim",
    "RewardExclusion",
    "RewardFund",
    "RewardRule",
    "RoutingRule",
    "SatisfactionRating",
    "SatisfactionResponse",
    "TimeUnit",
    "Town",
    "UploadDraft",
]
