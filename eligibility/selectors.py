"""Reads of the rule data. A version becomes a plain document (the shape of the data file, of
an export and of a diff) and from that a RuleSet for the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .engine import evaluate, parse_rules
from .engine.answers import CostBreakdown, facts_and_plan
from .engine.document import FORMAT, param_value_to_document
from .engine.types import Evaluation, FrameResult, FrameRules, Reason, Round, RuleSet
from .models import RuleVersion, Screening


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


# --- screenings ----------------------------------------------------------------------------

WIZARD_STEPS = [
    ("applicant", "申請者"),
    ("goals", "やりたいこと"),
    ("tools", "導入予定のITツールと費用"),
    ("wages", "賃金について"),
    ("result", "結果"),
]


def wizard_steps(answers: dict) -> list[tuple[str, str]]:
    """The steps this screening goes through: 賃金について only when 通常枠 is chosen (or before
    the goals are known)."""
    goals = answers.get("goals")
    return [
        (code, label)
        for code, label in WIZARD_STEPS
        if code != "wages" or not goals or "normal" in goals
    ]


def wizard_first_missing_step(answers: dict) -> str | None:
    """The first step that still needs an answer before a result can be shown."""
    if answers.get("legal_form") is None or answers.get("employees") is None:
        return "applicant"
    if not answers.get("goals"):
        return "goals"
    if "tools_done" not in answers:
        return "tools"
    if "normal" in answers["goals"] and "minimum_wage_near" not in answers:
        return "wages"
    return None


def screening_list_for_clinic(*, clinic) -> QuerySet[Screening]:
    return clinic.screenings.select_related("rule_version").order_by("-updated_at", "-id")


def screening_get_for_user(*, user, screening_id: int, for_edit: bool = False) -> Screening:
    """A screening of a clinic this person may see: its own users (to edit or read) and its
    association's staff (to read); 404 for everyone else."""
    screenings = Screening.objects.select_related("rule_version", "clinic__association")
    if user.is_authenticated and user.is_clinic_user:
        screenings = screenings.filter(clinic_id=user.clinic_id)
    elif user.is_authenticated and user.is_association_staff and not for_edit:
        screenings = screenings.filter(clinic__association_id=user.association_id)
    else:
        screenings = screenings.none()
    screening = screenings.filter(pk=screening_id).first()
    if screening is None:
        raise Http404("確認結果が見つかりません。")
    return screening


@dataclass(frozen=True)
class FrameView:
    result: FrameResult
    cost: CostBreakdown | None
    frame: FrameRules

    @property
    def checklist(self) -> list:
        """What this frame alone asks for; the items every frame shares are listed once."""
        return [item for item in self.result.checklist if item.frame_code == self.frame.code]


@dataclass(frozen=True)
class ScreeningResult:
    """Everything the result page and the PDF show, computed once from the stored answers under
    the screening's own rule version."""

    screening: Screening
    rules: RuleSet
    evaluation: Evaluation
    frames: list[FrameView]
    multi: FrameRules | None
    common_checklist: list
    confirmations: list[Reason]
    current_version: RuleVersion | None
    as_of: date

    @property
    def is_outdated(self) -> bool:
        return (
            self.current_version is not None and self.current_version != self.screening.rule_version
        )

    @property
    def upcoming_deadlines(self) -> list[tuple[FrameRules, Round]]:
        found = []
        for view in self.frames:
            found += [(view.frame, r) for r in view.result.rounds if r.closes_on >= self.as_of]
        if self.multi is not None:
            found += [(self.multi, r) for r in self.multi.rounds if r.closes_on >= self.as_of]
        return sorted(found, key=lambda pair: pair[1].closes_on)


def screening_result(
    *, screening: Screening, as_of: date, version: RuleVersion | None = None
) -> ScreeningResult:
    """The screening's result under its own version (or, to compare, under ``version``)."""
    rules = rule_set_for(version=version or screening.rule_version)
    facts, plan, costs = facts_and_plan(screening.answers, rules)
    evaluation = evaluate(facts, plan, rules, as_of=as_of)
    frames = [FrameView(r, costs.get(r.code), rules.frames[r.code]) for r in evaluation.frames]
    goals = screening.answers.get("goals") or []
    common = [
        item for item in rules.checklist if not item.frame_code and item.condition == "always"
    ]
    for view in frames:
        common += [i for i in view.result.checklist if not i.frame_code and i not in common]
    confirmations = [r for r in evaluation.applicant.reasons if r.needs_confirmation]
    for view in frames:
        confirmations += [r for r in view.result.confirmations if r not in confirmations]
    return ScreeningResult(
        screening=screening,
        rules=rules,
        evaluation=evaluation,
        frames=frames,
        multi=rules.frames["multi"] if "multi" in goals else None,
        common_checklist=common,
        confirmations=confirmations,
        current_version=rule_version_published(),
        as_of=as_of,
    )
