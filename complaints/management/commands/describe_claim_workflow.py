"""Print the reward claim table (complaints/rewards/workflow.py) as Markdown for docs/rewards.md."""

from django.core.management.base import BaseCommand

from complaints.rewards.workflow import claim_workflow_markdown


class Command(BaseCommand):
    help = "Print the reward claim table as Markdown (the generated part of docs/rewards.md)."

    def handle(self, *args, **options):
        self.stdout.write(claim_workflow_markdown(), ending="")
