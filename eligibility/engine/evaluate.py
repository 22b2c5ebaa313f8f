"""evaluate(facts, plan, rules, as_of=...): per frame, can the clinic apply, at what rate, for how much.

The formulas follow the seed (日医発第390号 and its 概要資料); every figure they use is read from
``rules`` and every sentence they return cites the rule it rests on. Amounts stay exact
rationals (``mpq``) until the end of each frame, where they are rounded down to the yen once.

Numbers first: each formula is written once and computes the numbers; the sentences it cites and
the arithmetic steps it shows are composed only when asked (``explain=True``, the default: the
result page, the PDF, the CLI). ``explain=False`` (the re-screen, the impact preview, the stored
outcomes) returns the same numbers with no text: every sentence is passed as a function
(``lambda: f"..."``) that is called only when explaining.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from math import ceil

from gmpy2 import mpq

from .format import jdate, man_yen, rate, whole_yen, yen
from .types import (
    ApplicantResult,
    ClinicFacts,
    CostPlan,
    Evaluation,
    FrameNumbers,
    FrameResult,
    FrameRules,
    InvoicePlan,
    MultiPlan,
    NormalPlan,
    Plan,
    Reason,
    Round,
    RuleSet,
    Step,
)

NO_OPEN_ROUND = "現在受付中の締切はありません（次回の公募は事務局の発表をお待ちください）。"
FUNCTION_NAMES = {"accounting": "会計", "ordering": "受発注", "payment": "決済"}


def evaluate(
    facts: ClinicFacts, plan: Plan, rules: RuleSet, *, as_of: date, explain: bool = True
) -> Evaluation:
    """Every frame the plan names (and 電子取引類型 for a clinic that is not an SME); with
    ``explain=False`` the numbers only, identical, without reasons, steps or checklist."""
    applicant = assess_applicant(facts, rules, explain=explain)
    results = []
    for code, frame in rules.frames.items():
        frame_plan = plan.get(code)
        if frame_plan is None and not (frame.formula in OPEN_TO_LARGE and not applicant.sme):
            continue
        draft = _Draft(frame, explain)
        if frame.formula not in OPEN_TO_LARGE and not applicant.sme:
            _not_sme(draft, applicant)
        else:
            FORMULAS[frame.formula](draft, frame_plan, facts, applicant, rules)
        results.append(_finish(draft, facts, applicant, rules, as_of))
    return Evaluation(
        rule_version=rules.label, as_of=as_of, applicant=applicant, frames=tuple(results)
    )


def assess_applicant(
    facts: ClinicFacts, rules: RuleSet, *, explain: bool = True
) -> ApplicantResult:
    """SME status from the size table, and 小規模事業者 from the version's assumption."""
    form = rules.legal_forms[facts.legal_form]
    limit = rules.size_categories[form.size_category].employees_max
    sme = limit is not None and facts.employees <= limit
    small = sme and facts.employees <= form.small_business_max_employees
    if not explain:
        return ApplicantResult(eligible=sme, sme=sme, small_business=small, reasons=())
    category = rules.size_categories[form.size_category]
    rule = f"size_category.{category.number}"
    if sme:
        text = (
            f"{form.name}・常時使用する従業員{limit}人以下（{facts.employees}人）のため、"
            f"中小企業等に該当します（{form.applicant_label}）。"
        )
    else:
        text = (
            f"{form.name}で常時使用する従業員が{limit}人を超える（{facts.employees}人）ため、"
            "中小企業等に該当しません。申請できるのはインボイス枠（電子取引類型）の発注者としてのみです。"
        )
    reasons = [Reason(text, rule, category.source)]
    reasons.append(
        Reason(
            "「常時使用する従業員」の数え方（パート・役員・家族従業員の扱い等）は"
            "公募要領で要確認です。",
            "applicant.regular_employees",
            "概要資料（参考）補助の対象となる中小企業・小規模事業者等",
            needs_confirmation=True,
        )
    )
    small_limit = form.small_business_max_employees
    if sme:
        verb = "該当するものとして" if small else "該当しないものとして"
        reasons.append(
            Reason(
                f"小規模事業者は常時使用する従業員{small_limit}人以下と想定しており、"
                f"{facts.employees}人のため{verb}計算しています。",
                f"legal_form.{form.code}.small_business",
                form.small_business_source,
                needs_confirmation=form.small_business_needs_confirmation,
            )
        )
    return ApplicantResult(eligible=sme, sme=sme, small_business=small, reasons=tuple(reasons))


