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

from dataclasses import dataclass, field, replace
from datetime import date

from gmpy2 import mpq

from .evaluate import Evaluation, evaluate
from .format import yen
from .types import (
    ClinicFacts,
    CostPlan,
    FrameRules,
    InvoicePlan,
    MultiPlan,
    NormalPlan,
    Plan,
    RuleSet,
    Step,
    Tool,
)

COST_FORMULAS = ("normal", "invoice", "e_trade", "security", "multi")  # whose costs it asks
WAGE_FORMULAS = ("normal",)  # whose rate or band depends on the wages step's answers
STEPS = ("applicant", "goals", "tools", "wages", "result")


# --- what the wizard asks, given the rules and the answers so far ---------------------------


def chosen_frames(answers: dict, rules: RuleSet) -> list[FrameRules]:
    goals = answers.get("goals") or []
    return [frame for code, frame in rules.frames.items() if code in goals]


def steps(answers: dict, rules: RuleSet) -> list[str]:
    """The steps these answers go through: the wages step only where a chosen frame's formula
    reads the wage answers (or before the goals are known)."""
    goals = answers.get("goals")
    asks_wages = not goals or any(f.formula in WAGE_FORMULAS for f in chosen_frames(answers, rules))
    return [step for step in STEPS if step != "wages" or asks_wages]


def first_missing_step(answers: dict, rules: RuleSet) -> str | None:
    """The first step that still needs an answer before a result can be shown."""
    if answers.get("legal_form") is None or answers.get("employees") is None:
        return "applicant"
    if not answers.get("goals"):
        return "goals"
    if "tools_done" not in answers:
        return "tools"
    if "wages" in steps(answers, rules) and "minimum_wage_near" not in answers:
        return "wages"
    return None


def tools_for(frame: FrameRules, rules: RuleSet) -> list[Tool]:
    """The tools the wizard offers for a frame: every tool (mapped to its process) for 通常枠's
    formula, the tools with an invoice function for インボイス対応類型's, none for the others."""
    if frame.formula == "normal":
        return list(rules.tools.values())
    if frame.formula in ("invoice", "multi"):  # 複数者連携's (a) is インボイス対応類型's
        return [t for t in rules.tools.values() if t.invoice_function]
    return []


def needs_wage_plan(answers: dict, rules: RuleSet) -> bool:
    """Ask about the wage-increase plan only where the processes chosen under a 通常枠-like
    frame reach its larger band (more than ``small_band_max_processes``)."""
    for frame in chosen_frames(answers, rules):
        if frame.formula == "normal":
            tools = (answers.get(frame.code) or {}).get("tools", [])
            processes = {rules.tools[t].process_code for t in tools if t in rules.tools}
            if len(processes) > frame.count("small_band_max_processes"):
                return True
    return False


@dataclass(frozen=True)
class CostBreakdown:
    """The eligible cost of one frame and how it was added up."""

    total_yen: int
    steps: tuple[Step, ...] = ()
    excluded_yen: int = 0
    excluded_note: str = ""
    processes: tuple[str, ...] = ()
    functions: frozenset[str] = field(default_factory=frozenset)
    hardware_yen: int = 0  # インボイス対応類型: PC・タブレット and レジ・券売機, subsidised apart


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
    explain: bool = True,
) -> CostBreakdown:
    """Purchase + monthly fee × min(months, max_months) + options + services; the steps and
    the note on months not counted only when ``explain``."""
    steps: list[Step] = []
    total = 0
    purchase = _amount(data, "purchase_yen")
    if purchase:
        if explain:
            steps.append(Step("ソフトウェア購入費", yen(purchase), mpq(purchase)))
        total += purchase
    monthly, months = _amount(data, monthly_key), _amount(data, months_key)
    excluded, note = 0, ""
    if monthly and months:
        counted = min(months, max_months)
        cloud = monthly * counted
        total += cloud
        if explain:
            steps.append(
                Step(
                    f"{monthly_label}（{counted}か月分）",
                    f"{yen(monthly)} × {counted}か月",
                    mpq(cloud),
                )
            )
        if explain and months > max_months:
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
            if explain:
                steps.append(Step(label, yen(value), mpq(value)))
            total += value
    if len(steps) > 1:
        steps.append(Step("補助対象経費の合計", "上記の合計", mpq(total)))
    return CostBreakdown(
        total_yen=total, steps=tuple(steps), excluded_yen=excluded, excluded_note=note
    )


