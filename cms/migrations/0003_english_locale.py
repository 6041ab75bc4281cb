"""Content localisation (issue 13): Simplified Chinese is the default locale, English the second.

Wagtail's own migration created one locale from LANGUAGE_CODE when the database was made; this
makes sure both content languages exist and that every page made before localisation was
switched on stays in the Chinese tree, whatever locale code it was given then.
"""

from django.db import migrations

DEFAULT = "zh-hans"
CONTENT_LANGUAGES = (DEFAULT, "en")


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    chinese, _ = Locale.objects.get_or_create(language_code=DEFAULT)
    Locale.objects.get_or_create(language_code="en")
    # Pages of a locale that is not a content language (a database made with another
    # LANGUAGE_CODE) belong to the Chinese tree.
    others = Locale.objects.exclude(language_code__in=CONTENT_LANGUAGES)
    Page.objects.filter(locale__in=others).update(locale=chinese)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_reward_scheme_page"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
