"""The staff roles (Django groups) and what each may do: the one place that says so.

Migrations call :func:`sync_roles` with the historical app registry whenever a role or a
permission changes, so every database converges to this table. It is idempotent.
"""

from django.contrib.auth.management import create_permissions

# Each role has a stable ASCII key (used in code) and a Chinese label (the group's name when it
# is created). A group is found by the marker permission ``portal.role_<key>`` it holds, never by
# its name, so an administrator may rename a group without locking anyone out.
PUBLICITY_EDITOR = "publicity_editor"
PUBLICITY_MODERATOR = "publicity_moderator"
# The case workflow (complaints/cases/workflow.py says which role may fire which action).
INTAKE_OPERATOR = "intake_operator"
DEPARTMENT_HANDLER = "department_handler"
SUPERVISOR = "supervisor"
# The reward fund (complaints/rewards/services/claims.py): four eyes, and an auditor who sees no identity.
REWARD_OFFICER = "reward_officer"
REWARD_APPROVER = "reward_approver"
AUDITOR = "auditor"
# Third-party inspections (inspections app): objects, standards, inspections and findings.
INSPECTION_MANAGER = "inspection_manager"
# A third-party inspector: the phone screen of their own assignments (inspections/views.py). The
# admin access only lets them sign in and manage their second factor; their admin menu is empty.
INSPECTOR = "inspector"
# A maintenance contractor's (or a department's) staff: the findings and scores of the objects
# their unit is responsible for, and contests of findings (inspections/contests.py). Their unit
# is their DepartmentMembership, as for handlers.
CONTRACTOR = "contractor"

LABELS: dict[str, str] = {
    PUBLICITY_EDITOR: "宣传编辑",
    PUBLICITY_MODERATOR: "宣传审核员",
    INTAKE_OPERATOR: "受理员",
    DEPARTMENT_HANDLER: "处置单位",
    SUPERVISOR: "监督员",
    REWARD_OFFICER: "奖励专员",
    REWARD_APPROVER: "奖励审批人",
    AUDITOR: "审计员",
    INSPECTION_MANAGER: "督查管理",
    INSPECTOR: "第三方督查员",
    CONTRACTOR: "养护单位",
}


def marker_codename(role: str) -> str:
    """The codename of the permission that marks ``role``'s group (app label ``portal``)."""
    return f"role_{role}"


def label(role: str) -> str:
    return LABELS.get(role, role)


ACCESS_ADMIN = "wagtailadmin.access_admin"

# The performance statistics screen and the score formula's versions (indicators app).
STATISTICS_PERMISSIONS = ["indicators.view_statistics", "indicators.view_scoreweights"]
# Only the own town's statistics: with membership of a town-level department (indicators/
# town_scope.py); a handler of a district department sees none.
TOWN_STATISTICS_PERMISSIONS = ["indicators.view_town_statistics"]
# The monthly assessment bulletins: read them, and make one on demand.
BULLETIN_PERMISSIONS = ["indicators.view_bulletin"]

# Wagtail's "Translate" action: copy a page into the English tree (docs/publishing.md).
SUBMIT_TRANSLATION = "simple_translation.submit_translation"