# --- frames --------------------------------------------------------------------------------


Text = str | Callable[[], str]  # a sentence, or a function composing it when explaining


class _Draft:
    """What a frame formula fills in; turned into a FrameResult once, at the end. Its numbers
    are always computed; its sentences and steps only when ``explain`` is set."""

    __slots__ = (
        *("frame", "explain", "eligible", "rate", "exact_yen", "min_yen", "max_yen"),
        *("max_is_exclusive", "uses_assumption", "reasons", "requirements", "steps"),
        *("improvements", "conditions"),
    )

    def __init__(self, frame: FrameRules, explain: bool) -> None:
        self.frame = frame
        self.explain = explain
        self.eligible = True
        self.rate: mpq | None = None
        self.exact_yen: mpq | int = 0
        self.min_yen = self.max_yen = 0
        self.max_is_exclusive = self.uses_assumption = False
        if explain:
            self.reasons: list[Reason] = []
            self.requirements: list[Reason] = []
            self.steps: list[Step] = []
            self.improvements: list[Reason] = []
            self.conditions: set[str] = {"always"}

    def cite(
        self, key: str, text: Text, *, to: str = "reasons", frame: FrameRules | None = None
    ) -> None:
        """A sentence resting on the parameter ``key`` of this frame (or of ``frame``), added
        to its ``reasons`` (or ``requirements``, ``improvements``) when explaining."""
        if not self.explain:
            return
        frame = frame or self.frame
        param = frame.param(key)
        reason = Reason(_text(text), f"{frame.code}.{key}", param.source, param.needs_confirmation)
        getattr(self, to).append(reason)

    def when(self, condition: str) -> None:
        """The checklist's items of ``condition`` apply to this frame."""
        if self.explain:
            self.conditions.add(condition)

    def refuse(self, text: Text, rule: str, source: str) -> None:
        self.eligible = False
        if self.explain:
            self.reasons.append(Reason(_text(text), rule, source))

    def step(self, label: Text, formula: Text, amount: mpq | int) -> mpq | int:
        """``amount``, shown as a line of the arithmetic when explaining."""
        if self.explain:
            self.steps.append(Step(_text(label), _text(formula), mpq(amount)))
        return amount


def _not_sme(draft: _Draft, applicant: ApplicantResult) -> None:
    draft.refuse(
        lambda: f"中小企業等に該当しないため、{draft.frame.name}には申請できません。",
        "applicant.sme",
        applicant.reasons[0].source if draft.explain else "",
    )


def _text(text: Text) -> str:
    return text if isinstance(text, str) else text()


def _finish(draft: _Draft, facts, applicant, rules: RuleSet, as_of: date) -> FrameResult:
    frame = draft.frame
    subsidy = whole_yen(draft.exact_yen) if draft.eligible else 0
    if draft.eligible and subsidy == 0:  # e.g. a 1-yen plan: nothing to apply for
        draft.refuse(
            "補助額が1円未満になるため、この費用では申請の対象になりません。",
            f"{frame.code}.cost",
            frame.source,
        )
    if draft.uses_assumption and draft.eligible:
        verdict = "confirm"
    else:
        verdict = "eligible" if draft.eligible else "not_eligible"
    next_round = next_open_round(frame.rounds, as_of)
    if not draft.explain:
        return FrameNumbers(
            frame.code,
            draft.eligible,
            verdict,
            draft.rate,
            subsidy,
            draft.min_yen,
            draft.max_yen,
            draft.max_is_exclusive,
            next_round,
        )
    if applicant.small_business:
        draft.conditions.add("small_business")
    if facts.minimum_wage_near:
        draft.conditions.add("minimum_wage_near")
    if draft.eligible and draft.steps and draft.exact_yen != subsidy:
        draft.steps.append(Step("1円未満の端数", "最後に1円未満を切り捨て", mpq(subsidy)))
    why_not = draft.reasons[-1].text if not draft.eligible and draft.reasons else ""
    if next_round is None:
        draft.reasons.append(Reason(NO_OPEN_ROUND, f"{frame.code}.rounds", frame.source))
    else:
        days = (next_round.closes_on - as_of).days
        draft.reasons.append(
            Reason(
                f"次の締切は第{next_round.number}次 {jdate(next_round.closes_on)}"
                f"（あと{days}日）です。",
                f"{frame.code}.rounds.{next_round.number}",
                next_round.source,
            )
        )
    conditions, codes = draft.conditions, ("", frame.code)
    checklist = tuple(
        item
        for item in rules.checklist
        if item.frame_code in codes and item.condition in conditions
    )
    return FrameResult(
        code=frame.code,
        name=frame.name,
        eligible=draft.eligible,
        verdict=verdict,
        rate=draft.rate,
        subsidy_yen=subsidy,
        min_subsidy_yen=draft.min_yen,
        max_subsidy_yen=draft.max_yen,
        max_is_exclusive=draft.max_is_exclusive,
        reasons=tuple(draft.reasons),
        why_not=why_not,
        requirements=tuple(draft.requirements),
        steps=tuple(draft.steps),
        improvements=tuple(draft.improvements),
        rounds=frame.rounds,
        next_deadline=next_round,
        checklist=checklist,
    )


