"""docs/workflow.md carries the table generated from complaints/cases/workflow.py."""

from pathlib import Path

from complaints.management.commands.describe_workflow import workflow_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "workflow.md"


def test_docs_show_the_current_table():
    assert workflow_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/workflow.md is out of date: regenerate its table with manage.py describe_workflow"
    )
