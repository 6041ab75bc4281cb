"""API keys: in the X-Api-Key header or the api_key parameter, and bad keys rate-limited."""

import pytest

from complaints.models import Report
from tests.complaints.open311.conftest import BASE, error_codes, valid_request

pytestmark = pytest.mark.django_db


# 9. The key may travel in a header instead of the URL (or the body).


def test_post_with_the_key_in_the_header(client, partner):
    api_key, key = partner
    data = valid_request(key, api_key=None)
    response = client.post(f"{BASE}requests.json", data, headers={"X-Api-Key": key})
    assert response.status_code == 201, response.content
    assert Report.objects.get().api_submission.api_key == api_key


def test_get_with_the_key_in_the_header_sees_its_own_private_report(client, partner):
    _, key = partner
    response = client.post(f"{BASE}requests.json", valid_request(key))
    reference = response.json()[0]["service_request_id"]
    Report.objects.filter(reference=reference).update(is_public=False)
    url = f"{BASE}requests/{reference}.json"
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"X-Api-Key": key}).status_code == 200
    assert client.get(url, {"api_key": key}).status_code == 200  # the spec's way still works
    listed = client.get(f"{BASE}requests.json", headers={"X-Api-Key": key}).json()
    assert [r["service_request_id"] for r in listed] == [reference]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_header_and_parameter_must_agree(client, partner, fmt):
    _, key = partner
    url = f"{BASE}services.{fmt}"
    assert client.get(url, {"api_key": key}, headers={"X-Api-Key": key}).status_code == 200
    response = client.get(url, {"api_key": key[:-1] + "x"}, headers={"X-Api-Key": key})
    assert response.status_code == 400 and error_codes(response, fmt) == [400]
    response = client.post(
        f"{BASE}requests.{fmt}", valid_request("another-key-entirely"), headers={"X-Api-Key": key}
    )
    assert response.status_code == 400 and Report.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_key_in_the_header_is_403(client, partner, fmt):
    response = client.get(f"{BASE}services.{fmt}", headers={"X-Api-Key": "not-a-key-at-all"})
    assert response.status_code == 403 and error_codes(response, fmt) == [403]


# 8. Bad keys count against the client address: a burst of them ends in 429.


def test_a_burst_of_bad_keys_ends_in_429(client, partner, settings, still_rate_window):
    settings.OPEN311_RATE_ANONYMOUS = "120/m"
    codes = [
        client.get(f"{BASE}requests.json", {"api_key": f"guessed-key-{n:04d}"}).status_code
        for n in range(250)
    ]
    assert codes == [403] * 120 + [429] * 130
    # The partner's own key has its own budget and still works from the same address.
    _, key = partner
    assert client.get(f"{BASE}services.json", headers={"X-Api-Key": key}).status_code == 200


@pytest.mark.parametrize("where", ["header", "parameter"])
def test_bad_keys_share_the_anonymous_budget_of_the_address(
    client, partner, settings, where, still_rate_window
):
    settings.OPEN311_RATE_ANONYMOUS = "4/m"
    _, key = partner

    def bad(n):
        if where == "header":
            return client.post(
                f"{BASE}requests.json",
                valid_request(key, api_key=None),
                headers={"X-Api-Key": f"bad-key-{n:04d}"},
            )
        return client.post(f"{BASE}requests.json", valid_request(f"bad-key-{n:04d}"))

    assert client.get(f"{BASE}services.json").status_code == 200  # anonymous: 1 of 4
    assert [bad(n).status_code for n in range(5)] == [403, 403, 403, 429, 429]
    assert client.get(f"{BASE}services.json").status_code == 429
    # Another client address has its own budget.
    other = client.get(f"{BASE}services.json", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert Report.objects.count() == 0
