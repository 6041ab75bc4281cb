"""The hot spots screens of the Wagtail admin: the list with its map, one hot spot's cases, and
attaching a hot spot to a campaign (集中整治)."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms import live_figures
from complaints.models import Category, GridCell, Town
from indicators import charts
from indicators.hotspots import (
    Cluster,
    HotSpot,
    category_and_cell,
    detect,
    end_of_day,
    histories,
    hot_spot_cases,
    rules,
)
from indicators.models import HotSpotCampaign
from indicators.views import may_view_statistics

PER_PAGE = 50
ATTACH_PERMISSION = "indicators.add_hotspotcampaign"
DETACH_PERMISSION = "indicators.delete_hotspotcampaign"


def may_attach(user) -> bool:
    return bool(user.is_active and user.has_perm(ATTACH_PERMISSION))


def campaign_pages():
    # By model label, not by import: indicators never imports cms' page models (.importlinter).
    return apps.get_model("cms", "CampaignPage").objects.order_by("-start_date", "title")


class HotSpotFilterForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("As of the day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The window ends with this day; empty: today."),
    )
    town = forms.ModelChoiceField(
        label=gettext_lazy("Town"),
        queryset=Town.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    recurring = forms.BooleanField(label=gettext_lazy("Recurring only"), required=False)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "day": data.get("day") or timezone.localdate(),
            "town": data.get("town"),
            "category": data.get("category"),
            "recurring": bool(data.get("recurring")),
        }


class AttachForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=HotSpotCampaign.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaign_pages()


class HotSpotPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_view_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _url(spot: HotSpot) -> str:
    return reverse("indicators_hotspot", args=[spot.cell_id, spot.category_id])


def _row(cluster: Cluster, campaigns: dict) -> dict:
    """One row of the list: a cluster of one or more neighbouring cells of one category."""
    attached: list = []
    for spot in cluster.spots:
        attached += [c for c in campaigns.get(spot.key, []) if c not in attached]
    return {
        "cluster": cluster,
        "spot": cluster.lead,
        "cells": [{"spot": spot, "url": _url(spot)} for spot in cluster.spots],
        "sparkline": charts.sparkline(cluster.counts),
        "url": _url(cluster.lead),
        "campaigns": attached,
    }


def _campaigns_by_pair(pairs: set[tuple[int, int]]) -> dict:
    found: dict[tuple[int, int], list] = {}
    if not pairs:
        return found
    links = HotSpotCampaign.objects.filter(
        grid_cell_id__in={cell for cell, _c in pairs},
        category_id__in={category for _c, category in pairs},
    ).select_related("campaign")
    for link in links:
        found.setdefault((link.grid_cell_id, link.category_id), []).append(link.campaign)
    return found


class HotSpotListView(HotSpotPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Supervisors' list of hot spots: counts in the window, trend, recurrence, map."""

    template_name = "indicators/hotspots/index.html"
    page_title = gettext_lazy("Hot spots")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = HotSpotFilterForm(self.request.GET or None)
        filters = form.filters()
        detection = detect(
            as_of=end_of_day(filters["day"]),
            town_id=getattr(filters["town"], "pk", None),
            category_id=getattr(filters["category"], "pk", None),
        )
        # Neighbouring hot cells of one category are one hot spot (a cluster); "recurring
        # only" keeps the clusters with a recurring cell, whole.
        clusters = detection.clusters
        if filters["recurring"]:
            clusters = [cluster for cluster in clusters if cluster.is_recurring]
            detection.hot_spots = [spot for cluster in clusters for spot in cluster.spots]
        # The table is paged (the biggest first); the map shows every hot cell.
        page = Paginator(clusters, PER_PAGE).get_page(self.request.GET.get("p"))
        campaigns = _campaigns_by_pair(
            {spot.key for cluster in page.object_list for spot in cluster.spots}
        )
        rows = [_row(cluster, campaigns) for cluster in page.object_list]
        polygons = dict(
            GridCell.objects.filter(
                pk__in={spot.cell_id for spot in detection.hot_spots}, polygon__isnull=False
            ).values_list("pk", "polygon")
        )
        # One shape per cell, naming its hot spots (biggest first), linking to the biggest.
        features: dict[int, dict] = {}
        for spot in detection.hot_spots:
            if spot.cell_id not in polygons:
                continue
            feature = features.get(spot.cell_id)
            if feature is None:
                feature = features[spot.cell_id] = {
                    "type": "Feature",
                    "geometry": polygons[spot.cell_id],
                    "properties": {
                        "label": spot.cell_name,
                        "count": 0,
                        "recurring": False,
                        "url": reverse("indicators_hotspot", args=[spot.cell_id, spot.category_id]),
                    },
                }
            properties = feature["properties"]
            properties["label"] += f" · {spot.category_name}"
            properties["count"] += spot.count
            properties["recurring"] = properties["recurring"] or spot.is_recurring
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            form=form,
            detection=detection,
            rules=detection.rules,
            window_first=detection.windows[-1][0],
            window_last=filters["day"],
            rows=rows,
            page=page,
            page_query=query.urlencode(),
            total=len(clusters),
            cell_total=len(detection.hot_spots),
            recurring_count=sum(1 for cluster in clusters if cluster.is_recurring),
            map_data={"type": "FeatureCollection", "features": list(features.values())},
            map_center=",".join(str(c) for c in _map_center()),
        )
        return context


