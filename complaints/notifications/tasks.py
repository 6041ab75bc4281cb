"""Background tasks (django.tasks; run by ``manage.py db_worker`` with the database backend).

The task framework does not retry, so ``notification_deliver`` schedules its own next attempt
with exponential back-off when the backend can defer tasks.
"""

import logging
from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone

from complaints.models import CaseEvent
from complaints.notifications.services import notification_recipients, notification_send

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@task
def case_event_notify(event_id: int) -> int:
    """Tell everyone who follows an event.

    One recipient (an acknowledgement, and most state changes: the reporter alone) is told
    here, in this task; several fan out into one ``notification_deliver`` task each, so that a
    failure for one person retries that message only. Either way a failed message is retried
    with back-off as its own task.
    """
    event = CaseEvent.objects.select_related("report").get(pk=event_id)
    messages = notification_recipients(event=event)
    if len(messages) == 1:
        recipient, recipient_id, channel = messages[0]
        _deliver(event_id, recipient, recipient_id, channel, 1)
        return 1
    for recipient, recipient_id, channel in messages:
        notification_deliver.enqueue(event_id, recipient, recipient_id, channel, 1)
    return len(messages)


@task
def notification_deliver(
    event_id: int, recipient: str, recipient_id: int, channel: str, attempt: int
) -> None:
    _deliver(event_id, recipient, recipient_id, channel, attempt)


def _deliver(event_id: int, recipient: str, recipient_id: int, channel: str, attempt: int) -> None:
    """Send one message; on failure queue its next attempt (when the backend can defer) and
    raise, so the task running it is recorded as failed."""
    try:
        notification_send(
            event_id=event_id, recipient=recipient, recipient_id=recipient_id, channel=channel
        )
    except Exception:
        if attempt < MAX_ATTEMPTS and default_task_backend.supports_defer:
            delay = timedelta(minutes=2**attempt)
            notification_deliver.using(run_after=timezone.now() + delay).enqueue(
                event_id, recipient, recipient_id, channel, attempt + 1
            )
            logger.warning("notification %s/%s failed, retrying in %s", channel, event_id, delay)
        raise
