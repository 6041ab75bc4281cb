"""The indicators' import rules (.importlinter) catch a planted violation in each direction."""

from tests.portal.test_import_contracts import run_lint, tree  # noqa: F401  (fixture)


def broken_section(output: str) -> str:
    """The part of lint-imports' report that lists the broken contracts."""
    assert "Broken contracts" in output, output
    return output.split("Broken contracts", 1)[1]


def test_a_case_module_importing_the_indicators_breaks_the_rules(tree):  # noqa: F811
    selectors = tree / "complaints/intake/selectors.py"
    selectors.write_text(
        selectors.read_text() + "\n\ndef _planted():\n    import indicators.selectors\n"
    )
    broken = run_lint(tree)
    assert broken.returncode != 0
    assert "Nothing imports the indicators" in broken_section(broken.stdout)


def test_the_indicators_writing_through_a_service_breaks_the_rules(tree):  # noqa: F811
    scores = tree / "indicators/scores.py"
    scores.write_text(
        scores.read_text()
        + "\n\ndef _planted():\n    import complaints.cases.services.transitions\n"
    )
    broken = run_lint(tree)
    assert broken.returncode != 0
    assert "Indicators read the case data" in broken_section(broken.stdout)
