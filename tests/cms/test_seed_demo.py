import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.models import CampaignPage, CaseStudyPage, HomePage, NewsPage, PortalSettings, TargetsPage
from complaints.models import Category
from portal import roles

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "pages": sorted(Page.objects.values_list("url_path", "title", "live")),
        "images": sorted(get_image_model().objects.values_list("title", flat=True)),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "categories": Category.objects.count(),
        "targets": [(t.name, t.goal, t.achieved) for t in TargetsPage.objects.get().targets.all()],
    }


def test_seed_demo_builds_the_demo_and_twice_gives_the_same_content(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    first = snapshot()

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert CampaignPage.objects.live().count() >= 4
    assert CaseStudyPage.objects.live().count() >= 3
    assert NewsPage.objects.live().count() >= 3
    assert len(first["targets"]) == 13
    assert ("违法建设拆除", 30000, 24650) in [(n, int(g), int(a)) for n, g, a in first["targets"]]
    assert first["categories"] == 33
    assert PortalSettings.objects.get().hotline == "12319"
    for role in roles.ROLES:
        assert roles.users_in(role).exists(), role
    assert first_output.count("password ") == 1 + len(roles.ROLES)

    call_command("seed_demo")
    second_output = capsys.readouterr().out
    assert snapshot() == first
    assert "password " not in second_output.replace("password unchanged", "")


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
