"""The staff roles (Django groups) and what each may do: the one place that says so.

Migrations call :func:`sync_roles` with the historical app registry whenever a role or a
permission changes, so every database converges to this table. It is idempotent.
"""

from django.contrib.auth.management import create_permissions

PUBLICITY_EDITOR = "宣传编辑"
PUBLICITY_MODERATOR = "宣传审核员"
# The case workflow (complaints/workflow.py says which role may fire which action).
INTAKE_OPERATOR = "受理员"
DEPARTMENT_HANDLER = "处置单位"
SUPERVISOR = "监督员"
# The reward fund (complaints/services/rewards.py): four eyes, and an auditor who sees no identity.
REWARD_OFFICER = "奖励专员"
REWARD_APPROVER = "奖励审批人"
AUDITOR = "审计员"

ACCESS_ADMIN = "wagtailadmin.access_admin"

# Model permissions per role, as "app_label.codename".
MODEL_PERMISSIONS: dict[str, list[str]] = {
    PUBLICITY_EDITOR: [ACCESS_ADMIN],
    PUBLICITY_MODERATOR: [ACCESS_ADMIN, "cms.change_portalsettings"],
    INTAKE_OPERATOR: [ACCESS_ADMIN, "complaints.view_report", "complaints.view_responsetemplate"],
    DEPARTMENT_HANDLER: [
        ACCESS_ADMIN,
        "complaints.view_report",
        "complaints.view_responsetemplate",
    ],
    SUPERVISOR: [
        ACCESS_ADMIN,
        "complaints.view_report",
        *(
            f"complaints.{verb}_{model}"
            for model in ("holiday", "routingrule", "responsetemplate")
            for verb in ("add", "change", "delete", "view")
        ),
        "complaints.view_satisfactionresponse",
    ],
    REWARD_OFFICER: [
        ACCESS_ADMIN,
        "complaints.view_report",
        "complaints.view_rewardclaim",
        "complaints.assess_rewardclaim",
        "complaints.pay_rewardclaim",
        "complaints.reveal_informant",
        *(f"complaints.{verb}_rewardrule" for verb in ("add", "change", "view")),
        *(f"complaints.{verb}_rewardexclusion" for verb in ("add", "delete", "view")),
        "complaints.view_rewardfund",
        "complaints.view_ledgerentry",
    ],
    REWARD_APPROVER: [
        ACCESS_ADMIN,
        "complaints.view_report",
        "complaints.view_rewardclaim",
        "complaints.approve_rewardclaim",
        "complaints.reveal_informant",
        "complaints.view_rewardrule",
        *(f"complaints.{verb}_rewardfund" for verb in ("add", "change", "view")),
        "complaints.view_ledgerentry",
        "complaints.allocate_ledgerentry",
    ],
    AUDITOR: [
        ACCESS_ADMIN,
        "complaints.view_rewardclaim",
        "complaints.view_rewardrule",
        "complaints.view_rewardfund",
        "complaints.view_ledgerentry",
        "complaints.view_piiaccess",
        "complaints.view_dataexport",
        "complaints.view_identityerasure",
    ],
}

# Page permissions over the whole tree (granted at the root page).
PAGE_PERMISSIONS: dict[str, list[str]] = {
    PUBLICITY_EDITOR: ["add_page", "change_page", "lock_page"],
    PUBLICITY_MODERATOR: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}

# Image and document permissions over the root collection.
COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    PUBLICITY_EDITOR: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    PUBLICITY_MODERATOR: [
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.delete_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.delete_document",
        "wagtaildocs.choose_document",
    ],
}

# The site-wide moderation workflow: every page change is approved by these groups.
MODERATION_WORKFLOW_NAME = "宣传内容审核"
MODERATION_TASK_NAME = "宣传审核员审批"
MODERATION_GROUPS = [PUBLICITY_MODERATOR]

# Roles that may reveal a reporter's contact details on a case page (each reveal is logged).
CONTACT_REVEAL_ROLES = [INTAKE_OPERATOR, SUPERVISOR]
# Roles that may open an informant's sealed identity (also the permission reveal_informant).
IDENTITY_REVEAL_ROLES = [REWARD_OFFICER, REWARD_APPROVER]
# Roles that must sign in with a second factor (TOTP), like superusers: they can open informants'
# identities, move reward money or read the audit trail. Everyone else may turn it on.
TWO_FACTOR_ROLES = [REWARD_OFFICER, REWARD_APPROVER, AUDITOR]

ROLES = list(MODEL_PERMISSIONS)


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _ensure_permissions_exist(apps):
    # Permissions are normally created after all migrations ran; a data migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def sync_roles(apps, schema_editor=None):
    """Create or update every role group, its permissions and the moderation workflow."""
    _ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(apps, p) for p in MODEL_PERMISSIONS[role]])
        wanted_page_perms = [
            _permission(apps, f"wagtailcore.{codename}")
            for codename in PAGE_PERMISSIONS.get(role, [])
        ]
        GroupPagePermission.objects.filter(group=group).exclude(
            page=root_page, permission__in=wanted_page_perms
        ).delete()
        for permission in wanted_page_perms:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=permission
            )
        wanted_collection_perms = [
            _permission(apps, p) for p in COLLECTION_PERMISSIONS.get(role, [])
        ]
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=wanted_collection_perms
        ).delete()
        for permission in wanted_collection_perms:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    _sync_moderation_workflow(apps, root_page)


def _sync_moderation_workflow(apps, root_page):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task, _ = GroupApprovalTask.objects.get_or_create(
        name=MODERATION_TASK_NAME, defaults={"content_type": task_type, "active": True}
    )
    task.groups.set(Group.objects.filter(name__in=MODERATION_GROUPS))
    workflow, _ = Workflow.objects.get_or_create(
        name=MODERATION_WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
