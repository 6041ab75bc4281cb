from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    """The role group 督查管理 manages inspection objects and standards and reads inspections."""

    dependencies = [
        ("inspections", "0001_initial"),
        ("portal", "0006_inspection_role_marker"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
