from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    """The role group 第三方督查员 (the phone screen), and the 督查管理 role's permissions over
    inspection companies, plans and assignments."""

    dependencies = [
        ("inspections", "0003_plans_assignments_flags"),
        ("portal", "0007_inspector_role_marker"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
