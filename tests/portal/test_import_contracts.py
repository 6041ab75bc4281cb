"""The import rules (.importlinter) hold, and a planted violation breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / ".importlinter"), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the project's packages and its import rules."""
    ignore = shutil.ignore_patterns("__pycache__", "migrations", "data")
    for package in ("portal", "cms", "complaints", "indicators", "inspections"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_rules_hold_and_a_planted_violation_breaks_them(tree):
    assert LINT_IMPORTS.exists(), "import-linter is not installed (requirements-dev.txt)"
    clean = run_lint(tree)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # The workflow service reaching into the case feed, hidden inside a function.
    workflow = tree / "complaints/cases/services/transitions.py"
    workflow.write_text(
        workflow.read_text()
        + "\n\ndef _planted():\n    from complaints.casefeed.outbox import delivery_enqueue\n"
        + "\n    return delivery_enqueue\n"
    )
    broken = run_lint(tree)
    assert broken.returncode != 0
    assert "The workflow core imports no integration" in broken.stdout
    assert "BROKEN" in broken.stdout
