"""Portal-level background tasks."""

from django.tasks import task


@task
def ping() -> str:
    """A no-op task: lets an operator check end to end that the worker runs tasks."""
    return "pong"
