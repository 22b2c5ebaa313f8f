"""Versions stored before the rule document had application stages and reminder days get those
of the shipped 2026.1 file (the same programme's stages), so clinics can record their stage."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "rules" / "2026.1.json"


def add_stages(apps, schema_editor):
    RuleVersion = apps.get_model("eligibility", "RuleVersion")
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    for version in RuleVersion.objects.all():
        document = dict(version.document)
        if "application_stages" in document:
            continue
        document["application_stages"] = shipped["application_stages"]
        document.setdefault("reminder_days", shipped["reminder_days"])
        RuleVersion.objects.filter(pk=version.pk).update(document=document)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0011_application_records")]

    operations = [migrations.RunPython(add_stages, migrations.RunPython.noop)]
