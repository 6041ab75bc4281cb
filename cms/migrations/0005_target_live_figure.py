# Targets that count themselves (a live figure, optionally about a campaign) and the campaigns' hot-spot target.

import django.db.models.deletion
from django.db import migrations, models

import cms.live_figures


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_portal_settings_english"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaignpage",
            name="hot_spot_target",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="How many of the hot spots attached to the campaign should be fixed and not come back. Supervisors attach hot spots on the hot spots screen.",
                null=True,
                verbose_name="hot spots to fix",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                help_text="For figures about a campaign's hot spots.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cms.campaignpage",
                verbose_name="campaign",
            ),
        ),
        migrations.AddField(
            model_name="target",
            name="live_figure",
            field=models.CharField(
                blank=True,
                choices=cms.live_figures.choices,
                help_text="Leave empty to enter the achieved figure by hand. A figure counted from the case data replaces the achieved figure on the page.",
                max_length=60,
                verbose_name="counted from",
            ),
        ),
    ]
