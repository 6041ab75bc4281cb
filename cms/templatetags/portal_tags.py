"""Presentational helpers for the public templates: menu, site root, language switch, phone links."""

import re

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import override
from wagtail.models import Page, Site

from portal.content_language import localized_text

register = template.Library()


def _site_root(request) -> Page | None:
    if request is None:
        return None
    cached = getattr(request, "_portal_site_root", False)
    if cached is not False:
        return cached
    site = Site.find_for_request(request)
    root = site.root_page if site else None
    request._portal_site_root = root
    return root


@register.simple_tag(takes_context=True)
def site_root_page(context) -> Page | None:
    """The home page of this request's site in the active language (Chinese without one)."""
    root = _site_root(context.get("request"))
    return root.localized if root is not None else None


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list[Page]:
    """The live children of the site root that editors chose to show in menus.

    The menu follows the Chinese tree, each entry in the active language where it has a
    translation, so an untranslated section stays in the English menu (in Chinese).
    """
    root = _site_root(context.get("request"))
    if root is None:
        return []
    return [page.localized for page in root.get_children().live().in_menu().public()]


@register.simple_tag(takes_context=True)
def untranslated_page(context) -> bool:
    """Whether the page being shown has no translation in the active language (served as is)."""
    page = context.get("page")
    check = getattr(page, "shown_in_other_language", None)
    return bool(check and check())


@register.simple_tag(takes_context=True)
def nav_state(context, page_url: str) -> str:
    """'page' when the request is for ``page_url``, 'true' inside it, '' otherwise.

    Meant for aria-current: the current page gets "page", its descendants "true".
    """
    request = context.get("request")
    if request is None or not page_url:
        return ""
    path = request.path
    if path == page_url:
        return "page"
    if page_url != "/" and path.startswith(page_url):
        return "true"
    return ""


def _non_default_prefixes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@register.filter
def strip_language_prefix(path: str) -> str:
    """'/en/news/?page=2' -> '/news/?page=2'. The default language has no prefix.

    Django's set_language view runs with the default language active (its URL has no
    prefix), so it can only translate a ``next`` URL written in the default language.
    """
    for code in _non_default_prefixes():
        prefix = f"/{code}"
        if path == prefix or path.startswith((f"{prefix}/", f"{prefix}?")):
            rest = path[len(prefix) :]
            if not rest.startswith("/"):
                rest = "/" + rest
            return rest
    return path


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page's URL in another language: plain links, so pages stay cacheable.

    Chinese has no prefix and English lives under /en/, so the URL alone decides the language;
    no cookie or POST to set_language is needed.
    """
    request = context.get("request")
    path = strip_language_prefix(request.get_full_path()) if request else "/"
    # The unprefixed path resolves only with the default language active.
    with override(settings.LANGUAGE_CODE):
        return translate_url(path, language_code)


@register.filter
def tel_href(number: str) -> str:
    """A tel: URI for a phone number as people write it ('0510-8888 1234' -> 'tel:051088881234')."""
    digits = re.sub(r"[^\d+]", "", number or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def localized_name(obj) -> str:
    """A taxonomy object's English name on the English site when it has one, else its name."""
    if obj is None:
        return ""
    return localized_text(obj, "name") or str(obj)


@register.filter
def localized(obj, field: str) -> str:
    """``obj.<field>_en`` on the English site when filled, else ``obj.<field>``.

    For reference data kept in both languages on one row: {{ category|localized:"hint" }}.
    """
    return localized_text(obj, field)


@register.filter
def html_lang(language_code: str) -> str:
    """The value for <html lang>: BCP 47, with Simplified Chinese as 'zh-CN' for CJK fonts."""
    code = (language_code or settings.LANGUAGE_CODE).lower()
    if code in {"zh-hans", "zh-cn", "zh"}:
        return "zh-CN"
    if code in {"zh-hant", "zh-tw"}:
        return "zh-TW"
    return code


@register.simple_tag
def page_range(page_obj, on_each_side: int = 2, on_ends: int = 1) -> list:
    """Page numbers around the current page, with the paginator's ellipsis for the gaps."""
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.simple_tag
def join_parts(*parts, sep: str = " · ") -> str:
    """The non-empty parts joined by ``sep`` (a place and a category, say)."""
    return sep.join(str(part) for part in parts if part)


@register.filter
def campaign_status(campaign) -> str:
    """'current', 'upcoming' or 'ended' for a CampaignPage, as of today."""
    from django.utils import timezone

    today = timezone.localdate()
    if campaign.start_date > today:
        return "upcoming"
    if campaign.end_date is not None and campaign.end_date < today:
        return "ended"
    return "current"


@register.simple_tag
def first_image(*candidates):
    """The first of the candidates that is an image (has renditions), or None.

    For "the listing image, else the after photo" in cards; non-images (an unset variable's
    empty string, None) are skipped.
    """
    return next((c for c in candidates if c and hasattr(c, "get_rendition")), None)
