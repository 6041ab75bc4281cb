import datetime

from django.db import migrations

from portal.roles import sync_roles

# The first version of the score formula (docs/indicators.md); administrators add new versions.
DEFAULT_WEIGHTS = {
    "on_time_rate": 40,
    "closure_rate": 20,
    "satisfaction_rate": 30,
    "rework_free_rate": 10,
    "response_rate": 0,
}


def default_weights(apps, schema_editor):
    ScoreWeights = apps.get_model("indicators", "ScoreWeights")
    if not ScoreWeights.objects.exists():
        ScoreWeights.objects.create(
            version=1,
            effective_from=datetime.date(2000, 1, 1),
            note="初始权重",
            **DEFAULT_WEIGHTS,
        )


class Migration(migrations.Migration):
    """Supervisors and auditors see the performance statistics and the score weights; the first
    version of the weights."""

    dependencies = [
        ("indicators", "0001_initial"),
        ("portal", "0004_role_markers"),
        ("complaints", "0011_report_state_deadline_index"),
    ]

    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(default_weights, migrations.RunPython.noop),
    ]
