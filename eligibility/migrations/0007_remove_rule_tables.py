"""The per-section tables of a rule version go: 0006 put their content in its document."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0006_ruleversion_document"),
    ]

    operations = [
        migrations.DeleteModel(name="DeadlineRound"),
        migrations.DeleteModel(name="FrameParameter"),
        migrations.DeleteModel(name="Frame"),
        migrations.DeleteModel(name="ChecklistItem"),
        migrations.DeleteModel(name="LegalForm"),
        migrations.DeleteModel(name="ProcessCode"),
        migrations.DeleteModel(name="SizeCategory"),
        migrations.DeleteModel(name="ToolKind"),
    ]
