"""The demo accounts table shows the kept passwords without hashing each one again."""

from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from demo.users import DEMO_USERS, accounts_table, seed_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(settings, tmp_path) -> dict[str, str]:
    settings.DEBUG = True  # the DEBUG demo keeps its passwords (DATA_DIR/demo-accounts.json)
    settings.DATA_DIR = tmp_path
    return seed_users(stdout=StringIO())


def password_in_table(table: str, username: str) -> str:
    return next(line for line in table.splitlines() if f" {username} " in line).split()[-1]


def test_kept_passwords_are_shown_without_hashing_them(accounts):
    with mock.patch.object(AbstractBaseUser, "check_password", side_effect=AssertionError):
        table = accounts_table({})
    User = get_user_model()
    usernames = [name for role, name in DEMO_USERS.items() if role != "department_handler"]
    for username in usernames:  # (handlers come with the departments, not loaded here)
        shown = password_in_table(table, username)
        assert shown == accounts[username]
        assert User.objects.get(username=username).check_password(shown)


def test_a_changed_password_is_not_shown(accounts):
    user = get_user_model().objects.get(username=DEMO_USERS["auditor"])
    user.set_password("changed-by-the-auditor")
    user.save()
    table = accounts_table({})
    assert "(not shown" in next(line for line in table.splitlines() if f" {user.username} " in line)
    assert password_in_table(table, DEMO_USERS["supervisor"]) == accounts[DEMO_USERS["supervisor"]]
