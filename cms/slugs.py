"""Readable ASCII page slugs from Chinese titles: pinyin, one syllable per word.

Percent-encoded Chinese in a URL is unreadable when shared (SMS, WeChat, print), so a page
whose slug would be non-ASCII gets the pinyin of it instead: 城管执法进社区 becomes
cheng-guan-zhi-fa-jin-she-qu. Editors can still type any ASCII slug they like.
"""

from django.utils.text import slugify
from pypinyin import lazy_pinyin

MAX_LENGTH = 80


def ascii_slug(text: str) -> str:
    """The pinyin slug of ``text`` (ASCII letters, digits and hyphens), '' when nothing is left."""
    words = lazy_pinyin(text or "", errors="default")
    slug = slugify(" ".join(words), allow_unicode=False)
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0]
    return slug


def needs_ascii_slug(slug: str) -> bool:
    """Whether ``slug`` is empty or holds anything a URL would percent-encode."""
    return not slug or not slug.isascii()


def free_slug(base: str, *, parent, page=None) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is still free among ``parent``'s children."""
    from wagtail.models import Page

    candidate, suffix = base, 1
    while not Page._slug_is_available(candidate, parent, page):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate
