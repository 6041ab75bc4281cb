from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponseTemplate(models.Model):
    """A ready-made public note staff can start from, per category (or any) and target state."""

    title = models.CharField(_("title"), max_length=80)
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        help_text=_("Empty: offered for every category."),
    )
    action = models.CharField(
        _("workflow action"),
        max_length=30,
        blank=True,
        help_text=_("Empty: offered for every action."),
    )
    text = models.TextField(_("text"), max_length=2000)

    class Meta:
        ordering = ["title"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self):
        return self.title
