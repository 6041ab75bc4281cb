from django.core.paginator import Paginator
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.selectors import search_pages

SEARCH_PAGE_SIZE = 10
SEARCH_QUERY_MAX_LENGTH = 100


@require_GET
def search(request):
    """Full-text search over the published pages of the current site."""
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = []
    site = Site.find_for_request(request)
    if query and site is not None:
        results = search_pages(site=site, query=query)
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cms/search.html", {"search_query": query, "search_results": page})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
