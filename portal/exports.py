"""Spreadsheet cells that cannot run as formulas (CSV/XLSX "formula injection").

Excel, WPS and LibreOffice treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some of them, a tab or a carriage return) as a formula: ``=HYPERLINK("http://evil.example",
"x")`` typed into a public form would become a live link, or worse, on a finance officer's
screen. Every text cell of every export the portal writes goes through :func:`safe_cell`, which
puts an apostrophe in front of such text (OWASP's recommendation). Numbers, dates, booleans and
``None`` are left as they are: a negative *number* stays a number.

Used by the finance workbook (``complaints.rewards.services.exports``) and, through
:class:`FormulaSafeExportViewSetMixin`, by every Wagtail listing export (``?export=csv`` and
``?export=xlsx``). A leaf module: standard library only, so anything in the project may use it.
"""

from collections.abc import Iterable
from functools import cache

# What makes a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# OWASP: a leading apostrophe makes the cell text.
FORMULA_ESCAPE = "'"


def formula_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it.

    Also caught: a trigger behind leading white space (`` =1+1``, ``\\n=1+1``), which some
    programs strip before they look.
    """
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS):
        return FORMULA_ESCAPE + text
    return text


def safe_cell(value):
    """A cell value for an export: text made formula-safe, anything else unchanged."""
    return formula_safe(value) if isinstance(value, str) else value


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


class FormulaSafeExportMixin:
    """For a view with Wagtail's ``SpreadsheetExportMixin``: every text cell of the CSV and
    XLSX it writes, headings included, goes through :func:`safe_cell`.

    ``preprocess_field_value`` is the one hook both formats call for each value (after Wagtail's
    own conversion: model instances and lazy strings become ``str``, numbers and dates stay).
    """

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))

    def get_heading(self, queryset, field):
        return safe_cell(super().get_heading(queryset, field))


@cache
def formula_safe_view_class(view_class: type) -> type:
    """``view_class`` with :class:`FormulaSafeExportMixin` in front, if it exports at all."""
    if not hasattr(view_class, "preprocess_field_value") or issubclass(
        view_class, FormulaSafeExportMixin
    ):
        return view_class
    return type(
        view_class.__name__,
        (FormulaSafeExportMixin, view_class),
        {"__module__": view_class.__module__, "__doc__": view_class.__doc__},
    )


class FormulaSafeExportViewSetMixin:
    """For a Wagtail ``ViewSet``: each view it builds that can export a spreadsheet is made
    formula-safe, whatever its ``index_view_class`` (also one set in ``__init__``)."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(formula_safe_view_class(view_class), **kwargs)


def install_formula_safe_exports() -> None:
    """Make Wagtail's own spreadsheet exports formula-safe too (site history, page and
    workflow reports, redirects, search promotions): they are built by Wagtail's view classes,
    which no viewset of ours wraps, so the one hook is wrapped on the mixin itself. Idempotent."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_formula_safe", False):
        return
    preprocess = SpreadsheetExportMixin.preprocess_field_value
    heading = SpreadsheetExportMixin.get_heading

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(preprocess(self, field, value, export_format))

    def get_heading(self, queryset, field):
        return safe_cell(heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.get_heading = get_heading
    SpreadsheetExportMixin._formula_safe = True
