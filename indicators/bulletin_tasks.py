"""The bulletin's background task, run by the worker (``manage.py run_worker``)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.tasks import task

from indicators.bulletin import bulletin_generate


@task
def bulletin_generate_task(month: str, user_id: int | None = None) -> int:
    """Make (or remake) the bulletin of ``month`` ("YYYY-MM"); returns the bulletin's id."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return bulletin_generate(day=date.fromisoformat(f"{month}-01"), user=user).pk
