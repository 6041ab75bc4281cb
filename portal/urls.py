from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from cms.feeds import NewsAtomFeed, NewsRssFeed
from cms.sitemaps import PortalSitemap
from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Machine APIs: no language prefix (issue 5).
    path("open311/v2/", include("complaints.open311.urls")),
    path("casefeed/", include("complaints.casefeed.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": PortalSitemap}}, name="sitemap"),
    path("i18n/setlang/", set_language, name="set_language"),
]

# Chinese is served without a prefix, English under /en/.
urlpatterns += i18n_patterns(
    path("search/", cms_views.search, name="search"),
    path("news/feed/rss/", NewsRssFeed(), name="news_feed_rss"),
    path("news/feed/atom/", NewsAtomFeed(), name="news_feed_atom"),
    path("", include("complaints.urls")),
    # The public performance page (by dotted path: nothing imports the indicators app).
    path("", include("indicators.urls")),
    path("inspector/", include("inspections.urls")),  # the inspector's phone screen
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    # Public CMS images only: residents' photos are in PORTAL_PRIVATE_MEDIA_ROOT, outside
    # MEDIA_ROOT (system check complaints.E102), and reach no one but through checked views.
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

# Malformed input: a plain 400 page that never reads the request body again.
handler400 = "portal.input_guard.bad_request"
handler404 = "cms.views.page_not_found"
# A database outage raised outside a view answers 503 too; anything else is cms.views' 500 page.
handler500 = "portal.outage.server_error"
