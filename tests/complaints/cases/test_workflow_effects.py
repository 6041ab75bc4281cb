"""Features register what a transition makes them do; the workflow core imports none of them."""

import ast
from pathlib import Path

from complaints.casefeed.effects import delivery_on_registration
from complaints.cases.workflow import Action, transition_effects
from complaints.satisfaction.effects import satisfaction_invite_on_closure

ROOT = Path(__file__).resolve().parents[3]


def test_registration_queues_the_case_feed_and_closure_invites_a_rating():
    assert delivery_on_registration in transition_effects(Action.REGISTER)
    assert satisfaction_invite_on_closure in transition_effects(Action.CLOSE)
    assert satisfaction_invite_on_closure in transition_effects(Action.EXTERNAL_RESOLVE)
    # Dispatch carries only the inspections' deadline of a rectification case; handling, none.
    assert [effect.__module__ for effect in transition_effects(Action.DISPATCH)] == [
        "inspections.services"
    ]
    assert transition_effects(Action.HANDLE) == ()


def test_workflow_service_imports_no_integration():
    """Not even inside a function: the case feed and ratings hang on the registry."""
    tree = ast.parse((ROOT / "complaints/cases/services/transitions.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {
        m
        for m in imported
        if m.startswith(("complaints.casefeed", "complaints.satisfaction.services"))
    }