# Model permissions per role, as "app_label.codename".
MODEL_PERMISSIONS: dict[str, list[str]] = {
    PUBLICITY_EDITOR: [ACCESS_ADMIN, SUBMIT_TRANSLATION],
    PUBLICITY_MODERATOR: [ACCESS_ADMIN, "cms.change_portalsettings", SUBMIT_TRANSLATION],
    INTAKE_OPERATOR: [ACCESS_ADMIN, "complaints.view_report", "complaints.view_responsetemplate"],
    DEPARTMENT_HANDLER: [
        ACCESS_ADMIN,
        "complaints.view_report",
        "complaints.view_responsetemplate",
        *TOWN_STATISTICS_PERMISSIONS,
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
        *STATISTICS_PERMISSIONS,
        *BULLETIN_PERMISSIONS,
        "indicators.add_bulletin",
        # Attach hot spots to campaigns and take them off (indicators/hotspot_views.py).
        *(f"indicators.{verb}_hotspotcampaign" for verb in ("add", "delete", "view")),
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
        *STATISTICS_PERMISSIONS,
        *BULLETIN_PERMISSIONS,
    ],
    INSPECTION_MANAGER: [
        ACCESS_ADMIN,
        *(
            f"inspections.{verb}_{model}"
            for model in ("inspectionobject", "standard", "standarditem")
            for verb in ("add", "change", "delete", "view")
        ),
        "inspections.view_inspection",
        "inspections.view_finding",
        # Inspection companies, plans and their assignments (the conflict-of-interest rule).
        *(
            f"inspections.{verb}_{model}"
            for model in ("inspectioncompany", "inspectionplan")
            for verb in ("add", "change", "delete", "view")
        ),
        *(f"inspections.{verb}_assignment" for verb in ("change", "delete", "view")),
        # Uphold or reject contractors' contests of findings (inspections/contests.py).
        "inspections.view_contest",
        "inspections.decide_contest",
    ],
    INSPECTOR: [ACCESS_ADMIN],
    CONTRACTOR: [ACCESS_ADMIN, "inspections.contest_finding"],
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


def _permissions(apps, dotted_names):
    """The permissions of ``dotted_names``, leaving out those that do not exist yet at this point
    of the migration history: an app, a model or a model's own permission (Meta.permissions)
    whose migration is still ahead. The migration that adds it syncs the roles again."""
    found = []
    for dotted in dotted_names:
        app_label, codename = dotted.split(".")
        try:
            apps.get_app_config(app_label)
        except LookupError:
            continue
        if _permission_exists(apps, app_label, codename):
            found.append(_permission(apps, dotted))
    return found


def _permission_exists(apps, app_label: str, codename: str) -> bool:
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def _ensure_permissions_exist(apps):
    # Permissions are normally created after all migrations ran; a data migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def _marker_permission(apps, role: str):
    """The role's marker permission, or None before the migration that introduced markers."""
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="portal", codename=marker_codename(role)
    ).first()


def _role_group(apps, role: str):
    """The role's group: the one holding its marker, else (older databases, early migrations)
    the one named by its label, else a new group named by its label."""
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(
        permissions__content_type__app_label="portal",
        permissions__codename=marker_codename(role),
    ).first()
    if group is None:
        group, _ = Group.objects.get_or_create(name=LABELS[role])
    return group


def sync_roles(apps, schema_editor=None):
    """Create or update every role group, its permissions and the moderation workflow."""
    _ensure_permissions_exist(apps)
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)
    for role in ROLES:
        group = _role_group(apps, role)
        marker = _marker_permission(apps, role)
        group.permissions.set(
            _permissions(apps, MODEL_PERMISSIONS[role]) + ([marker] if marker else [])
        )
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
    task.groups.set([_role_group(apps, role) for role in MODERATION_GROUPS])
    workflow, _ = Workflow.objects.get_or_create(
        name=MODERATION_WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})


# --- At run time (the project's app registry) ---------------------------------------------------


def group(role: str):
    """The Django group of ``role`` (found by its marker permission, whatever its name)."""
    from django.contrib.auth.models import Group

    return Group.objects.get(
        permissions__content_type__app_label="portal",
        permissions__codename=marker_codename(role),
    )


def user_has_role(user, role: str) -> bool:
    """Whether ``user`` belongs to ``role``'s group (superusers do not, unless they do)."""
    return user_roles_of(user) >= {role}


def user_roles_of(user) -> set[str]:
    """The role keys of ``user``'s groups, read once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        from django.contrib.auth.models import Permission

        codenames = Permission.objects.filter(
            content_type__app_label="portal",
            codename__startswith="role_",
            group__user=user,
        ).values_list("codename", flat=True)
        cached = {c.removeprefix("role_") for c in codenames} & set(LABELS)
        user._portal_roles = cached
    return cached


def users_in(role: str):
    """The users of ``role``'s group."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        groups__permissions__content_type__app_label="portal",
        groups__permissions__codename=marker_codename(role),
    )