def _map_center() -> tuple[float, float]:
    from django.conf import settings

    lat, lng = getattr(settings, "COMPLAINTS_MAP_CENTER", (31.55, 120.25))
    return (lat, lng)


class HotSpotDetailView(HotSpotPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """One cell and category: its counts, fixes and recurrences, the cases behind it, and the
    campaigns it is attached to."""

    template_name = "indicators/hotspots/detail.html"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.cell, self.category = category_and_cell(
                cell_id=kwargs["cell_id"], category_id=kwargs["category_id"]
            )
        except (GridCell.DoesNotExist, Category.DoesNotExist) as exc:
            raise Http404 from exc
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Hot spot: %(cell)s, %(category)s") % {
            "cell": self.cell.name,
            "category": self.category.name,
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("indicators_hotspots"), "label": _("Hot spots")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        r = rules()
        detection = detect(category_id=self.category.pk, cell_id=self.cell.pk)
        spot = next(
            (s for s in detection.hot_spots if s.cell_id == self.cell.pk),
            None,
        )
        key = (self.cell.pk, self.category.pk)
        history = spot.history if spot else histories({key}, since=detection.start)[key]
        cases = list(
            hot_spot_cases(
                cell_id=self.cell.pk, category_id=self.category.pk, since=detection.start
            )
        )
        links = list(
            HotSpotCampaign.objects.filter(
                grid_cell_id=self.cell.pk, category_id=self.category.pk
            ).select_related("campaign", "attached_by")
        )
        context.update(
            cell=self.cell,
            category=self.category,
            spot=spot,
            history=history,
            rules=r,
            detection=detection,
            sparkline=charts.sparkline(spot.counts) if spot else None,
            window_counts=list(zip(detection.windows, spot.counts, strict=True)) if spot else [],
            cases=[
                {"report": report, "url": reverse("complaints_case", args=[report.pk])}
                for report in cases
            ],
            links=links,
            attach_form=AttachForm() if may_attach(self.request.user) else None,
            may_detach=self.request.user.has_perm(DETACH_PERMISSION),
            map_data={
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": self.cell.polygon,
                        "properties": {"label": self.cell.name, "count": spot.count if spot else 0},
                    }
                ]
                if self.cell.polygon
                else [],
            },
            map_center=",".join(str(c) for c in _map_center()),
        )
        return context


class HotSpotAttachView(View):
    """Attach the hot spot to a campaign (POST), then back to the hot spot."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not (may_view_statistics(request.user) and may_attach(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, cell_id: int, category_id: int):
        try:
            cell, category = category_and_cell(cell_id=cell_id, category_id=category_id)
        except (GridCell.DoesNotExist, Category.DoesNotExist) as exc:
            raise Http404 from exc
        form = AttachForm(request.POST)
        if form.is_valid():
            campaign = form.cleaned_data["campaign"]
            _link, created = HotSpotCampaign.objects.get_or_create(
                campaign=campaign,
                grid_cell=cell,
                category=category,
                defaults={"attached_by": request.user},
            )
            if created:
                live_figures.figures_changed(campaign)
                messages.success(
                    request,
                    _("Attached to the campaign “%(campaign)s”.") % {"campaign": campaign.title},
                )
            else:
                messages.info(request, _("Already attached to this campaign."))
        else:
            messages.error(request, _("Choose a campaign."))
        return redirect("indicators_hotspot", cell_id=cell.pk, category_id=category.pk)


class HotSpotDetachView(View):
    """Take the hot spot off a campaign (POST)."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (may_view_statistics(user) and user.is_active and user.has_perm(DETACH_PERMISSION)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk: int):
        try:
            link = HotSpotCampaign.objects.get(pk=pk)
        except HotSpotCampaign.DoesNotExist as exc:
            raise Http404 from exc
        link.delete()
        live_figures.figures_changed(link.campaign)
        messages.success(request, _("Taken off the campaign."))
        return redirect(
            "indicators_hotspot", cell_id=link.grid_cell_id, category_id=link.category_id
        )
