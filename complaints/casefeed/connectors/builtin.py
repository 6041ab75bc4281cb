"""The built-in workflow: the case is already in our own system, so delivery is a no-op."""

from complaints.casefeed.connectors.base import Connector, ExternalCase


class BuiltinConnector(Connector):
    def deliver(self, delivery) -> ExternalCase:
        return ExternalCase(external_id=delivery.report.reference)
