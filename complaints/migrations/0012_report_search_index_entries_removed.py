"""Reports are no longer in Wagtail's search index (issue 17): drop their index rows.

Staff find a report by its reference with an ORM lookup, so the index entries only cost a
background task per submission. ``rebuild_modelsearch_index`` only touches indexed models, so
without this the rows of every report filed so far would stay in the index table for good.
One DELETE by content type; on SQLite the search backend's own trigger removes the matching
full-text rows.
"""

from django.db import migrations


def index_entries_delete(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label="complaints", model="report").first()
    if content_type is None:
        return  # a fresh database: no report was ever indexed
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    connection = schema_editor.connection
    table = connection.ops.quote_name(IndexEntry._meta.db_table)
    with connection.cursor() as cursor:
        # The table name comes from the model, the id is a parameter.
        cursor.execute(
            f"DELETE FROM {table} WHERE content_type_id = %s",  # noqa: S608  # nosec B608
            [content_type.pk],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_report_state_deadline_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        # Not reversible in substance: ``rebuild_modelsearch_index`` would index the reports
        # again if Report went back into the index.
        migrations.RunPython(index_entries_delete, migrations.RunPython.noop),
    ]
