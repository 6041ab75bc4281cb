from django.db import migrations

from portal.roles import sync_roles


class Migration(migrations.Migration):
    """The reward-fund roles: reward officer, reward approver, auditor."""

    dependencies = [
        ("portal", "0002_case_roles"),
        ("complaints", "0007_rewards"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
