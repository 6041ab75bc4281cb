"""The CMS page that explains the reward scheme renders the live rules and links to the forms."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import HomePage, RewardSchemePage, StandardPage
from complaints.models import RewardRule
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    reward_rules_load_from_csv,
)
from tests.cms import builders
from tests.conftest import publish

pytestmark = pytest.mark.django_db


def scheme_page(home) -> RewardSchemePage:
    return publish(
        home,
        RewardSchemePage(
            title="有奖举报",
            slug="rewards",
            intro="<p>发现违法违规行为，欢迎实名举报。</p>",
            body=json.dumps(
                [{"type": "paragraph", "value": "<p>奖励资金由区财政专项安排。</p>"}],
                ensure_ascii=False,
            ),
        ),
    )


@pytest.fixture
def rules(db):
    categories_load_from_csv()
    reward_rules_load_from_csv()


def test_scheme_page_lives_under_the_home_page_once(home):
    assert RewardSchemePage.can_create_at(home)
    scheme_page(home)
    assert not RewardSchemePage.can_create_at(home)  # max_count = 1
    about = builders.standard(home)
    assert not RewardSchemePage.can_create_at(about)
    assert StandardPage.can_create_at(home) and not HomePage.can_create_at(home)


def test_scheme_page_renders_live_rules_and_links(client, home, rules):
    page = scheme_page(home)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "发现违法违规行为" in html and "奖励资金由区财政专项安排" in html
    for rule in RewardRule.objects.all():
        assert f'data-category="{rule.category_id}"' in html
    assert "¥500" in html and "m²" in html
    assert f'href="{reverse("complaints:informant_report_create")}"' in html
    assert f'href="{reverse("complaints:reward_transparency")}"' in html
    assert f'href="{reverse("complaints:informant_follow_up")}"' in html


def test_scheme_page_follows_rule_changes(client, home, rules):
    page = scheme_page(home)
    dumping = RewardRule.objects.get(category__code="0105")
    today = timezone.localdate()
    RewardRule.objects.filter(pk=dumping.pk).update(effective_to=today - timedelta(days=1))
    RewardRule.objects.create(
        category=dumping.category, amount=Decimal("888"), effective_from=today
    )
    html = client.get(page.url).content.decode()
    assert "¥888" in html


def test_home_page_links_to_the_violation_form(client, home):
    html = client.get(home.url).content.decode()
    assert f'href="{reverse("complaints:informant_report_create")}"' in html


def test_seed_demo_adds_the_scheme_page_rules_fund_and_reward_roles(settings, client):
    from django.core.management import call_command

    from complaints.models import LedgerEntry, RewardFund
    from complaints.rewards.selectors.claims import fund_allocated, fund_balance
    from demo.rewards import DEMO_FUND_ALLOCATION, DEMO_FUND_BUDGET
    from portal import roles

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent: no second allocation
    page = RewardSchemePage.objects.live().get(locale__language_code="zh-hans")
    assert page.show_in_menus
    assert RewardRule.objects.count() == 13  # violations only: 绿地 is a facility
    fund = RewardFund.objects.get(year=timezone.localdate().year)
    assert fund.budget == DEMO_FUND_BUDGET
    # One allocation however often the demo runs; the demo year's payouts come out of it.
    assert LedgerEntry.objects.filter(fund=fund, kind="allocation").count() == 1
    assert fund_allocated(fund) == DEMO_FUND_ALLOCATION
    assert 0 <= fund_balance(fund) < DEMO_FUND_ALLOCATION
    for role in (roles.REWARD_OFFICER, roles.REWARD_APPROVER, roles.AUDITOR):
        assert roles.users_in(role).exists(), role
    html = client.get(page.url).content.decode()
    assert "有奖举报专项资金" in html and 'class="reward-rule"' in html
