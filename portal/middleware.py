from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from portal.two_factor import pending_step_url


class AdminContentSecurityPolicyMiddleware:
    """Give the Wagtail admin its looser policy (it writes inline scripts without a nonce).

    Sits inside Django's ContentSecurityPolicyMiddleware, which honours ``_csp_config`` set on
    the response, so the public site keeps the strict nonce-based policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = reverse("wagtailadmin_home")
        self.django_admin_prefix = "/django-admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith((self.admin_prefix, self.django_admin_prefix)):
            response._csp_config = settings.ADMIN_CSP
        return response


class TwoFactorMiddleware:
    """Hold admin requests until the session has passed the second factor, where one is due.

    After AuthenticationMiddleware and django-otp's OTPMiddleware. A signed-in user with a
    device who has not given a code this session goes to the verify page; a user who must use
    two-factor authentication (portal.two_factor.two_factor_required) and has no device yet goes
    to enrolment. Sign-in, sign-out, password reset and the two pages themselves are exempt;
    public pages are not concerned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        url = pending_step_url(request)
        if url is not None:
            return redirect(url)
        return self.get_response(request)
