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
    for package in ("portal", "cms", "complaints", "indicators", "inspections", "demo"):
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


def test_a_lower_slice_importing_a_higher_one_breaks_the_layers(tree):
    # A queue selector (cases, layer 9) reading a helper of the public intake views (layer 6).
    selectors = tree / "complaints/cases/selectors.py"
    selectors.write_text(
        selectors.read_text() + "\n\nfrom complaints.intake.views import report_list  # noqa\n"
    )
    broken = run_lint(tree)
    assert broken.returncode != 0
    assert "complaints.cases is not allowed to import complaints.intake" in broken.stdout


def test_two_sibling_slices_importing_each_other_break_the_layers(tree):
    # The staff home's panels and the public figures are independent: neither may import the other.
    figures = tree / "complaints/performance/selectors.py"
    figures.write_text(
        figures.read_text() + "\n\ndef _planted():\n    from complaints.dashboard import panels\n"
        "\n    return panels\n"
    )
    broken = run_lint(tree)
    assert broken.returncode != 0
    assert "complaints.performance is not allowed to import complaints.dashboard" in broken.stdout