def _no_cost(draft: _Draft, cost_yen: int) -> bool:
    if cost_yen > 0:
        return False
    draft.refuse(
        "補助対象経費が0円のため、補助額はありません。",
        f"{draft.frame.code}.cost",
        draft.frame.source,
    )
    return True


def _normal(draft: _Draft, plan: NormalPlan, facts: ClinicFacts, applicant, rules) -> None:
    """通常枠: cost × 1/2 (2/3 near the minimum wage), in the band set by the process count."""
    frame = draft.frame
    if facts.minimum_wage_near:
        draft.rate = frame.rate("rate_minimum_wage_near")
        draft.cite(
            "rate_minimum_wage_near",
            lambda: (
                f"最低賃金近傍の事業者に該当するとのご回答のため、補助率は{rate(draft.rate)}です。"
            ),
        )
    else:
        draft.rate = frame.rate("rate")
        draft.cite("rate", lambda: f"補助率は{rate(draft.rate)}です。")
        if facts.minimum_wage_near is None:  # わからない: something they can still find out
            draft.cite(
                "rate_minimum_wage_near",
                lambda: (
                    "最低賃金近傍の事業者に当てはまるかどうかを確かめてください。当てはまれば、"
                    f"補助率は{rate(frame.rate('rate_minimum_wage_near'))}になります（要件："
                    f"{frame.param('minimum_wage_near_test').value}）。"
                ),
                to="improvements",
            )
        # answered いいえ: the test looks at a period that has passed; nothing to advise
    if plan.processes < 1:
        draft.refuse(
            "ITツールに含まれる業務プロセスが0件です。1つ以上のプロセスが必要です。",
            "normal.processes",
            frame.param("small_band_max_processes").source,
        )
        return
    if _no_cost(draft, plan.cost_yen):
        return
    exact = draft.step(
        "費用×補助率",
        lambda: f"{yen(plan.cost_yen)} × {rate(draft.rate)}",
        plan.cost_yen * draft.rate,
    )
    small_max = frame.count("small_band_max_processes")
    small_min, small_limit = frame.yen("small_band_min_yen"), frame.yen("small_band_limit_yen")
    if plan.processes <= small_max:
        draft.min_yen, draft.max_yen, draft.max_is_exclusive = small_min, small_limit, True
        draft.cite(
            "small_band_limit_yen",
            lambda: (
                f"プロセス数{plan.processes}（{small_max}つまで）のため、補助額は"
                f"{man_yen(small_min)}以上{man_yen(small_limit)}未満です。"
            ),
        )
        _bounded(draft, exact, small_min, small_limit - 1, "small_band_min_yen")
        if draft.eligible and exact >= small_limit:
            draft.cite(
                "large_band_max_yen",
                lambda: (
                    f"{small_max + 1}プロセス以上＋賃金引上げ計画で、上限"
                    f"{man_yen(frame.yen('large_band_max_yen'))}まで申請できます。"
                ),
                to="improvements",
            )
        return
    large_min, large_max = frame.yen("large_band_min_yen"), frame.yen("large_band_max_yen")
    draft.min_yen, draft.max_yen = large_min, large_max
    draft.cite(
        "large_band_max_yen",
        lambda: (
            f"プロセス数{plan.processes}（{small_max + 1}つ以上）のため、補助額は"
            f"{man_yen(large_min)}以上{man_yen(large_max)}以下です。"
        ),
    )
    draft.cite(
        "wage_plan_requirement", frame.param("wage_plan_requirement").value, to="requirements"
    )
    draft.when("wage_plan")

    def alternative() -> str:
        lower_band = min(exact, mpq(small_limit - 1))
        if lower_band < small_min:
            return ""
        return (
            f"1～{small_max}プロセスで申請する場合は、同じ費用で補助額{yen(lower_band)}"
            f"（上限{man_yen(small_limit)}未満）です。"
        )

    if facts.wage_increase_plan is False:
        draft.eligible = False
        draft.cite(
            "wage_plan_requirement",
            lambda: (
                f"{small_max + 1}プロセス以上の申請には賃金引上げ計画の策定と従業員への表明が"
                f"必要ですが、「策定しない」とのご回答です。{alternative()}"
            ),
        )
        return
    if facts.wage_increase_plan is None:  # わからない, or not asked yet: 要確認, with the amount
        draft.uses_assumption = True
        draft.cite(
            "wage_plan_requirement",
            lambda: (
                f"{small_max + 1}プロセス以上の申請には賃金引上げ計画の策定と従業員への表明が"
                "必要です。策定・表明するかどうかが未定のため要確認です。策定・表明する場合の"
                f"補助額を示しています。{alternative()}"
            ),
        )
    if exact < large_min:
        draft.eligible = False
        draft.cite(
            "large_band_min_yen",
            lambda: (
                f"{small_max + 1}プロセス以上の区分は補助額{man_yen(large_min)}以上が対象ですが、"
                f"この費用では{yen(exact)}です（費用{yen(_cost_for(large_min, draft.rate))}以上で対象）。"
                f"{alternative()}"
            ),
        )
        return
    _bounded(draft, exact, large_min, large_max, "large_band_min_yen")


