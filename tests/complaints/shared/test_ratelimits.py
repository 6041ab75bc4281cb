from django.test import RequestFactory

from complaints.shared.ratelimits import client_ip, rate_submit_phone


def request(remote="203.0.113.9", forwarded=None, method="get", data=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return getattr(RequestFactory(), method)("/", data or {}, **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_one_proxy_takes_the_last_hop(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    # The client forged the first entry; our proxy appended the real address.
    assert (
        client_ip(request(remote="10.0.0.1", forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    )


def test_two_proxies_take_the_second_from_the_right(settings):
    settings.PORTAL_TRUSTED_PROXIES = 2
    forwarded = "6.6.6.6, 198.51.100.7, 10.0.0.2"
    assert client_ip(request(remote="10.0.0.1", forwarded=forwarded)) == "198.51.100.7"


def test_garbage_header_falls_back_to_remote_addr(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request(remote="10.0.0.1", forwarded="not-an-ip")) == "10.0.0.1"
    assert client_ip(request(remote="10.0.0.1", forwarded="")) == "10.0.0.1"


def test_ipv6_is_accepted(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request(remote="10.0.0.1", forwarded="2001:db8::1")) == "2001:db8::1"


def test_phone_limit_applies_only_when_a_phone_is_posted(settings):
    settings.COMPLAINTS_RATE_SUBMIT_PHONE = "5/h"
    assert rate_submit_phone("g", request(method="post", data={"contact_phone": ""})) is None
    assert (
        rate_submit_phone("g", request(method="post", data={"contact_phone": "13812345678"}))
        == "5/h"
    )
