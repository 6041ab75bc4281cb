"""Signed JSON webhook: POST the case (docs/casefeed-webhook.schema.json) with an HMAC."""

import json
import threading

import requests
from django.utils import timezone

from complaints.casefeed.connectors.base import Connector, DeliveryFailed, ExternalCase
from complaints.casefeed.signing import IDEMPOTENCY_HEADER, signed_headers

SCHEMA = "https://portal.invalid/schemas/casefeed-delivery-1.json"


def http_failure(response: requests.Response) -> DeliveryFailed:
    # Client errors will not heal by retrying, except timeouts, conflicts and rate limits.
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    return DeliveryFailed(
        f"HTTP {response.status_code}: {response.text[:300]}",
        http_status=response.status_code,
        permanent=permanent,
    )


_local = threading.local()


def http_session() -> requests.Session:
    """This thread's HTTP session: connections to a case system are kept alive and reused.

    A new TCP connection per delivery cost more than the rest of the delivery together; a
    worker is one thread, so one session per thread shares nothing between threads (a
    ``requests.Session`` is not thread-safe). A pooled connection the server has closed is
    noticed before reuse and replaced; failures are never retried here (the outbox retries
    with back-off, under the same idempotency key).
    """
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def http_post(url: str, *, timeout: float, **kwargs) -> requests.Response:
    try:
        return http_session().post(url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise DeliveryFailed(f"timeout: {exc}") from exc
    except requests.RequestException as exc:
        raise DeliveryFailed(f"connection: {exc}") from exc


class WebhookConnector(Connector):
    def payload(self, delivery) -> dict:
        report = delivery.report
        return {
            "$schema": SCHEMA,
            "idempotency_key": str(delivery.idempotency_key),
            "reference": report.reference,
            "kind": report.kind,
            "channel": report.channel,
            "category": {
                "code": report.category.full_code,
                "name": report.category.name,
                "service_code": self.service_code(delivery),
            },
            "description": report.description,
            "extra_answers": report.extra_answers,
            "location": self.location(delivery),
            "department": report.department.name if report.department else "",
            "deadline": report.deadline.isoformat() if report.deadline else None,
            "received_at": report.created_at.isoformat(),
            "sent_at": timezone.now().isoformat(),
            "media_urls": self.media_urls(delivery),
            "callback_url": self.callback_url(),
        }

    def deliver(self, delivery) -> ExternalCase:
        body = json.dumps(self.payload(delivery), ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: str(delivery.idempotency_key),
            **signed_headers(secret=self.case_system.secret, body=body),
        }
        response = http_post(
            self.case_system.endpoint, data=body, headers=headers, timeout=self.case_system.timeout
        )
        if response.status_code not in (200, 201, 202, 409):
            raise http_failure(response)
        try:
            answer = response.json()
            case_id = str(answer.get("case_id", "")) if isinstance(answer, dict) else ""
        except ValueError:
            case_id = ""
        if not case_id:
            raise DeliveryFailed("the answer names no case_id", http_status=response.status_code)
        return ExternalCase(external_id=case_id[:80])