def _bounded(draft: _Draft, exact: mpq | int, min_yen: int, max_yen: int, min_key: str) -> None:
    """Apply a frame's minimum (not eligible below it) and cap (the excess is not paid)."""
    if exact < min_yen:
        draft.eligible = False
        draft.cite(
            min_key,
            lambda: (
                f"補助額{yen(exact)}は下限{man_yen(min_yen)}に届かないため対象外です"
                f"（費用{yen(_cost_for(min_yen, draft.rate))}以上で対象になります）。"
            ),
        )
        return
    if exact > max_yen:
        draft.exact_yen = draft.step("上限の適用", lambda: _up_to(draft, max_yen), max_yen)
    else:
        draft.exact_yen = exact


def _up_to(draft: _Draft, max_yen: int) -> str:
    """上限4,500,000円まで; for a band that ends below a round figure (150万円未満), that figure
    first, so that 1,499,999円 does not read like a slip."""
    if draft.max_is_exclusive and max_yen == draft.max_yen - 1:
        return f"上限{man_yen(draft.max_yen)}未満（{yen(max_yen)}まで）"
    return f"上限{yen(max_yen)}まで"


def _cost_for(subsidy_yen: int, rate_value: mpq | None) -> int:
    """The smallest whole-yen cost whose subsidy reaches ``subsidy_yen``."""
    return int(ceil(subsidy_yen / rate_value)) if rate_value else subsidy_yen  # noqa: RUF046


