"""Two-factor authentication of staff (django-otp; portal/two_factor.py, admin_security.py).

Through the admin's sign-in form with enforcement on (the rest of the suite turns it off so
that ``force_login`` stands for a complete sign-in: tests/conftest.py).
"""

import base64
import io
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import roles
from portal.lockout import lockout_message
from portal.two_factor import DEMO_TOTP_KEY, new_recovery_codes, seed_demo_devices

pytestmark = pytest.mark.django_db

HOME = "/admin/"
SETUP = "/admin/two-factor/setup/"
VERIFY = "/admin/two-factor/verify/"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.PORTAL_2FA_ENFORCED = True


def sign_in(client, username):
    response = client.post("/admin/login/", {"username": username, "password": "pw"})
    assert response.status_code == 302 and response["Location"] == HOME
    return response


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


def redirect_path(response) -> str:
    assert response.status_code == 302, response.status_code
    return urlsplit(response["Location"]).path


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def admin_pages():
    return [
        HOME,
        "/admin/pages/",
        reverse("wagtailadmin_account"),
        reverse("portal_two_factor"),
        reverse("rewards_funds"),
        reverse("rewards_ledger"),
        reverse("rewards_report"),
        "/admin/api/main/pages/",
    ]


def test_reward_officer_is_sent_to_enrolment_and_cannot_open_the_admin(client, make_staff):
    make_staff(roles.REWARD_OFFICER, "officer")
    sign_in(client, "officer")
    for url in admin_pages():
        response = client.get(url)
        assert redirect_path(response) == SETUP, url
    # Not even by POST.
    assert redirect_path(client.post(reverse("rewards_funds"), {})) == SETUP

    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user__username="officer", confirmed=False)
    assert base64.b32encode(device.bin_key).decode()[:4] in html


@pytest.mark.parametrize("role", [None, roles.REWARD_APPROVER, roles.AUDITOR])
def test_superusers_and_the_other_sensitive_roles_must_enrol(client, make_staff, role):
    make_staff(role, "sensitive")
    sign_in(client, "sensitive")
    assert redirect_path(client.get(HOME)) == SETUP


def test_enrolment_with_the_right_code_confirms_and_shows_ten_recovery_codes(client, make_staff):
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    sign_in(client, "officer")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    response = client.post(SETUP, {"code": code_for(device), "next": HOME})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    tokens = list(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(tokens) == 10
    html = response.content.decode()
    for token in tokens:
        assert f"{token[:4]}-{token[4:]}" in html
    # The session has passed the second factor: the admin opens.
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("rewards_funds")).status_code == 200


def test_enrolment_with_a_wrong_code_is_refused(client, make_staff):
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    sign_in(client, "officer")
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    response = client.post(SETUP, {"code": wrong_code_for(device)})
    assert response.status_code == 400
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert redirect_path(client.get(HOME)) == SETUP


def test_a_user_with_a_device_must_pass_the_verify_step(client, make_staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would delay the right one 1 s
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    device = confirmed_device(officer)
    sign_in(client, "officer")
    funds = reverse("rewards_funds")
    response = client.get(funds)
    assert redirect_path(response) == VERIFY
    assert response["Location"].endswith(f"?next={funds.replace('/', '%2F')}")
    # The enrolment page cannot be used to replace the device without it.
    assert redirect_path(client.get(SETUP)) == VERIFY

    response = client.post(VERIFY, {"code": wrong_code_for(device), "next": funds})
    assert response.status_code == 400
    assert '<li class="error">' in response.content.decode()
    assert redirect_path(client.get(HOME)) == VERIFY

    response = client.post(VERIFY, {"code": code_for(device), "next": funds})
    assert redirect_path(response) == funds
    assert client.get(funds).status_code == 200


def test_the_verify_step_does_not_follow_a_foreign_next(client, make_staff):
    device = confirmed_device(make_staff(roles.REWARD_OFFICER, "officer"))
    sign_in(client, "officer")
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_a_recovery_code_works_once(client, make_staff):
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    confirmed_device(officer)
    codes = new_recovery_codes(officer)
    assert len(codes) == 10

    sign_in(client, "officer")
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": HOME})
    assert redirect_path(response) == HOME
    assert client.get(HOME).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9

    client.post(reverse("wagtailadmin_logout"))
    sign_in(client, "officer")
    assert client.post(VERIFY, {"code": codes[0], "next": HOME}).status_code == 400
    assert redirect_path(client.get(HOME)) == VERIFY


def test_wrong_codes_count_towards_the_lockout(client, make_staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = confirmed_device(make_staff(roles.REWARD_OFFICER, "officer"))
    sign_in(client, "officer")
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong_code_for(device)}).status_code == 400
    response = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert response.status_code == 429
    with translation.override("zh-hans"):
        assert escape(lockout_message()) in response.content.decode()
    # Signed out, and the password alone is refused now.
    assert redirect_path(client.get(HOME)) == "/admin/login/"
    response = client.post("/admin/login/", {"username": "officer", "password": "pw"})
    assert response.status_code == 429


