"""The role × screen matrix of the case back office."""

import pytest
from django.urls import reverse

from complaints.models import PiiAccess, ReportState
from portal import roles


def refused(response) -> bool:
    """Wagtail turns PermissionDenied in the admin into a redirect to the dashboard with an
    error message; plain 403 counts too."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


QUEUES = ["triage", "department", "verification", "overdue", "reopen", "all"]

# role → queues it may open (others: 403)
QUEUE_ACCESS = {
    "intake": {"triage", "overdue", "all"},
    "handler": {"department", "overdue", "all"},
    "other_handler": {"department", "overdue", "all"},
    "supervisor": {"triage", "verification", "overdue", "reopen", "all"},
    "editor": set(),
    # The reward roles never see the case queues (issue 6).
    "officer": set(),
    "approver": set(),
    "auditor": set(),
}


@pytest.fixture
def users(intake, handler, other_handler, supervisor, make_staff):
    return {
        "intake": intake,
        "handler": handler,
        "other_handler": other_handler,
        "supervisor": supervisor,
        "editor": make_staff(roles.PUBLICITY_EDITOR, "editor"),
        "officer": make_staff(roles.REWARD_OFFICER, "officer"),
        "approver": make_staff(roles.REWARD_APPROVER, "approver"),
        "auditor": make_staff(roles.AUDITOR, "auditor"),
    }


@pytest.mark.parametrize("role", list(QUEUE_ACCESS))
def test_queue_access_matrix(role, users, client, report_in):
    report_in(ReportState.DISPATCHED)
    client.force_login(users[role])
    for queue in QUEUES:
        response = client.get(reverse(f"cases-{queue}:index"))
        if queue in QUEUE_ACCESS[role]:
            assert response.status_code == 200, (role, queue)
        else:
            assert refused(response), (role, queue, response.status_code)


def test_anonymous_is_sent_to_login(client, reference_data):
    response = client.get(reverse("cases-all:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_handler_sees_only_own_department(users, client, report_in):
    mine = report_in(ReportState.DISPATCHED)
    client.force_login(users["handler"])
    assert mine.reference in client.get(reverse("cases-department:index")).text
    assert client.get(reverse("complaints_case", args=[mine.pk])).status_code == 200

    client.force_login(users["other_handler"])
    assert mine.reference not in client.get(reverse("cases-department:index")).text
    assert client.get(reverse("complaints_case", args=[mine.pk])).status_code == 404
    response = client.post(
        reverse("complaints_case", args=[mine.pk]), {"action": "return", "return-note": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "role,state,visible_actions",
    [
        (
            "intake",
            ReportState.RECEIVED,
            {"register", "reject", "mark_duplicate", "change_category"},
        ),
        ("supervisor", ReportState.RECEIVED, set()),
        ("handler", ReportState.DISPATCHED, {"return", "request_extension", "handle"}),
        ("intake", ReportState.DISPATCHED, set()),
        ("supervisor", ReportState.HANDLED, {"verify_pass", "verify_fail"}),
        ("supervisor", ReportState.REOPEN_REQUESTED, {"reopen", "decline_reopen"}),
        ("supervisor", ReportState.EXTENSION_REQUESTED, {"approve_extension", "decline_extension"}),
    ],
)
def test_case_page_offers_exactly_the_allowed_actions(
    role, state, visible_actions, users, client, report_in
):
    report = report_in(state)
    client.force_login(users[role])
    response = client.get(reverse("complaints_case", args=[report.pk]))
    assert response.status_code == 200
    offered = {t.action.value for t, _form in response.context["actions"]}
    assert offered == visible_actions


def test_editor_cannot_open_a_case(users, client, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(users["editor"])
    assert refused(client.get(reverse("complaints_case", args=[report.pk])))


def test_contact_hidden_until_revealed_and_reveal_is_logged(users, client, report_in):
    report = report_in(ReportState.RECEIVED)
    client.force_login(users["intake"])
    page = client.get(reverse("complaints_case", args=[report.pk])).text
    assert "13812345678" not in page
    response = client.post(
        reverse("complaints_case_reveal", args=[report.pk]), {"reason": "回访核实"}
    )
    assert response.status_code == 200 and "13812345678" in response.text
    access = PiiAccess.objects.get()
    assert (access.user, access.report, access.reason) == (users["intake"], report, "回访核实")


def test_handler_may_not_reveal_contact(users, client, report_in):
    report = report_in(ReportState.DISPATCHED)
    client.force_login(users["handler"])
    assert "13812345678" not in client.get(reverse("complaints_case", args=[report.pk])).text
    response = client.post(reverse("complaints_case_reveal", args=[report.pk]), {"reason": "x"})
    assert refused(response)
    assert not PiiAccess.objects.exists()


@pytest.mark.parametrize(
    "role,hotline,preview",
    [
        ("intake", True, True),
        ("supervisor", False, True),
        ("handler", False, False),
        ("editor", False, False),
    ],
)
def test_tool_screens(role, hotline, preview, users, client):
    client.force_login(users[role])
    for name, allowed in (("complaints_hotline", hotline), ("complaints_routing_preview", preview)):
        response = client.get(reverse(name))
        assert response.status_code == 200 if allowed else refused(response), (name, role)


def test_queue_search_filter_and_export(users, client, report_in):
    report = report_in(ReportState.RECEIVED)
    other = report_in(ReportState.REGISTERED)
    client.force_login(users["intake"])
    url = reverse("cases-triage:index")
    found = client.get(url, {"q": report.reference[-6:]}).text
    assert report.reference in found and other.reference not in found
    filtered = client.get(url, {"state": "registered"}).text
    assert other.reference in filtered and report.reference not in filtered
    csv = client.get(url, {"export": "csv"})
    assert csv.status_code == 200
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.text
    assert report.reference in body and other.reference in body
    xlsx = client.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200


def test_menu_shows_queue_counts(users, client, report_in):
    report_in(ReportState.RECEIVED)
    report_in(ReportState.RECEIVED)
    client.force_login(users["intake"])
    page = client.get(reverse("wagtailadmin_home")).text
    assert "(2)" in page


def test_case_page_draws_the_grid_cell_and_adds_tiles_only_when_configured(
    users, client, report_in, settings
):
    import json
    import re

    report = report_in(ReportState.RECEIVED)
    assert report.grid_cell and report.grid_cell.polygon
    client.force_login(users["intake"])
    url = reverse("complaints_case", args=[report.pk])

    def map_of(page):
        element = re.search(r'<div class="case-map" id="case-map" data-tiles="([^"]*)"', page)
        data = re.search(r'<script id="case-map-data" type="application/json">(.*?)</script>', page)
        assert element and data, "no map on the case page"
        return element.group(1), json.loads(data.group(1))

    # Without a tile server the grid cell's own polygon is the map, the point marked on it.
    tiles, data = map_of(client.get(url).text)
    assert tiles == ""
    assert data["cell"] == report.grid_cell.polygon
    assert data["point"] == {"lat": float(report.latitude), "lng": float(report.longitude)}
    settings.COMPLAINTS_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    tiles, data = map_of(client.get(url).text)
    assert tiles == settings.COMPLAINTS_MAP_TILE_URL and data["cell"] == report.grid_cell.polygon


@pytest.mark.parametrize(
    "role,allowed",
    [("supervisor", True), ("intake", False), ("handler", False), ("editor", False)],
)
def test_workflow_settings_are_for_supervisors(role, allowed, users, client):
    client.force_login(users[role])
    for model in ("holiday", "routingrule"):
        response = client.get(reverse(f"wagtailsnippets_complaints_{model}:list"))
        assert response.status_code == 200 if allowed else refused(response), (role, model)
    # The contact-reveal log is for administrators (superusers) only.
    assert refused(client.get(reverse("wagtailsnippets_complaints_piiaccess:list")))