def _invoice_software(draft: _Draft, frame: FrameRules, plan: InvoicePlan, small: bool):
    """The two-tier software subsidy of インボイス対応類型; returns the exact amount."""
    functions = sorted(f for f in plan.functions if f in FUNCTION_NAMES)
    if not functions:
        draft.refuse(
            "会計・受発注・決済のいずれかの機能を持つソフトウェアが必要です。",
            "invoice.functions",
            frame.param("one_function_max_yen").source,
        )
        return 0
    if _no_cost(draft, plan.software_cost_yen):
        return 0
    tier_key = "rate_tier1_small" if small else "rate_tier1"
    tier1_rate, tier2_rate = frame.rate(tier_key), frame.rate("rate_tier2")
    tier_limit = frame.yen("tier_limit_yen")
    cap_key = "one_function_max_yen" if len(functions) == 1 else "multi_function_max_yen"
    cap = frame.yen(cap_key)
    draft.rate = tier1_rate
    draft.max_yen = cap
    draft.cite(
        cap_key,
        lambda: (
            f"{'・'.join(FUNCTION_NAMES[f] for f in functions)}の{len(functions)}機能のため、"
            f"ソフトウェアの補助額は{man_yen(cap)}までです。"
        ),
        frame=frame,
    )
    draft.cite(
        tier_key,
        lambda: (
            f"補助額{man_yen(tier_limit)}以下の部分は{rate(tier1_rate)}"
            + ("（小規模事業者）" if small else "")
            + f"、{man_yen(tier_limit)}を超える部分は{rate(tier2_rate)}です。"
        ),
        frame=frame,
    )
    if small:
        draft.uses_assumption = True
    cost = plan.software_cost_yen
    tier1_cost = tier_limit / tier1_rate
    if cost <= tier1_cost or cap <= tier_limit:
        amount = draft.step(
            "ソフトウェア費×補助率",
            lambda: f"{yen(cost)} × {rate(tier1_rate)}",
            cost * tier1_rate,
        )
    else:
        first = draft.step(
            lambda: f"ソフトウェア（補助額{man_yen(tier_limit)}までの部分）",
            lambda: f"{yen(ceil(tier1_cost))} × {rate(tier1_rate)}",
            tier_limit,
        )
        rest = draft.step(
            lambda: f"ソフトウェア（{man_yen(tier_limit)}を超える部分）",
            lambda: f"({yen(cost)} − {yen(ceil(tier1_cost))}) × {rate(tier2_rate)}",
            (cost - tier1_cost) * tier2_rate,
        )
        amount = first + rest
    if amount > cap:
        amount = draft.step("ソフトウェアの上限", lambda: f"上限{yen(cap)}まで", cap)
        if cap_key == "one_function_max_yen":
            draft.cite(
                "multi_function_max_yen",
                lambda: (
                    f"2機能以上（会計・受発注・決済のうち）を持つツールなら、上限"
                    f"{man_yen(frame.yen('multi_function_max_yen'))}まで申請できます。"
                ),
                frame=frame,
                to="improvements",
            )
    if not small:
        draft.cite(
            "rate_tier1_small",
            lambda: (
                f"小規模事業者に該当する場合は、{man_yen(tier_limit)}以下の部分の補助率が"
                f"{rate(frame.rate('rate_tier1_small'))}になります。"
            ),
            frame=frame,
            to="improvements",
        )
    return amount


def _hardware(draft: _Draft, frame: FrameRules, cost_yen: int, kind: str, name: str):
    if cost_yen <= 0:
        return 0
    hw_rate, cap = frame.rate(f"{kind}_rate"), frame.yen(f"{kind}_max_yen")
    amount = draft.step(name, lambda: f"{yen(cost_yen)} × {rate(hw_rate)}", cost_yen * hw_rate)
    draft.cite(
        f"{kind}_max_yen",
        lambda: f"{name}は補助率{rate(hw_rate)}、補助額{man_yen(cap)}までです。",
        frame=frame,
    )
    if amount > cap:
        amount = draft.step(lambda: f"{name}の上限", lambda: f"上限{yen(cap)}まで", cap)
    return amount


