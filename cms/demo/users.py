"""One demo user per staff role; passwords are random and printed once, at creation."""

import secrets

from django.contrib.auth import get_user_model

from portal import roles

DEMO_USERS = {
    roles.PUBLICITY_EDITOR: "demo_editor",
    roles.PUBLICITY_MODERATOR: "demo_moderator",
    roles.INTAKE_OPERATOR: "demo_intake",
    roles.DEPARTMENT_HANDLER: "demo_handler",
    roles.SUPERVISOR: "demo_supervisor",
    roles.REWARD_OFFICER: "demo_reward_officer",
    roles.REWARD_APPROVER: "demo_reward_approver",
    roles.AUDITOR: "demo_auditor",
}
# The demo handler works for this department (key from complaints' reference data).
DEMO_HANDLER_DEPARTMENT = "sanitation"
DEMO_SUPERUSER = "demo_admin"


def seed_users(*, stdout) -> None:
    User = get_user_model()
    wanted = [(DEMO_SUPERUSER, None), *((u, role) for role, u in DEMO_USERS.items())]
    for username, role in wanted:
        user = User.objects.filter(username=username).first()
        if user is not None:
            stdout.write(f"  user {username}: exists, password unchanged")
            continue
        password = secrets.token_urlsafe(12)
        if role is None:
            User.objects.create_superuser(username, f"{username}@example.invalid", password)
        else:
            user = User.objects.create_user(
                username, f"{username}@example.invalid", password, is_staff=False
            )
            user.groups.add(roles.group(role))
        stdout.write(f"  user {username} ({role or 'superuser'}): password {password}")
    _seed_handler_membership()


def _seed_handler_membership() -> None:
    from complaints.models import Department, DepartmentMembership

    handler = get_user_model().objects.filter(username=DEMO_USERS[roles.DEPARTMENT_HANDLER]).first()
    department = Department.objects.filter(key=DEMO_HANDLER_DEPARTMENT).first()
    if handler is not None and department is not None:
        DepartmentMembership.objects.get_or_create(user=handler, department=department)
