"""Shared fixtures: a small page tree built per test, staff users by role, isolated media."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone, translation
from wagtail.models import Page, Site

from cms.models import HomePage
from portal import roles

# Shared harnesses, written once (tests/support/): staff of each role on a report in any state,
# reward claims and their admin fixtures. Registered here instead of star-imported per module.
pytest_plugins = ["tests.support.cases", "tests.support.rewards", "tests.support.rewards_admin"]


def pytest_configure(config):
    from django.conf import settings

    # Real hashers cost ~0.3 s per password by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # client.force_login(user) stands for a completed sign-in, second factor included; the
    # two-factor flow itself is tested with enforcement on (tests/portal/test_two_factor.py).
    settings.PORTAL_2FA_ENFORCED = False
    # xdist workers share one Redis database: each keeps to its own key prefix (fresh_cache
    # below clears only that prefix, never the other worker's rate-limit counters).
    # On the embedded SQLite cache, clear() empties the whole file: each worker gets its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        for config in settings.CACHES.values():
            config["KEY_PREFIX"] = f"{config.get('KEY_PREFIX', '')}-{worker}"
            if config["BACKEND"] == "portal.sqlite_cache.SQLiteCache":
                config["LOCATION"] = config["LOCATION"].replace(".sqlite3", f"-{worker}.sqlite3")


# The serialized migration data (root page, default site, role groups, workflow) of each test
# database, kept for the browser tests: see tests/browser/conftest.py.
SERIALIZED_DATABASES: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connections

    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is None:
                contents = connection.creation.serialize_db_to_string()
            SERIALIZED_DATABASES[alias] = contents


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


@pytest.fixture(autouse=True)
def migration_data(request):
    """Give transactional tests the rows migrations create (root page, site, roles, workflow).

    A transactional test ends with a flush. Django restores the serialized migration data only
    for tests marked serialized_rollback, and only on the connection object that holds it:
    Playwright's sync API runs tests in a greenlet where Django opens a fresh connection object
    without it. So: hand the data to the current connection, and reload it when a previous
    test's flush removed it.
    """
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from django.core.management import call_command
    from django.db import connections

    for alias, contents in SERIALIZED_DATABASES.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = contents
    if not Page.objects.exists() and "default" in SERIALIZED_DATABASES:
        # Rows created lazily since the flush (content types) would collide: flush first.
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connections["default"].creation.deserialize_db_from_string(SERIALIZED_DATABASES["default"])
        # The reloaded rows keep their ids: move the id sequences past them (PostgreSQL), and
        # forget content types cached since the flush under other ids.
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType
        from django.core.management.color import no_style

        connection = connections["default"]
        statements = connection.ops.sequence_reset_sql(
            no_style(),
            # Not the models without a table (portal.RoleMarker only carries permissions).
            [m for m in apps.get_models(include_auto_created=True) if m._meta.managed],
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Residents' photos (STORAGES["private"]): a sibling of MEDIA_ROOT, never inside it.
    settings.PORTAL_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def default_language(settings):
    # The test client runs views in this thread; a previous request's language must not leak.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_cache():
    # Cleared before (not after) each test: a test may point CACHES at a server that is down.
    # On Redis, only this process's keys (clear() would flush the database under the other
    # xdist worker's feet).
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture
def home(db) -> HomePage:
    """root → HomePage (published) as the default site's root, like a fresh install."""
    root = Page.get_first_root_node()
    for page in root.get_children():
        page.delete()
    home = HomePage(title="滨湖城管", slug="home", hero_title="共建整洁有序的美丽滨湖")
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def make_staff(db):
    """make_staff(role) creates a user in the role's group (None: a superuser)."""
    counter = iter(range(1, 10_000))

    def make(role: str | None, username: str | None = None):
        User = get_user_model()
        username = username or f"user{next(counter)}"
        if role is None:
            return User.objects.create_superuser(username, f"{username}@example.invalid", "pw")
        user = User.objects.create_user(username, f"{username}@example.invalid", "pw")
        user.groups.add(roles.group(role))
        return user

    return make


@pytest.fixture
def editor(make_staff):
    return make_staff(roles.PUBLICITY_EDITOR, "editor")


@pytest.fixture
def moderator(make_staff):
    return make_staff(roles.PUBLICITY_MODERATOR, "moderator")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def still_rate_window(monkeypatch):
    """Pin django-ratelimit's clock for a long burst: its windows are fixed (a new one starts
    on the minute), so a burst that straddles the boundary on a slow machine starts counting
    again half-way through."""
    import time
    import types

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
