"""Wagtail's own rows in Chinese: the page tree's root, the root collection and the default
moderation workflow and task keep the English names Wagtail's migrations gave them, and staff
read them in the page explorer, the collection choices and the workflow panels. Only rows that
still carry Wagtail's default name are renamed (an administrator's own names are kept)."""

from django.db import migrations

ROOT_PAGE = ("Root", "根目录")
ROOT_COLLECTION = ("Root", "根目录")
DEFAULT_WORKFLOW = ("Moderators approval", "审核员审批")


def rename(apps, schema_editor, *, forward=True):
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")

    def names(pair):
        return pair if forward else pair[::-1]

    old, new = names(ROOT_PAGE)
    Page.objects.filter(depth=1, title=old).update(title=new)
    Page.objects.filter(depth=1, draft_title=old).update(draft_title=new)
    old, new = names(ROOT_COLLECTION)
    Collection.objects.filter(depth=1, name=old).update(name=new)
    old, new = names(DEFAULT_WORKFLOW)
    Workflow.objects.filter(name=old).update(name=new)
    Task.objects.filter(name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_role_markers"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
