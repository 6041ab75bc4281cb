"""Who may do what in the reward scheme: the one place the services, selectors and screens ask.

Permissions are Django model permissions of the ``complaints`` app, granted to the roles by
portal/roles.py (never checked by group name). Which permission each claim action needs is in
the claim table (``complaints.rewards.workflow``); this module answers for a given user.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from complaints.models import RewardClaim
from complaints.rewards.workflow import ACTIONS, ClaimAction, ClaimTransition, transitions_of

# Screens and reads.
VIEW_CLAIMS = "view_rewardclaim"
VIEW_FUNDS = "view_rewardfund"
ADD_FUND = "add_rewardfund"
CHANGE_FUND = "change_rewardfund"
VIEW_LEDGER = "view_ledgerentry"
ALLOCATE = "allocate_ledgerentry"
# Opening an informant's sealed identity (the claim page, the finance export's identity columns).
REVEAL_IDENTITY = "reveal_informant"

# The approver's decisions refused on their own proposal, with what the approver is told.
FOUR_EYES_MESSAGES = {
    ClaimAction.APPROVE: lambda: _("You proposed this reward; another approver must approve it."),
    ClaimAction.DECLINE: lambda: _("You proposed this reward; another approver must decide on it."),
}


def has(user, permission: str) -> bool:
    """Whether ``user`` holds the ``complaints`` permission ``permission`` (a codename)."""
    return bool(user.has_perm(f"complaints.{permission}"))


def require(user, permission: str, *, message: bool = True) -> None:
    """Refuse (PermissionDenied) a user without ``permission``.

    ``message``: say "Your role may not do this." (services, shown on the page); a screen the
    user may not open at all is refused with a bare 403 (``message=False``).
    """
    if not has(user, permission):
        if message:
            raise PermissionDenied(_("Your role may not do this."))
        raise PermissionDenied


def require_screen(user, permission: str) -> None:
    """A reward screen the user's role may not open: a bare 403."""
    require(user, permission, message=False)


def may_reveal_identity(user) -> bool:
    """Whether ``user`` may open informants' sealed identities (and export them to finance)."""
    return has(user, REVEAL_IDENTITY)


def may_take(user, action: str) -> bool:
    """Whether ``user`` holds the permission every row of claim ``action`` needs."""
    return any(holds(user, t) for t in transitions_of(action))


def acts_on_claims(user) -> bool:
    """Whether ``user``'s role takes any claim action (an auditor takes none)."""
    return any(may_take(user, action) for action in ACTIONS)


def holds(user, transition: ClaimTransition) -> bool:
    """Whether ``user`` holds every permission of ``transition``."""
    return all(has(user, p) for p in transition.permissions)


def is_proposer(user, claim: RewardClaim) -> bool:
    return claim.proposed_by_id is not None and claim.proposed_by_id == user.pk


def may_fire(user, transition: ClaimTransition, claim: RewardClaim) -> bool:
    """Whether ``user`` may fire ``transition`` on ``claim``: the permissions, and four eyes."""
    if not holds(user, transition):
        return False
    return not (transition.four_eyes and is_proposer(user, claim))


def require_four_eyes(user, transition: ClaimTransition, claim: RewardClaim) -> None:
    """Refuse the proposer the approver's decision on their own proposal."""
    if transition.four_eyes and is_proposer(user, claim):
        raise PermissionDenied(FOUR_EYES_MESSAGES[transition.action]())


def require_transition(user, transition: ClaimTransition, claim: RewardClaim) -> None:
    """Refuse ``transition`` on ``claim`` to a user who may not fire it (the services' check)."""
    for permission in transition.permissions:
        require(user, permission)
    require_four_eyes(user, transition, claim)