def _invoice(draft: _Draft, plan: InvoicePlan, facts: ClinicFacts, applicant, rules) -> None:
    """インボイス対応類型: two-tier software subsidy plus PC/tablet and register at 1/2."""
    frame = draft.frame
    software = _invoice_software(draft, frame, plan, applicant.small_business)
    if not draft.eligible:
        if plan.pc_cost_yen or plan.register_cost_yen:
            draft.cite("pc_max_yen", "ハードウェアはソフトウェアと併せて導入する場合のみ対象です。")
        return
    pc = _hardware(draft, frame, plan.pc_cost_yen, "pc", "PC・タブレット等")
    register = _hardware(draft, frame, plan.register_cost_yen, "register", "レジ・券売機等")
    draft.max_yen += frame.yen("pc_max_yen") + frame.yen("register_max_yen")
    draft.min_yen = frame.yen("min_yen")
    if draft.min_yen:
        draft.cite("min_yen", lambda: f"補助額の下限は{man_yen(draft.min_yen)}です。")
    else:
        draft.cite("min_yen", lambda: f"{frame.name}には補助額の下限はありません。")
    draft.exact_yen = software + pc + register
    if pc or register:
        draft.step("合計", "ソフトウェア＋ハードウェア", draft.exact_yen)


def _security(draft: _Draft, plan: CostPlan, facts: ClinicFacts, applicant, rules) -> None:
    """セキュリティ対策推進枠: お助け隊 service fees × 1/2 (小規模事業者 2/3), 5万円–150万円."""
    frame = draft.frame
    small = applicant.small_business
    key = "rate_small" if small else "rate"
    draft.rate = frame.rate(key)
    draft.cite(
        key, lambda: f"補助率は{rate(draft.rate)}です" + ("（小規模事業者）。" if small else "。")
    )
    if small:
        draft.uses_assumption = True
    else:
        draft.cite(
            "rate_small",
            lambda: (
                f"小規模事業者に該当する場合は、補助率が{rate(frame.rate('rate_small'))}になります。"
            ),
            to="improvements",
        )
    draft.cite("service_requirement", frame.param("service_requirement").value, to="requirements")
    if _no_cost(draft, plan.cost_yen):
        return
    draft.min_yen, draft.max_yen = frame.yen("min_yen"), frame.yen("max_yen")
    draft.cite(
        "max_yen",
        lambda: f"補助額は{man_yen(draft.min_yen)}以上{man_yen(draft.max_yen)}以下です。",
    )
    exact = draft.step(
        "サービス利用料×補助率",
        lambda: f"{yen(plan.cost_yen)} × {rate(draft.rate)}",
        plan.cost_yen * draft.rate,
    )
    _bounded(draft, exact, draft.min_yen, draft.max_yen, "min_yen")


def _e_trade(draft: _Draft, plan: CostPlan | None, facts: ClinicFacts, applicant, rules) -> None:
    """電子取引類型: the ordering party's software, 2/3 (SME) or 1/2 (large), up to 350万円."""
    frame = draft.frame
    key = "rate" if applicant.sme else "rate_large"
    draft.rate = frame.rate(key)
    who = "中小企業等" if applicant.sme else "大企業等（中小企業等に該当しない法人）"
    draft.cite(key, lambda: f"{who}が申請する場合の補助率は{rate(draft.rate)}です。")
    draft.cite("role_requirement", frame.param("role_requirement").value, to="requirements")
    draft.max_yen = frame.yen("max_yen")
    if plan is None:
        draft.eligible = False
        draft.cite(
            "role_requirement",
            "中小企業等に該当しない場合も、受発注ソフトを導入して取引先に無償で使ってもらう"
            "発注者としてなら、この類型に申請できます（費用を入力すると補助額を計算します）。",
        )
        return
    if _no_cost(draft, plan.cost_yen):
        return
    draft.cite(
        "max_yen", lambda: f"補助額は{man_yen(draft.max_yen)}以下です（下限の定めはありません）。"
    )
    exact = draft.step(
        "費用×補助率",
        lambda: f"{yen(plan.cost_yen)} × {rate(draft.rate)}",
        plan.cost_yen * draft.rate,
    )
    _bounded(draft, exact, 0, draft.max_yen, "max_yen")


