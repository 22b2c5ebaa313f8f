"""Reads of the rule data. A version becomes a plain document (the shape of the data file, of
an export and of a diff) and from that a RuleSet for the engine."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import lru_cache

from django.utils import timezone

from .engine import parse_rules
from .engine.document import FORMAT, param_value_to_document
from .engine.types import RuleSet
from .models import RuleVersion


def today() -> date:
    """The date in Japan, which is what deadlines are counted against."""
    return timezone.localdate()


def rule_version_published() -> RuleVersion | None:
    return RuleVersion.objects.filter(status=RuleVersion.Status.PUBLISHED).first()


def rule_version_get(*, label: str) -> RuleVersion | None:
    return RuleVersion.objects.filter(label=label).first()


def rule_version_document(*, version: RuleVersion) -> dict:
    """Everything a version says, as JSON-ready data (same shape as eligibility/rules/*.json)."""
    frames = version.frames.prefetch_related("parameters", "rounds")
    return {
        "format": FORMAT,
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
            for c in version.size_categories.all()
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
            for f in version.legal_forms.all()
        ],
        "process_codes": [
            {"code": p.code, "name": p.name, "group": p.group} for p in version.process_codes.all()
        ],
        "tools": [
            {
                "code": t.code,
                "name": t.name,
                "process_code": t.process_code,
                "invoice_function": t.invoice_function,
                "needs_confirmation": t.needs_confirmation,
            }
            for t in version.tools.all()
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
                        "value": _parameter_value(p),
                        "source": p.source,
                        "needs_confirmation": p.needs_confirmation,
                    }
                    for p in frame.parameters.all()
                ],
                "rounds": [
                    {"number": r.number, "closes_on": r.closes_on.isoformat(), "source": r.source}
                    for r in frame.rounds.all()
                ],
            }
            for frame in frames
        ],
        "checklist": [
            {
                "text": item.text,
                "frame_code": item.frame_code,
                "condition": item.condition,
                "source": item.source,
                "needs_confirmation": item.needs_confirmation,
            }
            for item in version.checklist.all()
        ],
    }


def _parameter_value(parameter) -> str | int:
    if parameter.kind == "rate":
        return param_value_to_document(Fraction(parameter.numerator, parameter.denominator))
    if parameter.kind == "text":
        return parameter.text
    return parameter.amount


def rule_set_for(*, version: RuleVersion) -> RuleSet:
    """The engine's view of a version. Published and retired versions never change, so their
    RuleSet is built once per process; a draft is read afresh."""
    if version.is_draft:
        return parse_rules(rule_version_document(version=version), status=version.status)
    return _frozen_rule_set(version.pk, version.label, version.status, version.published_at)


@lru_cache(maxsize=32)
def _frozen_rule_set(version_id: int, label: str, status: str, published_at) -> RuleSet:
    version = RuleVersion.objects.get(pk=version_id)
    return parse_rules(rule_version_document(version=version), status=status)
