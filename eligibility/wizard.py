"""The wizard's steps: which forms a step shows and which answers it keeps. Views stay thin."""

from __future__ import annotations

from eligibility.engine.evaluate import FUNCTION_NAMES
from eligibility.engine.types import RuleSet

from .forms import (
    ApplicantForm,
    GoalsForm,
    InvoiceCostForm,
    SecurityCostForm,
    SoftwareCostForm,
    WagesForm,
    from_answer,
    to_answer,
)
from .selectors import wizard_steps

EDITABLE_STEPS = ("applicant", "goals", "tools", "wages")
COST_FORMS = {
    "normal": SoftwareCostForm,
    "invoice": InvoiceCostForm,
    "e_trade": SoftwareCostForm,
    "security": SecurityCostForm,
}


def tools_for(code: str, rules: RuleSet) -> list:
    if code == "normal":
        return list(rules.tools.values())
    if code == "invoice":
        return [t for t in rules.tools.values() if t.invoice_function]
    return []


def needs_wage_plan(answers: dict, rules: RuleSet) -> bool:
    """Ask about the wage-increase plan only where 4 or more processes are chosen."""
    tools = (answers.get("normal") or {}).get("tools", [])
    processes = {rules.tools[t].process_code for t in tools if t in rules.tools}
    return len(processes) > rules.frames["normal"].count("small_band_max_processes")


def step_forms(step: str, answers: dict, rules: RuleSet, data=None) -> dict:
    """The forms of one step, bound to ``data`` when given, else showing the saved answers."""
    if step == "applicant":
        return {"": ApplicantForm(data, rules=rules, initial=answers)}
    if step == "goals":
        return {"": GoalsForm(data, rules=rules, initial={"goals": answers.get("goals", [])})}
    if step == "tools":
        forms = {}
        for code in [c for c in rules.frames if c in (answers.get("goals") or [])]:
            if code not in COST_FORMS:
                continue
            extra = {"tool_choices": _tool_choices(code, rules)} if tools_for(code, rules) else {}
            forms[code] = COST_FORMS[code](
                data, prefix=code, initial=answers.get(code) or {}, **extra
            )
        return forms
    if step == "wages":
        initial = {
            "minimum_wage_near": from_answer(answers.get("minimum_wage_near")),
            "wage_increase_plan": from_answer(answers.get("wage_increase_plan")),
        }
        ask = needs_wage_plan(answers, rules)
        return {"": WagesForm(data, rules=rules, ask_wage_plan=ask, initial=initial)}
    raise KeyError(step)


def _tool_choices(code: str, rules: RuleSet) -> list[tuple[str, str]]:
    """Tools in the clinic's words, with the process (and invoice function) they map to."""
    choices = []
    for tool in tools_for(code, rules):
        process = rules.process_codes.get(tool.process_code)
        mapped = f"{process.code} {process.name}" if process else ""
        if code == "invoice":
            mapped = f"{FUNCTION_NAMES[tool.invoice_function]}機能"
        choices.append((tool.code, f"{tool.name}（{mapped}）"))
    return choices


def step_values(step: str, forms: dict) -> dict:
    """The answers a valid step adds to the screening."""
    if step == "tools":
        return {code: form.cleaned_data for code, form in forms.items()} | {"tools_done": True}
    cleaned = forms[""].cleaned_data
    if step == "wages":
        return {
            "minimum_wage_near": to_answer(cleaned["minimum_wage_near"]),
            "wage_increase_plan": to_answer(cleaned.get("wage_increase_plan", "unknown")),
        }
    return dict(cleaned)


def next_step(step: str, answers: dict) -> str:
    codes = [code for code, _ in wizard_steps(answers)]
    return codes[codes.index(step) + 1]


def previous_step(step: str, answers: dict) -> str | None:
    codes = [code for code, _ in wizard_steps(answers)]
    index = codes.index(step)
    return codes[index - 1] if index > 0 else None
