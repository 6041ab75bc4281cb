"""Staff sign-in lock-out (django-axes): the limits, the page a locked-out attempt gets, unlock.

Failed sign-ins are counted per username and per client address (``complaints.shared.ratelimits.
client_ip``, which honours ``PORTAL_TRUSTED_PROXIES``) within the cool-off window. A username is
locked after ``AXES_FAILURE_LIMIT`` failures, an address after ``PORTAL_LOGIN_IP_FAILURE_LIMIT``
(higher: a whole office may sign in from one address). Wrong two-factor codes count as failures
too (portal/admin_security.py). The lock lifts by itself when the cool-off has passed since the
last failure; a superuser can lift it earlier on the "Sign-in security" screen, or with
``manage.py axes_reset_username <name>`` / ``axes_reset_ip <address>``. See docs/security.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def lockout_message() -> str:
    """What a locked-out person reads: for how long, and whom to ask (PORTAL_LOCKOUT_CONTACT)."""
    minutes = max(1, int(cool_off().total_seconds() // 60))
    contact = settings.PORTAL_LOCKOUT_CONTACT or _("the portal's system administrator")
    return _(
        "Too many failed sign-in attempts: this account (or this network address) is "
        "temporarily locked. Try again in %(minutes)s minutes, or ask %(contact)s to unlock it."
    ) % {"minutes": minutes, "contact": contact}


def _recent_attempts(now: datetime | None = None):
    threshold = (now or timezone.now()) - cool_off()
    return AccessAttempt.objects.filter(attempt_time__gte=threshold)


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalAxesHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit per client address.

    ``get_failures`` is what Axes compares with ``AXES_FAILURE_LIMIT``: it answers the
    username's own count, raised to the limit when the address is over its own limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        attempts = _recent_attempts(getattr(request, "axes_attempt_time", None))
        username = get_client_username(request, credentials)
        by_username = _failures(attempts.filter(username=username)) if username else 0
        by_address = _failures(attempts.filter(ip_address=request.axes_ip_address))
        if by_address >= settings.PORTAL_LOGIN_IP_FAILURE_LIMIT:
            return max(by_username, get_failure_limit(request, credentials))
        return by_username

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget that username's failures (not its address's).

        Axes would also clear every failure from the same address: then anyone with one valid
        account could wipe the address count between guesses at other accounts.
        """
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in the admin's sign-in style that says what happened.

    Rendered here: AxesMiddleware returns it after the view, past the point where Django
    renders template responses.
    """
    response = TemplateResponse(
        request,
        "portal/security/locked_out.html",
        {"lockout_message": lockout_message()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Cache-Control"] = "no-store"
    return response.render()


def is_locked(request, username: str) -> bool:
    """Whether a sign-in as ``username`` from this request's address would be refused now."""
    credentials = {settings.AXES_USERNAME_FORM_FIELD: username}
    return not AxesProxyHandler.is_allowed(request, credentials)


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_attempt: datetime
    unlocks_at: datetime


def current_lockouts() -> list[Lockout]:
    """Usernames and addresses locked now, most recent first."""
    attempts = _recent_attempts()
    limits = {
        "username": settings.AXES_FAILURE_LIMIT,
        "ip_address": settings.PORTAL_LOGIN_IP_FAILURE_LIMIT,
    }
    found = []
    for kind, limit in limits.items():
        rows = (
            attempts.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
        )
        found += [
            Lockout(
                kind=kind,
                value=row[kind],
                failures=row["failures"],
                last_attempt=row["last"],
                unlocks_at=row["last"] + cool_off(),
            )
            for row in rows
        ]
    return sorted(found, key=lambda lockout: lockout.last_attempt, reverse=True)


def unlock(*, kind: str, value: str) -> int:
    """Forget the failures that lock this username or address; returns the rows removed."""
    if kind == "username":
        return AxesProxyHandler.reset_attempts(username=value)
    if kind == "ip_address":
        return AxesProxyHandler.reset_attempts(ip_address=value)
    raise ValueError(kind)