def _multi(draft: _Draft, plan: MultiPlan, facts: ClinicFacts, applicant, rules) -> None:
    """複数者連携: (a) as インボイス対応類型, (b) analysis ≤ 50万円 × members, (a)+(b) ≤ 3,000万円,
    (c) administration and experts ≤ 200万円; (b) and (c) at 2/3; 10 members or more."""
    frame = draft.frame
    minimum = frame.count("min_members")
    draft.cite(
        "min_members",
        lambda: (
            f"{minimum}者以上の中小企業・小規模事業者等が連携する取組が対象です"
            "（医療機関はグループの構成員として参加します）。"
        ),
        to="requirements",
    )
    if plan.members < minimum:
        draft.eligible = False
        draft.cite(
            "min_members",
            lambda: f"構成員が{plan.members}者のため、{minimum}者以上の要件を満たしません。",
        )
        return
    base = 0
    invoice = next(f for f in rules.frames.values() if f.formula == "invoice")
    if plan.base.software_cost_yen <= 0 and (plan.base.pc_cost_yen or plan.base.register_cost_yen):
        draft.cite(
            "pc_max_yen",
            "(a)のハードウェアはソフトウェアと併せて導入する場合のみ対象のため、数えていません。",
            frame=invoice,
        )
    if plan.base.software_cost_yen > 0:
        base = _invoice_software(draft, invoice, plan.base, applicant.small_business)
        if not draft.eligible:
            return
        base += _hardware(draft, invoice, plan.base.pc_cost_yen, "pc", "PC・タブレット等")
        base += _hardware(draft, invoice, plan.base.register_cost_yen, "register", "レジ・券売機等")
    b_rate, c_rate = frame.rate("rate_analysis"), frame.rate("rate_admin")
    per_member = frame.yen("analysis_per_member_yen")
    b_cap = per_member * plan.members
    analysis = min(
        draft.step(
            "(b)消費動向等分析経費",
            lambda: f"{yen(plan.analysis_cost_yen)} × {rate(b_rate)}",
            plan.analysis_cost_yen * b_rate,
        ),
        b_cap,
    )
    draft.cite(
        "analysis_per_member_yen",
        lambda: f"(b)は{man_yen(per_member)}×構成員{plan.members}者＝{man_yen(b_cap)}までです。",
    )
    ab_max = frame.yen("ab_max_yen")
    ab = base + analysis
    if ab > ab_max:
        ab = draft.step("(a)+(b)の上限", lambda: f"上限{yen(ab_max)}まで", ab_max)
    draft.cite("ab_max_yen", lambda: f"(a)と(b)を合わせて{man_yen(ab_max)}までです。")
    c_max = frame.yen("admin_max_yen")
    admin = draft.step(
        "(c)事務費・専門家経費",
        lambda: f"{yen(plan.admin_cost_yen)} × {rate(c_rate)}",
        plan.admin_cost_yen * c_rate,
    )
    if admin > c_max:
        admin = draft.step("(c)の上限", lambda: f"上限{yen(c_max)}まで", c_max)
    draft.cite("admin_max_yen", lambda: f"(c)は補助率{rate(c_rate)}、{man_yen(c_max)}までです。")
    draft.rate = draft.rate or b_rate
    draft.max_yen = ab_max + c_max
    draft.uses_assumption = True  # what the seed leaves open decides the group's amount
    if draft.explain:
        draft.reasons.append(
            Reason(
                "(a)の上限（ソフトウェア・PC・レジ）が構成員ごとかグループ全体か、補助率に誰の"
                "小規模事業者の区分を用いるかは資料からは決められないため、グループ全体に1回、"
                "申請する医療機関の区分で計算しています。公募要領で要確認です。",
                "multi.assumptions",
                frame.source,
                needs_confirmation=True,
            )
        )
    draft.exact_yen = draft.step("合計", "(a)+(b)+(c)", ab + admin)
    if draft.exact_yen <= 0:
        draft.refuse("補助対象経費が0円のため、補助額はありません。", "multi.cost", frame.source)


# Each frame's rules name the formula that computes it; OPEN_TO_LARGE: formulas a clinic that
# is not an SME can still apply under (as 発注者 of 電子取引類型).
OPEN_TO_LARGE = {"e_trade"}
FORMULAS = {
    "normal": _normal,
    "invoice": _invoice,
    "security": _security,
    "e_trade": _e_trade,
    "multi": _multi,
}


def next_open_round(rounds: tuple[Round, ...], as_of: date) -> Round | None:
    """The first round (in the order of their dates, as parse_rules keeps them) still open."""
    for round_ in rounds:
        if round_.closes_on >= as_of:
            return round_
    return None
