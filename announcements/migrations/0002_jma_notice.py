"""The JMA notice (日医発第390号) as a national notice, from announcements/jma_notice.json.
`manage.py load_demo` refreshes it (services.notice_jma_ensure) after a flush."""

from datetime import date

from django.db import migrations

from announcements.services import jma_notice_fields


def create_jma_notice(apps, schema_editor):
    Notice = apps.get_model("announcements", "Notice")
    key, fields = jma_notice_fields()
    fields["issued_on"] = date.fromisoformat(fields["issued_on"])
    Notice.objects.update_or_create(key=key, defaults=fields)


def remove_jma_notice(apps, schema_editor):
    key, _ = jma_notice_fields()
    apps.get_model("announcements", "Notice").objects.filter(key=key).delete()


class Migration(migrations.Migration):
    dependencies = [("announcements", "0001_notices")]

    operations = [migrations.RunPython(create_jma_notice, remove_jma_notice)]
