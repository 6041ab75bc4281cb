from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_inspector_role_marker"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="rolemarker",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": [
                    ("role_publicity_editor", "角色：宣传编辑"),
                    ("role_publicity_moderator", "角色：宣传审核员"),
                    ("role_intake_operator", "角色：受理员"),
                    ("role_department_handler", "角色：处置单位"),
                    ("role_supervisor", "角色：监督员"),
                    ("role_reward_officer", "角色：奖励专员"),
                    ("role_reward_approver", "角色：奖励审批人"),
                    ("role_auditor", "角色：审计员"),
                    ("role_inspection_manager", "角色：督查管理"),
                    ("role_inspector", "角色：第三方督查员"),
                    ("role_contractor", "角色：养护单位"),
                ],
                "verbose_name": "role marker",
            },
        ),
    ]