def breakdowns(answers: dict, rules: RuleSet, *, explain: bool = True) -> dict[str, CostBreakdown]:
    """The eligible cost of each chosen frame, in the order of the rules."""
    goals = set(answers.get("goals") or [])
    result: dict[str, CostBreakdown] = {}
    for code, frame in rules.frames.items():
        if code not in goals or frame.formula not in COST_FORMULAS:
            continue
        data = answers.get(code) or {}
        tools = [rules.tools[t] for t in data.get("tools", []) if t in rules.tools]
        if frame.formula == "multi":  # the group's totals, as far as the clinic knows them
            breakdown = CostBreakdown(total_yen=_amount(data, "purchase_yen"))
        elif frame.formula == "security":
            breakdown = software_cost(
                data,
                frame.count("service_max_months"),
                monthly_key="service_monthly_yen",
                months_key="service_months",
                monthly_label="お助け隊サービス利用料",
                explain=explain,
            )
        else:
            breakdown = software_cost(data, frame.count("cloud_max_months"), explain=explain)
        processes = (
            tuple(sorted({t.process_code for t in tools if t.process_code}))
            if frame.formula == "normal"
            else ()
        )
        functions = (
            frozenset(t.invoice_function for t in tools if t.invoice_function)
            if frame.formula in ("invoice", "multi")
            else frozenset()
        )
        hardware = (
            _amount(data, "pc_yen") + _amount(data, "register_yen")
            if frame.formula in ("invoice", "multi")
            else 0
        )
        result[code] = replace(
            breakdown, processes=processes, functions=functions, hardware_yen=hardware
        )
    return result


def facts_and_plan(
    answers: dict, rules: RuleSet, *, explain: bool = True
) -> tuple[ClinicFacts, Plan, dict[str, CostBreakdown]]:
    """The engine's input for these answers (the applicant step must be answered). The yes/no
    questions keep わからない (and not yet asked) as None: 最低賃金近傍 then takes the lower rate
    with the advice to find out; 賃金引上げ計画 makes the larger band 要確認 with its amount."""
    facts = ClinicFacts(
        legal_form=answers["legal_form"],
        employees=answers["employees"],
        minimum_wage_near=answers.get("minimum_wage_near"),  # True, False or None (わからない)
        wage_increase_plan=answers.get("wage_increase_plan"),  # True, False or None (未定)
    )
    costs = breakdowns(answers, rules, explain=explain)
    plan = Plan()
    for code, cost in costs.items():
        formula = rules.frames[code].formula
        if formula == "normal":
            plan[code] = NormalPlan(len(cost.processes), cost.total_yen)
        elif formula in ("invoice", "multi"):
            data = answers.get(code) or {}
            invoice = InvoicePlan(
                functions=cost.functions,
                software_cost_yen=cost.total_yen,
                pc_cost_yen=_amount(data, "pc_yen"),
                register_cost_yen=_amount(data, "register_yen"),
            )
            if formula == "invoice":
                plan[code] = invoice
            elif "members" in data:  # screenings made before the wizard asked for the group
                plan[code] = MultiPlan(
                    members=_amount(data, "members"),
                    base=invoice,
                    analysis_cost_yen=_amount(data, "analysis_yen"),
                    admin_cost_yen=_amount(data, "admin_yen"),
                )
        else:
            plan[code] = CostPlan(cost.total_yen)
    return facts, plan, costs


def evaluate_answers(
    answers: dict, rules: RuleSet, *, as_of: date, explain: bool = True
) -> tuple[Evaluation, dict[str, CostBreakdown]]:
    """The one path from a screening's stored answers to the engine's result, and the cost
    breakdowns it was computed from. Every page (the tools step's preview, the result, its PDF
    and comparison), the completion of the wizard, the impact preview and the re-screen call it.

    What is authoritative is this evaluation of the answers under the screening's own version;
    the ScreeningOutcome rows written at completion are a summary of it, kept only so that staff
    pages can count thousands of screenings without evaluating them (a cache keyed by the
    answers, the version and ``engine_version()``; see ``manage.py refresh_outcomes``).

    ``explain=False``: the same numbers, no text (the re-screen, the impact, the outcomes)."""
    facts, plan, costs = facts_and_plan(answers, rules, explain=explain)
    return evaluate(facts, plan, rules, as_of=as_of, explain=explain), costs
