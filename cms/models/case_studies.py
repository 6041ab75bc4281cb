from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from cms.models.base import BasePage


class CaseStudyIndexPage(BasePage):
    """Lists exemplary cases, newest first."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CaseStudyPage"]
    max_count = 1

    class Meta:
        verbose_name = _("exemplary case index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["case_studies"] = (
            CaseStudyPage.objects.child_of(self)
            .live()
            .select_related(
                "town", "community", "category", "before_image", "after_image", "listing_image"
            )
            .order_by("-completed_on")
        )
        return context


class CaseStudyPage(BasePage):
    """An exemplary case: a problem, what was done, and the result, with before/after photos."""

    completed_on = models.DateField(_("completed on"))
    town = models.ForeignKey(
        "complaints.Town",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        "complaints.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("before photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    before_alt_text = models.CharField(_("before photo description"), max_length=200, blank=True)
    after_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("after photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    after_alt_text = models.CharField(_("after photo description"), max_length=200, blank=True)
    problem = RichTextField(_("the problem"), features=["bold", "italic", "link", "ul"])
    actions = RichTextField(_("what was done"), features=["bold", "italic", "link", "ol", "ul"])
    outcome = RichTextField(_("outcome"), features=["bold", "italic", "link", "ul"])

    search_fields = [
        *BasePage.search_fields,
        index.SearchField("problem"),
        index.SearchField("actions"),
        index.SearchField("outcome"),
    ]
    content_panels = [
        *BasePage.content_panels,
        FieldPanel("completed_on"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("town"), FieldPanel("community")]), FieldPanel("category")],
            heading=_("Place and category"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("before_image"), FieldPanel("before_alt_text")]),
                FieldRowPanel([FieldPanel("after_image"), FieldPanel("after_alt_text")]),
            ],
            heading=_("Before and after"),
        ),
        FieldPanel("problem"),
        FieldPanel("actions"),
        FieldPanel("outcome"),
    ]
    parent_page_types = ["cms.CaseStudyIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("exemplary case")
        verbose_name_plural = _("exemplary cases")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.community_id and self.town_id and self.community.town_id != self.town_id:
            raise ValidationError({"community": _("This community is not in the chosen town.")})
        if self.before_image_id and not self.before_alt_text:
            raise ValidationError({"before_alt_text": _("Describe the before photo.")})
        if self.after_image_id and not self.after_alt_text:
            raise ValidationError({"after_alt_text": _("Describe the after photo.")})
