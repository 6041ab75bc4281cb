import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.models import CampaignPage, CaseStudyPage, HomePage, NewsPage, PortalSettings, TargetsPage
from complaints.models import Category, ClaimState, Department, Report, ReportState, RewardClaim
from demo.users import demo_accounts, handler_username
from portal import roles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    # The DEBUG demo keeps its passwords in DATA_DIR/demo-accounts.json: one per test.
    settings.DATA_DIR = tmp_path


def chinese(model):
    """The model's pages in the Chinese tree (the demo translates its main pages to English)."""
    return model.objects.filter(locale__language_code="zh-hans")


def snapshot():
    from complaints.models import CaseEvent, LedgerEntry

    return {
        "reports": Report.objects.count(),
        "events": CaseEvent.objects.count(),
        "claims": sorted(RewardClaim.objects.values_list("state", flat=True)),
        "ledger": LedgerEntry.objects.count(),
        "pages": sorted(Page.objects.values_list("url_path", "title", "live")),
        "images": sorted(get_image_model().objects.values_list("title", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "categories": Category.objects.count(),
        "targets": [(t.name, t.goal, t.achieved) for t in chinese(TargetsPage).get().targets.all()],
    }


def test_seed_demo_builds_the_demo_and_twice_gives_the_same_content(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    first = snapshot()

    home = chinese(HomePage).get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert chinese(CampaignPage).live().count() >= 4
    assert chinese(CaseStudyPage).live().count() >= 3
    assert chinese(NewsPage).live().count() >= 3
    assert len(first["targets"]) == 13
    assert ("违法建设拆除", 30000, 24650) in [(n, int(g), int(a)) for n, g, a in first["targets"]]
    assert first["categories"] == 33
    assert PortalSettings.objects.get().hotline == "12319"
    for role in roles.ROLES:
        assert roles.users_in(role).exists(), role
    # The accounts table ends the output, every password shown once (DEBUG: kept for
    # demo_accounts).
    table = first_output.split("Demo accounts")[-1]
    accounts = demo_accounts()
    assert len(accounts) == 1 + len(roles.ROLES) - 1 + Department.objects.count()
    for account in accounts:
        line = next(line for line in table.splitlines() if f" {account.username} " in line)
        password = line.split()[-1]
        user = get_user_model().objects.get(username=account.username)
        assert user.check_password(password), account.username

    call_command("seed_demo")
    second_output = capsys.readouterr().out
    assert snapshot() == first
    assert "Demo cases: 0 reports filed" in second_output


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not HomePage.objects.exists()


def test_seed_demo_runs_with_force(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert HomePage.objects.exists()


def test_demo_home_page_renders(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "共建整洁有序的美丽滨湖" in html
    assert "市容热点难点问题“大联动”集中整治" in html


@pytest.fixture
def demo(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    capsys.readouterr()


def panel_counts(page: str) -> list[int]:
    """Every count shown by the role panels of an admin home."""
    return [
        int(n.rstrip("+")) for n in re.findall(r'data-tally="\d+">\s*<span[^>]*>([^<]*)<', page)
    ]


def test_every_demo_role_has_work_waiting(demo, client):
    from complaints.cases.selectors import queue_count

    User = get_user_model()
    for role in (
        roles.INTAKE_OPERATOR,
        roles.SUPERVISOR,
        roles.REWARD_OFFICER,
        roles.REWARD_APPROVER,
        roles.AUDITOR,
    ):
        user = roles.users_in(role).get(username__startswith="demo_")
        client.force_login(user)
        page = client.get("/admin/").text
        counts = panel_counts(page)
        assert counts and sum(counts) > 0, role
        assert "data-role-items" in page, role  # the first items are listed
    for department in Department.objects.all():
        handler = User.objects.get(username=handler_username(department.key))
        client.force_login(handler)
        page = client.get("/admin/").text
        assert panel_counts(page)[0] > 0, department.key  # open cases of their department
        assert queue_count(user=handler, queue="overdue") > 0, department.key
    # The states of a real year, and claims in every state.
    states = set(Report.objects.values_list("state", flat=True))
    assert states == set(ReportState.values)
    assert set(RewardClaim.objects.values_list("state", flat=True)) == set(ClaimState.values)
    assert Report.objects.filter(rework_count__gt=0, state=ReportState.CLOSED).exists()
    assert Report.objects.filter(supporter_count__gt=0).exists()
    assert Report.objects.filter(closed_on_time=False).exists()
    assert Report.objects.filter(satisfaction_responses__channel="callback").exists()
    assert Report.objects.values("town").distinct().count() >= 5
    assert Report.objects.values("category").distinct().count() >= 15
    assert Report.objects.count() >= 300


def test_each_department_handler_receives_its_cases_under_default_routing(demo, client):
    from complaints.cases.selectors import reports_visible_to
    from complaints.reference.services.routing import department_route

    User = get_user_model()
    for department in Department.objects.all():
        handler = User.objects.get(username=handler_username(department.key))
        visible = reports_visible_to(user=handler)
        assert visible.exists(), department.key
        assert not visible.exclude(department=department).exists()
        report = visible.select_related("category", "grid_cell").first()
        routed = department_route(category=report.category, grid_cell=report.grid_cell)
        assert routed.department == department
        client.force_login(handler)
        assert client.get(f"/admin/cases/case/{report.pk}/").status_code == 200


def test_demo_accounts_prints_and_resets_passwords(demo, settings):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    table = out.getvalue()
    user = get_user_model().objects.get(username="demo_intake")
    line = next(line for line in table.splitlines() if " demo_intake " in line)
    old = line.split()[-1]
    assert "受理员" in line and user.check_password(old)
    assert "环卫所" in table and "demo_handler_greening" in table

    out = StringIO()
    call_command("demo_accounts", "--reset-passwords", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if " demo_intake " in line)
    new = line.split()[-1]
    user.refresh_from_db()
    assert new != old and user.check_password(new) and not user.check_password(old)

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_accounts", "--reset-passwords")
    user.refresh_from_db()
    assert user.check_password(new)
    out = StringIO()
    call_command("demo_accounts", "--force", stdout=out)  # nothing kept without DEBUG: not shown
    assert "demo_intake" in out.getvalue()


def test_demo_seeds_english_translations_of_the_main_pages(demo, client):
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    translated = Page.objects.filter(locale=english, live=True)
    # home, campaign index, a campaign, targets, cases index and a case, news index and an
    # item, about, reward scheme
    assert translated.count() == 10
    for page in translated.specific():
        source = page.get_translation(Locale.get_default())
        if page.depth > 2:  # below the home page, whose slug is not part of any URL
            assert page.slug == source.slug
        assert page.title != source.title, page.title
    home = client.get("/en/").content.decode()
    assert "A clean, orderly Binhu, built together" in home
    assert "Joint enforcement on street hot spots" in home
    assert "This page has not been translated yet" not in home
    campaign = client.get("/en/campaigns/hot-spots-joint-enforcement/").content.decode()
    assert "What we target" in campaign
    assert "整治重点" not in campaign
    # A page the demo leaves untranslated is the Chinese page with the notice.
    privacy = client.get("/en/privacy/")
    assert privacy.status_code == 200
    assert "This page has not been translated yet" in privacy.content.decode()
    # Every demo page has an ASCII slug.
    assert not Page.objects.filter(slug__regex=r"[^\x00-\x7f]").exists()
