"""Admin hooks of the portal app: the second factor and sign-in security (docs/security.md)."""

from wagtail import hooks

from portal import admin_security


@hooks.register("register_admin_urls")
def register_security_urls():
    return admin_security.urlpatterns


@hooks.register("register_settings_menu_item")
def register_sign_in_security_menu_item():
    return admin_security.sign_in_security_menu_item()


@hooks.register("register_account_menu_item")
def register_two_factor_account_menu_item(request):
    return admin_security.account_menu_item(request)
