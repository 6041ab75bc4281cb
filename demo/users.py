"""The demo accounts: a superuser, one user per staff role and a handler per department.

Passwords are random. In a DEBUG demo they are also kept in ``PORTAL_DATA_DIR/demo-accounts.json``
(readable by the owner only) so that ``manage.py demo_accounts`` can print them again; with
``--force`` (DEBUG off) they are printed once and never written down.
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
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
    # Third-party inspections (inspections/; `manage.py seed_inspections` adds their demo data).
    roles.INSPECTION_MANAGER: "demo_inspection",
    # The phone screen /inspector/ (`seed_inspections` gives it this month's markets).
    roles.INSPECTOR: "demo_inspector",
    # A maintenance unit's staff (养护单位): the findings and scores of the demo handler's
    # department's objects, and contests of them within the window.
    roles.CONTRACTOR: "demo_contractor",
}
# The demo handler works for this department (key from complaints' reference data).
DEMO_HANDLER_DEPARTMENT = "sanitation"
DEMO_SUPERUSER = "demo_admin"


def handler_username(department_key: str) -> str:
    """``demo_handler`` for sanitation, ``demo_handler_<key>`` for every other department."""
    if department_key == DEMO_HANDLER_DEPARTMENT:
        return DEMO_USERS[roles.DEPARTMENT_HANDLER]
    return f"demo_handler_{department_key}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None  # None: the superuser
    department: str = ""  # a handler's (or the contractor's) department name

    @property
    def role_label(self) -> str:
        return roles.label(self.role) if self.role else "超级管理员"


def demo_accounts() -> list[DemoAccount]:
    """Every demo account, in the order the table lists them."""
    from complaints.models import Department

    accounts = [DemoAccount(DEMO_SUPERUSER, None)]
    sanitation = Department.objects.filter(key=DEMO_HANDLER_DEPARTMENT).first()
    for role, username in DEMO_USERS.items():
        if role == roles.CONTRACTOR and sanitation is not None:
            accounts.append(DemoAccount(username, role, sanitation.name))
        elif role != roles.DEPARTMENT_HANDLER:
            accounts.append(DemoAccount(username, role))
    for department in Department.objects.order_by("pk"):
        accounts.append(
            DemoAccount(handler_username(department.key), roles.DEPARTMENT_HANDLER, department.name)
        )
    return accounts


def passwords_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-accounts.json"


def stored_passwords() -> dict[str, dict[str, str]]:
    """username → ``{"password": ..., "hash": ...}``: the password and the account's password
    hash when it was kept (an older file holds the bare password; its hash reads "")."""
    try:
        kept = json.loads(passwords_file().read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {
        username: value if isinstance(value, dict) else {"password": value, "hash": ""}
        for username, value in kept.items()
    }


def store_passwords(passwords: dict[str, str]) -> None:
    """Keep the demo passwords (a DEBUG demo only), readable by the owner alone, with each
    account's password hash: while the hash is unchanged the kept password is still valid, and
    the accounts table need not hash every password again (seconds per account on a loaded
    machine)."""
    if not settings.DEBUG or not passwords:
        return
    hashes = dict(
        get_user_model()
        .objects.filter(username__in=list(passwords))
        .values_list("username", "password")
    )
    path = passwords_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {
        **stored_passwords(),
        **{
            username: {"password": password, "hash": hashes.get(username, "")}
            for username, password in passwords.items()
        },
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(merged, handle, ensure_ascii=False, indent=1)


def kept_password(user, kept: dict[str, str] | None) -> str | None:
    """The kept password of ``user`` if it still signs in: its hash is the one kept with it
    (no hashing), or else the password checks."""
    if not kept or not kept.get("password"):
        return None
    if kept.get("hash") and kept["hash"] == user.password:
        return kept["password"]
    return kept["password"] if user.check_password(kept["password"]) else None


def seed_users(*, stdout) -> dict[str, str]:
    """Create the missing demo accounts; returns the new ones' passwords (username → password)."""
    from complaints.models import Department, DepartmentMembership

    User = get_user_model()
    created: dict[str, str] = {}
    departments = {d.name: d for d in Department.objects.all()}
    for account in demo_accounts():
        user = User.objects.filter(username=account.username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            email = f"{account.username}@example.invalid"
            if account.role is None:
                user = User.objects.create_superuser(account.username, email, password)
            else:
                user = User.objects.create_user(account.username, email, password, is_staff=False)
                user.groups.add(roles.group(account.role))
            created[account.username] = password
            stdout.write(f"  user {account.username} ({account.role or 'superuser'}): created")
        if account.department:
            DepartmentMembership.objects.get_or_create(
                user=user, department=departments[account.department]
            )
    store_passwords(created)
    return created


def reset_passwords() -> dict[str, str]:
    """New random passwords for every demo account that exists."""
    User = get_user_model()
    passwords = {}
    for account in demo_accounts():
        user = User.objects.filter(username=account.username).first()
        if user is None:
            continue
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        passwords[account.username] = password
    store_passwords(passwords)
    return passwords


def accounts_table(passwords: dict[str, str]) -> str:
    """The demo accounts as a short text table: role, department, user name, password.

    A password is shown when given in ``passwords`` or kept from the DEBUG demo and still
    valid; otherwise the table says it changed (``demo_accounts --reset-passwords``).
    """
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=_usernames())}
    kept = stored_passwords()
    rows = [("role", "department", "username", "password")]
    for account in demo_accounts():
        user = users.get(account.username)
        if user is None:
            continue
        password = passwords.get(account.username)
        if password is None:
            password = (
                kept_password(user, kept.get(account.username))
                or "(not shown: demo_accounts --reset-passwords)"
            )
        rows.append((account.role_label, account.department or "-", account.username, password))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _usernames() -> list[str]:
    return [account.username for account in demo_accounts()]


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