def test_an_ordinary_handler_signs_in_with_the_password_and_may_enrol(client, make_staff):
    handler = make_staff(roles.DEPARTMENT_HANDLER, "handler")
    sign_in(client, "handler")
    assert client.get(HOME).status_code == 200
    # The account page links to the two-factor page, which offers to turn it on.
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert reverse("portal_two_factor") in account
    page = client.get(reverse("portal_two_factor")).content.decode()
    assert SETUP in page

    client.get(SETUP)
    device = TOTPDevice.objects.get(user=handler, confirmed=False)
    assert client.post(SETUP, {"code": code_for(device)}).status_code == 200

    # From now on the handler passes the second factor too.
    client.post(reverse("wagtailadmin_logout"))
    sign_in(client, "handler")
    assert redirect_path(client.get(HOME)) == VERIFY


def test_an_optional_user_may_turn_it_off_with_a_code_but_a_required_one_may_not(
    client, make_staff
):
    handler = make_staff(roles.DEPARTMENT_HANDLER, "handler")
    device = confirmed_device(handler)
    recovery = new_recovery_codes(handler)
    sign_in(client, "handler")
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("portal_two_factor"), {"action": "disable", "code": "000000"})
    assert response.status_code == 400
    response = client.post(reverse("portal_two_factor"), {"action": "disable", "code": recovery[0]})
    assert redirect_path(response) == reverse("portal_two_factor")
    assert not TOTPDevice.objects.filter(user=handler).exists()

    officer = make_staff(roles.REWARD_OFFICER, "officer")
    other = client.__class__()
    device = confirmed_device(officer)
    codes = new_recovery_codes(officer)
    sign_in(other, "officer")
    other.post(VERIFY, {"code": code_for(device)})
    response = other.post(reverse("portal_two_factor"), {"action": "disable", "code": codes[0]})
    assert response.status_code != 302 or redirect_path(response) != reverse("portal_two_factor")
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, make_staff):
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    device = confirmed_device(officer)
    old = new_recovery_codes(officer)
    sign_in(client, "officer")
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("portal_two_factor"), {"action": "recovery_codes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert not any(code in html for code in old)
    assert StaticToken.objects.filter(device__user=officer).count() == 10


def test_public_pages_are_not_held(client, make_staff, home):
    make_staff(roles.REWARD_OFFICER, "officer")
    sign_in(client, "officer")
    assert client.get("/").status_code == 200


def test_a_superuser_resets_a_persons_two_factor(client, make_staff):
    officer = make_staff(roles.REWARD_OFFICER, "officer")
    confirmed_device(officer)
    new_recovery_codes(officer)
    root = make_staff(None, "root")
    device = confirmed_device(root)
    sign_in(client, "root")
    client.post(VERIFY, {"code": code_for(device)})
    screen = client.get(reverse("portal_sign_in_security"))
    assert screen.status_code == 200
    assert "<li>officer</li>" not in screen.content.decode()
    response = client.post(
        reverse("portal_sign_in_security"), {"action": "reset_two_factor", "username": "officer"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    # Listed among those who must enrol, and sent to enrolment at the next sign-in.
    assert "<li>officer</li>" in client.get(reverse("portal_sign_in_security")).content.decode()
    other = client.__class__()
    sign_in(other, "officer")
    assert redirect_path(other.get(HOME)) == SETUP


def test_demo_accounts_that_must_use_it_get_the_documented_secret(client, make_staff):
    admin = make_staff(None, "demo_admin")
    make_staff(roles.REWARD_OFFICER, "demo_reward_officer")
    handler = make_staff(roles.DEPARTMENT_HANDLER, "demo_handler")
    out = io.StringIO()
    seed_demo_devices([admin, handler], stdout=out)
    assert "OBXXE5DBNQWWIZLNN4WXI33UOAWWWZLZ" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=handler).exists()
    device = TOTPDevice.objects.get(user=admin)
    assert device.bin_key == DEMO_TOTP_KEY and device.confirmed

    sign_in(client, "demo_admin")
    response = client.post(VERIFY, {"code": code_for(device)})
    assert redirect_path(response) == HOME
    assert client.get(HOME).status_code == 200
