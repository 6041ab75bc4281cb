from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    """The role group 养护单位 (contests of findings), and the 督查管理 role's decision of them."""

    dependencies = [
        ("inspections", "0006_contests"),
        ("portal", "0008_contractor_role_marker"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
