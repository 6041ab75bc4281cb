"""Connectors: how one kind of case system receives cases and reports their progress."""

from complaints.casefeed.connectors.base import (
    Connector,
    DeliveryFailed,
    ExternalCase,
    ExternalUpdate,
)
from complaints.models import CaseSystem, ConnectorKind


def connector_for(case_system: CaseSystem) -> Connector:
    from complaints.casefeed.connectors.builtin import BuiltinConnector
    from complaints.casefeed.connectors.open311 import Open311Connector
    from complaints.casefeed.connectors.webhook import WebhookConnector

    classes = {
        ConnectorKind.BUILTIN: BuiltinConnector,
        ConnectorKind.OPEN311: Open311Connector,
        ConnectorKind.WEBHOOK: WebhookConnector,
    }
    return classes[case_system.kind](case_system)


__all__ = ["Connector", "DeliveryFailed", "ExternalCase", "ExternalUpdate", "connector_for"]
