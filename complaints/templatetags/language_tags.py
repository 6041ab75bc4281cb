"""Reference data in the page's language: {{ category|localized:"name" }} shows ``name_en`` on
the English site when it is filled, the Chinese ``name`` otherwise (portal/content_language.py)."""

from django import template

from portal.content_language import localized_text

register = template.Library()


@register.filter
def localized(obj, field: str = "name") -> str:
    return localized_text(obj, field)
