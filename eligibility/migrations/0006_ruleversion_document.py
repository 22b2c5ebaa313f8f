"""A rule version becomes one document: the shape of eligibility/rules/*.json, built here from
the per-section tables (which 0007 removes). Self-contained: it reads the historical models
only, so later changes to the app's code cannot change what it does."""

from django.db import migrations, models


def _value(parameter):
    if parameter.kind == "rate":
        return f"{parameter.numerator}/{parameter.denominator}"
    if parameter.kind == "text":
        return parameter.text
    return parameter.amount


def version_document(apps, version) -> dict:
    """What ``selectors.rule_version_document`` said of ``version`` before this migration."""
    Frame = apps.get_model("eligibility", "Frame")
    return {
        "format": 1,
        "label": version.label,
        "programme": version.programme,
        "effective_from": version.effective_from.isoformat() if version.effective_from else None,
        "notice": version.notice,
        "guideline_edition": version.guideline_edition,
        "size_categories": [
            {
                "number": c.number,
                "name": c.name,
                "requirement": c.requirement,
                "capital_max_yen": c.capital_max_yen,
                "employees_max": c.employees_max,
                "source": c.source,
            }
            for c in version.size_categories.order_by("number")
        ],
        "legal_forms": [
            {
                "code": f.code,
                "name": f.name,
                "size_category": f.size_category,
                "applicant_label": f.applicant_label,
                "small_business_max_employees": f.small_business_max_employees,
                "small_business_source": f.small_business_source,
                "small_business_needs_confirmation": f.small_business_needs_confirmation,
            }
            for f in version.legal_forms.order_by("id")
        ],
        "process_codes": [
            {"code": p.code, "name": p.name, "group": p.group}
            for p in version.process_codes.order_by("order", "id")
        ],
        "tools": [
            {
                "code": t.code,
                "name": t.name,
                "process_code": t.process_code,
                "invoice_function": t.invoice_function,
                "needs_confirmation": t.needs_confirmation,
            }
            for t in version.tools.order_by("order", "id")
        ],
        "frames": [
            {
                "code": frame.code,
                "name": frame.name,
                "group": frame.group,
                "goal": frame.goal,
                "summary": frame.summary,
                "eligible_costs": frame.eligible_costs,
                "source": frame.source,
                "params": [
                    {
                        "key": p.key,
                        "label": p.label,
                        "kind": p.kind,
                        "value": _value(p),
                        "source": p.source,
                        "needs_confirmation": p.needs_confirmation,
                    }
                    for p in frame.parameters.order_by("order", "id")
                ],
                "rounds": [
                    {"number": r.number, "closes_on": r.closes_on.isoformat(), "source": r.source}
                    for r in frame.rounds.order_by("number")
                ],
            }
            for frame in Frame.objects.filter(version=version).order_by("order", "id")
        ],
        "checklist": [
            {
                "text": item.text,
                "frame_code": item.frame_code,
                "condition": item.condition,
                "source": item.source,
                "needs_confirmation": item.needs_confirmation,
            }
            for item in version.checklist.order_by("order", "id")
        ],
    }


def fill_documents(apps, schema_editor):
    RuleVersion = apps.get_model("eligibility", "RuleVersion")
    for version in RuleVersion.objects.all():
        version.document = version_document(apps, version)
        version.save(update_fields=["document"])


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0005_rule_version_event_delete_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruleversion",
            name="document",
            field=models.JSONField(default=dict, verbose_name="ルールの内容"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="ruleversion", name="programme"),
        migrations.RemoveField(model_name="ruleversion", name="effective_from"),
        migrations.RemoveField(model_name="ruleversion", name="notice"),
        migrations.RemoveField(model_name="ruleversion", name="guideline_edition"),
    ]
