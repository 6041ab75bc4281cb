"""A page cache for anonymous visitors, in the shared cache (docs/performance.md, "Page cache").

Why not a library: wagtail-cache (the ecosystem's page cache) pins ``wagtail<8`` in its latest
release (3.0.0), purges either by regular expression over one shared "keyring" dictionary that
every process rewrites (lost updates under load) or by clearing the whole cache backend, which
here is shared with the rate-limit counters; it also caches 301/302/404 answers and does not
look for a CSRF token in the page. Django's cache middleware has no purge at all. What we need
fits in this module:

- ``PageCacheMiddleware`` (after InputGuardMiddleware, before SessionMiddleware) answers an
  anonymous GET/HEAD from the cache when it holds a valid copy, and otherwise stores the
  response of an allowed view (a published Wagtail page, or one of
  ``settings.PORTAL_PAGE_CACHE_LIST_VIEWS`` for ``PORTAL_PAGE_CACHE_LIST_SECONDS``) when nothing
  about it is personal. A hit skips every middleware below it and the database.
- Purging is by generation tokens, never by scanning keys: each stored copy records the
  site-wide token and the token of its path (the path without the query, so every filter and
  page number of a listing goes at once) that were current *before* it was rendered; it is only
  served while both are still current. ``purge_paths`` replaces the tokens of some paths,
  ``purge_all`` the site-wide one. One ``get_many`` reads the copy and both tokens.
- ``Cache-Control``: stored pages say ``public, max-age, s-maxage`` so a reverse proxy or CDN
  can hold them (purged through wagtail.contrib.frontend_cache when WAGTAILFRONTENDCACHE is
  set); anything personal (a session, a signed-in user, a cookie set, a CSRF token) says
  ``private, no-store``.

While the cache is unreachable (portal/resilient_cache.py answers misses) pages are rendered as
if nothing were cached and nothing is stored.
"""

import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language_from_path

logger = logging.getLogger("portal.page_cache")

KEY_PREFIX = "pagecache"
SITE_TOKEN_KEY = f"{KEY_PREFIX}:site"
# Response header telling whether the page came from the cache (hit) or was stored (miss).
STATUS_HEADER = "X-Page-Cache"
WAGTAIL_VIEW = "wagtail_serve"

# Never looked up nor stored, whatever the view list says (language prefix removed first).
NEVER_CACHED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/casefeed/",
    "/open311/",
    "/documents/",
    "/healthz",
    "/i18n/",
    "/static/",
    "/media/",
    "/report/",
    "/report-violation/",
    "/track/",
    "/rate/",
    "/search/",
)
# Vary values a stored page may carry: the language (which our keys include, since the URL
# decides it) and Cookie (we never serve or store for a request with a session or messages
# cookie, so the copy is the one every cookie-less visitor gets).
ALLOWED_VARY = {"accept-language", "cookie", "accept-encoding"}
PERSONAL_CACHE_CONTROL = {"private": True, "no_store": True}


def enabled() -> bool:
    return getattr(settings, "PORTAL_PAGE_CACHE", True)


def _new_token() -> str:
    return secrets.token_hex(8)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def path_token_key(path: str) -> str:
    return f"{KEY_PREFIX}:path:{_digest(path)}"


def entry_key(request) -> str:
    """Scheme, host, language and the full path with its query string."""
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    full_path = request.get_full_path()
    return f"{KEY_PREFIX}:page:{_digest(f'{request.scheme}|{request.get_host()}|{language}|{full_path}')}"


def _strip_language(path: str) -> str:
    language = get_language_from_path(path)
    if language and path.startswith(f"/{language}/"):
        return path[len(language) + 1 :]
    return path


def _never_cached(path: str) -> bool:
    return _strip_language(path).startswith(NEVER_CACHED_PREFIXES)


