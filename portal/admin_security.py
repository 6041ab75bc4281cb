"""Staff sign-in screens in the Wagtail admin: the second factor, and lock-outs for superusers.

- ``VerifyView``: after the password, a code from the authenticator app or a recovery code.
- ``SetupView``: enrolment (QR code and secret, confirmed with a code), then the recovery codes,
  shown once.
- ``TwoFactorView``: the account page (Account → More actions): turn on, new recovery codes,
  change the app, turn off (only for staff who need not use it).
- ``SignInSecurityView`` (Settings, superusers): current lock-outs with "Unlock", staff who
  must use two-factor authentication but have not enrolled, and resetting a person's devices.

The verify and setup pages use the admin's sign-in layout (no menu: the session has not passed
the second factor yet); the others the ordinary admin layout. Mounted under /admin/ by
portal/wagtail_hooks.py.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from django_otp.plugins.otp_static.models import StaticDevice
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal import lockout, roles
from portal.two_factor import (
    confirm_totp_device,
    has_two_factor,
    is_verified,
    mark_verified,
    new_recovery_codes,
    pending_totp_device,
    recovery_codes_left,
    remove_two_factor,
    totp_qr_data_uri,
    totp_secret,
    two_factor_required,
    verify_code,
    with_next,
)

logger = logging.getLogger("portal.security")


def _next_url(request) -> str:
    """The page to continue to: a local ``next`` parameter, or the admin dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


# --- Forms --------------------------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        help_text=gettext_lazy(
            "The 6-digit code shown in your authenticator app, or one of your recovery codes."
        ),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "autofocus": True}
        ),
    )


class SetupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        help_text=gettext_lazy("Enter the 6-digit code the app shows for this account."),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", "username"), ("ip_address", "ip_address")])
    value = forms.CharField(max_length=255)


class ResetTwoFactorForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        help_text=gettext_lazy(
            "Deletes the person's authenticator and recovery codes. If they must use two-factor "
            "authentication, they enrol again at their next sign-in."
        ),
        max_length=150,
    )


# --- The second factor at sign-in ----------------------------------------------------------------


class _SignInStepView(View):
    """A step of signing in, in the admin's sign-in layout."""

    template_name = ""

    def render(self, context: dict, status: int = 200):
        context.setdefault("next", _next_url(self.request))
        return _no_store(TemplateResponse(self.request, self.template_name, context, status=status))


