from django.db import migrations, models


class Migration(migrations.Migration):
    """Objects get the stable code an import file names them by, and the kind bin-cleaning
    point (垃圾桶清洗点)."""

    dependencies = [
        ("inspections", "0004_inspector_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionobject",
            name="code",
            field=models.CharField(
                blank=True,
                help_text="Stable identifier from the import file; letters, digits, '-', '_' and '.'.",
                max_length=40,
                verbose_name="code",
            ),
        ),
        migrations.AlterField(
            model_name="inspectionobject",
            name="kind",
            field=models.CharField(
                choices=[
                    ("road", "Road segment"),
                    ("alley", "Back alley"),
                    ("market", "Market"),
                    ("toilet", "Public toilet"),
                    ("refuse", "Refuse collection point"),
                    ("park", "Park"),
                    ("bin", "Bin-cleaning point"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="kind",
            field=models.CharField(
                choices=[
                    ("road", "Road segment"),
                    ("alley", "Back alley"),
                    ("market", "Market"),
                    ("toilet", "Public toilet"),
                    ("refuse", "Refuse collection point"),
                    ("park", "Park"),
                    ("bin", "Bin-cleaning point"),
                ],
                max_length=10,
                verbose_name="object kind",
            ),
        ),
        migrations.AlterField(
            model_name="inspectionplan",
            name="kind",
            field=models.CharField(
                choices=[
                    ("road", "Road segment"),
                    ("alley", "Back alley"),
                    ("market", "Market"),
                    ("toilet", "Public toilet"),
                    ("refuse", "Refuse collection point"),
                    ("park", "Park"),
                    ("bin", "Bin-cleaning point"),
                ],
                max_length=10,
                verbose_name="object kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionobject",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("code",),
                name="inspection_object_code_unique",
            ),
        ),
    ]
