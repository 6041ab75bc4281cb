"""Reads on the taxonomy for the public form."""

from itertools import groupby

from complaints.models import Category, CategoryKind
from portal.content_language import localized_text


def categories_for_form() -> list[Category]:
    return list(
        # No related rows: the form needs the category's own fields only.
        Category.objects.filter(is_active=True).order_by("kind", "code")
    )


def category_choices_grouped(*, categories: list[Category]) -> list:
    """Choices grouped by kind and major class, e.g. ("事件 · 市容环境", [(id, "私搭乱建")]), no codes."""
    kinds = dict(CategoryKind.choices)
    groups = []
    for (kind, _major), items in groupby(categories, key=lambda c: (c.kind, c.major_code)):
        group = list(items)
        # Names in the active language: English ones on the English site where filled.
        label = f"{kinds[kind]} · {localized_text(group[0], 'major_name')}"
        groups.append((label, [(c.pk, localized_text(c, "name")) for c in group]))
    return groups
