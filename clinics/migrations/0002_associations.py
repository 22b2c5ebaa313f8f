from django.db import migrations

from clinics.prefectures import PREFECTURES, association_name


def create_associations(apps, schema_editor):
    Association = apps.get_model("clinics", "Association")
    Association.objects.bulk_create(
        Association(prefecture_code=code, prefecture=name, name=association_name(name))
        for code, name in enumerate(PREFECTURES, 1)
    )


def remove_associations(apps, schema_editor):
    apps.get_model("clinics", "Association").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("clinics", "0001_initial")]

    operations = [migrations.RunPython(create_associations, remove_associations)]
