"""The JSON contract of ``manage.py evaluate``: a case in, a result out, strict about input.

A case (``plans`` by frame code; each frame's keys are those of its formula)::

    {"legal_form": "medical_corporation", "employees": 40, "minimum_wage_near": false,
     "wage_increase_plan": false,
     "plans": {"normal": {"processes": 2, "cost": 1000000},
               "invoice": {"functions": ["accounting"], "software_cost": 400000,
                           "pc_cost": 0, "register_cost": 0},
               "security": {"cost": 200000}, "e_trade": {"cost": 600000},
               "multi": {"members": 10, "functions": ["accounting"], "software_cost": 0,
                         "analysis_cost": 0, "admin_cost": 0}}}
"""

from __future__ import annotations

import json
import re
from typing import Any

from .format import rate
from .types import (
    INVOICE_FUNCTIONS,
    ClinicFacts,
    CostPlan,
    Evaluation,
    FrameResult,
    InvoicePlan,
    MultiPlan,
    NormalPlan,
    Plan,
    Reason,
    RuleSet,
)

MAX_YEN = 10**12  # 1兆円: anything larger is a typing mistake, not a plan
MAX_COUNT = 10**6

CASE_KEYS = {"legal_form", "employees", "minimum_wage_near", "wage_increase_plan", "plans"}
PLAN_KEYS = {  # by formula
    "normal": {"processes", "cost"},
    "invoice": {"functions", "software_cost", "pc_cost", "register_cost"},
    "security": {"cost"},
    "e_trade": {"cost"},
    "multi": {
        "members",
        "functions",
        "software_cost",
        "pc_cost",
        "register_cost",
        "analysis_cost",
        "admin_cost",
    },
}
REQUIRED_PLAN_KEYS = {  # by formula
    "normal": {"processes", "cost"},
    "invoice": {"functions", "software_cost"},
    "security": {"cost"},
    "e_trade": {"cost"},
    "multi": {"members"},
}


