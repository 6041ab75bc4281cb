"""Two-factor authentication for staff (django-otp): who needs it, devices, codes, enforcement.

A staff member's second factor is one confirmed TOTP device (an authenticator app) plus one
static device holding single-use recovery codes. Superusers and the roles in
``portal.roles.TWO_FACTOR_ROLES`` must use it; other staff may turn it on from their account.
``TwoFactorMiddleware`` (portal/middleware.py) sends an admin request whose session has not
passed the second factor to the verify page, or to enrolment when a required user has no
device yet. The views are in portal/admin_security.py; docs/security.md explains the whole.
"""

import base64
import contextlib
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import roles

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"

# URL names an admin session that has not passed the second factor may still open.
EXEMPT_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_sprite",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "portal_two_factor_verify",
        "portal_two_factor_setup",
    }
)

# The fixed secret of the demo accounts (seed_demo with DEBUG on only; documented in README.md).
DEMO_TOTP_KEY = b"portal-demo-totp-key"


# --- Policy -------------------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Superusers and the roles in TWO_FACTOR_ROLES must sign in with a second factor."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(roles.user_roles_of(user) & set(roles.TWO_FACTOR_ROLES))


def has_two_factor(user) -> bool:
    """The user has a confirmed authenticator, or recovery codes left to use."""
    if not user.is_authenticated:
        return False
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return True
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()


def is_verified(user) -> bool:
    """This session passed the second factor (django-otp's OTPMiddleware sets ``otp_device``)."""
    return getattr(user, "otp_device", None) is not None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Enforcement (TwoFactorMiddleware) -----------------------------------------------------------


def _admin_prefixes() -> tuple[str, ...]:
    prefixes = [reverse("wagtailadmin_home")]
    with contextlib.suppress(NoReverseMatch):  # Django's own admin, if it is ever mounted
        prefixes.append(reverse("admin:index"))
    return tuple(prefixes)


def _is_exempt(path_info: str) -> bool:
    try:
        match = resolve(path_info)
    except Resolver404:
        return False
    return match.url_name in EXEMPT_URL_NAMES


def with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def pending_step_url(request) -> str | None:
    """Where an admin request must go first (verify or enrol), or None to let it through."""
    if not settings.PORTAL_2FA_ENFORCED:
        return None
    if not request.path.startswith(_admin_prefixes()):
        return None
    user = getattr(request, "user", None) or AnonymousUser()
    if not user.is_authenticated or is_verified(user) or _is_exempt(request.path_info):
        return None
    next_url = request.get_full_path() if request.method == "GET" else None
    if has_two_factor(user):
        return with_next(reverse("portal_two_factor_verify"), next_url)
    if two_factor_required(user):
        return with_next(reverse("portal_two_factor_setup"), next_url)
    return None


# --- Devices and codes --------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (kept across reloads of the page)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    TOTPDevice.objects.devices_for_user(user, confirmed=False).exclude(pk=device.pk).delete()
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as a QR code, an inline SVG data URI (the admin's CSP allows data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones, returned once, for display."""
    count = settings.PORTAL_2FA_RECOVERY_CODES
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        tokens = set()
        while len(tokens) < count:
            tokens.add(StaticToken.random_token())
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return sorted(format_recovery_code(token) for token in tokens)


def confirm_totp_device(user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an enrolment with a code from the app: the device replaces any previous one.

    Returns the new recovery codes, or None when the code does not match.
    """
    code = normalise_code(code)
    if not (code.isdigit() and len(code) == device.digits):
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


def verify_code(user, code: str) -> tuple[Device | None, bool]:
    """Check a code from the app, or a recovery code (which is used up).

    Returns ``(device, throttled)``: the device that accepted the code, or None; ``throttled``
    says django-otp refused to check because of recent wrong codes (the delay doubles each time).
    """
    code = normalise_code(code)
    if not code:
        return None, False
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    throttled = False
    for device in model.objects.devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, False
    return None, throttled


def mark_verified(request, device: Device) -> None:
    """This session passed the second factor with ``device``; the session key changes."""
    django_otp.login(request, device)
    request.session.cycle_key()


def remove_two_factor(user) -> None:
    """Delete every device (authenticator and recovery codes) of the user."""
    with transaction.atomic():
        for device in django_otp.devices_for_user(user, confirmed=None):
            device.delete()


# --- Demo ---------------------------------------------------------------------------------------


def seed_demo_devices(users, *, stdout) -> None:
    """Give each demo user that must use two-factor a confirmed authenticator, DEMO_TOTP_KEY.

    Only for a DEBUG demo (seed_demo): one documented secret for every demo account, so a tester
    adds it once to an authenticator app. Users who already have a device keep it.
    """
    key = DEMO_TOTP_KEY.hex()
    names = []
    for user in users:
        if not two_factor_required(user):
            continue
        names.append(user.get_username())
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            continue
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
    if names:
        secret = base64.b32encode(DEMO_TOTP_KEY).decode("ascii")
        stdout.write(
            f"Two-factor sign-in: {', '.join(names)} give a code from an authenticator app "
            f"after the password. Demo TOTP secret (unless they enrolled their own): {secret}. "
            "Add it to an app, or see README.md for a one-line command printing the code."
        )
