"""Staff sign-in lock-out (django-axes, portal/lockout.py), through the admin's sign-in form."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from portal import roles
from portal.lockout import lockout_message

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
UNLOCK_BUTTON = '<input type="hidden" name="value" value="%s" />'


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def chinese_lockout_message() -> str:
    with translation.override("zh-hans"):
        return escape(lockout_message())


def assert_locked_out(response):
    assert response.status_code == 429
    assert chinese_lockout_message() in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def assert_signed_in(response):
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("wagtailadmin_home")


def test_wrong_passwords_lock_the_username_even_with_the_right_password(client, make_staff):
    make_staff(roles.INTAKE_OPERATOR, "alice")
    for _ in range(4):
        response = sign_in(client, "alice", "wrong")
        assert response.status_code == 200
        assert chinese_lockout_message() not in response.content.decode()
    # The fifth failure locks the account, and the right password no longer opens it, from
    # this address or any other.
    assert_locked_out(sign_in(client, "alice", "wrong"))
    assert_locked_out(sign_in(client, "alice", "pw"))
    assert_locked_out(sign_in(client, "alice", "pw", REMOTE_ADDR="198.51.100.20"))
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    # Another person is not concerned.
    make_staff(roles.INTAKE_OPERATOR, "bob")
    assert_signed_in(sign_in(client, "bob", "pw", REMOTE_ADDR="198.51.100.20"))


def test_the_lockout_message_is_chinese_by_default_and_names_whom_to_ask(client, settings):
    settings.PORTAL_LOCKOUT_CONTACT = "信息科（电话 0510-12345678）"
    for _ in range(5):
        response = sign_in(client, "nobody", "wrong")
    assert_locked_out(response)
    assert "信息科（电话 0510-12345678）" in response.content.decode()
    assert '<html lang="zh-hans"' in response.content.decode()


def test_one_address_trying_several_usernames_is_locked(client, make_staff, settings):
    assert settings.PORTAL_LOGIN_IP_FAILURE_LIMIT == 20
    make_staff(roles.INTAKE_OPERATOR, "carol")
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    # Four guesses at each of five names: no username reaches its own limit of five.
    for name in ("a1", "a2", "a3", "a4", "carol"):
        for _ in range(4):
            assert sign_in(client, name, "guess", **attacker).status_code in (200, 429)
    assert_locked_out(sign_in(client, "carol", "pw", **attacker))
    # Carol herself, from her own address, still signs in.
    assert_signed_in(sign_in(client, "carol", "pw", REMOTE_ADDR="192.0.2.44"))


def test_a_valid_account_does_not_clear_its_address_count(client, make_staff):
    make_staff(roles.INTAKE_OPERATOR, "mallory")
    make_staff(roles.SUPERVISOR, "dave")
    attacker = {"REMOTE_ADDR": "203.0.113.8"}
    for index in range(19):
        assert sign_in(client, f"name{index % 5}", "guess", **attacker).status_code == 200
    # The attacker's own account signs in: it clears mallory's failures, not the address's.
    assert_signed_in(sign_in(client, "mallory", "pw", **attacker))
    client.post(reverse("wagtailadmin_logout"))
    assert_locked_out(sign_in(client, "name9", "guess", **attacker))
    assert_locked_out(sign_in(client, "dave", "pw", **attacker))


def test_a_successful_sign_in_clears_the_username_failures(client, make_staff):
    make_staff(roles.INTAKE_OPERATOR, "erin")
    for _round in range(2):
        for _ in range(4):
            assert sign_in(client, "erin", "wrong").status_code == 200
        assert_signed_in(sign_in(client, "erin", "pw"))
        client.post(reverse("wagtailadmin_logout"))


def test_the_client_address_comes_through_the_trusted_proxy(client, make_staff, settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    make_staff(roles.INTAKE_OPERATOR, "frank")
    proxy = "10.0.0.1"
    for index in range(20):
        sign_in(
            client,
            f"guess{index % 5}",
            "guess",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
    # The proxy's address is not locked: another client behind it signs in ...
    assert_signed_in(
        sign_in(client, "frank", "pw", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.10")
    )
    client.post(reverse("wagtailadmin_logout"))
    # ... and the client that made the attempts is locked, whatever it writes further left.
    assert_locked_out(
        sign_in(
            client,
            "frank",
            "pw",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.9",
        )
    )


def test_a_superuser_unlocks_through_the_admin_screen(client, make_staff):
    make_staff(roles.INTAKE_OPERATOR, "gina")
    for _ in range(5):
        sign_in(client, "gina", "wrong")
    assert_locked_out(sign_in(client, "gina", "pw"))

    admin_client = client_class_for(client)
    admin_client.force_login(make_staff(None, "root"))
    screen = admin_client.get(reverse("portal_sign_in_security"))
    assert screen.status_code == 200
    html = screen.content.decode()
    # One failing name from this address: the name is locked, the address is not.
    assert UNLOCK_BUTTON % "gina" in html and UNLOCK_BUTTON % "127.0.0.1" not in html

    response = admin_client.post(
        reverse("portal_sign_in_security"),
        {"action": "unlock", "kind": "username", "value": "gina"},
    )
    assert response.status_code == 302
    screen = admin_client.get(reverse("portal_sign_in_security")).content.decode()
    assert UNLOCK_BUTTON % "gina" not in screen
    assert_signed_in(sign_in(client, "gina", "pw"))


def test_only_superusers_may_open_or_use_the_unlock_screen(client, make_staff):
    make_staff(roles.INTAKE_OPERATOR, "hank")
    for _ in range(5):
        sign_in(client, "hank", "wrong")
    staff_client = client_class_for(client)
    staff_client.force_login(make_staff(roles.SUPERVISOR, "ivy"))
    assert staff_client.get(reverse("portal_sign_in_security")).status_code != 200
    staff_client.post(
        reverse("portal_sign_in_security"),
        {"action": "unlock", "kind": "username", "value": "hank"},
    )
    assert_locked_out(sign_in(client, "hank", "pw"))


def client_class_for(client):
    """A second, independent browser."""
    return client.__class__()