def _has_private_cookie(request) -> bool:
    """A session (a resident's receipt, a signed-in user) or pending messages."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in request.COOKIES
    )


# --- Purge ---------------------------------------------------------------------------------


def purge_paths(paths) -> None:
    """Invalidate every stored copy of these paths (all their query strings and hosts)."""
    paths = set(paths)
    if not paths:
        return
    cache.set_many({path_token_key(path): _new_token() for path in paths}, timeout=None)


def purge_all() -> None:
    """Invalidate every stored page (a snippet or setting shown on every page changed)."""
    cache.set(SITE_TOKEN_KEY, _new_token(), timeout=None)


# --- Middleware ----------------------------------------------------------------------------


def _ensure_token(key: str, current):
    """The token under ``key``, created if missing; None while the cache is unreachable."""
    if current is not None:
        return current
    token = _new_token()
    if cache.add(key, token, timeout=None):
        return token
    return cache.get(key)


def _vary_is_allowed(response) -> bool:
    if not response.has_header("Vary"):
        return True
    values = {value.strip().lower() for value in response["Vary"].split(",")}
    return values <= ALLOWED_VARY


def _is_personal(request, response) -> bool:
    user = getattr(request, "user", None)
    return bool(
        _has_private_cookie(request)
        or (user is not None and user.is_authenticated)
        or response.cookies
        or response.has_header("Set-Cookie")
        or (not response.streaming and b"csrfmiddlewaretoken" in getattr(response, "content", b""))
    )


def _ttl_for(request) -> int | None:
    """Seconds to keep this view's answer, or None when the view is not cached."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.view_name == WAGTAIL_VIEW:
        return settings.PORTAL_PAGE_CACHE_SECONDS
    if match.view_name in settings.PORTAL_PAGE_CACHE_LIST_VIEWS:
        return settings.PORTAL_PAGE_CACHE_LIST_SECONDS
    return None


def _storable(request, response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not getattr(request, "is_preview", False)
        and not _is_personal(request, response)
        and _vary_is_allowed(response)
        # A per-request CSP nonce must not be handed to everyone.
        and "'nonce-" not in response.get("Content-Security-Policy", "")
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def _public_cache_control(response, *, list_view: bool) -> None:
    if list_view:
        seconds = settings.PORTAL_PAGE_CACHE_LIST_SECONDS
        max_age = shared_max_age = seconds
    else:
        max_age = settings.PORTAL_PAGE_CACHE_MAX_AGE
        shared_max_age = settings.PORTAL_PAGE_CACHE_S_MAXAGE
    response["Cache-Control"] = f"public, max-age={max_age}, s-maxage={shared_max_age}"


def _from_entry(entry) -> HttpResponse:
    _site, _path, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[STATUS_HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store anonymous visitors' copies of public pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or request.method not in ("GET", "HEAD") or _never_cached(request.path):
            return self._uncached(request)
        if _has_private_cookie(request):
            return self._uncached(request)
        try:
            key = entry_key(request)
        except DisallowedHost:  # CommonMiddleware answers it further in.
            return self._uncached(request)
        path_key = path_token_key(request.path)
        found = cache.get_many([key, SITE_TOKEN_KEY, path_key])
        site_token, path_token = found.get(SITE_TOKEN_KEY), found.get(path_key)
        entry = found.get(key)
        if (
            entry is not None
            and site_token is not None
            and path_token is not None
            and entry[0] == site_token
            and entry[1] == path_token
        ):
            return _from_entry(entry)

        # Tokens read before rendering: a purge while we render invalidates what we store.
        site_token = _ensure_token(SITE_TOKEN_KEY, site_token)
        path_token = _ensure_token(path_key, path_token) if site_token is not None else None
        response = self.get_response(request)
        ttl = _ttl_for(request)
        if ttl is None or site_token is None or path_token is None:
            return self._finish_uncached(request, response)
        if not _storable(request, response):
            return self._finish_uncached(request, response)
        _public_cache_control(response, list_view=request.resolver_match.view_name != WAGTAIL_VIEW)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in ("set-cookie", STATUS_HEADER.lower())
        ]
        cache.set(
            key, (site_token, path_token, response.status_code, headers, response.content), ttl
        )
        response[STATUS_HEADER] = "miss"
        return response

    def _uncached(self, request):
        return self._finish_uncached(request, self.get_response(request))

    @staticmethod
    def _finish_uncached(request, response):
        """Personal answers must not be kept by browsers' or proxies' caches."""
        if _is_personal(request, response) and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, **PERSONAL_CACHE_CONTROL)
        return response
