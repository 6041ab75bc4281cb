"""Texts kept in two languages on one row: the Chinese field and an English ``<field>_en``.

Reference data (categories, departments, reward rules, site settings) is edited on one screen
with its English beside the Chinese; the English site shows the English text when there is one
and the Chinese otherwise. Page content is translated with Wagtail's locales instead.
"""

from django.conf import settings
from django.utils.translation import get_language


def english_active() -> bool:
    """Whether the active language is English (the English site, under /en/)."""
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def localized_text(obj, field: str) -> str:
    """``obj.<field>_en`` on the English site when filled, else ``obj.<field>``."""
    if obj is None:
        return ""
    value = getattr(obj, field, "") or ""
    if english_active():
        return getattr(obj, f"{field}_en", "") or value
    return value


def localized_question(question: dict) -> dict:
    """An extra question with its label, help and choice labels in the active language.

    The answer stored is always the Chinese choice (the value staff and the case system read);
    ``choice_labels`` pairs each choice with what the resident sees.
    """
    english = english_active()
    choices = question.get("choices") or []
    shown = (question.get("choices_en") if english else None) or choices
    return {
        **question,
        "label": (english and question.get("label_en")) or question.get("label", ""),
        "help": (english and question.get("help_en")) or question.get("help", ""),
        "choice_labels": list(zip(choices, shown, strict=False)),
    }
