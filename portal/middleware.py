from django.conf import settings
from django.urls import reverse


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