class CaseError(ValueError):
    """Bad input; the message names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _key_name(key: str) -> str:
    """An unknown key as the message shows it: quoted as JSON when it is empty or holds
    anything but letters, digits and _ (a control character would garble the terminal)."""
    return key if re.fullmatch(r"\w+", key) else json.dumps(key)


def _object(value: Any, field: str, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(value, dict):
        raise CaseError(field or "(ケース)", "JSONオブジェクトで指定してください")
    unknown = sorted(set(value) - allowed)
    if unknown:
        prefix = f"{field}." if field else ""
        raise CaseError(f"{prefix}{_key_name(unknown[0])}", "知らない項目です")
    missing = sorted(required - set(value))
    if missing:
        prefix = f"{field}." if field else ""
        raise CaseError(f"{prefix}{missing[0]}", "必須の項目です")
    return value


def _integer(value: Any, field: str, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CaseError(field, "整数で指定してください")
    if value < 0:
        raise CaseError(field, "0以上の整数で指定してください")
    if value > maximum:
        raise CaseError(field, f"{maximum:,}以下の整数で指定してください")
    return value


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise CaseError(field, "true か false で指定してください")
    return value


def _functions(value: Any, field: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseError(field, "accounting / ordering / payment の配列で指定してください")
    unknown = [v for v in value if v not in INVOICE_FUNCTIONS]
    if unknown:
        raise CaseError(field, f"「{unknown[0]}」は accounting / ordering / payment のいずれかです")
    return frozenset(value)


def _invoice_plan(data: dict, field: str) -> InvoicePlan:
    functions = data.get("functions", [])
    return InvoicePlan(
        functions=_functions(functions, f"{field}.functions"),
        software_cost_yen=_integer(
            data.get("software_cost", 0), f"{field}.software_cost", maximum=MAX_YEN
        ),
        pc_cost_yen=_integer(data.get("pc_cost", 0), f"{field}.pc_cost", maximum=MAX_YEN),
        register_cost_yen=_integer(
            data.get("register_cost", 0), f"{field}.register_cost", maximum=MAX_YEN
        ),
    )


def parse_case(data: Any, rules: RuleSet) -> tuple[ClinicFacts, Plan]:
    """Check one case and build the engine's facts and plan; CaseError names the bad field."""
    data = _object(data, "", CASE_KEYS, {"legal_form", "employees"})
    legal_forms = tuple(rules.legal_forms)
    legal_form = data["legal_form"]
    if legal_form not in legal_forms:
        raise CaseError("legal_form", f"{' / '.join(legal_forms)} のいずれかで指定してください")
    facts = ClinicFacts(
        legal_form=legal_form,
        employees=_integer(data["employees"], "employees", maximum=MAX_COUNT),
        minimum_wage_near=_boolean(data.get("minimum_wage_near", False), "minimum_wage_near"),
        wage_increase_plan=_boolean(data.get("wage_increase_plan", False), "wage_increase_plan"),
    )
    plans = _object(data.get("plans", {}), "plans", set(rules.frames), set())
    built = Plan()
    for code, raw in plans.items():
        field = f"plans.{code}"
        formula = rules.frames[code].formula
        raw = _object(raw, field, PLAN_KEYS[formula], REQUIRED_PLAN_KEYS[formula])
        if formula == "normal":
            built[code] = NormalPlan(
                processes=_integer(raw["processes"], f"{field}.processes", maximum=MAX_COUNT),
                cost_yen=_integer(raw["cost"], f"{field}.cost", maximum=MAX_YEN),
            )
        elif formula == "invoice":
            built[code] = _invoice_plan(raw, field)
        elif formula == "multi":
            built[code] = MultiPlan(
                members=_integer(raw["members"], f"{field}.members", maximum=MAX_COUNT),
                base=_invoice_plan(raw, field),
                analysis_cost_yen=_integer(
                    raw.get("analysis_cost", 0), f"{field}.analysis_cost", maximum=MAX_YEN
                ),
                admin_cost_yen=_integer(
                    raw.get("admin_cost", 0), f"{field}.admin_cost", maximum=MAX_YEN
                ),
            )
        else:
            built[code] = CostPlan(cost_yen=_integer(raw["cost"], f"{field}.cost", maximum=MAX_YEN))
    return facts, built


def _reasons(reasons: tuple[Reason, ...]) -> list[dict]:
    return [
        {
            "text": r.text,
            "rule": r.rule,
            "source": r.source,
            "needs_confirmation": r.needs_confirmation,
        }
        for r in reasons
    ]


def frame_to_json(result: FrameResult) -> dict:
    return {
        "name": result.name,
        "eligible": result.eligible,
        "verdict": result.verdict,
        "rate": rate(result.rate) if result.rate is not None else None,
        "subsidy": result.subsidy_yen,
        "min_subsidy": result.min_subsidy_yen,
        "max_subsidy": result.max_subsidy_yen - 1
        if result.max_is_exclusive
        else result.max_subsidy_yen,
        "requirements": _reasons(result.requirements),
        "reasons": _reasons(result.reasons),
        "improvements": _reasons(result.improvements),
        "steps": [
            {"label": s.label, "formula": s.formula, "amount": int(s.amount_yen)}
            for s in result.steps
        ],
        "next_deadline": result.next_deadline.closes_on.isoformat()
        if result.next_deadline
        else None,
    }


def evaluation_to_json(evaluation: Evaluation) -> dict:
    return {
        "rule_version": evaluation.rule_version,
        "as_of": evaluation.as_of.isoformat(),
        "applicant": {
            "eligible": evaluation.applicant.eligible,
            "sme": evaluation.applicant.sme,
            "small_business": evaluation.applicant.small_business,
            "reasons": _reasons(evaluation.applicant.reasons),
        },
        "frames": {f.code: frame_to_json(f) for f in evaluation.frames},
    }
