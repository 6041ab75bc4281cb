"""Open311 GeoReport v2 client: POST requests, resolve tokens, poll requests and updates."""

from datetime import timedelta

import requests
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from complaints.casefeed.connectors.base import (
    Connector,
    DeliveryFailed,
    ExternalCase,
    ExternalUpdate,
)
from complaints.casefeed.connectors.webhook import http_failure, http_post, http_session
from complaints.casefeed.signing import IDEMPOTENCY_HEADER

REFERENCE_ATTRIBUTE = "portal_reference"
BATCH = 50


class Open311Connector(Connector):
    def url(self, path: str) -> str:
        return f"{self.case_system.endpoint.rstrip('/')}/{path}"

    def common(self) -> dict:
        params = {}
        if self.case_system.jurisdiction_id:
            params["jurisdiction_id"] = self.case_system.jurisdiction_id
        return params

    def form(self, delivery) -> dict:
        report = delivery.report
        place = self.location(delivery)
        data = {
            **self.common(),
            "api_key": self.case_system.api_key,
            "service_code": self.service_code(delivery),
            "description": report.description,
            "address_string": " ".join(
                p for p in (place["town"], place["community"], place["address"]) if p
            ),
            f"attribute[{REFERENCE_ATTRIBUTE}]": report.reference,
            "attribute[portal_idempotency_key]": str(delivery.idempotency_key),
        }
        if place["lat"] is not None:
            data["lat"], data["long"] = str(place["lat"]), str(place["lng"])
        for key, value in (report.extra_answers or {}).items():
            data[f"attribute[{key}]"] = str(value)
        media = self.media_urls(delivery)
        if media:
            data["media_url"] = media[0]  # GeoReport v2 carries one photo per request
        return data

    def deliver(self, delivery) -> ExternalCase:
        response = http_post(
            self.url("requests.json"),
            data=self.form(delivery),
            headers={IDEMPOTENCY_HEADER: str(delivery.idempotency_key)},
            timeout=self.case_system.timeout,
        )
        if response.status_code not in (200, 201):
            raise http_failure(response)
        try:
            answer = response.json()[0]
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            raise DeliveryFailed(f"unreadable answer: {response.text[:200]}") from exc
        external_id = str(answer.get("service_request_id") or "")[:80]
        token = str(answer.get("token") or "")[:80]
        if not (external_id or token):
            raise DeliveryFailed("the answer has neither service_request_id nor token")
        return ExternalCase(external_id=external_id, token=token)

    def _get(self, path: str, params: dict):
        try:
            response = http_session().get(
                self.url(path), params={**self.common(), **params}, timeout=self.case_system.timeout
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"connection: {exc}") from exc
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise http_failure(response)
        try:
            return response.json()
        except ValueError as exc:
            raise DeliveryFailed("unreadable answer") from exc

    def resolve(self, delivery) -> str:
        answer = self._get(f"tokens/{delivery.external_token}.json", {})
        if isinstance(answer, list) and answer and isinstance(answer[0], dict):
            return str(answer[0].get("service_request_id") or "")[:80]
        return ""

    def fetch_updates(self, deliveries) -> list[ExternalUpdate]:
        by_id = {d.external_id: d for d in deliveries if d.external_id}
        updates: list[ExternalUpdate] = []
        ids = list(by_id)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            for item in self._get("requests.json", {"service_request_id": ",".join(chunk)}):
                if not isinstance(item, dict) or str(item.get("service_request_id")) not in by_id:
                    continue
                when = parse_datetime(str(item.get("updated_datetime") or ""))
                if when is None:
                    continue
                status = str(item.get("status") or "")
                updates.append(
                    ExternalUpdate(
                        key=f"req:{item['service_request_id']}:{status}:{when.isoformat()}",
                        external_id=str(item["service_request_id"]),
                        status=status,
                        updated_at=when,
                        note=str(item.get("status_notes") or "")[:500],
                        raw=repr(item)[:4000],
                    )
                )
        if ids:
            since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for item in self._get("servicerequestupdates.json", {"start_date": since}):
                if not isinstance(item, dict) or str(item.get("service_request_id")) not in by_id:
                    continue
                when = parse_datetime(str(item.get("updated_datetime") or ""))
                if when is None or not item.get("update_id"):
                    continue
                extended = item.get("extended_attributes") or {}
                status = str(
                    (extended.get("external_status") if isinstance(extended, dict) else "")
                    or item.get("status")
                    or ""
                )
                duplicate_of = extended.get("duplicate_of") if isinstance(extended, dict) else ""
                updates.append(
                    ExternalUpdate(
                        key=f"upd:{item['update_id']}",
                        external_id=str(item["service_request_id"]),
                        status=status,
                        updated_at=when,
                        note=str(item.get("description") or "")[:500],
                        raw=repr(item)[:4000],
                        duplicate_of=str(duplicate_of or "")[:80],
                    )
                )
        return updates
