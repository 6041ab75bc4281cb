"""Purge the page cache (portal/page_cache.py) when what a published page shows changes.

- A leaf page published, unpublished, saved or deleted: that page and its ancestors (the index
  that lists it and the home page, which lists the latest items), in every language, every
  query string (page numbers, filters) included.
- A page with children or shown in the menu, a moved page, a changed slug: every page, since
  breadcrumbs and the menu on other pages show its title and URLs below it change.
- A setting or snippet that pages show (SITE_WIDE_MODELS): every page.
- A report saved or deleted: the public report list (LIST_SOURCES), all filters and pages.

Each purge runs at once and again when the transaction commits: a visitor rendering the page
between the two would otherwise store the old content under the new token.
With WAGTAILFRONTENDCACHE set (PORTAL_FRONTEND_CACHE_URL), the same URLs are sent to the reverse
proxy or CDN through wagtail.contrib.frontend_cache (a background task).
"""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse, translate_url
from django.utils.translation import get_language_from_path, override
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from portal import page_cache

# Models whose rows appear on pages other than their own: the header and footer settings, the
# taxonomy that campaign and case pages name, the reward rules the reward page lists, images
# and documents, sites and view restrictions.
SITE_WIDE_MODELS = (
    "cms.PortalSettings",
    "complaints.Category",
    "complaints.Department",
    "complaints.Town",
    "complaints.Community",
    "complaints.RewardRule",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
)
# The public report list (kept PORTAL_PAGE_CACHE_LIST_SECONDS at most) shows a new report or
# a changed state at once: every filter and page of it is purged when a report is saved.
LIST_SOURCES = {"complaints.Report": ("complaints:report_list",)}
# Site settings rows are created on first use (for_site), holding the defaults already shown.
CREATED_WITH_DEFAULTS = {"cms.PortalSettings"}
# Bookkeeping saves that change nothing a visitor sees.
HARMLESS_UPDATE_FIELDS = {
    "file_size",
    "file_hash",
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "draft_title",
    "wagtail_admin_comments",
    "locked",
    "locked_at",
    "locked_by",
}


def _run_now_and_on_commit(func) -> None:
    func()
    transaction.on_commit(func)


def page_urls(page: Page) -> list[tuple[str, str]]:
    """(path, full URL) of a page in each language; none for a page outside every site."""
    # Wagtail keeps the site root paths on the page object: do not leave a copy behind that
    # a later change of the sites would make stale for the caller.
    had_root_paths = "_wagtail_cached_site_root_paths" in page.__dict__
    urls = []
    parts = page.get_url_parts()
    if parts is not None and parts[2] is not None:
        _site_id, root_url, own_path = parts
        # Wagtail gives the path in the page's own language. The same path under the other
        # languages' prefixes may show it too (an untranslated page is served in Chinese under
        # /en/, cms/models/base.py), so every language's copy is purged.
        language = get_language_from_path(own_path)
        default_path = (
            own_path[len(language) + 1 :]
            if language and language != settings.LANGUAGE_CODE
            else own_path
        )
        with override(settings.LANGUAGE_CODE):  # the unprefixed path resolves only in Chinese
            for code, _name in settings.LANGUAGES:
                path = translate_url(default_path, code)
                urls.append((path, f"{root_url}{path}"))
    if not had_root_paths:
        page.__dict__.pop("_wagtail_cached_site_root_paths", None)
    return urls


def _frontend_purge(full_urls) -> None:
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None) or not full_urls:
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    purge_urls_from_cache(sorted(set(full_urls)))


def purge_everything() -> None:
    _run_now_and_on_commit(page_cache.purge_all)
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        urls = [url for page in Page.objects.live() for _path, url in page_urls(page)]
        _frontend_purge(urls)


def purge_page(page: Page) -> None:
    """The page and its ancestors, or everything when other pages show it (module docstring)."""
    if page.depth <= 1:
        return
    if page.numchild or page.show_in_menus:
        purge_everything()
        return
    pages = [page, *page.get_ancestors().filter(depth__gt=1)]
    urls = [url for each in pages for url in page_urls(each)]
    paths = {path for path, _url in urls}
    _run_now_and_on_commit(lambda: page_cache.purge_paths(paths))
    _frontend_purge(url for _path, url in urls)


def _harmless(update_fields) -> bool:
    return update_fields is not None and set(update_fields) <= HARMLESS_UPDATE_FIELDS


def on_page_changed(sender, instance, **kwargs):
    if kwargs.get("created") and not instance.live:
        return  # a new draft: nothing public changed
    if _harmless(kwargs.get("update_fields")):
        return
    purge_page(instance)


def on_page_moved_or_renamed(sender, **kwargs):
    purge_everything()


def on_site_wide_change(sender, **kwargs):
    if _harmless(kwargs.get("update_fields")):
        return
    if kwargs.get("created") and sender._meta.label in CREATED_WITH_DEFAULTS:
        return  # made on first read with the defaults the pages already showed
    purge_everything()


def list_paths(view_name: str) -> set[str]:
    paths = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            paths.add(reverse(view_name))
    return paths


def on_list_source_change(sender, **kwargs):
    paths = set().union(*(list_paths(name) for name in LIST_SOURCES[sender._meta.label]))
    _run_now_and_on_commit(lambda: page_cache.purge_paths(paths))


def connect() -> None:
    """Called from CmsConfig.ready()."""
    page_published.connect(on_page_changed, dispatch_uid="page_cache_published")
    page_unpublished.connect(on_page_changed, dispatch_uid="page_cache_unpublished")
    post_page_move.connect(on_page_moved_or_renamed, dispatch_uid="page_cache_moved")
    page_slug_changed.connect(on_page_moved_or_renamed, dispatch_uid="page_cache_slug")
    for model in apps.get_models():
        if issubclass(model, Page):
            uid = f"page_cache_{model._meta.label_lower}"
            post_save.connect(on_page_changed, sender=model, dispatch_uid=f"{uid}_save")
            post_delete.connect(on_page_changed, sender=model, dispatch_uid=f"{uid}_delete")
    for label in LIST_SOURCES:
        model = apps.get_model(label)
        uid = f"page_cache_list_{label.lower()}"
        post_save.connect(on_list_source_change, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(on_list_source_change, sender=model, dispatch_uid=f"{uid}_delete")
    for label in SITE_WIDE_MODELS:
        model = apps.get_model(label)
        uid = f"page_cache_{label.lower()}"
        post_save.connect(on_site_wide_change, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(on_site_wide_change, sender=model, dispatch_uid=f"{uid}_delete")
