"""From a clinic's wizard answers to the engine's facts and plan, with the eligible-cost
arithmetic shown: purchase, cloud fees (monthly fee × months, at most the rule's months
counted), options and services. Plain Python, like the rest of the engine.

Answers (JSON, as stored on a Screening)::

    {"legal_form": "medical_corporation", "employees": 40,
     "goals": ["normal", "invoice"],
     "normal": {"tools": ["web_reservation"], "purchase_yen": 0, "cloud_monthly_yen": 30000,
                "cloud_months": 36, "option_yen": 0, "service_yen": 200000},
     "invoice": {"tools": ["accounting"], ..., "pc_yen": 150000, "register_yen": 0},
     "e_trade": {...}, "security": {"service_monthly_yen": 20000, "service_months": 24},
     "minimum_wage_near": false, "wage_increase_plan": null}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from .evaluate import Evaluation, evaluate
from .format import yen
from .types import ClinicFacts, CostPlan, InvoicePlan, NormalPlan, Plan, RuleSet, Step

COST_FRAMES = ("normal", "invoice", "e_trade", "security")


@dataclass(frozen=True)
class CostBreakdown:
    """The eligible cost of one frame and how it was added up."""

    total_yen: int
    steps: tuple[Step, ...] = ()
    excluded_yen: int = 0
    excluded_note: str = ""
    processes: tuple[str, ...] = ()
    functions: frozenset[str] = field(default_factory=frozenset)


def _amount(data: dict, key: str) -> int:
    value = data.get(key) or 0
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def software_cost(
    data: dict,
    max_months: int,
    *,
    monthly_key="cloud_monthly_yen",
    months_key="cloud_months",
    monthly_label="クラウド利用料",
) -> CostBreakdown:
    """Purchase + monthly fee × min(months, max_months) + options + services."""
    steps: list[Step] = []
    total = 0
    purchase = _amount(data, "purchase_yen")
    if purchase:
        steps.append(Step("ソフトウェア購入費", yen(purchase), Fraction(purchase)))
        total += purchase
    monthly, months = _amount(data, monthly_key), _amount(data, months_key)
    excluded, note = 0, ""
    if monthly and months:
        counted = min(months, max_months)
        cloud = monthly * counted
        steps.append(
            Step(
                f"{monthly_label}（{counted}か月分）",
                f"{yen(monthly)} × {counted}か月",
                Fraction(cloud),
            )
        )
        total += cloud
        if months > max_months:
            excluded = monthly * (months - max_months)
            note = (
                f"{monthly_label}は最大{max_months}か月分が対象のため、残りの"
                f"{months - max_months}か月分（{yen(excluded)}）は対象外です。"
            )
    for key, label in (
        ("option_yen", "オプション（機能拡張・データ連携・セキュリティ等）"),
        ("service_yen", "導入関連費（導入設定・研修・保守サポート等）"),
    ):
        value = _amount(data, key)
        if value:
            steps.append(Step(label, yen(value), Fraction(value)))
            total += value
    if len(steps) > 1:
        steps.append(Step("補助対象経費の合計", "上記の合計", Fraction(total)))
    return CostBreakdown(
        total_yen=total, steps=tuple(steps), excluded_yen=excluded, excluded_note=note
    )


def breakdowns(answers: dict, rules: RuleSet) -> dict[str, CostBreakdown]:
    """The eligible cost of each chosen frame, in the order of the rules."""
    goals = set(answers.get("goals") or [])
    result: dict[str, CostBreakdown] = {}
    for code in COST_FRAMES:
        if code not in goals:
            continue
        frame = rules.frames[code]
        data = answers.get(code) or {}
        tools = [rules.tools[t] for t in data.get("tools", []) if t in rules.tools]
        if code == "security":
            breakdown = software_cost(
                data,
                frame.count("service_max_months"),
                monthly_key="service_monthly_yen",
                months_key="service_months",
                monthly_label="お助け隊サービス利用料",
            )
        else:
            breakdown = software_cost(data, frame.count("cloud_max_months"))
        processes = (
            tuple(sorted({t.process_code for t in tools if t.process_code}))
            if code == "normal"
            else ()
        )
        functions = (
            frozenset(t.invoice_function for t in tools if t.invoice_function)
            if code == "invoice"
            else frozenset()
        )
        result[code] = CostBreakdown(
            total_yen=breakdown.total_yen,
            steps=breakdown.steps,
            excluded_yen=breakdown.excluded_yen,
            excluded_note=breakdown.excluded_note,
            processes=processes,
            functions=functions,
        )
    return result


def facts_and_plan(
    answers: dict, rules: RuleSet
) -> tuple[ClinicFacts, Plan, dict[str, CostBreakdown]]:
    """The engine's input for these answers (the applicant step must be answered);
    unanswered yes/no questions count as no."""
    facts = ClinicFacts(
        legal_form=answers["legal_form"],
        employees=answers["employees"],
        minimum_wage_near=answers.get("minimum_wage_near") is True,
        wage_increase_plan=answers.get("wage_increase_plan") is True,
    )
    costs = breakdowns(answers, rules)
    plans: dict[str, object] = {}
    if "normal" in costs:
        plans["normal"] = NormalPlan(len(costs["normal"].processes), costs["normal"].total_yen)
    if "invoice" in costs:
        data = answers.get("invoice") or {}
        plans["invoice"] = InvoicePlan(
            functions=costs["invoice"].functions,
            software_cost_yen=costs["invoice"].total_yen,
            pc_cost_yen=_amount(data, "pc_yen"),
            register_cost_yen=_amount(data, "register_yen"),
        )
    for code in ("e_trade", "security"):
        if code in costs:
            plans[code] = CostPlan(costs[code].total_yen)
    return facts, Plan(**plans), costs


def evaluate_answers(
    answers: dict, rules: RuleSet, *, as_of: date
) -> tuple[Evaluation, dict[str, CostBreakdown]]:
    """The one path from a screening's stored answers to the engine's result, and the cost
    breakdowns it was computed from. Every page (the tools step's preview, the result, its PDF
    and comparison), the completion of the wizard, the impact preview and the re-screen call it.

    What is authoritative is this evaluation of the answers under the screening's own version;
    the ScreeningOutcome rows written at completion and by the re-screen are a summary of it,
    kept only so that staff pages can count thousands of screenings without evaluating them."""
    facts, plan, costs = facts_and_plan(answers, rules)
    return evaluate(facts, plan, rules, as_of=as_of), costs
