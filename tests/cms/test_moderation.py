"""Moderation: publicity editors draft and submit, publicity moderators approve and publish."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import StandardPage
from portal import roles

pytestmark = pytest.mark.django_db


def create_standard_page(client, parent, action: str, title="新闻发布规范"):
    data = nested_form_data(
        {
            "title": title,
            "slug": "guidelines",
            "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
            action: "1",
        }
    )
    url = reverse("wagtailadmin_pages:add", args=("cms", "standardpage", parent.id))
    return client.post(url, data)


def test_the_whole_site_is_under_the_publicity_workflow(home):
    workflow = home.get_workflow()
    assert workflow is not None and workflow.name == roles.MODERATION_WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert list(task.groups.all()) == [roles.group(roles.PUBLICITY_MODERATOR)]


def test_editor_cannot_publish(client, home, editor):
    client.force_login(editor)
    response = create_standard_page(client, home, "action-publish")
    assert response.status_code in (200, 302)
    page = StandardPage.objects.get(slug="guidelines")
    assert not page.live
    assert page.has_unpublished_changes


def test_editor_submits_and_moderator_approves(client, home, editor, moderator, mailoutbox):
    client.force_login(editor)
    create_standard_page(client, home, "action-submit")
    # The moderators hear about the submission.
    assert any(moderator.email in message.to for message in mailoutbox)
    page = StandardPage.objects.get(slug="guidelines")
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not page.live

    # The editor cannot approve their own submission.
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.id, "approve", task_state.id))
    client.post(url, {"comment": ""})
    page.refresh_from_db()
    assert not page.live

    client.force_login(moderator)
    response = client.post(url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live
    assert state.status == WorkflowState.STATUS_APPROVED


def test_moderator_publishes_directly(client, home, moderator):
    client.force_login(moderator)
    create_standard_page(client, home, "action-publish")
    assert StandardPage.objects.get(slug="guidelines").live


def test_editor_has_admin_access_but_no_settings(client, home, editor):
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    response = client.get(
        reverse("wagtailsettings:edit", args=("cms", "portalsettings", home.get_site().pk))
    )
    assert response.status_code in (302, 403)


def test_anonymous_visitor_is_sent_to_login(client, home):
    response = client.get(reverse("wagtailadmin_pages:add", args=("cms", "standardpage", home.id)))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_scheduled_page_goes_live_with_publish_scheduled(home):
    page = StandardPage(title="定时发布的通知", slug="scheduled")
    home.add_child(instance=page)
    page.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    revision = page.save_revision(approved_go_live_at=page.go_live_at)
    revision.publish()  # with go_live_at in the future this only schedules it
    page.refresh_from_db()
    assert not page.live

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not yet due

    # Time passes: the scheduled moment is now a minute ago.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert Page.objects.live().filter(pk=page.pk).exists()


def test_the_worker_publishes_scheduled_pages(home, monkeypatch):
    import threading

    from portal.management.commands import run_worker

    # Between rounds the worker drops stale connections; inside the test's transaction that
    # would drop the test's own connection (PostgreSQL), so it is a no-op here.
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)

    page = StandardPage(title="由后台任务发布的通知", slug="by-worker")
    home.add_child(instance=page)
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = page.save_revision(approved_go_live_at=past)
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["content"])

    class OneRound(threading.Event):
        def wait(self, timeout=None):  # stop after the first round instead of sleeping
            self.set()
            return True

    run_worker.Command().publish_scheduled_forever(OneRound(), interval=60)
    page.refresh_from_db()
    assert page.live
