from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import NewsIndexPage, NewsPage
from cms.selectors import in_site_language

FEED_SIZE = 20


class NewsRssFeed(Feed):
    """Notices and news of the site the request came to, newest first, in the URL's language."""

    title = _("Notices and news")
    description = _("Notices and news from the city-management bureau.")

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return Site.find_for_request(request)

    def link(self, site):
        index = in_site_language(NewsIndexPage.objects.live(), site=site).first() if site else None
        return index.url if index else "/"

    def items(self, site):
        if site is None:
            return NewsPage.objects.none()
        items = in_site_language(NewsPage.objects.live().public(), site=site)
        return items.order_by("-date", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    subtitle = NewsRssFeed.description