class VerifyView(_SignInStepView):
    template_name = "portal/security/verify.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if is_verified(user):
            return redirect(_next_url(request))
        if not has_two_factor(user):
            if two_factor_required(user):
                return redirect(
                    with_next(reverse("portal_two_factor_setup"), request.GET.get("next"))
                )
            return redirect(_next_url(request))
        if lockout.is_locked(request, user.get_username()):
            return self.locked_out(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render({"form": VerifyForm()})

    def post(self, request, *args, **kwargs):
        form = VerifyForm(request.POST)
        if form.is_valid():
            user = request.user
            device, throttled = verify_code(user, form.cleaned_data["code"])
            if device is not None:
                mark_verified(request, device)
                if isinstance(device, StaticDevice):
                    left = recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You signed in with a recovery code. %(count)s code is left: "
                            "get new ones under Account → Two-factor authentication.",
                            "You signed in with a recovery code. %(count)s codes are left: "
                            "get new ones under Account → Two-factor authentication.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(_next_url(request))
            # A wrong code counts as a failed sign-in for the lock-out (portal/lockout.py).
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                return self.locked_out(request)
            form.add_error(
                "code",
                _("Too many wrong codes in a row: wait a few seconds, then try again.")
                if throttled
                else _(
                    "This code is not valid. Check that your phone's clock is right, or use a "
                    "recovery code."
                ),
            )
        return self.render({"form": form}, status=400)

    def locked_out(self, request):
        logout(request)
        return lockout.lockout_response(request)


class SetupView(_SignInStepView):
    """Enrol an authenticator app: required staff on first sign-in, or anyone from their account."""

    template_name = "portal/security/setup.html"

    def dispatch(self, request, *args, **kwargs):
        if has_two_factor(request.user) and not is_verified(request.user):
            # Adding a device needs the current one: else a password alone would replace it.
            return redirect(with_next(reverse("portal_two_factor_verify"), request.GET.get("next")))
        return super().dispatch(request, *args, **kwargs)

    def context(self, form):
        device = pending_totp_device(self.request.user)
        return {
            "form": form,
            "qr_data_uri": totp_qr_data_uri(device),
            "secret": totp_secret(device),
            "required": two_factor_required(self.request.user),
            "replacing": has_two_factor(self.request.user),
        }

    def get(self, request, *args, **kwargs):
        return self.render(self.context(SetupForm()))

    def post(self, request, *args, **kwargs):
        form = SetupForm(request.POST)
        if form.is_valid():
            user = request.user
            device = pending_totp_device(user)
            codes = confirm_totp_device(user, device, form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                mark_verified(request, device)
                logger.info("Two-factor authentication enrolled for %s", user.get_username())
                # Shown once, in this response.
                return _no_store(
                    TemplateResponse(
                        request,
                        "portal/security/recovery_codes_once.html",
                        {"codes": codes, "next": _next_url(request)},
                    )
                )
            form.add_error(
                "code",
                _(
                    "The code does not match. Check that you scanned the code shown here and "
                    "that your phone's clock is right, then enter the current code."
                ),
            )
        return self.render(self.context(form), status=400)


# --- The account page ----------------------------------------------------------------------------


class TwoFactorView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/security/two_factor.html"
    page_title = gettext_lazy("Two-factor authentication")
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_account"), "label": _("Account")},
            {"url": "", "label": self.get_page_title()},
        ]

    def dispatch(self, request, *args, **kwargs):
        if has_two_factor(request.user) and not is_verified(request.user):
            return redirect(with_next(reverse("portal_two_factor_verify"), request.path))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, disable_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enabled = has_two_factor(user)
        required = two_factor_required(user)
        context.update(
            enabled=enabled,
            required=required,
            codes_left=recovery_codes_left(user) if enabled else 0,
            disable_form=(disable_form or VerifyForm()) if enabled and not required else None,
        )
        return context

    def post(self, request, *args, **kwargs):
        user = request.user
        action = request.POST.get("action")
        if action == "recovery_codes" and has_two_factor(user):
            codes = new_recovery_codes(user)
            logger.info("New recovery codes for %s", user.get_username())
            context = self.get_context_data(codes=codes)
            return _no_store(
                TemplateResponse(request, "portal/security/recovery_codes.html", context)
            )
        if action == "disable" and has_two_factor(user):
            if two_factor_required(user):
                raise PermissionDenied
            form = VerifyForm(request.POST)
            if form.is_valid():
                device, _throttled = verify_code(user, form.cleaned_data["code"])
                if device is not None:
                    remove_two_factor(user)
                    logger.info("Two-factor authentication turned off by %s", user.get_username())
                    messages.success(request, _("Two-factor authentication is turned off."))
                    return redirect("portal_two_factor")
                form.add_error("code", _("This code is not valid."))
            return self.render_to_response(self.get_context_data(disable_form=form), status=400)
        return redirect("portal_two_factor")


# --- Lock-outs and resets (superusers) -----------------------------------------------------------


def staff_without_two_factor():
    """Active staff who must use two-factor authentication and have not enrolled."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__content_type__app_label="portal",
                groups__permissions__codename__in=[
                    roles.marker_codename(r) for r in roles.TWO_FACTOR_ROLES
                ],
            )
        )
        .exclude(totpdevice__confirmed=True)
        .distinct()
        .order_by("username")
    )


class SignInSecurityView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/security/sign_in_security.html"
    page_title = gettext_lazy("Sign-in security")
    header_icon = "lock"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, reset_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            lockouts=lockout.current_lockouts(),
            username_limit=settings.AXES_FAILURE_LIMIT,
            address_limit=settings.PORTAL_LOGIN_IP_FAILURE_LIMIT,
            cool_off_minutes=int(lockout.cool_off().total_seconds() // 60),
            not_enrolled=staff_without_two_factor(),
            reset_form=reset_form or ResetTwoFactorForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "unlock":
            form = UnlockForm(request.POST)
            if form.is_valid():
                kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
                lockout.unlock(kind=kind, value=value)
                logger.info("Sign-in lock-out of %s %s lifted by %s", kind, value, request.user)
                messages.success(request, _("Unlocked: %(value)s.") % {"value": value})
            return redirect("portal_sign_in_security")
        if action == "reset_two_factor":
            form = ResetTwoFactorForm(request.POST)
            if form.is_valid():
                username = form.cleaned_data["username"]
                person = get_user_model().objects.filter(username=username).first()
                if person is None:
                    form.add_error("username", _("No user has this username."))
                else:
                    remove_two_factor(person)
                    logger.info("Two-factor devices of %s deleted by %s", username, request.user)
                    messages.success(
                        request,
                        _("Two-factor authentication of %(username)s was reset.")
                        % {"username": username},
                    )
                    return redirect("portal_sign_in_security")
            return self.render_to_response(self.get_context_data(reset_form=form), status=400)
        return redirect("portal_sign_in_security")


class SignInSecurityMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


def sign_in_security_menu_item() -> MenuItem:
    return SignInSecurityMenuItem(
        gettext_lazy("Sign-in security"),
        reverse_lazy("portal_sign_in_security"),
        name="sign-in-security",
        icon_name="lock",
        order=1100,
    )


def account_menu_item(request) -> dict:
    return {
        "url": reverse("portal_two_factor"),
        "label": _("Two-factor authentication"),
        "help_text": _(
            "Sign in with a code from an authenticator app as well as your password; "
            "get new recovery codes."
        ),
    }


urlpatterns = [
    path("two-factor/", TwoFactorView.as_view(), name="portal_two_factor"),
    path("two-factor/verify/", VerifyView.as_view(), name="portal_two_factor_verify"),
    path("two-factor/setup/", SetupView.as_view(), name="portal_two_factor_setup"),
    path("sign-in-security/", SignInSecurityView.as_view(), name="portal_sign_in_security"),
]
