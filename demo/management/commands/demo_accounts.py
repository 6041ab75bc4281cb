"""Print the demo accounts again (role, department, user name, password), or reset their
passwords. Like ``seed_demo``, it refuses to run with DEBUG off unless ``--force`` is given."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Print the demo accounts of seed_demo as a table (role, department, user name, "
        "password); --reset-passwords gives each a new random password. Refuses to run with "
        "DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo account a new random password and print it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a production database).",
        )

    def handle(self, *args, reset_passwords, force, **options):
        # The demo lives in demo (pages, accounts, the demo year); imported here only.
        from demo.users import accounts_table
        from demo.users import reset_passwords as reset

        if not settings.DEBUG and not force:
            raise CommandError(
                "demo_accounts refuses to run with DEBUG off: it prints or resets the passwords "
                "of accounts with known roles. Use DJANGO_DEBUG=1 for a demo, or --force."
            )
        passwords = reset() if reset_passwords else {}
        if reset_passwords:
            self.stdout.write(f"New passwords for {len(passwords)} demo accounts.")
        table = accounts_table(passwords)
        if table.count("\n") < 2:
            raise CommandError("No demo accounts here: run manage.py seed_demo first.")
        self.stdout.write(table)
