"""Publicity editors and moderators may use the page explorer's "Translate" action (Wagtail's
simple translation), whose permission exists once simple_translation's migration has run."""

from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_target_live_figure"),
        ("simple_translation", "0001_initial"),
        ("portal", "0005_chinese_root_and_workflow_names"),
        ("indicators", "0004_bulletin"),
        ("complaints", "0013_english_texts"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
