"""The demo reward fund: this year's budget and a first allocation into its ledger."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.models import RewardFund
from complaints.rewards.selectors.claims import fund_allocated
from complaints.rewards.services.claims import fund_allocate
from demo.cases import clock
from demo.users import DEMO_SUPERUSER

DEMO_FUND_BUDGET = Decimal("200000.00")
DEMO_FUND_ALLOCATION = Decimal("50000.00")


def seed_reward_fund(*, stdout) -> None:
    """This year's fund with its budget; one allocation, only while nothing is allocated yet."""
    year = timezone.localdate().year
    fund, _created = RewardFund.objects.get_or_create(
        year=year, defaults={"budget": DEMO_FUND_BUDGET, "note": "示例：年度有奖举报专项资金"}
    )
    if fund_allocated(fund) == 0:
        actor = get_user_model().objects.get(username=DEMO_SUPERUSER)
        # Early in January, before the demo year's first payout (demo/cases.py).
        with clock(timezone.make_aware(datetime(year, 1, 5, 10, 0))):
            fund_allocate(
                year=year, amount=DEMO_FUND_ALLOCATION, actor=actor, note="示例：首批拨付"
            )
        stdout.write(f"Reward fund {year}: budget {fund.budget}, {DEMO_FUND_ALLOCATION} allocated.")
    else:
        stdout.write(f"Reward fund {year}: exists, {fund_allocated(fund)} allocated.")
