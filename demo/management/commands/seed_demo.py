"""Build the demo: reference data, the page tree with content, the demo accounts and a year of
cases in which every role has work waiting."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints.cases.services.deadlines import holidays_load_national
from complaints.models import Department
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
    reward_rules_load_from_csv,
)
from demo.cases import seed_cases
from demo.content import seed_site
from demo.rewards import seed_reward_fund
from demo.users import (
    DEMO_USERS,
    accounts_table,
    demo_accounts,
    handler_username,
    seed_users,
)
from portal.two_factor import seed_demo_devices


def demo_users():
    usernames = [account.username for account in demo_accounts()]
    return get_user_model().objects.filter(username__in=usernames).order_by("pk")


def case_actors() -> tuple[dict, dict]:
    """The demo accounts that act in the demo year: by role, and the handlers by department."""
    users = {u.username: u for u in demo_users()}
    actors = {role: users[username] for role, username in DEMO_USERS.items()}
    handlers = {d.key: users[handler_username(d.key)] for d in Department.objects.all()}
    return actors, handlers


class Command(BaseCommand):
    help = (
        "Load a complete demo in Chinese: taxonomy, pages (campaigns, targets, exemplary cases, "
        "notices), one user per staff role and a handler per department, and a year of cases "
        "and reward claims in which every role has work. Idempotent. Ends with the table of demo "
        "accounts (manage.py demo_accounts prints it again). Refuses to run with DEBUG off unless "
        "--force is given: demo users must never reach a production database by accident."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a production database).",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates demo users with known "
                "roles. Use DJANGO_DEBUG=1 for a demo, or --force if you really mean it."
            )
        started = time.monotonic()
        with transaction.atomic():
            categories = categories_load_from_csv()
            self.stdout.write(f"Taxonomy: {categories} categories.")
            grid = demo_geography_load()
            self.stdout.write(
                f"Geography: {grid.towns} towns, {grid.communities} communities, "
                f"{grid.cells} grid cells."
            )
            rules = reward_rules_load_from_csv()
            self.stdout.write(f"Reward rules: {rules} added.")
            holidays = holidays_load_national()
            self.stdout.write(f"Holiday calendar: {holidays} days added.")
            created_pages = seed_site(stdout=self.stdout)
            self.stdout.write(
                f"Pages: {created_pages} created (existing pages are left as they are)."
            )
            passwords = seed_users(stdout=self.stdout)
            seed_reward_fund(stdout=self.stdout)
            actors, handlers = case_actors()
            filed = seed_cases(actors=actors, handlers=handlers, stdout=self.stdout)
            self.stdout.write(
                f"Demo cases: {filed} reports filed (existing ones left as they are)."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo content is ready ({time.monotonic() - started:.0f} s).")
        )
        if settings.DEBUG:
            # A DEBUG demo only: the accounts that must use two-factor authentication share one
            # documented TOTP secret (README.md). With --force they enrol at their first sign-in.
            seed_demo_devices(demo_users(), stdout=self.stdout)
        self.stdout.write("\nDemo accounts (manage.py demo_accounts prints them again):")
        self.stdout.write(accounts_table(passwords))
