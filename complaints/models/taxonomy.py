from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Department(index.Indexed, models.Model):
    """A responsible unit (责任单位) at district or town level."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        TOWN = "town", _("Town or sub-district")

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.DISTRICT)
    town = models.ForeignKey(
        "complaints.Town",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        help_text=_("Only for town-level departments."),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("level"),
    ]

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class CategoryKind(models.TextChoices):
    EVENT = "event", _("Event")
    COMPONENT = "component", _("Component")


class TimeUnit(models.TextChoices):
    EMERGENCY_HOURS = "emergency_hours", _("emergency hours")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


QUESTION_TYPES = ("text", "number", "choice", "date")


def validate_extra_questions(value):
    """Extra questions are a list of {key, label, type, required?, choices?, help?}."""
    from django.core.exceptions import ValidationError

    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise ValidationError(_("Extra questions must be a list."))
    keys = set()
    for number, question in enumerate(value, start=1):
        if not isinstance(question, dict):
            raise ValidationError(_("Question %(n)s must be an object.") % {"n": number})
        key = question.get("key")
        if not isinstance(key, str) or not key.isidentifier() or key in keys:
            raise ValidationError(
                _("Question %(n)s needs a unique key made of letters, digits and _.")
                % {"n": number}
            )
        keys.add(key)
        if not isinstance(question.get("label"), str) or not question["label"].strip():
            raise ValidationError(_("Question %(n)s needs a label.") % {"n": number})
        if question.get("type") not in QUESTION_TYPES:
            raise ValidationError(
                _("Question %(n)s: the type must be one of %(types)s.")
                % {"n": number, "types": ", ".join(QUESTION_TYPES)}
            )
        if question["type"] == "choice":
            choices = question.get("choices")
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c for c in choices)
            ):
                raise ValidationError(
                    _("Question %(n)s: a choice question needs a list of choices.") % {"n": number}
                )
            choices_en = question.get("choices_en")
            if choices_en is not None and (
                not isinstance(choices_en, list)
                or len(choices_en) != len(choices)
                or not all(isinstance(c, str) and c for c in choices_en)
            ):
                raise ValidationError(
                    _("Question %(n)s: choices_en must list every choice, in the same order.")
                    % {"n": number}
                )


two_digits = RegexValidator(r"^\d{2}$", _("Enter exactly two digits."))
four_digits = RegexValidator(r"^\d{4}$", _("Enter exactly four digits."))


class Category(index.Indexed, models.Model):
    """A complaint category in the national two-level code (major + minor), per kind."""

    kind = models.CharField(_("kind"), max_length=10, choices=CategoryKind)
    major_code = models.CharField(_("major class code"), max_length=2, validators=[two_digits])
    major_name = models.CharField(_("major class"), max_length=40)
    major_name_en = models.CharField(_("major class in English"), max_length=80, blank=True)
    code = models.CharField(
        _("code"), max_length=4, validators=[four_digits], help_text=_("Major + minor code.")
    )
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    hint = models.TextField(_("hint"), blank=True, max_length=500)
    hint_en = models.TextField(_("hint in English"), blank=True, max_length=800)
    default_department = models.ForeignKey(
        Department,
        verbose_name=_("default department"),
        on_delete=models.PROTECT,
        related_name="default_categories",
    )
    time_limit = models.PositiveIntegerField(
        _("handling time limit"), validators=[MinValueValidator(1)]
    )
    time_unit = models.CharField(_("time unit"), max_length=16, choices=TimeUnit)
    anonymous_allowed = models.BooleanField(_("anonymous reports allowed"), default=True)
    public_allowed = models.BooleanField(_("reports may be shown publicly"), default=True)
    reward_eligible = models.BooleanField(_("reward-eligible"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    extra_questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        validators=[validate_extra_questions],
        help_text=_(
            'Asked when this category is chosen: a list of {"key", "label", "type": text, '
            'number, choice or date, "required": true/false, "choices": [...], "help"}; '
            'for the English site add "label_en", "help_en" and "choices_en" (the same '
            "choices in the same order)."
        ),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("name_en"),
        index.FilterField("kind"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="category_unique_code_per_kind"),
            models.CheckConstraint(
                condition=models.Q(time_limit__gte=1), name="category_time_limit_positive"
            ),
        ]

    def __str__(self):
        # For staff: the class with the code, since events and components share codes.
        return f"{self.get_kind_display()} {self.code} {self.name}"

    @property
    def full_code(self) -> str:
        """Kind-qualified code, unique across the taxonomy (events and components share codes)."""
        return f"{'E' if self.kind == CategoryKind.EVENT else 'C'}{self.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.reward_eligible and self.kind == CategoryKind.COMPONENT:
            raise ValidationError(
                {
                    "reward_eligible": _(
                        "Only event categories (violations) can earn a reward; a component is "
                        "a public facility."
                    )
                }
            )
        if self.code and self.major_code and not self.code.startswith(self.major_code):
            raise ValidationError(
                {
                    "code": _("The code must start with the major class code %(major)s.")
                    % {"major": self.major_code}
                }
            )
