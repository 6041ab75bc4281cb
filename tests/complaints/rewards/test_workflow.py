"""The claim table is the one statement of the claim's state machine: the admin offers only its
actions, and docs/rewards.md carries the table generated from it."""

import io
from pathlib import Path

from django.core.management import call_command

from complaints.models import ClaimState
from complaints.rewards.admin import claims as claim_admin
from complaints.rewards.workflow import (
    ACTIONS,
    AWAITING,
    CLOSED_STATES,
    COMMITTED_STATES,
    COUNTED_STATES,
    TRANSITIONS,
    ClaimAction,
    action_sources,
    claim_workflow_markdown,
    transition_for,
)
from portal import roles

DOC = Path(__file__).resolve().parents[3] / "docs" / "rewards.md"


def test_docs_show_the_current_table():
    assert claim_workflow_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/rewards.md is out of date: regenerate its claim table with "
        "manage.py describe_claim_workflow"
    )


def test_the_command_prints_the_table():
    out = io.StringIO()
    call_command("describe_claim_workflow", stdout=out)
    assert out.getvalue() == claim_workflow_markdown()


def test_the_admin_offers_the_tables_actions_only():
    assert set(claim_admin.ACTIONS) == {a.value for a in ACTIONS}
    assert set(claim_admin.ACTION_FORMS) == set(ClaimAction)
    assert set(claim_admin.CONFIRMED_ACTIONS) <= set(claim_admin.ACTIONS)
    assert set(claim_admin.ACTION_LABELS) >= set(claim_admin.ACTIONS)


def test_every_state_and_target_is_a_claim_state():
    for transition in TRANSITIONS:
        assert set(transition.sources) | set(transition.targets) <= set(ClaimState)
        assert transition.permissions, transition


def test_one_row_per_action_and_state():
    for action in ACTIONS:
        sources = [s for t in TRANSITIONS if t.action == action for s in t.sources]
        assert len(sources) == len(set(sources)) == len(action_sources(action)), action


def test_every_permission_is_held_by_a_role():
    granted = {p for permissions in roles.MODEL_PERMISSIONS.values() for p in permissions}
    for transition in TRANSITIONS:
        needed = {f"complaints.{p}" for p in transition.permissions}
        assert any(needed <= set(held) for held in roles.MODEL_PERMISSIONS.values()), transition
        assert needed <= granted


def test_groupings_agree_with_the_table():
    # A claim waits only for an action that can leave its state.
    for state, action in AWAITING.items():
        assert transition_for(state=state, action=action) is not None
    # Every state some action reaches is reachable; closed states wait for nobody.
    reached = {s for t in TRANSITIONS for s in t.targets} | {ClaimState.PENDING}
    assert reached == set(ClaimState)
    assert not set(CLOSED_STATES) & set(AWAITING)
    assert set(COMMITTED_STATES) <= set(COUNTED_STATES)
    # Only a decline sends a proposal back to the officers; nothing leaves a cancellation.
    assert not [t for t in TRANSITIONS if ClaimState.CANCELLED in t.sources]
