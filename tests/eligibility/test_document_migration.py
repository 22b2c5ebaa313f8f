"""The migration from the per-section tables to one document per version (0006, then 0007
removes the tables): every version, draft, published or retired, comes out as the document it
was, with its history and the screenings made under it."""

import copy
from datetime import date
from fractions import Fraction

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from eligibility.engine import parse_rules
from eligibility.models import RuleVersion, RuleVersionEvent, Screening
from eligibility.services import rule_version_load_file
from tests.conftest import rules_document
from tests.factories import frame_of, param_of

BEFORE = "0005_rule_version_event_delete_draft"


def _migrate(eligibility=None):
    """Migrate eligibility to ``eligibility`` (default: its latest), every other app to its
    latest; the models as they are there."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = graph.leaf_nodes()
    if eligibility:
        allowed = set(graph.forwards_plan(("eligibility", eligibility)))
        # an app that needs a later eligibility migration is taken back to before its first
        targets = [
            t
            if all(n in allowed for n in graph.forwards_plan(t) if n[0] == "eligibility")
            else (t[0], None)
            for t in targets
            if t[0] != "eligibility"
        ] + [("eligibility", eligibility)]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def old_rows(apps, document: dict, **version_fields):
    """A version as the tables kept it before 0006, from a rule document."""
    model = lambda name: apps.get_model("eligibility", name)  # noqa: E731
    version = model("RuleVersion").objects.create(
        label=document["label"],
        programme=document["programme"],
        effective_from=document["effective_from"],
        notice=document["notice"],
        guideline_edition=document["guideline_edition"],
        **version_fields,
    )
    for row in document["size_categories"]:
        model("SizeCategory").objects.create(version=version, **row)
    for row in document["legal_forms"]:
        model("LegalForm").objects.create(version=version, **row)
    for order, row in enumerate(document["process_codes"]):
        model("ProcessCode").objects.create(version=version, order=order, **row)
    for order, row in enumerate(document["tools"]):
        model("ToolKind").objects.create(version=version, order=order, **row)
    for order, frame in enumerate(document["frames"]):
        fields = {k: v for k, v in frame.items() if k not in ("params", "rounds")}
        row = model("Frame").objects.create(version=version, order=order, **fields)
        for i, param in enumerate(frame["params"]):
            values = {k: v for k, v in param.items() if k != "value"}
            if param["kind"] == "rate":
                rate = Fraction(param["value"])
                values |= {"numerator": rate.numerator, "denominator": rate.denominator}
            elif param["kind"] == "text":
                values["text"] = param["value"]
            else:
                values["amount"] = param["value"]
            model("FrameParameter").objects.create(frame=row, order=i, **values)
        for round_ in frame["rounds"]:
            model("DeadlineRound").objects.create(frame=row, **round_)
    for order, row in enumerate(document["checklist"]):
        model("ChecklistItem").objects.create(version=version, order=order, **row)
    return version


def test_every_version_becomes_the_document_it_was(transactional_db):
    retired = rules_document() | {"label": "2025.9", "effective_from": "2025-04-01"}
    published = rules_document()
    draft = copy.deepcopy(published) | {"label": "2026.2", "effective_from": None}
    param_of(draft, "security", "rate_small")["value"] = "3/4"
    frame_of(draft, "normal")["rounds"].append(
        {"number": 5, "closes_on": "2027-01-20", "source": "事務局の発表"}
    )
    draft["legal_forms"][0]["small_business_max_employees"] = 20

    Screening.objects.all().delete()  # the test starts from the rule data it builds
    RuleVersion.objects.all().delete()
    apps = _migrate(BEFORE)
    try:
        old = {
            "2025.9": old_rows(apps, retired, status="retired"),
            "2026.1": old_rows(apps, published, status="published"),
        }
        old["2026.2"] = old_rows(apps, draft, based_on=old["2026.1"])
        apps.get_model("eligibility", "RuleVersionEvent").objects.create(
            version=old["2026.2"],
            kind="clone",
            description="版 2026.1 を複製して下書きを作りました。",
        )
        association, _ = apps.get_model("clinics", "Association").objects.get_or_create(
            prefecture="東京都", defaults={"prefecture_code": 13, "name": "東京都医師会"}
        )
        clinic = apps.get_model("clinics", "Clinic").objects.create(
            association=association, name="試験クリニック", legal_form="individual"
        )
        apps.get_model("eligibility", "Screening").objects.create(
            clinic=clinic, name="見積り", rule_version=old["2025.9"], answers={"employees": 3}
        )
    finally:
        _migrate()

    for label, document in (("2025.9", retired), ("2026.1", published), ("2026.2", draft)):
        version = RuleVersion.objects.get(label=label)
        assert version.pk == old[label].pk
        assert version.document == document, label
        assert parse_rules(version.document) == parse_rules(document)
    assert [v.status for v in RuleVersion.objects.order_by("label")] == [
        "retired",
        "published",
        "draft",
    ]
    assert RuleVersion.objects.get(label="2026.2").based_on_id == old["2026.1"].pk
    assert RuleVersion.objects.get(label="2026.1").effective_from == date(2026, 5, 25)
    assert RuleVersion.objects.get(label="2026.2").effective_from is None
    assert RuleVersion.objects.get(label="2025.9").effective_from == date(2025, 4, 1)
    event = RuleVersionEvent.objects.get()
    assert (event.version.label, event.kind) == ("2026.2", "clone")
    screening = Screening.objects.get()
    assert (screening.rule_version.label, screening.answers) == ("2025.9", {"employees": 3})
    assert rule_version_load_file(label="2026.1").pk == old["2026.1"].pk
