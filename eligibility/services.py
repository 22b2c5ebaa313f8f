"""Writes of the rule data: import a document as a draft, clone, publish."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .engine import parse_rules
from .models import (
    ChecklistItem,
    DeadlineRound,
    Frame,
    FrameParameter,
    LegalForm,
    ProcessCode,
    RuleVersion,
    Screening,
    ScreeningOutcome,
    SizeCategory,
    ToolKind,
)
from .selectors import (
    ScreeningResult,
    rule_version_document,
    rule_version_published,
    screening_result,
)

RULES_DIR = Path(settings.BASE_DIR) / "eligibility" / "rules"


@transaction.atomic
def rule_version_import(*, document: dict, based_on: RuleVersion | None = None) -> RuleVersion:
    """Create a draft version from a rule document. The document is checked first (RulesError
    lists every problem) and nothing is written unless all of it is usable."""
    rules = parse_rules(document)
    version = RuleVersion(
        programme=rules.programme,
        label=rules.label,
        effective_from=rules.effective_from,
        notice=rules.notice,
        guideline_edition=rules.guideline_edition,
        based_on=based_on,
    )
    version.full_clean()
    version.save()
    SizeCategory.objects.bulk_create(
        SizeCategory(
            version=version,
            number=c.number,
            name=c.name,
            requirement=c.requirement,
            capital_max_yen=c.capital_max_yen,
            employees_max=c.employees_max,
            source=c.source,
        )
        for c in rules.size_categories.values()
    )
    LegalForm.objects.bulk_create(
        LegalForm(
            version=version,
            code=f.code,
            name=f.name,
            size_category=f.size_category,
            applicant_label=f.applicant_label,
            small_business_max_employees=f.small_business_max_employees,
            small_business_source=f.small_business_source,
            small_business_needs_confirmation=f.small_business_needs_confirmation,
        )
        for f in rules.legal_forms.values()
    )
    ProcessCode.objects.bulk_create(
        ProcessCode(version=version, code=p.code, name=p.name, group=p.group, order=i)
        for i, p in enumerate(rules.process_codes.values())
    )
    ToolKind.objects.bulk_create(
        ToolKind(
            version=version,
            code=t.code,
            name=t.name,
            process_code=t.process_code,
            invoice_function=t.invoice_function,
            needs_confirmation=t.needs_confirmation,
            order=i,
        )
        for i, t in enumerate(rules.tools.values())
    )
    for order, frame_rules in enumerate(rules.frames.values()):
        frame = Frame.objects.create(
            version=version,
            code=frame_rules.code,
            name=frame_rules.name,
            group=frame_rules.group,
            goal=frame_rules.goal,
            summary=frame_rules.summary,
            eligible_costs=frame_rules.eligible_costs,
            source=frame_rules.source,
            order=order,
        )
        FrameParameter.objects.bulk_create(
            FrameParameter(frame=frame, order=i, **_parameter_fields(p))
            for i, p in enumerate(frame_rules.params.values())
        )
        DeadlineRound.objects.bulk_create(
            DeadlineRound(frame=frame, number=r.number, closes_on=r.closes_on, source=r.source)
            for r in frame_rules.rounds
        )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            version=version,
            text=item.text,
            frame_code=item.frame_code,
            condition=item.condition,
            source=item.source,
            needs_confirmation=item.needs_confirmation,
            order=i,
        )
        for i, item in enumerate(rules.checklist)
    )
    return version


def _parameter_fields(param) -> dict:
    fields = {
        "key": param.key,
        "label": param.label,
        "kind": param.kind,
        "source": param.source,
        "needs_confirmation": param.needs_confirmation,
    }
    if isinstance(param.value, Fraction):
        fields.update(numerator=param.value.numerator, denominator=param.value.denominator)
    elif isinstance(param.value, str):
        fields["text"] = param.value
    else:
        fields["amount"] = param.value
    return fields


def rule_version_clone(*, version: RuleVersion, label: str) -> RuleVersion:
    """A draft copy of ``version`` under a new label, to edit and publish later."""
    document = rule_version_document(version=version)
    document["label"] = label
    return rule_version_import(document=document, based_on=version)


@transaction.atomic
def rule_version_publish(
    *, version: RuleVersion, effective_from: date | None = None
) -> RuleVersion:
    """Publish a draft after checking it whole; the version published before is retired."""
    parse_rules(rule_version_document(version=version))
    if effective_from is not None:
        version.effective_from = effective_from
    for previous in RuleVersion.objects.select_for_update().filter(
        status=RuleVersion.Status.PUBLISHED
    ):
        previous.status = RuleVersion.Status.RETIRED
        previous.save()
    version.status = RuleVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.full_clean()
    version.save()
    return version


def rule_version_load_file(*, label: str) -> RuleVersion:
    """Load and publish a version shipped in eligibility/rules/LABEL.json, once."""
    existing = RuleVersion.objects.filter(label=label).first()
    if existing is not None:
        return existing
    document = json.loads((RULES_DIR / f"{label}.json").read_text(encoding="utf-8"))
    return rule_version_publish(version=rule_version_import(document=document))


# --- screenings ----------------------------------------------------------------------------


def screening_create(*, clinic, name: str, by) -> Screening:
    """A new screening under the published version, its first answers taken from the profile."""
    version = rule_version_published()
    if version is None:
        raise ValueError("no published rule version")
    answers = {}
    if clinic.legal_form:
        answers["legal_form"] = clinic.legal_form
    if clinic.employees is not None:
        answers["employees"] = clinic.employees
    screening = Screening(
        clinic=clinic, name=name, rule_version=version, answers=answers, created_by=by
    )
    screening.full_clean()
    screening.save()
    return screening


def screening_save_step(*, screening: Screening, values: dict, next_step: str) -> Screening:
    """Keep the answers of one step and where the clinic goes next (to resume there later)."""
    screening.answers = screening.answers | values
    screening.step = next_step
    screening.completed_at = None
    screening.save(update_fields=["answers", "step", "completed_at", "updated_at"])
    return screening


@transaction.atomic
def screening_complete(*, screening: Screening, as_of: date) -> ScreeningResult:
    """Compute the result and keep each frame's verdict and amount for counting."""
    result = screening_result(screening=screening, as_of=as_of)
    screening.outcomes.all().delete()
    ScreeningOutcome.objects.bulk_create(
        ScreeningOutcome(
            screening=screening,
            frame_code=f.code,
            verdict=f.verdict,
            eligible=f.eligible,
            subsidy_yen=f.subsidy_yen,
            next_deadline=f.next_deadline.closes_on if f.next_deadline else None,
        )
        for f in result.evaluation.frames
    )
    screening.total_subsidy_yen = result.evaluation.total_subsidy_yen
    screening.completed_at = timezone.now()
    screening.step = "result"
    screening.save(update_fields=["total_subsidy_yen", "completed_at", "step", "updated_at"])
    return result


def screening_rename(*, screening: Screening, name: str) -> Screening:
    screening.name = name
    screening.full_clean()
    screening.save(update_fields=["name", "updated_at"])
    return screening


def screening_recheck(*, screening: Screening, by) -> Screening:
    """A copy of the screening under the published version; the original keeps its numbers."""
    version = rule_version_published()
    copy = Screening.objects.create(
        clinic=screening.clinic,
        name=f"{screening.name}（{version.label}で再確認）",
        rule_version=version,
        answers=screening.answers,
        step=screening.step,
        created_by=by,
    )
    screening_complete(screening=copy, as_of=timezone.localdate())
    return copy
