from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    """The case-workflow roles: intake operator, department handler, supervisor."""

    dependencies = [
        ("portal", "0001_roles"),
        ("complaints", "0003_case_workflow"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
