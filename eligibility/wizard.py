"""The wizard's steps: which forms a step shows and which answers it keeps. Views stay thin."""

from __future__ import annotations

from eligibility.engine.answers import (
    WAGE_FORMULAS,
    chosen_frames,
    needs_wage_plan,
    steps,
    tools_for,
)
from eligibility.engine.evaluate import FUNCTION_NAMES
from eligibility.engine.types import FrameRules, RuleSet

from .forms import (
    ApplicantForm,
    GoalsForm,
    InvoiceCostForm,
    MultiCostForm,
    SecurityCostForm,
    SoftwareCostForm,
    WagesForm,
    from_answer,
    to_answer,
)

EDITABLE_STEPS = ("applicant", "goals", "tools", "wages")
COST_FORMS = {  # by formula
    "normal": SoftwareCostForm,
    "invoice": InvoiceCostForm,
    "e_trade": SoftwareCostForm,
    "security": SecurityCostForm,
    "multi": MultiCostForm,
}


def step_forms(step: str, answers: dict, rules: RuleSet, data=None) -> dict:
    """The forms of one step, bound to ``data`` when given, else showing the saved answers."""
    if step == "applicant":
        return {"": ApplicantForm(data, rules=rules, initial=answers)}
    if step == "goals":
        return {"": GoalsForm(data, rules=rules, initial={"goals": answers.get("goals", [])})}
    if step == "tools":
        forms = {}
        for frame in chosen_frames(answers, rules):
            if frame.formula not in COST_FORMS:
                continue
            extra = {"tool_choices": _tool_choices(frame, rules)} if tools_for(frame, rules) else {}
            forms[frame.code] = COST_FORMS[frame.formula](
                data, prefix=frame.code, initial=answers.get(frame.code) or {}, frame=frame, **extra
            )
        return forms
    if step == "wages":
        initial = {
            "minimum_wage_near": from_answer(answers.get("minimum_wage_near")),
            "wage_increase_plan": from_answer(answers.get("wage_increase_plan")),
        }
        ask = needs_wage_plan(answers, rules)
        frame = next(f for f in chosen_frames(answers, rules) if f.formula in WAGE_FORMULAS)
        return {"": WagesForm(data, frame=frame, ask_wage_plan=ask, initial=initial)}
    raise KeyError(step)


def _tool_choices(frame: FrameRules, rules: RuleSet) -> list[tuple[str, str]]:
    """Tools in the clinic's words, with the process (and invoice function) they map to."""
    choices = []
    for tool in tools_for(frame, rules):
        process = rules.process_codes.get(tool.process_code)
        mapped = f"{process.code} {process.name}" if process else ""
        if frame.formula in ("invoice", "multi"):
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


def next_step(step: str, answers: dict, rules: RuleSet) -> str:
    codes = steps(answers, rules)
    return codes[codes.index(step) + 1]


def previous_step(step: str, answers: dict, rules: RuleSet) -> str | None:
    codes = steps(answers, rules)
    index = codes.index(step)
    return codes[index - 1] if index > 0 else None
