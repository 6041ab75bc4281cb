"""Fixtures of the reward-screen tests (a pytest plugin, see tests/conftest.py):
staff in every role, a rule and a funded year, an informant report with a sealed identity."""

import pytest

from complaints.rewards.services.informants import IdentityInput
from portal import roles
from tests.support.rewards import close, dumping, fund, inform, rule

__all__ = [
    "ACCOUNT",
    "NAME",
    "PHONE",
    "closed_claim",
    "informant_report",
    "no_identity",
    "scheme",
    "staff",
]

NAME, PHONE, ACCOUNT = "赵秘密", "13955550001", "6222 9999 1234 5678"


@pytest.fixture
def staff(make_staff, intake, handler, supervisor):
    return {
        "editor": make_staff(roles.PUBLICITY_EDITOR, "editor"),
        "moderator": make_staff(roles.PUBLICITY_MODERATOR, "moderator"),
        "intake": intake,
        "handler": handler,
        "supervisor": supervisor,
        "officer": make_staff(roles.REWARD_OFFICER, "officer"),
        "approver": make_staff(roles.REWARD_APPROVER, "approver"),
        "approver2": make_staff(roles.REWARD_APPROVER, "approver2"),
        "auditor": make_staff(roles.AUDITOR, "auditor"),
    }


@pytest.fixture
def scheme(staff):
    """A rule for illegal dumping and this year's fund with money in it."""
    rule(dumping(), amount="50.00")
    return fund(staff["approver"], budget="10000.00", allocate="5000.00")


@pytest.fixture
def informant_report(scheme):
    """An informant report (one sealed identity) whose case is still open."""
    return inform(identities=[IdentityInput(name=NAME, phone=PHONE, payment_account=ACCOUNT)])


@pytest.fixture
def closed_claim(informant_report, staff):
    close(informant_report, staff["supervisor"])
    return informant_report.reward_claims.get()


def no_identity(html: str) -> bool:
    return NAME not in html and PHONE not in html and ACCOUNT.split()[-1] not in html
